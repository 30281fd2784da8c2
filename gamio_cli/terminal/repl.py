"""The read-play loop. It gets its game and its input/output as arguments (GameIO), so tests
drive it in-process with scripted lines and scripted models, and the terminal and piped modes
differ only in their GameIO.

Nothing the player typed or the model wrote is printed raw: every GameIO implementation passes
text through textsafe.safe_output, and every input line goes through textsafe.clean_input here.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from gamio_cli.commands.core import default_commands
from gamio_cli.commands.table import CommandTable, Outcome, dispatch, is_command
from gamio_cli.engine import CancelToken
from gamio_cli.errors import Cancelled, GamioError, GenerationFailed, SaveError
from gamio_cli.game import Game, Played
from gamio_cli.storage.store import BackupAvailable
from gamio_cli.story import Story, Turn
from gamio_cli.terminal.signals import (
    EXIT_INTERRUPTED,
    Presses,
    Shutdown,
    cancel_on_interrupt,
    ignoring_interrupts,
    shutdown_on_signals,
)
from gamio_cli.textsafe import clean_input
from gamio_cli.world.glossary import Glossary

PROMPT = "Ваш ход › "
# How many of the latest turns are shown when a story opens; older ones are counted.
SHOWN_TURNS = 20


class GameIO(Protocol):
    """The player's screen and keyboard. Implementations make every printed text safe."""

    @property
    def interactive(self) -> bool:
        """True for a terminal (a failed save at exit keeps the game open), False for a pipe."""
        ...

    def read_line(self, prompt: str) -> str:
        """One line; EOFError at the end of input, KeyboardInterrupt on Ctrl-C."""
        ...

    def edit_line(self, prompt: str, text: str) -> str:
        """One line, starting from text the player edits in place (EOFError, KeyboardInterrupt
        as read_line)."""
        ...

    def show_story(self, story: Story, earlier_turns: int) -> None:
        """The opening and the turns of story; earlier_turns were left out before them."""
        ...

    def show_action(self, text: str) -> None:
        """The player's action, set apart from the narration."""
        ...

    def show_narration(self, text: str) -> None:
        """Narration: a streamed sentence (inside working()) or a whole block."""
        ...

    def discard_narration(self) -> None:
        """The sentences streamed in this working() block are void: the model starts over."""
        ...

    def info(self, text: str) -> None: ...

    def error(self, text: str) -> None: ...

    def working(self, status: str) -> AbstractContextManager[None]:
        """Shows status (a spinner) while the model works."""
        ...


class Streamer:
    """A TurnListener that shows each finished sentence as soon as the pipeline has it."""

    def __init__(self, io: GameIO) -> None:
        self._io = io
        self.shown: list[str] = []

    def sentence(self, text_ru: str) -> None:
        self.shown.append(text_ru)
        self._io.show_narration(text_ru)

    def restart(self) -> None:
        if self.shown:
            self._io.discard_narration()
        self.shown = []

    def finish(self, continuation_ru: str) -> None:
        """Show whatever of the final continuation was not streamed."""
        full = " ".join(continuation_ru.split())
        shown = " ".join(" ".join(self.shown).split())
        if full.startswith(shown):
            rest = full[len(shown):].strip()
        else:  # the pipeline changed its mind without restart(): show the final text whole
            self._io.discard_narration()
            rest = full
        if rest:
            self._io.show_narration(rest)
        self.shown = [continuation_ru]


@dataclass(frozen=True)
class FailedAction:
    """An action whose turn failed (the model wrote nothing usable), kept for /retry."""

    text: str
    save_name: str
    turns: int  # how many turns the story had: another turn or /undo makes it stale

    def still_pending(self, save_name: str, turns: int) -> bool:
        return (save_name, turns) == (self.save_name, self.turns)


