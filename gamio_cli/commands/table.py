"""In-game slash commands, as a table: name, Russian aliases, help line, handler.

The REPL knows only the table: it looks a typed word up, runs the handler and obeys the
Outcome. Another feature adds a command by adding a row (CommandTable.add); /help and the
prompt's completion list every row. Handlers talk to the player and run the model through the
Session protocol, which the REPL implements. The commands every game has: core.default_commands.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

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
