"""The toolkit commands with the tiny TRAINED models (tests/tiny) behind the real
TurnRunner: what the player pins or edits is translated by a real MarianMT, reaches the real
GPT-2's prompt (captured by wrapping the generator), and the story still fits the window."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gamio_cli.engine import CancelToken
from gamio_cli.game import Game
from gamio_cli.settings import Settings
from gamio_cli.story import AuthorNote, GlossaryEntry, MemoryEntry, Mode, WorldEntry
from gamio_cli.terminal.repl import run_repl
from gamio_cli.turn.prompt import Pending, build_prompt
from gamio_cli.turn.runner import TurnRunner
from tests.scripted import Screen, new_game
from tests.tiny.build import TinyModels
from tests.tiny.tables import CONTINUATIONS, EN_RU

DOOR_RU = "Дверь со скрипом открывается. Внутри спит дракон."


class Capturing:
    """The real generator, with every prompt it is given kept for the test."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.prompts: list[str] = []

    @property
    def context_window(self) -> int:
        return int(self.inner.context_window)

    def count_tokens(self, text: str) -> int:
        return int(self.inner.count_tokens(text))

    def generate(
        self, prompt: str, settings: Settings, cancel: CancelToken | None = None,
        on_text: Callable[[str], None] | None = None,
    ) -> str:
        self.prompts.append(prompt)
        return str(self.inner.generate(prompt, settings, cancel, on_text))


@pytest.fixture(scope="module")
def models(tiny_models: TinyModels) -> tuple[Any, Any, Any]:
    import torch

    torch.set_num_threads(1)
    from gamio_cli.model import load_generator, load_translator

    return (
        load_generator(str(tiny_models.generator), "cpu", seed=1),
        load_translator(str(tiny_models.ru_en), "cpu"),
        load_translator(str(tiny_models.en_ru), "cpu"),
    )


def real_game(saves: Path, models: tuple[Any, Any, Any]) -> tuple[Game, Capturing]:
    generator = Capturing(models[0])
    return new_game(saves, TurnRunner(generator, models[1], models[2])), generator


def play(game: Game, script: list[str]) -> Screen:
    screen = Screen(script)
    assert run_repl(game, screen.io, greet=False) == 0
    return screen


def test_remember_is_translated_once_and_reaches_the_prompt(
    tmp_path: Path, models: tuple[Any, Any, Any]
) -> None:
    game, generator = real_game(tmp_path, models)
    screen = play(game, ["/запомнить У меня есть лампа.", "/память", "открываю дверь"])
    assert [(m.ru, m.en) for m in game.story.memory] == [("У меня есть лампа.", "You have a lamp.")]
    assert "  1. У меня есть лампа." in screen.text
    prompt = generator.prompts[0]
    assert "\nYou have a lamp.\n" in prompt and prompt.endswith("> You open the door.\n")
    assert game.story.turns[0].continuation_ru == DOOR_RU  # the turn itself is unharmed


def test_note_and_world_info_reach_the_prompt(
    tmp_path: Path, models: tuple[Any, Any, Any]
) -> None:
    game, generator = real_game(tmp_path, models)
    play(game, [
        "/note Начинается гроза.",
        "/world add дракон = Ты рыцарь в старом замке.",
        "я беру меч", "открываю дверь", "иду на север",
    ])
    assert game.story.note == AuthorNote("Начинается гроза.", "A storm begins.")
    assert game.story.world[0].text_en == "You are a knight in an old castle."
    knight = "\nYou are a knight in an old castle.\n"
    assert knight not in generator.prompts[1]  # no «дракон» in the story yet
    assert knight in generator.prompts[2]  # «дракон» (and "dragon") in the last continuation
    assert all("[Author's note: A storm begins.]" in prompt for prompt in generator.prompts)
    assert [t.continuation_ru for t in game.story.turns][-1] == EN_RU["The road leads north."]


def test_alter_translates_the_edit_for_the_model(
    tmp_path: Path, models: tuple[Any, Any, Any]
) -> None:
    game, generator = real_game(tmp_path, models)
    play(game, ["открываю дверь", "/alter", "Ты рыцарь в старом замке.", "я беру меч"])
    first = game.story.turns[0]
    assert first.continuation_ru == "Ты рыцарь в старом замке."
    assert first.continuation_en == "You are a knight in an old castle."
    prompt = generator.prompts[1]
    assert "You are a knight in an old castle.\n> You take the sword." in prompt
    assert CONTINUATIONS["You open the door."] not in prompt


def test_a_story_with_every_part_fits_the_window(
    tmp_path: Path, models: tuple[Any, Any, Any]
) -> None:
    """Memory, world info, the note, names and a long history: the prompt stays within the
    window minus the tokens to generate, and the model still continues the action."""
    game, generator = real_game(tmp_path, models)
    story = game.story
    story.memory += [MemoryEntry("У меня есть лампа.", "I have a lamp.")] * 3
    story.world.append(WorldEntry(("дракон",), "Дракон стар.", "The dragon is old and wise."))
    story.note = AuthorNote("Мрачно.", "The story is dark and tense.")
    story.glossary.append(GlossaryEntry("Лада", "Lada"))
    story.settings = Settings(history_actions=100, max_new_tokens=60)
    play(game, ["открываю дверь", "я беру меч", "иду на север", "осматриваюсь"] * 10)
    assert len(story.turns) == 40
    budget = generator.context_window - story.settings.max_new_tokens
    assert all(generator.count_tokens(prompt) <= budget for prompt in generator.prompts)
    last = generator.prompts[-1]
    assert last.count("I have a lamp.") == 3 and "The dragon is old and wise." in last
    assert "[Author's note: The story is dark and tense.]" in last
    assert last.count("> You open the door.") < 10  # the oldest turns made room
    # «Вы видите…» from the translator, as the hero («ты») reads it (turn/agreement.py).
    assert story.turns[-1].continuation_ru == "Ты видишь тёмный лес."
    again = build_prompt(story, Pending(Mode.CONTINUE, ""), generator.count_tokens, budget)
    assert generator.count_tokens(again) <= budget
