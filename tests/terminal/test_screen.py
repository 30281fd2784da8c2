"""What the player's terminal shows, read off a terminal emulator (pyte) fed by the real `gamio`
in a pseudo-terminal with the tiny trained models: start-up steps that go away, one turn shown
after /undo, an unknown command in the error colour, erasing a whole text in /alter, and long
messages wrapped at words. The same behaviour through pipes: test_newcomer.py."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

from tests.terminal.test_pty import TIMEOUT_S, Game
from tests.tiny.build import TinyModels

pexpect = pytest.importorskip("pexpect")
pyte = pytest.importorskip("pyte")

ROWS, COLUMNS = 50, 200


class Terminal:
    """A pyte screen fed with everything the child writes (and the pty log kept as well)."""

    def __init__(self, log: object, rows: int = ROWS, columns: int = COLUMNS) -> None:
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.Stream(self.screen)
        self.log = log
        self.transcript = ""

    def write(self, text: str) -> None:
        self.transcript += text
        self.stream.feed(text)
        self.log.write(text)  # type: ignore[attr-defined]

    def flush(self) -> None:
        self.log.flush()  # type: ignore[attr-defined]

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    def style_of(self, text: str) -> tuple[str, bool]:
        """(colour, bold) of the first character of the last line holding text."""
        for row in range(self.screen.lines - 1, -1, -1):
            line = self.screen.display[row]
            if text in line:
                char = self.screen.buffer[row][line.index(text)]
                return char.fg, char.bold
        raise AssertionError(f"{text!r} not on screen")


def watched(game: Game) -> Terminal:
    terminal = Terminal(game.log)
    game.child.logfile_read = terminal
    return terminal


def test_the_screen_of_a_short_session(tmp_path: Path, tiny_models: TinyModels) -> None:
    game = Game(tmp_path, tiny_models, "--new", "--scenario", "fantasy")
    terminal = watched(game)
    game.expect("Тебя зовут")
    game.type("открываю дверь")  # (type() waits for each prompt itself)
    game.expect("Внутри спит дракон.")
    startup = [line for line in terminal.lines() if "Загружаю" in line or "Проверяю" in line]
    assert startup == []  # the start-up status went away when the game was ready
    game.type("я беру меч")
    game.expect("Меч тяжёлый.")
    game.type("/undo")
    game.expect("Теперь последний ход такой:")
    game.type("/фыв")
    game.expect("Неизвестная команда")
    assert terminal.transcript.count("Тебя зовут") == 1  # /undo did not print the opening
    assert terminal.style_of("Неизвестная команда") == ("red", True)
    game.type("/alter")
    game.expect("Исправьте текст")
    game.child.send("\x15\r")  # Ctrl-U erases the whole line, then Enter
    game.expect("Пустой текст не ставлю")
    game.type("/quit")
    assert game.finish() == 0


def test_a_long_message_outside_the_game_is_wrapped_at_words() -> None:
    name = "очень длинное имя истории которой нет ни в одной папке сохранений"
    # A short folder: a path longer than the line is one word, which only the terminal breaks.
    saves = tempfile.mkdtemp(prefix="gs-")
    child = pexpect.spawn(
        sys.executable, ["-m", "gamio_cli", "play", "--load", name, "--saves-dir", saves],
        env={**os.environ, "TERM": "xterm", "COLUMNS": "60", "LINES": "24"},
        encoding="utf-8", timeout=TIMEOUT_S, dimensions=(24, 60),
    )
    terminal = Terminal(open(os.devnull, "w", encoding="utf-8"), rows=24, columns=60)  # noqa: SIM115
    child.logfile_read = terminal
    child.expect(pexpect.EOF)
    child.close()
    lines = [line.strip() for line in terminal.lines() if line.strip()]
    assert len(lines) > 1 and all(len(line) < 60 for line in lines)
    message = " ".join(lines)  # a word cut by the terminal would gain a space here
    assert f"Сохранения «{name}» нет в папке {saves}." in message and "gamio saves" in message
    os.rmdir(saves)
