"""The turn runner's logic at its seam: scripted translators and generator (tests/scripted.py).

The same runner runs with the tiny trained models in tests/test_pipeline_real.py.
"""

from __future__ import annotations

import pytest

from gamio_cli.engine import CancelToken
from gamio_cli.errors import Cancelled, GenerationFailed
from gamio_cli.story import Alternative, GlossaryEntry, Mode, Story, Turn
from gamio_cli.turn.runner import TurnRunner, names_introduced
from tests.scripted import ScriptedGenerator, ScriptedTranslator


class Recorder:
    def __init__(self, events: list[str] | None = None) -> None:
        self.events = events if events is not None else []

    def sentence(self, text_ru: str) -> None:
        self.events.append(text_ru)

    def restart(self) -> None:
        self.events.append("<restart>")


RU_EN = {"открываю дверь": "I open the door.", "Привет": "Hello.", "Гроза": "A storm begins."}
EN_RU = {"The door creaks open.": "Дверь со скрипом открывается.", "A dragon sleeps inside.": "Внутри спит дракон."}


def runner(outputs: list[str]) -> tuple[TurnRunner, ScriptedGenerator]:
    generator = ScriptedGenerator(queue=outputs)
    return TurnRunner(generator, ScriptedTranslator(RU_EN), ScriptedTranslator(EN_RU)), generator


def story() -> Story:
    return Story("fantasy", "Ты рыцарь.", "You are a knight.")


def test_a_turn_records_both_languages_and_leaves_the_story_alone() -> None:
    run, generator = runner(["The door creaks open. A dragon sleeps inside.\n> You take"])
    current = story()
    listener = Recorder()
    turn = run.play(current, "открываю дверь", listener=listener)
    assert turn == Turn(
        "открываю дверь",
        Mode.DO,
        "You open the door.",
        "The door creaks open. A dragon sleeps inside.",
        "Дверь со скрипом открывается. Внутри спит дракон.",
    )
    assert current.turns == []
    assert generator.prompts == ["You are a knight.\n> You open the door.\n"]
    assert listener.events == ["Дверь со скрипом открывается.", "Внутри спит дракон."]


def test_say_story_and_continue_modes() -> None:
    run, generator = runner(["Ok.", "Ok then.", "Fine."])
    assert run.play(story(), "«Привет»").action_en == 'You say "Hello."'
    assert run.play(story(), "!Гроза").action_en == "A storm begins."
    turn = run.play(story(), "   ")
    assert (turn.mode, turn.action_en) == (Mode.CONTINUE, "")
    assert generator.prompts[1].endswith("\nA storm begins.\n")
    assert generator.prompts[2] == "You are a knight."


def test_empty_output_is_generated_again_then_the_player_is_told() -> None:
    run, generator = runner(["> You wait", "no end", "The door creaks open."])
    listener = Recorder()
    assert run.play(story(), "открываю дверь", listener=listener).continuation_en == "The door creaks open."
    assert len(generator.prompts) == 3
    run, generator = runner(["", "> x", "half a sent"])
    with pytest.raises(GenerationFailed) as failure:
        run.play(story(), "открываю дверь")
    assert "/retry" in failure.value.message
    assert len(generator.prompts) == 3


def test_a_loop_is_generated_again_and_what_was_shown_is_withdrawn() -> None:
    current = story()
    current.turns = [Turn("…", Mode.DO, "You wait.", "The door creaks open.", "…")]
    run, generator = runner(["The door creaks open. The", "A dragon sleeps inside."])
    listener = Recorder()
    turn = run.play(current, "открываю дверь", listener=listener)
    assert turn.continuation_en == "A dragon sleeps inside."
    assert listener.events == ["Дверь со скрипом открывается.", "<restart>", "Внутри спит дракон."]


def test_retry_replaces_the_last_continuation_only() -> None:
    current = story()
    first = Turn("открываю дверь", Mode.DO, "You open the door.", "It is locked.", "Заперто.")
    current.turns = [first]
    run, generator = runner(["A dragon sleeps inside."])
    turn = run.retry(current)
    assert turn == Turn(
        first.action_ru,
        Mode.DO,
        first.action_en,
        "A dragon sleeps inside.",
        "Внутри спит дракон.",
        (Alternative("It is locked.", "Заперто."),),
    )
    assert generator.prompts == ["You are a knight.\n> You open the door.\n"]
    assert current.turns == [first]


