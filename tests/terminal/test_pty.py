"""The real `gamio` in a pseudo-terminal with the tiny trained models: prompt_toolkit, rich, the
real pipeline and saves, real keys and signals. Kept few and short: each start loads torch."""

from __future__ import annotations

import os
import random
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gamio_cli.storage.filelock import FileLock
from gamio_cli.storage.store import SaveStore
from gamio_cli.story import Story
from tests.tiny.build import TinyModels
from tests.tiny.tables import EN_RU

pexpect = pytest.importorskip("pexpect")

PROMPT = "Ваш ход"
TIMEOUT_S = 180  # a cold start imports torch on two shared CPUs
DOOR_RU = "Дверь со скрипом открывается."
# The last sentence the tiny models answer each action with (tests/tiny's tables).
ANSWERS = {
    "открываю дверь": EN_RU["A dragon sleeps inside."],
    "я беру меч": EN_RU["The sword is heavy."],
    "иду на север": EN_RU["The road leads north."],
    "осматриваюсь": "Ты видишь тёмный лес.",  # the translator's «Вы видите…», agreed with «ты»
    "«Привет»": EN_RU["The old man smiles."],
}


class Game:
    """One `python -m gamio_cli` in a pty; the transcript goes to a log for failures."""

    def __init__(self, tmp: Path, models: TinyModels, *args: str) -> None:
        self.saves = tmp / "saves"
        env = {
            **os.environ,
            "TERM": "xterm",
            "COLUMNS": "200",
            "LINES": "50",
            "PROMPT_TOOLKIT_NO_CPR": "1",  # no cursor-position queries pexpect would not answer
            "XDG_STATE_HOME": str(tmp / "state"),
            "XDG_DATA_HOME": str(tmp / "data"),
            "OMP_NUM_THREADS": "1",
        }
        command = [
            "-m", "gamio_cli", "play",
            "--generator", str(models.generator), "--ru-en", str(models.ru_en),
            "--en-ru", str(models.en_ru), "--saves-dir", str(self.saves), "--seed", "1", *args,
        ]
        self.log = open(tmp / "pty.log", "a", encoding="utf-8")  # noqa: SIM115
        self.child = pexpect.spawn(
            sys.executable, command, env=env, encoding="utf-8", codec_errors="replace",
            timeout=TIMEOUT_S, dimensions=(50, 200),
        )
        self.child.logfile_read = self.log

    def expect(self, text: str) -> None:
        self.child.expect_exact(text)

    def type(self, line: str) -> None:
        """A line typed at the prompt, Enter included (a terminal sends CR)."""
        self.expect(PROMPT)
        self.child.send(line + "\r")

    def play(self, action: str) -> None:
        """Type an action and wait until its turn is complete: its answer on the screen, then
        the next prompt. (The prompt's label alone is not enough: prompt_toolkit redraws the
        accepted line, label included, the moment Enter is pressed.)"""
        self.type(action)
        self.expect(ANSWERS[action])
        self.expect(PROMPT)

    def finish(self) -> int:
        self.child.expect(pexpect.EOF)
        self.child.close()
        self.log.close()
        return int(self.child.exitstatus if self.child.exitstatus is not None else -1)


