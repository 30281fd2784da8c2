"""`gamio export` through the real command line (typer's CliRunner, in-process): the save is read
through SaveStore, the HTML is parsed with html.parser, the Markdown holds every turn."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gamio_cli.cli import app
from tests.scripted import ScriptedGenerator, new_game, scripted_runner

MARKUP = "<script>alert(1)</script> Меч [b]тяжёлый[/b]."
ACTIONS = ["открываю дверь", "«Привет»", "!Начинается гроза.", "я беру меч"]


@pytest.fixture
def saves(tmp_path: Path) -> Path:
    game = new_game(tmp_path / "saves", scripted_runner(ScriptedGenerator()), base="поход")
    for action in ACTIONS:
        game.play(action)
    # A turn holding markup: it must stay text in both formats.
    game.story.turns.append(replace(game.story.turns[-1], continuation_ru=MARKUP))
    game.quit()
    return tmp_path / "saves"


def export(tmp_path: Path, *args: str) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(tmp_path)  # the default output goes to the current directory
    try:
        result = CliRunner().invoke(app, ["export", *args])
    finally:
        os.chdir(old)
    return result.exit_code, result.output


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_markdown_has_every_turn(tmp_path: Path, saves: Path) -> None:
    code, out = export(tmp_path, "поход", "--saves-dir", str(saves))
    assert code == 0 and "поход.md" in out
    text = (tmp_path / "поход.md").read_text(encoding="utf-8")
    assert text.startswith("# ")
    for snippet in ["открываю дверь", "Дверь со скрипом открывается.", "«Привет»",
                    "Старик улыбается.", "*Начинается гроза.*", "Сверкает молния.",
                    "я беру меч", "Меч тяжёлый.", "alert(1)"]:
        assert snippet in text, snippet
    assert "The door creaks open." not in text


def test_bilingual_html_parses_and_loads_nothing(tmp_path: Path, saves: Path) -> None:
    target = tmp_path / "out" / "story.html"
    target.parent.mkdir()
    code, out = export(
        tmp_path, "поход", "--format", "html", "--bilingual", "--output", str(target),
        "--saves-dir", str(saves),
    )
    assert code == 0, out
    page = Collect()
    page.feed(target.read_text(encoding="utf-8"))
    text = "".join(page.text)
    assert "Дверь со скрипом открывается." in text and "The door creaks open." in text
    assert "You take the sword." in text and "Меч тяжёлый." in text and MARKUP in text
    assert "script" not in page.tags and "link" not in page.tags
    assert not [value for name, value in page.attrs if name in ("src", "href")]


def test_default_html_name_and_utf8(tmp_path: Path, saves: Path) -> None:
    code, out = export(tmp_path, "поход", "--format", "HTML", "--saves-dir", str(saves))
    assert code == 0
    data = (tmp_path / "поход.html").read_bytes()
    assert "Внутри спит дракон.".encode("utf-8") in data and b'charset="utf-8"' in data


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["нет-такой"], "Сохранения «нет-такой» нет"),
        (["поход", "--format", "pdf"], "неизвестный формат «pdf»"),
        (["поход", "--output", "/nonexistent-dir/x.md"], "Не удалось записать"),
    ],
)
def test_errors_are_one_line(tmp_path: Path, saves: Path, args: list[str], expected: str) -> None:
    code, out = export(tmp_path, *args, "--saves-dir", str(saves))
    lines = [line for line in out.splitlines() if line.strip()]
    assert code != 0 and len(lines) == 1 and expected in lines[0], out


def test_output_dash_is_standard_output_in_utf8(tmp_path: Path, saves: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "gamio_cli", "export", "поход", "-o", "-", "--saves-dir", str(saves)],
        cwd=tmp_path, capture_output=True, env={**os.environ, "LC_ALL": "C"}, timeout=120,
    )
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
    text = run.stdout.decode("utf-8")  # UTF-8 whatever the locale
    assert text.startswith("# поход\n\n*Мир: Фэнтези*") and "Меч тяжёлый." in text
    assert not (tmp_path / "-").exists() and run.stderr == b""


def test_an_existing_file_is_kept_unless_forced(tmp_path: Path, saves: Path) -> None:
    target = tmp_path / "поход.md"
    target.write_text("мои заметки", encoding="utf-8")
    code, out = export(tmp_path, "поход", "--saves-dir", str(saves))
    assert code == 1 and "уже есть и не тронут" in out and "--force" in out
    assert target.read_text(encoding="utf-8") == "мои заметки"
    code, out = export(tmp_path, "поход", "--force", "--saves-dir", str(saves))
    assert code == 0 and target.read_text(encoding="utf-8").startswith("# поход")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_the_title_is_the_story_name_and_the_world_below(tmp_path: Path, saves: Path) -> None:
    code, out = export(tmp_path, "поход", "--format", "html", "--saves-dir", str(saves))
    page = (tmp_path / "поход.html").read_text(encoding="utf-8")
    assert "<title>поход</title>" in page and "<h1>поход</h1>" in page
    assert '<p class="world">Мир: Фэнтези</p>' in page
