"""SIGKILL and Ctrl-C at random moments of the real `gamio` in a pseudo-terminal (the Game of
tests/terminal/test_pty.py), with the tiny trained models; every promise checked after each.

A kill lands at a random delay after a trigger, so what it interrupts is chance: start-up and
model loading, a turn (translating, generating, streaming, the autosave), `/save` under a new
name, `/alter`, or a CTranslate2 conversion (the cache removed or damaged before the start).
A hidden temporary file left in the saves folder shows the kill came inside a save.
"""

from __future__ import annotations

import random
import shutil
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pexpect

from gamio_cli.engines import manifest
from gamio_cli.engines.ct2.convert import QUANTIZATION, cache_name, cache_root
from gamio_cli.errors import SaveError
from gamio_cli.storage.store import SaveStore
from gamio_cli.story import Story
from tests.terminal.test_pty import ANSWERS, PROMPT, Game
from tests.tiny.build import TinyModels

NAME = "фэнтези"
ACTIONS = list(ANSWERS)
# Round i interrupts KINDS[i % 5], at a random moment: every kind is soaked as often.
KINDS = ("turn", "save_as", "alter", "convert", "start")
CANCELLED = "Ход отменён"
REBUILT = "Готовлю её заново"
IGNORED_AFTER_S = 15  # no word about the key by then: the game ignored it
FAILED = "Модель не смогла"  # the tiny models' answer to some actions late in a long story


@dataclass
class KillFigures:
    rounds: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    inside_a_save: int = 0  # a temporary file was left: the kill came mid-save
    unloadable: int = 0  # saves that did not load after a kill
    lost_turns: int = 0  # completed turns (answer and prompt seen) missing after a kill
    lost_saves: int = 0  # `/save NAME` confirmed, then NAME missing or wrong
    lost_alters: int = 0  # `/alter` confirmed, then the old text on disk
    caches_left_damaged: int = 0  # cache folders in a bad state right after a kill
    caches_rebuilt_with_notice: int = 0
    caches_bad_after_start: int = 0  # a start that left a cache not whole, or gave no notice
    leftovers_after_start: int = 0  # temporary files a start did not clean

    @property
    def failures(self) -> int:
        return (self.unloadable + self.lost_turns + self.lost_saves + self.lost_alters
                + self.caches_bad_after_start + self.leftovers_after_start)


def cache_folders(models: TinyModels) -> list[tuple[Path, Path]]:
    """(converted folder, source model) of the two translators the game converts on a CPU."""
    return [(cache_root() / cache_name(model), model) for model in (models.ru_en, models.en_ru)]


def damaged_caches(models: TinyModels) -> int:
    return sum(1 for folder, model in cache_folders(models)
               if folder.exists() and not manifest.check(folder, model, QUANTIZATION).ok)


