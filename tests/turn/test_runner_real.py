"""A whole turn through the real pipeline: the tiny trained models loaded like hub models."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from gamio_cli.engines.hf.generator import TransformersGenerator
from gamio_cli.model import ModelConfig, Models, load_models
from gamio_cli.story import GlossaryEntry, Mode, Turn
from gamio_cli.turn.runner import TurnRunner
from gamio_cli.world.glossary import Glossary
from gamio_cli.world.scenarios import SCENARIOS, new_story
from tests.tiny.build import TinyModels
from tests.tiny.tables import DEMO_INPUTS, demo_answer, demo_table


@pytest.fixture(scope="module")
def models(tiny_models: TinyModels) -> Models:
    config = ModelConfig(
        generator=str(tiny_models.generator),
        ru_en=str(tiny_models.ru_en),
        en_ru=str(tiny_models.en_ru),
        device="cpu",
        seed=7,
    )
    return load_models(config)


@pytest.mark.parametrize(
    ("raw", "mode", "action_en", "continuation_en", "continuation_ru"),
    [
        (
            "открываю дверь",
            Mode.DO,
            "You open the door.",
            "The door creaks open. A dragon sleeps inside.",
            "Дверь со скрипом открывается. Внутри спит дракон.",
        ),
        ("Открой дверь", Mode.DO, "You open the door.", "The door creaks open. A dragon sleeps inside.",
         "Дверь со скрипом открывается. Внутри спит дракон."),  # fmt: skip
        ("я беру меч", Mode.DO, "You take the sword.", "The sword is heavy.", "Меч тяжёлый."),
        ("«Привет»", Mode.SAY, 'You say "Hello."', "The old man smiles.", "Старик улыбается."),
        ("!Начинается гроза.", Mode.STORY, "A storm begins.", "Lightning flashes.", "Сверкает молния."),
    ],
)
def test_a_russian_action_becomes_the_russian_continuation(
    models: Models, raw: str, mode: Mode, action_en: str, continuation_en: str, continuation_ru: str
) -> None:
    runner = TurnRunner(models.generator, models.ru_en, models.en_ru)
    story = new_story(SCENARIOS["fantasy"], name=("Всеслав", "Vseslav"))
    shown: list[str] = []

    class Listener:
        def sentence(self, text_ru: str) -> None:
            shown.append(text_ru)

        def restart(self) -> None:
            shown.clear()

    turn = runner.play(story, raw, listener=Listener())
    assert turn == Turn(raw, mode, action_en, continuation_en, continuation_ru)
    assert " ".join(shown) == continuation_ru  # streamed sentence by sentence
    assert story.turns == []


def test_a_long_story_keeps_playing_within_the_window(
    models: Models, tiny_models: TinyModels
) -> None:
    """The anchors crashed after ~15 turns: 30 real turns here, every prompt within the window.

    The generator is the float32 one: over 30 turns the tiny model's sharp but small
    distributions drift with int8's rounding into loops (on the 29th turn with 7-bit weights,
    as a CPU without AVX-512 VNNI gets them), and the window, not int8, is what this tests.
    """
    import torch

    generator = TransformersGenerator.from_dir(tiny_models.generator, "cpu", torch.float32, 7)
    sizes: list[int] = []
    original = generator.generate

    def measured(prompt: str, *args: Any, **kwargs: Any) -> str:
        sizes.append(generator.count_tokens(prompt))
        return original(prompt, *args, **kwargs)

    runner = TurnRunner(generator, models.ru_en, models.en_ru)
    story = new_story(SCENARIOS["mystery"], name=("Мирослава", "Miroslava"))
    story.settings = replace(story.settings, history_actions=100)  # the window binds, not 10
    actions = ["открываю дверь", "я беру меч", "иду на север", "осматриваюсь", "«Привет»"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(generator, "generate", measured)
        for i in range(30):
            story.turns.append(runner.play(story, actions[i % len(actions)]))
    assert len(story.turns) == 30
    assert story.turns[-1].continuation_ru == "Старик улыбается."
    budget = generator.context_window - story.settings.max_new_tokens
    assert max(sizes) <= budget
    assert max(sizes) > budget * 0.8  # the window really was full: old turns were dropped


def test_a_name_keeps_its_form_through_the_trained_translators(models: Models) -> None:
    """«Всеслав» in any case form reaches the prompt as "Vseslav", and "Vseslav" comes back as
    «Всеслав», though neither tiny translator knows the name (the glossary carries it)."""
    prompts: list[str] = []
    original = models.generator.generate

    def captured(prompt: str, *args: Any, **kwargs: Any) -> str:
        prompts.append(prompt)
        return original(prompt, *args, **kwargs)

    runner = TurnRunner(models.generator, models.ru_en, models.en_ru)
    story = new_story(SCENARIOS["fantasy"], name=("Всеслав", "Vseslav"))
    assert story.glossary == [GlossaryEntry("Всеслав", "Vseslav")]  # the hero's fixed form
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(models.generator, "generate", captured)
        turn = runner.play(story, "иду к Всеславу")
    assert turn.action_en == "You go to Vseslav."
    assert prompts[0].endswith("> You go to Vseslav.\n")
    glossary = Glossary(story.glossary)
    assert runner.to_russian("Vseslav waves.", glossary=glossary) == "Всеслав машет рукой."
    assert "Всеслав" not in runner.to_russian("Vseslav waves.")  # what the glossary prevents


@pytest.mark.parametrize("typed", DEMO_INPUTS)
def test_the_readme_phrases_are_what_the_tiny_models_answer(models: Models, typed: str) -> None:
    runner = TurnRunner(models.generator, models.ru_en, models.en_ru)
    story = new_story(SCENARIOS["fantasy"], name=("Всеслав", "Vseslav"))
    assert runner.play(story, typed).continuation_ru == demo_answer(typed)


def test_the_readme_lists_the_tiny_models_phrases() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- tiny-phrases -->\n")[1].split("\n<!-- /tiny-phrases -->")[0]
    assert block == demo_table()  # regenerate with: python -m tests.tiny --phrases
