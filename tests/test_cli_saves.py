"""`gamio saves`, `saves rm` and `saves mv` through the real command line (typer's CliRunner,
in-process), on real save files: damaged ones listed with their reason, locks respected."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from gamio_cli.cli import app
from gamio_cli.storage.filelock import FileLock
from gamio_cli.storage.store import SaveStore
from tests.scripted import new_game

FIXTURES = Path(__file__).parent / "fixtures" / "saves"


def invoke(args: list[str], stdin: str = "") -> tuple[int, str]:
    result = CliRunner().invoke(app, args, input=stdin)
    return result.exit_code, result.output


def test_saves_lists_the_world_and_the_files_that_do_not_open(tmp_path: Path) -> None:
    new_game(tmp_path, base="поход").quit()
    for name in ("truncated.json", "newer_version.json", "foreign.json"):
        (tmp_path / name).write_bytes((FIXTURES / name).read_bytes())
    code, output = invoke(["saves", "--saves-dir", str(tmp_path)])
    assert code == 0
    [story] = [line for line in output.splitlines() if line.startswith("  поход")]
    assert "Фэнтези" in story and "ходов: 0" in story
    assert "Не открываются (файлы не тронуты):" in output
    for name in ("truncated.json", "newer_version.json", "foreign.json"):
        [line] = [line for line in output.splitlines() if line.startswith(f"  {name} — ")]
        assert len(line) > len(name) + 20  # a reason, not just a name
    assert "pip install --upgrade gamio" in output  # the newer file says what to do


def test_only_damaged_files_are_not_called_no_saves(tmp_path: Path) -> None:
    (tmp_path / "сломано.json").write_text("{", encoding="utf-8")
    code, output = invoke(["saves", "--saves-dir", str(tmp_path)])
    assert code == 0 and "пока нет" not in output and "сломано.json — " in output


def test_rm_asks_and_removes_the_story_and_its_backup(tmp_path: Path) -> None:
    game = new_game(tmp_path, base="поход")
    game.play("открываю дверь")
    game.quit()
    assert (tmp_path / "поход.json.bak").exists()
    code, output = invoke(["saves", "rm", "поход", "--saves-dir", str(tmp_path)], stdin="нет\n")
    assert code == 1 and "Ничего не удалено" in output and (tmp_path / "поход.json").exists()
    code, output = invoke(["saves", "rm", "поход", "--saves-dir", str(tmp_path)], stdin="да\n")
    assert code == 0 and "(ходов: 1)" in output and "удалена" in output
    assert not (tmp_path / "поход.json").exists() and not (tmp_path / "поход.json.bak").exists()


def test_rm_and_mv_respect_an_open_game(tmp_path: Path) -> None:
    game = new_game(tmp_path, base="поход")  # open: its lock is held
    try:
        code, output = invoke(["saves", "--saves-dir", str(tmp_path), "rm", "-y", "поход"])
        assert code == 1 and "уже открыта" in output
        code, output = invoke(["saves", "mv", "поход", "другое", "--saves-dir", str(tmp_path)])
        assert code == 1 and "уже открыта" in output
    finally:
        game.close()
    assert SaveStore(tmp_path).exists("поход")


def test_mv_renames_and_never_overwrites(tmp_path: Path) -> None:
    game = new_game(tmp_path, base="поход")
    game.play("открываю дверь")
    game.quit()
    new_game(tmp_path, base="занято").quit()
    code, output = invoke(["saves", "mv", "поход", "занято", "--saves-dir", str(tmp_path)])
    assert code == 1 and "уже занято" in output
    code, output = invoke(["saves", "mv", "поход", "мой поход", "--saves-dir", str(tmp_path)])
    assert code == 0 and "теперь называется «мой поход»" in output
    store = SaveStore(tmp_path)
    assert not store.exists("поход") and len(store.load("мой поход").turns) == 1
    assert (tmp_path / "мой поход.json.bak").exists()
    json.loads((tmp_path / "занято.json").read_text(encoding="utf-8"))  # untouched
    FileLock(tmp_path / ".мой поход.json.lock").acquire().release()  # no lock left behind