def temp_files(saves: Path) -> list[str]:
    if not saves.is_dir():
        return []
    return [p.name for p in saves.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp")]


class KillSoak:
    """Rounds of start, maybe one step, SIGKILL, check; one story grows across them."""

    def __init__(self, work: Path, models: TinyModels, rng: random.Random) -> None:
        self.work, self.models, self.rng = work, models, rng
        self.saves = work / "saves"
        self.figures = KillFigures()
        self.actions: list[str] = []  # of the completed turns, in order
        # What the last continuation may be after confirmed /alter edits: the confirmed text,
        # or a later edit sent but not seen done (it may have landed before the kill).
        self.altered: set[str] = set()
        self.saved_as: dict[str, int] = {}  # confirmed `/save NAME` -> turns it holds

    def start(self) -> None:
        game = Game(self.work, self.models, "--new", "--scenario", "fantasy")
        game.expect(PROMPT)
        self._play(game, ACTIONS[0])
        game.child.send("/quit\r")
        game.finish()

    def finish(self) -> None:
        """One more start up to the prompt: what the last kills left is checked there."""
        damaged = damaged_caches(self.models)
        game = Game(self.work, self.models, "--load", NAME)
        self._ready(game, damaged)
        game.child.send("/quit\r")
        game.finish()

    def round(self) -> None:
        kind = KINDS[self.figures.rounds % len(KINDS)]
        self.figures.rounds += 1
        self.figures.kinds[kind] += 1
        if kind == "convert":
            self._spoil_caches()
        damaged = damaged_caches(self.models)
        game = Game(self.work, self.models, "--load", NAME)
        if kind in ("start", "convert"):
            time.sleep(self.rng.uniform(0.0, 8.0 if kind == "start" else 15.0))
        else:
            self._ready(game, damaged)
            self._trigger(game, kind)
        game.child.kill(signal.SIGKILL)
        game.child.close(force=True)
        game.log.close()
        self._check_after_kill()

    def _spoil_caches(self) -> None:
        for folder, _ in cache_folders(self.models):
            if not folder.exists():
                continue
            if self.rng.random() < 0.5:
                shutil.rmtree(folder)
            else:
                model = folder / "model.bin"
                model.write_bytes(model.read_bytes()[: model.stat().st_size // 2])

    def _ready(self, game: Game, damaged: int) -> None:
        """Wait for the first prompt; then the start's promises are checked."""
        game.expect(PROMPT)
        shown = game.child.before or ""
        if damaged_caches(self.models) or temp_files(self.saves) or (
            damaged and REBUILT not in shown
        ):
            self.figures.caches_bad_after_start += bool(damaged_caches(self.models) or damaged)
            self.figures.leftovers_after_start += bool(temp_files(self.saves))
        elif damaged:
            self.figures.caches_rebuilt_with_notice += 1

    def _trigger(self, game: Game, kind: str) -> None:
        if kind == "turn":
            if self.rng.random() < 0.5:
                self._play(game, self.rng.choice(ACTIONS))  # a kill also just after a turn
            game.child.send(self.rng.choice(ACTIONS) + "\r")
            time.sleep(self.rng.uniform(0.0, 1.5))
        elif kind == "save_as":
            name = f"копия {self.figures.rounds}"
            game.child.send(f"/save {name}\r")
            if self.rng.random() < 0.3:
                game.expect(f"Сохранено: «{name}»")
                self.saved_as[name] = len(self.actions)
            else:
                time.sleep(self.rng.uniform(0.0, 0.3))
        elif kind == "alter":
            text = f"Правка номер {self.figures.rounds}."
            game.child.send(f"/alter {text}\r")
            if self.rng.random() < 0.3:
                game.expect("Исправлено.")
                game.expect(PROMPT)
                self.altered = {text}
            else:
                if self.altered:
                    self.altered.add(text)
                time.sleep(self.rng.uniform(0.0, 0.5))

    def _play(self, game: Game, action: str) -> None:
        """A whole turn, typed at the prompt on the screen: its answer (or the model's refusal,
        no turn then) and the next prompt."""
        game.child.send(action + "\r")
        if game.child.expect_exact([ANSWERS[action], FAILED]) == 0:
            self.actions.append(action)
            self.altered = set()
        game.expect(PROMPT)

    def _check_after_kill(self) -> None:
        figures = self.figures
        figures.inside_a_save += bool(temp_files(self.saves))
        figures.caches_left_damaged += damaged_caches(self.models)
        store = SaveStore(self.saves)
        try:
            story = store.load(NAME)
        except SaveError:
            figures.unloadable += 1
            return
        got = [turn.action_ru for turn in story.turns]
        if got[: len(self.actions)] != self.actions:
            figures.lost_turns += 1
        elif self.altered and len(got) == len(self.actions):
            figures.lost_alters += story.turns[-1].continuation_ru not in self.altered
        if len(got) != len(self.actions):
            self.altered = set()  # a turn in flight completed: the edit is an older turn's
        self.actions = got  # the turn in flight may have completed before the kill
        for name, turns in list(self.saved_as.items()):
            try:
                figures.lost_saves += len(store.load(name).turns) < turns
            except SaveError:
                figures.lost_saves += 1
            del self.saved_as[name]


@dataclass
class InterruptFigures:
    rounds: int = 0
    cancelled: int = 0  # the key came while the model worked: "Ход отменён"
    after_the_turn: int = 0  # the key came once the turn was done (a completed turn)
    ignored: int = 0  # the key came while the game let no Ctrl-C in (saving, say): no effect
    story_changed: int = 0  # cancelled, yet the save differs from before the turn
    no_answer: int = 0  # the next action got no answer


def soak_interrupts(work: Path, models: TinyModels, rounds: int, rng: random.Random
                    ) -> InterruptFigures:
    """One game; each round types an action and presses Ctrl-C at a random moment of it."""
    figures = InterruptFigures()
    game = Game(work, models, "--new", "--scenario", "fantasy")
    game.expect(PROMPT)
    saves = SaveStore(work / "saves")
    game.child.delaybeforesend = None
    last_press = 0.0
    for _ in range(rounds):
        figures.rounds += 1
        before = _saved(saves)
        time.sleep(max(0.0, last_press + 2.2 - time.monotonic()))  # never a double press
        game.child.send(rng.choice(ACTIONS) + "\r")
        time.sleep(rng.uniform(0.0, 0.6))  # a tiny model's turn takes about 0.4 s
        game.child.send("\x03")
        # The accepted line is redrawn with the prompt's label: wait for what the key did.
        where = game.child.expect_exact(
            [CANCELLED, "Прервано.", "Строка очищена", pexpect.TIMEOUT], timeout=IGNORED_AFTER_S)
        last_press = time.monotonic()  # the game took the press at the latest now
        figures.ignored += where == 3  # the next prompt is on the screen already
        game.expect(PROMPT)
        after = _saved(saves)
        if where < 2:
            figures.cancelled += 1
            figures.story_changed += after != before
        else:
            figures.after_the_turn += where == 2
            whole = after == before or (after is not None and before is not None
                                        and after.turns[:-1] == before.turns)
            figures.story_changed += not whole
    answer = "открываю дверь"
    game.child.send(answer + "\r")
    try:
        game.child.expect_exact([ANSWERS[answer], FAILED])
        game.expect(PROMPT)
    except Exception:  # noqa: BLE001 - counted, and the transcript is in pty.log
        figures.no_answer += 1
    game.child.kill(signal.SIGKILL)
    game.child.close(force=True)
    game.log.close()
    return figures


def _saved(saves: SaveStore) -> Story | None:
    try:
        return saves.load("фэнтези")
    except SaveError:
        return None
