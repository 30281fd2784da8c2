"""The command table, its extension point, and properties of the REPL over any input: the input
handling never raises, a slash line never becomes a turn, and a state machine over the commands
keeps the story in memory, on disk and in a model of it the same."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from gamio_cli.commands.core import default_commands
from gamio_cli.commands.table import (
    Command,
    Outcome,
    Session,
    help_lines,
    is_command,
    split_command,
)
from gamio_cli.game import Game
from gamio_cli.storage.store import SaveStore
from gamio_cli.terminal.repl import Repl, run_repl
from gamio_cli.textsafe import clean_input
from tests.scripted import Screen, ScriptedGenerator, new_game, scripted_runner


def test_lookup_by_name_and_alias_any_case() -> None:
    table = default_commands()
    assert table.find("/save") is table.find("/СОХРАНИТЬ") is table.find("/Сохранить")
    assert table.find("/выход") is not None and table.find("/выход").name == "/quit"  # type: ignore[union-attr]
    assert table.find("/nothing") is None
    assert table.suggest("/sav") == "/save" and table.suggest("/отмна") == "/отмена"
    assert table.suggest("/zzzzzz") is None


def test_every_command_has_a_russian_alias_and_help() -> None:
    for command in default_commands():
        assert command.aliases and all(a.startswith("/") for a in command.aliases)
        assert any("а" <= c <= "я" for alias in command.aliases for c in alias)
        assert command.help_ru


def test_split_and_detect() -> None:
    assert split_command("  /save   Мой  поход ") == ("/save", "Мой  поход")
    assert split_command("/undo") == ("/undo", "")
    assert is_command(" /x") and not is_command("открываю /дверь")


def test_words_must_be_unique() -> None:
    table = default_commands()
    with pytest.raises(ValueError):
        table.add(Command("/Save", ("/другое",), "/save", "дубль", lambda s, a: Outcome.CONTINUE))


def test_a_new_command_is_one_row(tmp_path: Path) -> None:
    """Another feature adds a command without touching the REPL: /help and dispatch see it."""
    seen: list[str] = []

    def ping(session: Session, argument: str) -> Outcome:
        seen.append(argument)
        session.info(f"понг {argument}")
        return Outcome.CONTINUE

    table = default_commands()
    table.add(Command("/ping", ("/пинг",), "/ping [текст]", "ответить понгом", ping))
    assert any("/ping [текст]" in line and "/пинг" in line for line in help_lines(table))
    screen = Screen(["/пинг раз", "/help"])
    assert run_repl(new_game(tmp_path), screen.io, commands=table, greet=False) == 0
    assert seen == ["раз"] and "понг раз" in screen.text and "ответить понгом" in screen.text


# --- properties over any input ------------------------------------------------------------------

_SAVES = Path(tempfile.mkdtemp(prefix="gamio-prop-"))
_GENERATOR = ScriptedGenerator()
_GAME = new_game(_SAVES, scripted_runner(_GENERATOR), base="свойства")


@pytest.fixture(scope="module", autouse=True)
def _cleanup_property_game() -> object:
    yield None
    _GAME.close()
    shutil.rmtree(_SAVES, ignore_errors=True)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=120), st.text(max_size=60).map(lambda t: "/" + t)))
def test_any_line_is_handled_without_raising(line: str) -> None:
    text, _ = clean_input(line)
    quits = is_command(text) and split_command(text)[0].lower() in ("/quit", "/выход")
    if quits:
        return
    screen = Screen([])
    repl = Repl(_GAME, screen.io)
    turns, calls = len(_GAME.story.turns), len(_GENERATOR.prompts)
    assert isinstance(repl.handle(line), Outcome)
    assert len(_GAME.story.turns) - turns in (-1, 0, 1)  # /undo may remove one
    if is_command(text):
        load_or_retry = split_command(text)[0].lower() in ("/retry", "/заново")
        assert len(_GENERATOR.prompts) == calls or load_or_retry
    for char in ("\x1b", "\x07", "\x00", "\x9b"):
        assert char not in screen.text and char not in screen.errors


# --- a state machine over the commands ----------------------------------------------------------

ACTIONS = ["открываю дверь", "я беру меч", "иду на север", "осматриваюсь", "«Привет»", ""]
NAMES = ["тест", "второй", "третий"]


def distinct_sentence(number: int) -> str:
    """A continuation unlike every other one, so the pipeline's loop check never refuses it."""
    letters = "".join(chr(ord("a") + (number * 7 + i * 13) % 26) for i in range(12))
    return f"Sign {letters} {number} glows."


class CommandsMachine(RuleBasedStateMachine):
    """Random command sequences; a model says which actions each save must hold."""

    @initialize()
    def start(self) -> None:
        self.saves = Path(tempfile.mkdtemp(prefix="gamio-sm-"))
        self.generator = ScriptedGenerator()
        self.game = new_game(self.saves, scripted_runner(self.generator))
        self.model: dict[str, list[str]] = {"тест": []}
        self.current = "тест"

    def teardown(self) -> None:
        if hasattr(self, "game"):
            self.game.close()
            shutil.rmtree(self.saves, ignore_errors=True)

    def send(self, line: str) -> tuple[Outcome, Screen]:
        screen = Screen([])
        outcome = Repl(self.game, screen.io).handle(line)
        assert "Непредвиденная" not in screen.errors, screen.errors
        return outcome, screen

    def next_text(self) -> str:
        self.count = getattr(self, "count", 0) + 1
        text = distinct_sentence(self.count)
        self.generator.queue.append(text)
        return text

    @rule(action=st.sampled_from(ACTIONS))
    def play(self, action: str) -> None:
        text = self.next_text()
        self.send(action)
        assert self.game.story.turns[-1].continuation_ru == text
        self.model[self.current].append(action)

    @rule(word=st.sampled_from(["/undo", "/отмена"]))
    def undo(self, word: str) -> None:
        self.send(word)
        if self.model[self.current]:
            self.model[self.current].pop()

    @precondition(lambda self: bool(self.model[self.current]))
    @rule()
    def retry(self) -> None:
        text = self.next_text()
        self.send("/retry")
        assert self.game.story.turns[-1].continuation_ru == text

    @rule(name=st.sampled_from(NAMES))
    def save_as(self, name: str) -> None:
        self.send(f"/save {name}")
        if name not in self.model:
            self.model[name] = list(self.model[self.current])
            self.current = name

    @rule(name=st.sampled_from(NAMES))
    def load(self, name: str) -> None:
        self.send(f"/load {name}")
        if name in self.model:
            self.current = name

    @rule()
    def quit_and_come_back(self) -> None:
        outcome, screen = self.send("/quit")
        assert outcome is Outcome.QUIT
        self.game = Game.open(SaveStore(self.saves), scripted_runner(self.generator), self.current)

    @invariant()
    def story_matches_model_and_disk(self) -> None:
        if not hasattr(self, "game"):
            return
        assert self.game.name == self.current
        assert [t.action_ru for t in self.game.story.turns] == self.model[self.current]
        store = SaveStore(self.saves)
        assert store.load(self.current) == self.game.story
        for name, actions in self.model.items():
            assert [t.action_ru for t in store.load(name).turns] == actions


CommandsMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=15, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_commands_state_machine = CommandsMachine.TestCase
