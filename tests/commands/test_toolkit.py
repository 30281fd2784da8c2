"""The story toolkit commands through the REPL: scripted input lines into the real PlainIO, Repl,
Game, TurnRunner and SaveStore, with scripted models at the engine seam (tests/scripted.py).
The same commands with the tiny trained models: tests/test_toolkit_real.py."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gamio_cli.commands.core import default_commands
from gamio_cli.commands.table import Outcome, help_lines
from gamio_cli.engine import CancelToken
from gamio_cli.game import Game
from gamio_cli.settings import Settings
from gamio_cli.storage.store import SaveStore
from gamio_cli.story import Story
from gamio_cli.terminal.repl import Repl, run_repl
from tests.scripted import (
    Screen,
    ScriptedGenerator,
    ScriptedTranslator,
    new_game,
    scripted_runner,
)
from tests.tiny.tables import RU_EN

DOOR_RU = "Дверь со скрипом открывается. Внутри спит дракон."
DOOR_EN = "The door creaks open. A dragon sleeps inside."


def run(
    saves: Path, script: list[str], generator: ScriptedGenerator | None = None,
    game: Game | None = None, interactive: bool = False,
) -> tuple[Screen, Game]:
    game = game or new_game(saves, scripted_runner(generator))
    screen = Screen(script, interactive)
    assert run_repl(game, screen.io, greet=False) == 0
    return screen, game


def on_disk(saves: Path, name: str = "тест") -> Story:
    return SaveStore(saves).load(name)


# --- the table --------------------------------------------------------------------------------

NEW = {
    "/remember": "/запомнить", "/memory": "/память", "/forget": "/забыть", "/note": "/заметка",
    "/world": "/мир", "/alter": "/исправить", "/redo": "/вернуть", "/variants": "/варианты",
    "/variant": "/вариант", "/settings": "/настройки", "/story": "/история",
    "/original": "/оригинал", "/restart": "/сначала", "/name": "/имя",
}


def test_every_new_command_is_listed_with_its_russian_alias() -> None:
    table = default_commands()
    text = "\n".join(help_lines(table))
    for name, alias in NEW.items():
        command = table.find(alias)
        assert command is not None and command.name == name
        assert name in text and alias in text
    assert list(table)[-1].name == "/quit"


# --- memory -----------------------------------------------------------------------------------


def test_remember_memory_forget(tmp_path: Path) -> None:
    generator = ScriptedGenerator()
    screen, game = run(
        tmp_path,
        ["/запомнить У меня есть лампа.", "/память", "открываю дверь", "/forget 1", "/memory"],
        generator,
    )
    assert "Запомнено (№1): У меня есть лампа." in screen.text
    assert "  1. У меня есть лампа." in screen.text  # listed in Russian, numbered
    # Translated once, and about the hero in the second person, as actions are.
    assert "You have a lamp." in generator.prompts[0]
    assert "Забыто: У меня есть лампа." in screen.text and "Память пуста" in screen.text
    assert on_disk(tmp_path).memory == [] and len(on_disk(tmp_path).turns) == 1


def test_remember_is_saved_at_once(tmp_path: Path) -> None:
    run(tmp_path, ["/remember У меня есть лампа."])
    [entry] = on_disk(tmp_path).memory
    assert (entry.ru, entry.en) == ("У меня есть лампа.", "You have a lamp.")


BAD_LINES = [
    ("/remember", "Формат: /remember"),
    ("/forget", "Формат: /forget N"),
    ("/forget два", "Формат: /forget N"),
    ("/forget 0", "Формат: /forget N"),
    ("/forget 5", "Записи №5 нет"),
    ("/world add дракон", "Не хватает знака «="),
    ("/world add = текст", "Перед «=» нужны ключевые слова"),
    ("/world remove x", "Формат: /world remove N"),
    ("/world remove 3", "Записи №3 нет"),
    ("/world полететь", "Формат: /world add"),
    ("/name Всеслав", "Формат: имя = Name"),
    ("/name Vseslav = Всеслав", "Слева от «=» нужно слово по-русски"),
    ("/settings температура", "Нужны имя и значение"),
    ("/settings жара 1", "Нет настройки «жара»"),
    ("/settings температура горячо", "нужно число"),
    ("/settings температура 5", "Недопустимое значение «температура» = 5.0: смелость"),
    ("/settings длина 2.5", "нужно целое число"),
    ("/variant", "Формат: /variant N"),
    ("/variant 1", "Вариантов нет"),
    ("/alter", "Исправлять нечего"),
    ("/redo", "Возвращать нечего"),
    ("/original -1", "Формат: /original [N]"),
]


@pytest.mark.parametrize(("line", "expected"), BAD_LINES)
def test_bad_input_is_one_russian_line_never_a_turn(
    tmp_path: Path, line: str, expected: str
) -> None:
    generator = ScriptedGenerator()
    screen, game = run(tmp_path, [line], generator)
    assert expected in screen.errors
    assert len([x for x in screen.errors.splitlines() if x.strip()]) == 1
    assert generator.prompts == [] and game.story.turns == []
    assert game.story.memory == [] and game.story.world == [] and game.story.settings == Settings()


# --- author's note ----------------------------------------------------------------------------


def test_note_set_reaches_prompt_and_clears(tmp_path: Path) -> None:
    generator = ScriptedGenerator()
    screen, game = run(
        tmp_path,
        ["/заметка Начинается гроза.", "открываю дверь", "/note", "/заметка убрать", "я беру меч"],
        generator,
    )
    assert "[Author's note: A storm begins.]" in generator.prompts[0]
    assert "Author's note" not in generator.prompts[1]
    # Without text the note is shown, not deleted; clearing is explicit.
    assert screen.text.count("Заметка автора: Начинается гроза.") == 2
    assert "Заметка автора убрана." in screen.text and on_disk(tmp_path).note is None


def test_note_without_text_keeps_it_and_dash_clears(tmp_path: Path) -> None:
    screen, game = run(tmp_path, ["/note Начинается гроза.", "/note"])
    note = on_disk(tmp_path).note
    assert note is not None and note.ru == "Начинается гроза."
    assert "убрать: /note -" in screen.text
    screen, game = run(tmp_path, ["/note -", "/note -"], game=Game.open(
        SaveStore(tmp_path), scripted_runner(None), "тест"))
    assert on_disk(tmp_path).note is None
    assert "Заметка автора убрана." in screen.text and "Заметки автора и так нет." in screen.text


def test_note_is_saved(tmp_path: Path) -> None:
    run(tmp_path, ["/note Начинается гроза."])
    note = on_disk(tmp_path).note
    assert note is not None and (note.ru, note.en) == ("Начинается гроза.", "A storm begins.")


# --- world info -------------------------------------------------------------------------------


def test_world_entry_joins_the_prompt_when_its_key_appears(tmp_path: Path) -> None:
    generator = ScriptedGenerator()
    screen, game = run(
        tmp_path,
        ["/мир добавить дракона, змей = У меня есть лампа.", "/мир", "я беру меч",
         "открываю дверь", "иду на север", "/world remove 1", "осматриваюсь"],
        generator,
    )
    assert "  1. [дракона, змей] У меня есть лампа." in screen.text
    assert "I have a lamp." not in generator.prompts[0]  # no key in the story yet
    assert "I have a lamp." not in generator.prompts[1]  # the action holds no key
    assert "I have a lamp." in generator.prompts[2]  # «дракон» was in the last continuation
    assert "I have a lamp." not in generator.prompts[3]  # removed
    assert on_disk(tmp_path).world == []


def test_world_entry_is_saved_with_both_languages(tmp_path: Path) -> None:
    run(tmp_path, ["/world add дракон, Dragon = У меня есть лампа."])
    [entry] = on_disk(tmp_path).world
    assert entry.keys == ("дракон", "Dragon")
    assert (entry.text_ru, entry.text_en) == ("У меня есть лампа.", "I have a lamp.")


# --- alter, redo, variants --------------------------------------------------------------------


def test_alter_with_text_stores_both_languages(tmp_path: Path) -> None:
    generator = ScriptedGenerator()
    screen, game = run(
        tmp_path, ["открываю дверь", "/исправить У меня есть лампа.", "я беру меч"], generator
    )
    first = on_disk(tmp_path).turns[0]
    assert (first.continuation_ru, first.continuation_en) == ("У меня есть лампа.", "I have a lamp.")
    assert "I have a lamp." in generator.prompts[1] and DOOR_EN not in generator.prompts[1]


def test_alter_edits_in_place_and_keeps_alternatives(tmp_path: Path) -> None:
    generator = ScriptedGenerator(queue=["The sword is heavy.", "Lightning flashes."])
    screen, game = run(tmp_path, ["открываю дверь", "/retry", "/alter", "Меч тяжёлый!"], generator)
    last = on_disk(tmp_path).turns[-1]
    assert "Сейчас: Сверкает молния." in screen.text  # the text to edit was shown
    assert last.continuation_ru == "Меч тяжёлый!"
    assert [a.ru for a in last.alternatives] == ["Меч тяжёлый."]


def test_alter_unchanged_or_abandoned_changes_nothing(tmp_path: Path) -> None:
    screen, game = run(tmp_path, ["открываю дверь", "/alter", ""])
    assert "Текст не изменился." in screen.text
    assert on_disk(tmp_path).turns[0].continuation_en == DOOR_EN


def test_undo_then_redo(tmp_path: Path) -> None:
    screen, game = run(tmp_path, ["открываю дверь", "я беру меч", "/undo", "/вернуть", "/redo"])
    story = on_disk(tmp_path)
    assert [t.action_ru for t in story.turns] == ["открываю дверь", "я беру меч"]
    assert story.undone == []
    assert "Ход возвращён: «я беру меч»." in screen.text
    assert "Возвращать нечего" in screen.errors


def test_a_new_turn_after_undo_leaves_nothing_to_redo(tmp_path: Path) -> None:
    screen, game = run(tmp_path, ["открываю дверь", "/undo", "иду на север", "/redo"])
    assert [t.action_ru for t in on_disk(tmp_path).turns] == ["иду на север"]
    assert "Возвращать нечего" in screen.errors


def test_variants_list_and_swap(tmp_path: Path) -> None:
    generator = ScriptedGenerator(queue=[DOOR_EN, "The sword is heavy.", "Lightning flashes."])
    screen, game = run(
        tmp_path, ["открываю дверь", "/retry", "/retry", "/варианты", "/вариант 1", "/variant 9"],
        generator,
    )
    assert f"  1. {DOOR_RU}" in screen.text and "  2. Меч тяжёлый." in screen.text
    assert "Сейчас: Сверкает молния." in screen.text
    last = on_disk(tmp_path).turns[-1]
    assert last.continuation_ru == DOOR_RU and last.continuation_en == DOOR_EN
    assert [a.ru for a in last.alternatives] == ["Меч тяжёлый.", "Сверкает молния."]
    assert "Варианта №9 нет: есть варианты с 1 по 2" in screen.errors


def test_variants_without_retry(tmp_path: Path) -> None:
    screen, game = run(tmp_path, ["открываю дверь", "/variants"])
    assert "Других вариантов нет" in screen.text


# --- settings ---------------------------------------------------------------------------------


def test_settings_show_and_change_by_any_name(tmp_path: Path) -> None:
    screen, game = run(
        tmp_path,
        ["/настройки", "/settings температура 0,7", "/settings top_k 10", "/settings ходы 3"],
    )
    assert "температура (temperature) = 0.4" in screen.text
    assert on_disk(tmp_path).settings == Settings(temperature=0.7, top_k=10, history_actions=3)


def test_changed_settings_reach_the_generator(tmp_path: Path) -> None:
    seen: list[Settings] = []

    class Recording(ScriptedGenerator):
        def generate(self, prompt, settings, cancel=None, on_text=None):  # type: ignore[no-untyped-def]
            seen.append(settings)
            return super().generate(prompt, settings, cancel, on_text)

    run(tmp_path, ["/settings длина 20", "открываю дверь"], Recording())
    assert seen[0].max_new_tokens == 20


# --- views ------------------------------------------------------------------------------------


WORDS = (
    "apple brick cloud dune ember fjord grove harbor islet jungle kettle lantern meadow "
    "nectar orchid pebble quartz raven summit tundra umber valley walrus xylem yonder"
).split()


def test_story_shows_every_turn_and_original_the_english(tmp_path: Path) -> None:
    # 25 continuations, more than a story's greeting shows, unlike each other (no loop)
    steps = [f"{word} {word.upper()} {word[::-1]}." for word in WORDS]
    generator = ScriptedGenerator(queue=[*steps, "The sword is heavy.", "The road leads north."])
    script = ["иду на север"] * 25 + ["я беру меч", "иду на север", "/история", "/оригинал 2"]
    screen, game = run(tmp_path, script, generator)
    story_part = screen.text.split("Ваш ход › /история")[1].split("Ваш ход › /оригинал")[0]
    assert game.story.opening_ru in story_part and "ещё ходов раньше" not in story_part
    assert all(step in story_part for step in steps)
    original = screen.text.split("Ваш ход › /оригинал 2")[1]
    assert "> You take the sword.\nThe sword is heavy." in original
    assert "> You go north.\nThe road leads north." in original
    assert steps[-1] not in original


def test_original_before_any_turn_shows_the_opening(tmp_path: Path) -> None:
    screen, game = run(tmp_path, ["/original"])
    assert game.story.opening_en.strip().splitlines()[0] in screen.text


# --- restart ----------------------------------------------------------------------------------


def test_restart_asks_and_keeps_the_old_story(tmp_path: Path) -> None:
    screen, game = run(
        tmp_path,
        ["/remember У меня есть лампа.", "открываю дверь", "/сначала", "нет", "/restart", "да",
         "я беру меч"],
    )
    assert "Продолжаем нынешнюю историю." in screen.text
    assert game.name != "тест"
    old, new = on_disk(tmp_path), on_disk(tmp_path, game.name)
    assert [t.action_ru for t in old.turns] == ["открываю дверь"]
    assert [t.action_ru for t in new.turns] == ["я беру меч"]
    assert new.opening_ru == old.opening_ru and new.memory == old.memory
    assert "прежняя сохранена как «тест»" in screen.text


def test_restart_at_end_of_input_is_no(tmp_path: Path) -> None:
    screen, game = run(tmp_path, ["открываю дверь", "/restart"])
    assert game.name == "тест" and len(on_disk(tmp_path).turns) == 1


# --- names ------------------------------------------------------------------------------------


def test_name_adds_lists_and_refuses_a_clash(tmp_path: Path) -> None:
    screen, game = run(
        tmp_path, ["/имя Лада = Lada", "/name", "/name Ладислава = Lada", "/name Лада = Lady"]
    )
    assert "  Лада = Lada" in screen.text
    assert "«Lada» уже означает «Лада»" in screen.errors
    glossary = {(e.ru, e.en) for e in on_disk(tmp_path).glossary}
    assert ("Лада", "Lady") in glossary and ("Лада", "Lada") not in glossary


def test_a_glossary_name_keeps_its_form_in_memory(tmp_path: Path) -> None:
    generator = ScriptedGenerator()
    screen, game = run(tmp_path, ["/name Лада = Lada", "/remember Лада"], generator)
    assert on_disk(tmp_path).memory[0].en == "Lada"


# --- the prompt budget ------------------------------------------------------------------------


def test_prompt_too_long_reaches_the_player_and_plays_no_turn(tmp_path: Path) -> None:
    generator = ScriptedGenerator()
    long_fact = " ".join(["огромный"] * 50)  # 50 scripted tokens; 8 of them are over 40%
    script = [f"/remember {long_fact}"] * 8 + ["открываю дверь"]
    screen, game = run(tmp_path, script, generator)
    assert screen.text.count("Внимание: Память и сведения о мире не оставляют места") == 1
    assert "запись памяти №1" in screen.errors and "/forget 1" in screen.errors
    assert generator.prompts == [] and on_disk(tmp_path).turns == []
    assert len(on_disk(tmp_path).memory) == 8  # kept: the player decides what to shorten


# --- Ctrl-C and any input ---------------------------------------------------------------------


def test_ctrl_c_while_translating_cancels_the_command(tmp_path: Path) -> None:
    runner = scripted_runner()
    inner = ScriptedTranslator(RU_EN)

    class Interrupted:
        """Ctrl-C arrives while the text is being translated (a real SIGINT to this process)."""

        def translate(self, text: str, cancel: CancelToken | None = None) -> str:
            os.kill(os.getpid(), signal.SIGINT)
            return inner.translate(text, cancel)

    runner.ru_en = Interrupted()
    game = new_game(tmp_path, runner)
    screen, game = run(tmp_path, ["/remember У меня есть лампа.", "/memory"], game=game)
    assert "Отменено: история осталась как была." in screen.text
    assert "Память пуста" in screen.text and on_disk(tmp_path).memory == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(word=st.sampled_from(sorted(NEW) + sorted(NEW.values())), argument=st.text(max_size=40))
def test_any_argument_is_a_message_never_a_turn_or_a_crash(
    tmp_path_factory: pytest.TempPathFactory, word: str, argument: str
) -> None:
    generator = ScriptedGenerator()
    game = new_game(tmp_path_factory.mktemp("any"), scripted_runner(generator))
    game.play("открываю дверь")
    turns = list(game.story.turns)
    screen = Screen([])
    line = f"{word} {argument}".replace("\n", " ").replace("\r", " ")
    assert Repl(game, screen.io).handle(line) is Outcome.CONTINUE
    assert len(generator.prompts) == 1  # the turn played above, and no other
    if word not in ("/alter", "/исправить", "/restart", "/сначала"):
        assert game.story.turns == turns
    assert "Непредвиденная" not in screen.errors and "Traceback" not in screen.errors
    game.story.settings.validate()
    assert SaveStore(game.store.directory).load(game.name) == game.story  # every change autosaved
    game.close()