class Repl:
    """Implements commands.Session over a GameIO."""

    def __init__(
        self,
        game: Game,
        io: GameIO,
        commands: CommandTable | None = None,
        presses: Presses | None = None,
        debug: bool = False,
    ) -> None:
        self._game = game
        self.io = io
        self._commands = commands or default_commands()
        self.presses = presses or Presses()
        self.debug = debug
        self._failed: FailedAction | None = None

    @property
    def game(self) -> Game:
        return self._game

    @property
    def commands(self) -> CommandTable:
        return self._commands

    # --- the loop ------------------------------------------------------------------------------

    def greet(self) -> None:
        self.show_story()
        self.io.info(
            "Пишите по-русски, что делаете. Справка: /помощь. Выход с сохранением: /выход или Ctrl-D."
        )

    def loop(self) -> int:
        """Read and run lines until the player leaves; returns the exit status."""
        while True:
            try:
                line = self.io.read_line(PROMPT)
            except KeyboardInterrupt:
                self._interrupted()
                continue
            except EOFError:
                if self.request_quit():
                    return 0
                if not self.io.interactive:
                    return 1
                continue
            if self.handle(line) is Outcome.QUIT:
                return 0

    def handle(self, line: str) -> Outcome:
        """Run one input line: a slash command or a turn."""
        text, notes = clean_input(line)
        for note in notes:
            self.io.info(note)
        if is_command(text):
            return self._guarded(lambda: dispatch(self, text))
        return self._guarded(lambda: self._play(text))

    def _guarded(self, action: Callable[[], Outcome]) -> Outcome:
        """Run action; every failure becomes one line and the game goes on."""
        try:
            return action()
        except Cancelled as cancelled:
            self.io.info(cancelled.message)
        except BackupAvailable as damaged:
            self.io.error(damaged.message)
            if self.io.interactive:
                return self._guarded(lambda: self._offer_backup(damaged))
        except GamioError as error:
            self.io.error(error.message)
        except KeyboardInterrupt:
            self._interrupted("Прервано.")
        except Exception as error:  # noqa: BLE001 - a bug must not end the game or lose the story
            self._report_bug(error)
        return Outcome.CONTINUE

    def _interrupted(self, what: str = "Строка очищена.") -> None:
        """Ctrl-C outside the model's work: clear the line; a double press saves and leaves."""
        if self.presses.press():
            raise Shutdown(EXIT_INTERRUPTED)
        self.io.info(f"{what} Выйти: Ctrl-D, /выход или ещё раз Ctrl-C.")

    def _report_bug(self, error: Exception) -> None:
        if self.debug:
            self.io.error(traceback.format_exc().rstrip())
        reason = f"{type(error).__name__}: {error}"
        tail = "" if self.debug else " Подробности покажет запуск с --debug."
        self.io.error(f"Непредвиденная ошибка ({reason}). История не пострадала.{tail}")

    # --- turns ---------------------------------------------------------------------------------

    def _play(self, text: str) -> Outcome:
        self._failed = None
        try:
            self._run_model(lambda cancel, streamer: self._game.play(text, cancel, streamer))
        except GenerationFailed:
            # /retry plays this action again, while the story is as it was when it failed.
            self._failed = FailedAction(text, self._game.name, len(self._game.story.turns))
            raise
        return Outcome.CONTINUE

    def retry(self) -> None:
        failed, self._failed = self._failed, None
        game = self._game
        if failed is not None and failed.still_pending(game.name, len(game.story.turns)):
            self.io.info("Повторяю действие, на которое не было ответа:")
            if failed.text.strip():
                self.io.show_action(failed.text)
            self._play(failed.text)
            return
        if not game.story.turns:
            raise GamioError("Повторять нечего: в истории ещё нет ходов. Напишите действие.")
        last = game.story.turns[-1]
        self.io.info("Новый ответ на последнее действие:")
        if last.action_ru.strip():
            self.io.show_action(last.action_ru)
        self._run_model(lambda cancel, streamer: self._game.retry(cancel, streamer))

    def _run_model(self, work: Callable[[CancelToken, Streamer], Played]) -> None:
        """Run a turn with a spinner, streaming its sentences; Ctrl-C cancels it."""
        cancel = CancelToken()
        streamer = Streamer(self.io)
        # The handler goes in before the spinner shows: from the moment the player sees that
        # the model works, Ctrl-C cancels the turn (never a KeyboardInterrupt mid-way).
        with cancel_on_interrupt(cancel, self.presses):
            with self.io.working("Пишу продолжение… (Ctrl-C — отменить ход)"):
                played = work(cancel, streamer)
                streamer.finish(played.turn.continuation_ru)
        if played.save_error is not None:
            self.io.error(played.save_error.message)

    # --- the rest of commands.Session ----------------------------------------------------------

    def info(self, text: str) -> None:
        self.io.info(text)

    def show_story(self, last_turns: int | None = None) -> None:
        story = self._game.story
        count = SHOWN_TURNS if last_turns is None else last_turns
        shown = story.turns[len(story.turns) - count:] if count > 0 else []
        self.io.show_story(story.with_turns(shown), len(story.turns) - len(shown))

    def show_turn(self, turn: Turn | None) -> None:
        if turn is None:
            self.io.show_narration(self._game.story.opening_ru)
            return
        if turn.action_ru.strip():
            self.io.show_action(turn.action_ru)
        self.io.show_narration(turn.continuation_ru)

    def request_quit(self) -> bool:
        try:
            path = self._game.quit()
        except SaveError as error:
            self.io.error(error.message)
            if self.io.interactive:
                self.io.error("Игра не закрыта: сохраните историю (/save имя) и выйдите снова.")
            return False
        self.io.info(f"История «{self._game.name}» сохранена: {path}. До встречи!")
        return True

    def leave_now(self, code: int) -> int:
        """After a signal or a double Ctrl-C: save whatever happens, then leave."""
        with ignoring_interrupts():
            try:
                path = self._game.quit()
            except SaveError as error:
                _quietly(lambda: self.io.error(error.message))
                return code or 1
        _quietly(lambda: self.io.info(f"История «{self._game.name}» сохранена: {path}."))
        return code

    def translate(self, text_ru: str) -> str:
        cancel = CancelToken()
        glossary = Glossary(self._game.story.glossary)
        stopped = Cancelled("Отменено: история осталась как была.")
        try:
            with cancel_on_interrupt(cancel, self.presses):
                with self.io.working("Перевожу… (Ctrl-C — отменить)"):
                    english = self._game.runner.to_english(text_ru, cancel, glossary)
        except Cancelled:
            raise stopped from None  # not "the turn": a command was cancelled
        if cancel.cancelled:
            raise stopped
        return english.strip()

    def confirm(self, question: str) -> bool:
        return confirm(self.io, question)

    def edit(self, prompt: str, text: str) -> str | None:
        try:
            return self.io.edit_line(prompt, text)
        except (EOFError, KeyboardInterrupt):
            return None

    def _offer_backup(self, damaged: BackupAvailable) -> Outcome:
        """A damaged save with a whole backup: offer to open the backup instead."""
        if confirm(self.io, "Открыть резервную копию?"):
            self._game.open_backup(damaged.name)
            self.io.info(
                f"Открыта резервная копия; история продолжится под именем «{self._game.name}»."
            )
            self.show_story()
        return Outcome.CONTINUE


def _quietly(show: Callable[[], None]) -> None:
    # After SIGHUP the terminal is gone: writing to it fails, and that must not stop the exit.
    try:
        show()
    except (OSError, ValueError):
        pass


def confirm(io: GameIO, question: str) -> bool:
    """Ask a yes/no question; anything but yes (or the end of input) is no."""
    try:
        answer = io.read_line(f"{question} (да/нет) › ")
    except (EOFError, KeyboardInterrupt):
        return False
    return answer.strip().lower() in {"да", "д", "yes", "y"}


def run_repl(
    game: Game,
    io: GameIO,
    *,
    commands: CommandTable | None = None,
    presses: Presses | None = None,
    debug: bool = False,
    greet: bool = True,
) -> int:
    """Play until the player leaves; the story is saved on every way out. Returns the exit status.

    greet shows the story so far and a one-line hint first.
    """
    repl = Repl(game, io, commands, presses, debug)
    with shutdown_on_signals():
        try:
            if greet:
                repl.greet()
            return repl.loop()
        except Shutdown as stop:
            code = stop.code if isinstance(stop.code, int) else 1
            return repl.leave_now(code)
