"""In-game slash commands, as a table: name, Russian aliases, help line, handler.

The REPL knows only the table: it looks a typed word up, runs the handler and obeys the
Outcome. Another feature adds a command by adding a row (CommandTable.add); /help and the
prompt's completion list every row. Handlers talk to the player and run the model through the
Session protocol, which the REPL implements.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from gamio_cli.errors import GamioError
from gamio_cli.game import Game

PREFIX = "/"


class Outcome(Enum):
    CONTINUE = "continue"
    QUIT = "quit"


class Session(Protocol):
    """What a command can reach: the game, the table, the player's screen and the model."""

    @property
    def game(self) -> Game: ...

    @property
    def commands(self) -> CommandTable: ...

    def info(self, text: str) -> None: ...

    def show_story(self, last_turns: int | None = None) -> None:
        """The opening and the last turns (a default number when None)."""
        ...

    def retry(self) -> None:
        """A new continuation of the last action, shown like a turn (Ctrl-C cancels it)."""
        ...

    def request_quit(self) -> bool:
        """Save and report; False when saving failed and the game must stay open."""
        ...

    def translate(self, text_ru: str) -> str:
        """Russian -> English with the story's names glossary, while a spinner shows
        (Ctrl-C raises Cancelled)."""
        ...

    def confirm(self, question: str) -> bool:
        """A yes/no question; anything but yes is no."""
        ...

    def edit(self, prompt: str, text: str) -> str | None:
        """Let the player edit text in place; None when they gave up (Ctrl-C, end of input)."""
        ...


Handler = Callable[[Session, str], Outcome]


@dataclass(frozen=True)
class Command:
    name: str  # "/save"
    aliases: tuple[str, ...]  # ("/сохранить",)
    usage: str  # what to type, e.g. "/save [имя]"
    help_ru: str  # one line
    handler: Handler

    @property
    def words(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


class CommandTable:
    """Commands in the order /help lists them."""

    def __init__(self, commands: list[Command] | None = None) -> None:
        self._commands: list[Command] = []
        for command in commands or []:
            self.add(command)

    def add(self, command: Command) -> None:
        taken = set(self.words())
        clash = [word for word in command.words if word.lower() in taken]
        if clash:
            raise ValueError(f"command word already used: {clash}")
        self._commands.append(command)

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands)

    def words(self) -> list[str]:
        """Every name and alias, lowercase, for lookup and completion."""
        return [word.lower() for command in self._commands for word in command.words]

    def find(self, word: str) -> Command | None:
        word = word.lower()
        for command in self._commands:
            if word in (w.lower() for w in command.words):
                return command
        return None

    def suggest(self, word: str) -> str | None:
        """The closest known command word to a mistyped one."""
        close = difflib.get_close_matches(word.lower(), self.words(), n=1, cutoff=0.6)
        return close[0] if close else None


def is_command(text: str) -> bool:
    return text.lstrip().startswith(PREFIX)


def split_command(text: str) -> tuple[str, str]:
    """'/save  моя история ' -> ('/save', 'моя история')."""
    word, _, rest = text.strip().partition(" ")
    return word, rest.strip()


def dispatch(session: Session, text: str) -> Outcome:
    """Run the command typed in text; an unknown one gets a hint, never a turn."""
    word, argument = split_command(text)
    command = session.commands.find(word)
    if command is None:
        session.info(unknown_hint(session.commands, word))
        return Outcome.CONTINUE
    return command.handler(session, argument)


def unknown_hint(table: CommandTable, word: str) -> str:
    shown = word if len(word) <= 30 else word[:30] + "…"
    guess = table.suggest(word)
    maybe = f" Может быть, {guess}?" if guess else ""
    return f"Неизвестная команда «{shown}».{maybe} Список команд: /help (или /помощь)."


def help_lines(table: CommandTable) -> list[str]:
    lines = ["Команды:"]
    for command in table:
        aliases = ", ".join(command.aliases)
        lines.append(f"  {command.usage:<22} {command.help_ru} (также {aliases})")
    lines.append(
        "Всё остальное — ваш ход: действие («открываю дверь»), реплика в кавычках или после "
        "тире («Привет!», — Привет!), «!» в начале — рассказ от автора («!Начинается гроза»), "
        "пустая строка — история идёт дальше."
    )
    lines.append("Ctrl-C во время хода отменяет ход; Ctrl-D или /выход — сохранить и выйти.")
    return lines


def _help(session: Session, argument: str) -> Outcome:
    for line in help_lines(session.commands):
        session.info(line)
    return Outcome.CONTINUE


def _save(session: Session, argument: str) -> Outcome:
    game = session.game
    path = game.save_as(argument) if argument else game.save()
    session.info(f"Сохранено: «{game.name}» ({path}).")
    return Outcome.CONTINUE


def _load(session: Session, argument: str) -> Outcome:
    game = session.game
    if not argument:
        names = [info.name for info in game.store.list() if info.name != game.name]
        known = ", ".join(f"«{name}»" for name in names[:10]) or "других сохранений нет"
        session.info(f"Укажите имя: /load ИМЯ. Сохранения: {known}.")
        return Outcome.CONTINUE
    game.load(argument)
    session.info(f"Загружена история «{game.name}».")
    session.show_story()
    return Outcome.CONTINUE


def _retry(session: Session, argument: str) -> Outcome:
    if not session.game.story.turns:
        raise GamioError("Повторять нечего: в истории ещё нет ходов. Напишите действие.")
    session.retry()
    return Outcome.CONTINUE


def _undo(session: Session, argument: str) -> Outcome:
    turn = session.game.undo()
    action = f": «{turn.action_ru}»" if turn.action_ru.strip() else ""
    session.info(f"Последний ход отменён{action}. История теперь такая:")
    session.show_story(last_turns=1)
    return Outcome.CONTINUE


def _quit(session: Session, argument: str) -> Outcome:
    return Outcome.QUIT if session.request_quit() else Outcome.CONTINUE


def default_commands() -> CommandTable:
    """The commands every game has, the story toolkit included, /quit last."""
    # Imported here: the toolkit modules import this one for Command, Outcome and Session.
    from gamio_cli.commands_story import story_commands
    from gamio_cli.commands_toolkit import toolkit_commands

    table = CommandTable(
        [
            Command("/help", ("/помощь",), "/help", "эта справка", _help),
            Command(
                "/save", ("/сохранить",), "/save [имя]",
                "сохранить историю (с именем — под этим именем)", _save,
            ),
            Command("/load", ("/загрузить",), "/load имя", "открыть сохранённую историю", _load),
            Command(
                "/retry", ("/заново",), "/retry", "переписать ответ на последнее действие", _retry
            ),
            Command("/undo", ("/отмена",), "/undo", "отменить последний ход", _undo),
        ]
    )
    for command in story_commands() + toolkit_commands():
        table.add(command)
    table.add(Command("/quit", ("/выход",), "/quit", "сохранить и выйти", _quit))
    return table