@pytest.fixture
def tmp(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    log = tmp_path / "pty.log"
    if log.exists():  # shown by pytest when the test failed
        print(log.read_text(encoding="utf-8", errors="replace")[-4000:])


def saved(saves: Path, name: str) -> Story:
    return SaveStore(saves).load(name)


def lock_is_free(saves: Path, name: str) -> bool:
    try:
        FileLock(saves / f".{name}.json.lock").acquire().release()
    except Exception:
        return False
    return True


def test_play_save_quit_load_undo(tmp: Path, tiny_models: TinyModels) -> None:
    game = Game(tmp, tiny_models, "--new", "--scenario", "fantasy")
    game.expect("Тебя зовут")
    game.type("открываю дверь")
    game.expect(DOOR_RU)
    game.expect("Внутри спит дракон.")
    game.type("я беру меч")
    game.expect("Меч тяжёлый.")
    game.type("/save мой поход")
    game.expect("Сохранено: «мой поход»")
    game.type("/quit")
    assert game.finish() == 0
    story = saved(game.saves, "мой поход")
    assert [t.continuation_ru for t in story.turns] == [
        "Дверь со скрипом открывается. Внутри спит дракон.", "Меч тяжёлый.",
    ]

    again = Game(tmp, tiny_models, "--load", "мой поход")
    again.expect("> я беру меч")  # the story so far is shown
    again.expect("Меч тяжёлый.")
    again.type("/undo")
    again.expect("Последний ход отменён")
    again.type("/выход")
    assert again.finish() == 0
    assert [t.action_ru for t in saved(game.saves, "мой поход").turns] == ["открываю дверь"]
    assert lock_is_free(game.saves, "мой поход")


def test_ctrl_c_during_generation_keeps_the_story(tmp: Path, tiny_models: TinyModels) -> None:
    """Ctrl-C (the key, through the terminal driver) once the spinner shows the model working.

    The tiny models are fast, so the key may come after the turn completed; the transcript
    and the save then both say so. Either way the story on disk is whole and consistent with
    what the player saw, and the prompt comes back.
    """
    game = Game(tmp, tiny_models, "--new", "--scenario", "fantasy")
    game.type("открываю дверь")
    game.expect(DOOR_RU)
    game.type("я беру меч")
    game.expect("Пишу продолжение")
    game.child.delaybeforesend = None  # pexpect waits 50 ms before a send by default
    game.child.send("\x03")
    game.expect(PROMPT)
    shown = game.child.before
    cancelled = "Ход отменён" in shown
    game.child.send("/quit\r")
    assert game.finish() == 0
    actions = [t.action_ru for t in saved(game.saves, "фэнтези").turns]
    if cancelled:
        assert actions == ["открываю дверь"]
    else:
        assert actions == ["открываю дверь", "я беру меч"]
        assert "Меч тяжёлый." in shown


def test_sighup_saves_and_exits(tmp: Path, tiny_models: TinyModels) -> None:
    game = Game(tmp, tiny_models, "--new", "--scenario", "zombies")
    game.type("открываю дверь")
    game.expect(DOOR_RU)
    game.expect(PROMPT)
    game.child.kill(signal.SIGHUP)
    assert game.finish() == 128 + signal.SIGHUP
    story = saved(game.saves, "зомби")
    assert [t.action_ru for t in story.turns] == ["открываю дверь"]
    assert lock_is_free(game.saves, "зомби")


def test_sigkill_at_random_moments_never_loses_a_completed_turn(
    tmp: Path, tiny_models: TinyModels
) -> None:
    """kill -9 while the game starts, thinks or saves: every save loads and keeps every turn
    whose prompt had come back (the turn in flight may or may not be there)."""
    rng = random.Random(20261128)  # fixed: a failure can be replayed
    actions = ["открываю дверь", "я беру меч", "иду на север", "осматриваюсь", "«Привет»"]
    completed = waited_for = 0
    for round_number in range(6):
        first = round_number == 0
        start = ["--new", "--scenario", "fantasy"] if first else ["--load", "фэнтези"]
        game = Game(tmp, tiny_models, *start)
        if first or rng.random() < 0.7:
            game.play(actions[round_number % len(actions)])  # saved before the prompt came back
            completed += 1
            waited_for += 1
            game.child.send(actions[(round_number + 1) % len(actions)] + "\r")
            time.sleep(rng.uniform(0.0, 1.5))  # somewhere in translation, generation or saving
        else:
            time.sleep(rng.uniform(0.0, 3.0))  # somewhere in start-up
        game.child.kill(signal.SIGKILL)
        game.child.close(force=True)
        game.log.close()
        turns = len(saved(game.saves, "фэнтези").turns)  # loads: never half-written
        assert completed <= turns <= completed + 1, f"round {round_number}"
        completed = turns
    # Whether a turn in flight finished before its kill depends on the machine's speed; the
    # turns the test saw complete (2 with this seed) do not, and none of them may be lost.
    assert waited_for == 2 and completed >= waited_for
