"""The hero through the real pipeline: the tiny TRAINED models behind the real TurnRunner, the
REPL and the save store. The tiny en->ru model writes opus-mt's «Вы устали.» for "You are
tired." (tests/tiny/tables.py); what the player reads must agree with the hero."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from gamio_cli.game import Game
from gamio_cli.storage.store import SaveStore
from gamio_cli.story import Address, Gender, Hero
from gamio_cli.terminal.repl import run_repl
from gamio_cli.turn.runner import TurnRunner
from gamio_cli.world.scenarios import SCENARIOS, new_story
from tests.scripted import Screen
from tests.tiny.build import TinyModels

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "saves"


@pytest.fixture(scope="module")
def runner(tiny_models: TinyModels) -> TurnRunner:
    import torch

    torch.set_num_threads(1)
    from gamio_cli.model import load_generator, load_translator

    return TurnRunner(
        load_generator(str(tiny_models.generator), "cpu", seed=1),
        load_translator(str(tiny_models.ru_en), "cpu"),
        load_translator(str(tiny_models.en_ru), "cpu"),
    )


def heroine_game(saves: Path, runner: TurnRunner) -> Game:
    story = new_story(SCENARIOS["fantasy"], name=("Есения", "Yesenia"))
    return Game.create(SaveStore(saves), runner, story, "есения")


def play(game: Game, script: list[str]) -> Screen:
    screen = Screen(script)
    assert run_repl(game, screen.io, greet=False) == 0
    return screen


def test_a_heroines_turn_reads_feminine(tmp_path: Path, runner: TurnRunner) -> None:
    game = heroine_game(tmp_path, runner)
    assert game.story.hero == Hero(Address.TY, Gender.FEMALE)
    screen = play(game, ["отдыхаю", "осматриваюсь"])
    first, second = game.story.turns
    assert (first.continuation_en, first.continuation_ru) == ("You are tired.", "Ты устала.")
    assert second.continuation_ru == "Ты видишь тёмный лес."  # «Вы видите» in the model's text
    assert "Ты устала." in screen.text and "Вы устали." not in screen.text


def test_switching_hero_changes_the_next_turn(tmp_path: Path, runner: TurnRunner) -> None:
    game = heroine_game(tmp_path, runner)
    # Three other turns before "tired" comes again: the same answer twice in a row is a loop.
    play(game, ["отдыхаю", "/hero вы", "осматриваюсь", "открываю дверь", "я беру меч",
                "/герой ты м", "отдыхаю"])  # fmt: skip
    shown = [turn.continuation_ru for turn in game.story.turns]
    assert shown[0] == "Ты устала."
    assert shown[1] == "Вы видите тёмный лес."
    assert shown[-1] == "Ты устал."
    assert game.story.turns[0].continuation_en == game.story.turns[-1].continuation_en


def test_the_prompt_tells_the_model_the_gender(tmp_path: Path, runner: TurnRunner) -> None:
    game = heroine_game(tmp_path, runner)
    generate = runner.generator.generate
    prompts: list[str] = []

    def capture(prompt: str, *args: Any) -> str:
        prompts.append(prompt)
        return str(generate(prompt, *args))

    runner.generator.generate = capture  # type: ignore[method-assign]
    try:
        play(game, ["отдыхаю", "/hero не важно", "осматриваюсь"])
    finally:
        del runner.generator.generate  # type: ignore[attr-defined]
    assert prompts[0].count("You are a woman.") == 1
    assert "You are a" not in prompts[1].replace("You are tired.", "")


def test_a_save_round_trip_keeps_the_hero(tmp_path: Path, runner: TurnRunner) -> None:
    game = heroine_game(tmp_path, runner)
    play(game, ["/hero вы", "отдыхаю"])
    again = Game.open(SaveStore(tmp_path), runner, "есения")
    try:
        assert again.story.hero == Hero(Address.VY, Gender.FEMALE)
        play(again, ["/hero ты", "осматриваюсь"])
    finally:
        again.close()
    shown = [t.continuation_ru for t in again.story.turns]
    assert shown == ["Вы устали.", "Ты видишь тёмный лес."]


def test_an_old_save_loads_with_the_default_hero(tmp_path: Path, runner: TurnRunner) -> None:
    shutil.copy(FIXTURES / "v3_heroine.json", tmp_path / "старая.json")
    game = Game.open(SaveStore(tmp_path), runner, "старая")
    try:
        assert game.story.hero == Hero(Address.TY, Gender.UNKNOWN)
        play(game, ["отдыхаю"])
    finally:
        game.close()
    # Gender unknown: «ты», and the plural past becomes the masculine default.
    assert game.story.turns[-1].continuation_ru == "Ты устал."
    data: dict[str, Any] = json.loads((tmp_path / "старая.json").read_text(encoding="utf-8"))
    assert data["version"] == 5 and data["hero"] == {"address": "ty", "gender": "unknown"}
