"""What a newcomer met in their first hour (issue #16), each as the player sees it: the real
PlainIO, Repl, commands, Game, TurnRunner and saves, with scripted models at the engine seam
(tests/scripted.py). The same screen in a real terminal: test_screen.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from gamio_cli.commands.core import default_commands
from gamio_cli.game import Game
from gamio_cli.storage.store import SaveStore
from gamio_cli.story import MemoryEntry, Story
from gamio_cli.terminal.newgame import custom_story
from gamio_cli.terminal.opening import narrated_opening
from gamio_cli.terminal.repl import run_repl
from tests.scripted import Screen, ScriptedGenerator, new_game, scripted_runner

DOOR_RU = "Дверь со скрипом открывается. Внутри спит дракон."
DOOR_EN = "The door creaks open. A dragon sleeps inside."


def run(
    saves: Path, script: list[str], generator: ScriptedGenerator | None = None,
    game: Game | None = None,
) -> tuple[Screen, Game]:
    game = game or new_game(saves, scripted_runner(generator))
    screen = Screen(script)
    assert run_repl(game, screen.io, greet=False) == 0
    return screen, game


def on_disk(saves: Path) -> Story:
    return SaveStore(saves).load("тест")


# --- /retry after a failed turn ---------------------------------------------------------------


def test_retry_after_a_failed_turn_plays_the_failed_action(tmp_path: Path) -> None:
    # Three empty outputs: the turn fails (max_tries = 3); then the model answers.
    generator = ScriptedGenerator(queue=["", "", "", DOOR_EN])
    screen, game = run(tmp_path, ["открываю дверь", "/retry"], generator)
    assert "за 3 попытки" in screen.errors and "/retry — повторить это же" in screen.errors
    assert [t.action_ru for t in on_disk(tmp_path).turns] == ["открываю дверь"]
    assert on_disk(tmp_path).turns[0].continuation_ru == DOOR_RU
    assert "Повторяю действие, на которое не было ответа:" in screen.text
    assert "> открываю дверь" in screen.text  # the screen says which action the text answers


def test_after_a_failed_turn_a_new_action_is_what_retry_rewrites(tmp_path: Path) -> None:
    generator = ScriptedGenerator(queue=["", "", "", "The sword is heavy.", "Lightning flashes."])
    screen, game = run(tmp_path, ["прыгаю", "я беру меч", "/retry"], generator)
    [turn] = on_disk(tmp_path).turns
    assert turn.action_ru == "я беру меч" and turn.continuation_ru == "Сверкает молния."
    assert "Новый ответ на последнее действие:" in screen.text


def test_retry_with_nothing_to_retry_says_so(tmp_path: Path) -> None:
    screen, game = run(tmp_path, ["/заново"])
    assert "Повторять нечего" in screen.errors


# --- one turn shown, not the whole opening ----------------------------------------------------


def test_undo_redo_and_variant_show_only_the_turn_that_changed(tmp_path: Path) -> None:
    generator = ScriptedGenerator(queue=[DOOR_EN, "The sword is heavy.", "Lightning flashes."])
    screen, game = run(
        tmp_path, ["открываю дверь", "я беру меч", "/undo", "/redo", "/retry", "/вариант 1"],
        generator,
    )
    assert game.story.opening_ru[:40] not in screen.text
    assert "ещё ходов раньше" not in screen.text
    after_undo = screen.text.split("Последний ход отменён")[1]
    assert after_undo.lstrip().startswith(": «я беру меч» (вернуть: /redo). Теперь последний ход")
    assert "> открываю дверь" in after_undo.split("Ход возвращён")[0]
    assert "Вариант №1 снова в истории:\n> я беру меч\nМеч тяжёлый." in screen.text


# --- commands that speak like the player ------------------------------------------------------


def test_a_russian_alias_is_answered_with_russian_aliases(tmp_path: Path) -> None:
    screen, game = run(tmp_path, ["/забыть", "/мир что-то", "/forget"])
    first, second, third = screen.errors.splitlines()
    assert "Формат: /забыть N (список: /память)" in first and "/forget" not in first
    assert "/мир добавить" in second and "/world" not in second and " add " not in second
    assert "Формат: /forget N (список: /memory)" in third  # typed in English: English names


def test_world_remove_by_the_readme_word_and_edit(tmp_path: Path) -> None:
    screen, game = run(tmp_path, [
        "/мир добавить дракон = Дракон стар.",
        "/мир изменить 1 дракон, змей = Дракон стар и мудр.",
        "/мир",
        "/мир убрать 1",
    ])
    assert "Сведения о мире №1: [дракон, змей] Дракон стар и мудр." in screen.text
    assert "Сведения о мире удалены: Дракон стар и мудр." in screen.text
    assert on_disk(tmp_path).world == [] and screen.errors == ""


def test_memory_edit_in_place_and_by_text(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    game.story.memory.append(MemoryEntry("У меня есть лампа.", "You have a lamp."))
    # In a pipe the "edit in place" line is the next input line.
    screen, game = run(tmp_path, ["/память изменить 1", "Начинается гроза.", "/memory edit 2 x"],
                       game=game)
    [entry] = on_disk(tmp_path).memory
    assert (entry.ru, entry.en) == ("Начинается гроза.", "A storm begins.")
    assert "Записи №2 нет" in screen.errors


def test_name_remove(tmp_path: Path) -> None:
    screen, game = run(tmp_path, ["/имя Мирослава = Miroslava", "/имя убрать Мирослава", "/имя"])
    assert "Из словаря имён убрано: Мирослава = Miroslava" in screen.text
    assert all(entry.ru != "Мирослава" for entry in on_disk(tmp_path).glossary)


def test_restart_question_says_what_is_kept(tmp_path: Path) -> None:
    screen, game = run(tmp_path, ["открываю дверь", "/restart", "нет"])
    question = screen.text.split("Начать этот мир заново?")[1].split("\n")[0]
    for kept in ("память", "сведения о мире", "заметка автора", "словарь имён", "настройки"):
        assert kept in question


def test_help_columns_line_up(tmp_path: Path) -> None:
    screen, game = run(tmp_path, ["/help"])
    table = default_commands()
    width = max(len(command.usage) for command in table)
    for command in table:
        [row] = [line for line in screen.text.splitlines() if line.startswith(f"  {command.usage} ")]
        assert row[2 + width] == " " and row[3 + width] != " ", row  # /settings too


def test_settings_error_names_the_knob_in_russian(tmp_path: Path) -> None:
    screen, game = run(tmp_path, ["/настройки длина 9999"])
    assert "«длина»" in screen.errors and "max_new_tokens" not in screen.errors


# --- /prompt ----------------------------------------------------------------------------------


def test_prompt_shows_what_the_model_sees_with_the_russian(tmp_path: Path) -> None:
    generator = ScriptedGenerator()
    screen, game = run(tmp_path, [
        "/запомнить У меня есть лампа.", "/заметка Начинается гроза.", "открываю дверь",
        "/подсказка", "",
    ], generator)
    shown = screen.text.split("Подсказка модели к следующему ходу:")[1]
    seen = generator.prompts[-1]  # the empty line after /prompt: the very prompt shown
    for line in seen.rstrip("\n").split("\n"):
        assert f"  | {line}" in shown
    count = generator.count_tokens(seen)
    assert f" {count} токенов из " in shown
    assert "память №1: У меня есть лампа. → You have a lamp." in shown
    assert "заметка автора: Начинается гроза. → A storm begins." in shown


# --- a custom world's opening, written on by the narrator --------------------------------------


def custom() -> Story:
    return custom_story("Ты рыцарь в старом замке.", "You are a knight in an old castle.")


@pytest.mark.parametrize(
    ("answers", "extended"), [(["да", "да"], True), (["да", "нет"], False), (["нет"], False)]
)
def test_the_narrator_writes_on_from_a_custom_opening_if_asked(
    answers: list[str], extended: bool
) -> None:
    generator = ScriptedGenerator(queue=["Lightning flashes."])
    screen = Screen(answers, interactive=True)
    story = narrated_opening(scripted_runner(generator), custom(), screen.io)
    if extended:
        assert story.opening_ru == "Ты рыцарь в старом замке. Сверкает молния."
        assert story.opening_en == "You are a knight in an old castle. Lightning flashes."
        assert story.turns == []
    else:
        assert story == custom()
    assert (generator.prompts != []) is (answers[0] == "да")


def test_from_a_pipe_the_opening_is_not_asked_about() -> None:
    screen = Screen(["открываю дверь"])  # the next line is an action, not an answer
    assert narrated_opening(scripted_runner(), custom(), screen.io) == custom()
    assert "рассказчик" not in screen.text


def test_a_failed_narrator_keeps_the_players_opening() -> None:
    generator = ScriptedGenerator(queue=["", "", ""])
    screen = Screen(["да"], interactive=True)
    assert narrated_opening(scripted_runner(generator), custom(), screen.io) == custom()
    assert "Рассказчик не смог дописать начало: оно остаётся вашим." in screen.text
    assert "/retry" not in screen.text
