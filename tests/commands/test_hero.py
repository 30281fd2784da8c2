"""/hero through the REPL with scripted models: shows, changes, saves at once, refuses nonsense."""

from __future__ import annotations

from pathlib import Path

from gamio_cli.commands.core import default_commands
from gamio_cli.commands.table import help_lines
from gamio_cli.storage.store import SaveStore
from gamio_cli.story import Address, Gender, Hero
from gamio_cli.terminal.repl import run_repl
from tests.scripted import Screen, new_game


def run(saves: Path, script: list[str]) -> Screen:
    game = new_game(saves)
    screen = Screen(script)
    assert run_repl(game, screen.io, greet=False) == 0
    return screen


def test_hero_is_listed_with_its_russian_alias() -> None:
    table = default_commands()
    assert table.find("/герой") is table.find("/hero") is not None
    assert any(line.lstrip().startswith("/hero") for line in help_lines(table))


def test_hero_shows_the_shipped_heroes_setting(tmp_path: Path) -> None:
    screen = run(tmp_path, ["/hero"])
    assert "Обращение: «ты»; пол героя: мужской." in screen.text  # Всеслав
    assert "/hero вы ж" in screen.text


def test_hero_changes_and_is_saved_at_once(tmp_path: Path) -> None:
    screen = run(tmp_path, ["/герой вы ж"])
    assert "Обращение: «вы»; пол героя: женский." in screen.text
    assert "прежние не меняются" in screen.text
    assert SaveStore(tmp_path).load("тест").hero == Hero(Address.VY, Gender.FEMALE)


def test_hero_changes_one_thing_at_a_time(tmp_path: Path) -> None:
    run(tmp_path, ["/hero ж", "/hero НЕ  важно", "/hero вы"])
    assert SaveStore(tmp_path).load("тест").hero == Hero(Address.VY, Gender.UNKNOWN)


def test_hero_refuses_an_unknown_word_and_keeps_the_hero(tmp_path: Path) -> None:
    screen = run(tmp_path, ["/hero оно"])
    assert "Не понимаю «оно»" in screen.errors
    assert SaveStore(tmp_path).load("тест").hero == Hero(Address.TY, Gender.MALE)


def test_hero_without_change_says_so(tmp_path: Path) -> None:
    screen = run(tmp_path, ["/hero ты м"])
    assert "Без изменений." in screen.text


def test_name_listing_marks_a_name_kept_as_typed(tmp_path: Path) -> None:
    screen = run(tmp_path, ["/name Ксандру = Ksandru", "/name"])
    assert "Ксандру = Ksandru (падеж не распознан" in screen.text
    assert "Всеслав = Vseslav\n" in screen.text