def test_cancel_between_tokens_raises_and_changes_nothing() -> None:
    run, _ = runner(["The door creaks open. A dragon sleeps inside."])
    current = story()
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        run.play(current, "открываю дверь", cancel=cancel)
    assert current.turns == []


def test_without_translators_text_passes_through() -> None:
    generator = ScriptedGenerator(queue=["Дверь открывается. Там"])
    run = TurnRunner(generator, None, None)
    turn = run.play(Story("custom", "Мир.", "Мир."), "Открой дверь")
    assert turn.continuation_ru == turn.continuation_en == "Дверь открывается."


def test_prompt_fits_the_window_minus_new_tokens() -> None:
    current = story()
    current.turns = [
        Turn("…", Mode.DO, f"You do thing {i}.", " ".join(["Words go on."] * 10), "…") for i in range(30)
    ]
    run, generator = runner(["Fine."])
    generator.context_window = 200  # the 9 latest turns alone would take ~300 tokens
    run.play(current, "открываю дверь")
    budget = generator.context_window - current.settings.max_new_tokens
    assert generator.count_tokens(generator.prompts[0]) <= budget
    assert generator.prompts[0].endswith("> You open the door.\n")
    assert "thing 29." in generator.prompts[0] and "thing 21." not in generator.prompts[0]


def test_the_first_sentence_is_shown_while_the_rest_is_generated() -> None:
    log: list[str] = []
    raw = "The door creaks open. A dragon sleeps inside. It snores loudly."
    generator = ScriptedGenerator(queue=[raw], on_token=lambda i: log.append(f"token {i}"))
    run = TurnRunner(generator, ScriptedTranslator(RU_EN), ScriptedTranslator(EN_RU))
    run.play(story(), "открываю дверь", listener=Recorder(log))
    # Words stream one a token (token 1 is "The"); a sentence shows once the next one starts.
    assert log.index("Дверь со скрипом открывается.") == log.index("token 5") + 1  # "A"
    assert log.index("Внутри спит дракон.") == log.index("token 9") + 1  # "It"
    assert log[-1] == "It snores loudly."  # the last sentence is certain only at the end


def test_a_second_retry_keeps_both_earlier_continuations_and_avoids_them() -> None:
    current = story()
    current.turns = [Turn("открываю дверь", Mode.DO, "You open the door.", "It is locked.", "Заперто.")]
    run, generator = runner(["A dragon sleeps inside.", "It is locked.", "The door creaks open."])
    current.turns = [run.retry(current)]
    turn = run.retry(current)  # "It is locked." again is a loop: generated once more
    assert turn.continuation_en == "The door creaks open."
    assert [a.en for a in turn.alternatives] == ["It is locked.", "A dragon sleeps inside."]


class ManglingTranslator(ScriptedTranslator):
    """Like opus-mt with names: a Cyrillic name comes out in a new spelling each time,
    a Latin word is copied through."""

    def translate(self, text: str, cancel: CancelToken | None = None) -> str:
        self.calls.append(text)
        return self.table.get(text, text).replace("Всеслав", "All-glory")


def test_names_keep_their_form_in_both_directions() -> None:
    ru_en = ManglingTranslator({"иду к Vseslav": "I go to Vseslav."})
    en_ru = ManglingTranslator({"Xqz1 waves.": "Xqz1 машет рукой."})
    generator = ScriptedGenerator(queue=["Vseslav waves."])
    run = TurnRunner(generator, ru_en, en_ru)
    current = story()
    current.glossary = [GlossaryEntry("Всеслав", "Vseslav")]
    turn = run.play(current, "иду к Всеславу")
    assert turn.action_en == "You go to Vseslav."
    assert turn.continuation_ru == "Всеслав машет рукой."


def test_a_name_the_player_introduces_is_found_with_a_fixed_english_form() -> None:
    assert names_introduced("иду к Мирославой и беру меч", story()) == [
        GlossaryEntry("Мирослава", "Miroslava")
    ]
    known = story()
    known.glossary = [GlossaryEntry("Мирослава", "Mira")]
    assert names_introduced("говорю с Мирославой", known) == []
    assert names_introduced("Открываю дверь", story()) == []


def test_names_enter_the_glossary_in_the_nominative() -> None:
    """The README's examples: «иду к Мирославе», «Спрашиваю Петра о дороге»."""
    story = Story("custom", "Начало.", "The start.")
    assert names_introduced("иду к Мирославе", story) == [GlossaryEntry("Мирослава", "Miroslava")]
    assert names_introduced("Спрашиваю Петра о дороге", story) == [GlossaryEntry("Пётр", "Pyotr")]
