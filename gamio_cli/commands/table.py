"""In-game slash commands, as a table: name, Russian aliases, help line, handler.

The REPL knows only the table: it looks a typed word up, runs the handler and obeys the
Outcome. Another feature adds a command by adding a row (CommandTable.add); /help and the
prompt's completion list every row. Handlers talk to the player and run the model through the
Session protocol, which the REPL implements. The commands every game has: core.default_commands.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from gamio_cli.errors import GamioError
from gamio_cli.game import Game
from gamio_cli.story import Turn

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

    def show_turn(self, turn: Turn | None) -> None:
        """One turn, its action and its text (None: the story's opening)."""
        ...

    def retry(self) -> None:
        """The action whose turn just failed, played again; else a new continuation of the
        last action. Shown like a turn, under the action it answers (Ctrl-C cancels it)."""
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
    # False for a command whose text must keep the English names (/help lists both).
    russian_words: bool = True

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
    """Run the command typed in text; an unknown one is an error with a hint, never a turn.

    A player who typed a Russian alias hears the other commands named by their Russian
    aliases too (in the command's messages and errors), not by their English names.
    """
    word, argument = split_command(text)
    table = session.commands
    command = table.find(word)
    if command is None:
        raise GamioError(unknown_hint(table, word))
    if word.isascii() or not command.russian_words:
        return command.handler(session, argument)
    try:
        return command.handler(RussianWords(session, table), argument)
    except GamioError as error:
        error.message = in_russian_words(error.message, table)
        error.args = (error.message,)
        raise


_COMMAND_WORD = re.compile(r"(?<![\w/])/[a-z]+\b")
# The English words after a command that have a Russian twin, and that twin.
SUBWORDS_RU = {"add": "добавить", "edit": "изменить", "remove": "убрать"}
_SUBWORD = re.compile(r"(/[^\s/]+) (add|edit|remove)\b")


def in_russian_words(text: str, table: CommandTable) -> str:
    """Every English command name in text replaced by its first Russian alias."""

    def alias(match: re.Match[str]) -> str:
        command = table.find(match.group(0))
        return command.aliases[0] if command and command.aliases else match.group(0)

    text = _COMMAND_WORD.sub(alias, text)
    return _SUBWORD.sub(lambda m: f"{m.group(1)} {SUBWORDS_RU[m.group(2)]}", text)


class RussianWords:
    """A Session whose messages name commands by their Russian aliases."""

    def __init__(self, session: Session, table: CommandTable) -> None:
        self._session = session
        self._table = table

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)

    @property
    def game(self) -> Game:
        return self._session.game

    @property
    def commands(self) -> CommandTable:
        return self._session.commands

    def info(self, text: str) -> None:
        self._session.info(in_russian_words(text, self._table))


def unknown_hint(table: CommandTable, word: str) -> str:
    shown = word if len(word) <= 30 else word[:30] + "…"
    guess = table.suggest(word)
    maybe = f" Может быть, {guess}?" if guess else ""
    return f"Неизвестная команда «{shown}».{maybe} Список команд: /help (или /помощь)."


def help_lines(table: CommandTable) -> list[str]:
    lines = ["Команды:"]
    width = max((len(command.usage) for command in table), default=0)
    for command in table:
        aliases = ", ".join(command.aliases)
        lines.append(f"  {command.usage:<{width}} {command.help_ru} (также {aliases})")
    lines.append(
        "Всё остальное — ваш ход: действие («открываю дверь»), реплика в кавычках или после "
        "тире («Привет!», — Привет!), «!» в начале — рассказ от автора («!Начинается гроза»), "
        "пустая строка — история идёт дальше."
    )
    lines.append("Ctrl-C во время хода отменяет ход; Ctrl-D или /выход — сохранить и выйти.")
    return lines
