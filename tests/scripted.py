"""A scripted pipeline for in-process REPL and game tests: fakes only at the model seam.

ScriptedTranslator and ScriptedGenerator implement gamio_cli.engine's Translator and Generator
with the same tables the tiny trained models memorise (tests/tiny), so a scripted
game and a real one tell the same story. Everything above the seam is real: TurnRunner, Game,
SaveStore, the REPL and PlainIO (fed by ScriptedStdin instead of a pipe).
The real models run the same paths in tests/test_pty.py and tests/test_piped.py.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from gamio_cli.engine import CancelToken
from gamio_cli.game import Game
from gamio_cli.settings import Settings
from gamio_cli.storage.store import SaveStore
from gamio_cli.story import Story
from gamio_cli.terminal.pipe_io import PlainIO
from gamio_cli.turn.runner import TurnRunner
from gamio_cli.turn.sentences import split_sentences
from gamio_cli.world.scenarios import SCENARIOS, new_story
from tests.tiny.tables import CONTINUATIONS, EN_RU, FALLBACK, RU_EN

ACTION_MARKER = "\n>"


class ScriptedTranslator:
    """Translates by table, sentence by sentence like the real one; unknown text stays as is."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        self.calls: list[str] = []

    def translate(self, text: str, cancel: CancelToken | None = None) -> str:
        if cancel is not None:
            cancel.check()
        self.calls.append(text)
        if text in self.table:
            return self.table[text]
        return " ".join(self.table.get(part, part) for part in split_sentences(text))


def last_line(prompt: str) -> str:
    """The action line the generator continues: '> You open the door.' -> 'You open the door.'"""
    lines = [line for line in prompt.split("\n") if line.strip()]
    return lines[-1].lstrip("> ").strip() if lines else ""


class ScriptedGenerator:
    """Continues by table (or from a queue of raw outputs), streaming word by word.

    on_token(i) runs before the i-th word, where a test can send itself a signal; the cancel
    token is checked right after it, as the real generator does between tokens.
    """

    context_window = 1024

    def __init__(
        self,
        continuations: dict[str, str] | None = None,
        queue: Iterable[str] = (),
        on_token: Callable[[int], None] | None = None,
        error: BaseException | None = None,
    ) -> None:
        self.continuations = dict(CONTINUATIONS if continuations is None else continuations)
        self.queue = list(queue)
        self.on_token = on_token
        self.error = error
        self.prompts: list[str] = []

    def count_tokens(self, text: str) -> int:
        return len(text.split()) + text.count("\n")

    def generate(
        self,
        prompt: str,
        settings: Settings,
        cancel: CancelToken | None = None,
        on_text: Callable[[str], None] | None = None,
    ) -> str:
        self.prompts.append(prompt)
        if self.error is not None:
            raise self.error
        text = self.queue.pop(0) if self.queue else self.continuations.get(last_line(prompt), FALLBACK)
        so_far = ""
        for index, piece in enumerate(re.findall(r"\S+\s*|\s+", " " + text + ACTION_MARKER)):
            if self.on_token is not None:
                self.on_token(index)
            if cancel is not None:
                cancel.check()
            so_far += piece
            if on_text is not None:
                on_text(so_far)
        return so_far


def scripted_runner(generator: ScriptedGenerator | None = None) -> TurnRunner:
    return TurnRunner(
        generator or ScriptedGenerator(), ScriptedTranslator(RU_EN), ScriptedTranslator(EN_RU)
    )


def fantasy_story() -> Story:
    return new_story(SCENARIOS["fantasy"], name=("Всеслав", "Vseslav"))


def new_game(saves: Path, runner: TurnRunner | None = None, base: str = "тест") -> Game:
    return Game.create(SaveStore(saves), runner or scripted_runner(), fantasy_story(), base)


class ScriptedStdin(io.RawIOBase):
    """Lines for PlainIO; a BaseException in the script is raised instead (KeyboardInterrupt
    for Ctrl-C at the prompt), and a callable is called (to send a signal) and skipped."""

    def __init__(self, script: Iterable[str | bytes | BaseException | Callable[[], None]]) -> None:
        self.script = list(script)

    def readable(self) -> bool:
        return True

    def readline(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        while self.script:
            item = self.script.pop(0)
            if isinstance(item, BaseException):
                raise item
            if callable(item):
                item()
                continue
            data = item.encode("utf-8") if isinstance(item, str) else item
            return data if data.endswith(b"\n") else data + b"\n"
        return b""


class Screen:
    """PlainIO writing into strings, as the piped mode does into its pipes."""

    def __init__(
        self, script: Iterable[str | bytes | BaseException | Callable[[], None]], interactive: bool = False
    ) -> None:
        self.out = io.StringIO()
        self.err = io.StringIO()
        self.io = PlainIO(ScriptedStdin(script), self.out, self.err)  # type: ignore[arg-type]
        self.io.interactive = interactive  # type: ignore[misc]

    @property
    def text(self) -> str:
        return self.out.getvalue()

    @property
    def errors(self) -> str:
        return self.err.getvalue()
