"""A narrator that writes Russian: the prompt is built from the Russian texts, no translator
is called, each turn keeps only its Russian and records its narrator and language. The
generator is scripted at the seam; the real path (a server, no translators loaded) plays in
tests/engines/remote/test_play.py."""

from __future__ import annotations

from gamio_cli.story import AuthorNote, Gender, Hero, MemoryEntry, Mode, Turn
from gamio_cli.turn.prompt import Pending, build_prompt, next_prompt_prefix
from gamio_cli.turn.runner import TurnRunner
from tests.scripted import ScriptedGenerator, ScriptedTranslator, fantasy_story

DRAGON = "Дверь со скрипом открывается. Внутри спит дракон."


def russian_runner(*texts: str) -> tuple[TurnRunner, ScriptedGenerator, ScriptedTranslator]:
    generator = ScriptedGenerator(queue=texts)
    translator = ScriptedTranslator({})  # given, to show it is never called
    runner = TurnRunner(generator, translator, translator, language="ru", narrator="saiga")
    return runner, generator, translator


def test_a_russian_turn() -> None:
    runner, generator, translator = russian_runner(DRAGON)
    story = fantasy_story()
    story.memory = [MemoryEntry("У меня есть лампа.", "I have a lamp.")]
    story.hero = Hero(gender=Gender.FEMALE)
    turn = runner.play(story, "открываю дверь")
    assert turn == Turn("открываю дверь", Mode.DO, "", "", DRAGON, narrator="saiga",
                        language="ru")
    assert translator.calls == []
    prompt = generator.prompts[0]
    assert prompt.startswith(story.opening_ru[:40]) and prompt.endswith(
        "Вы — женщина.\nУ меня есть лампа.\n> Вы открываете дверь.\n")
    assert "You" not in prompt


def test_older_english_turns_enter_the_russian_prompt_in_russian() -> None:
    runner, generator, _ = russian_runner("Меч тяжёлый.")
    story = fantasy_story()
    story.turns = [Turn("открываю дверь", Mode.DO, "You open the door.",
                        "The door creaks open.", "Дверь со скрипом открывается.")]
    story.note = AuthorNote("Мрачный тон.", "A grim tone.")
    turn = runner.play(story, "«Привет»")
    assert turn.mode is Mode.SAY and turn.action_en == "" and turn.language == "ru"
    assert generator.prompts[0].endswith(
        "[Заметка автора: Мрачный тон.]\n> Вы открываете дверь.\nДверь со скрипом открывается.\n"
        "> Вы говорите: «Привет.»\n")


def test_retry_keeps_the_russian_alternative() -> None:
    runner, generator, _ = russian_runner(DRAGON, "Дверь заперта.")
    story = fantasy_story()
    story.turns = [runner.play(story, "открой дверь")]
    again = runner.retry(story)
    assert again.continuation_ru == "Дверь заперта." and again.continuation_en == ""
    assert again.alternatives[0].ru == DRAGON
    assert generator.prompts[1].endswith("> Вы открываете дверь.\n")


def test_the_prefix_the_next_russian_prompt_starts_with() -> None:
    story = fantasy_story()
    count = ScriptedGenerator().count_tokens
    prefix = next_prompt_prefix(story, count, 1024, 1, "ru")
    full = build_prompt(story, Pending(Mode.DO, "Вы ждёте."), count, 1024 - 55, 1, "ru")
    assert prefix and full.startswith(prefix)
