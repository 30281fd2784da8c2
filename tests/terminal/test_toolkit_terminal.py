"""/alter and /restart on the real terminal screen (prompt_toolkit in, rich out), in-process:
the last continuation is put in the input line to edit in place, and yes/no is typed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.input.base import PipeInput

from gamio_cli.storage.store import SaveStore
from gamio_cli.terminal.repl import run_repl
from tests.scripted import new_game
from tests.terminal.test_repl import terminal

DOOR_RU = "Дверь со скрипом открывается. Внутри спит дракон."


@pytest.fixture
def keys() -> Iterator[PipeInput]:
    with create_pipe_input() as pipe:
        yield pipe


def test_alter_edits_the_continuation_in_place(tmp_path: Path, keys: PipeInput) -> None:
    io, out = terminal(keys, tmp_path / "history")
    # After the text put in the line: remove «дракон.» (7 backspaces) and type another ending.
    keys.send_text("открываю дверь\r/исправить\r" + "\x7f" * 7 + "кот.\r/quit\r")
    game = new_game(tmp_path / "saves")
    assert run_repl(game, io, greet=False) == 0
    edited = "Дверь со скрипом открывается. Внутри спит кот."
    turn = SaveStore(tmp_path / "saves").load("тест").turns[0]
    assert turn.continuation_ru == edited
    # The edit went through ru->en once (the scripted table keeps unknown sentences as they are).
    assert turn.continuation_en == edited and edited in game.runner.ru_en.calls  # type: ignore[union-attr]
    assert "Исправлено." in out.getvalue()


def test_restart_confirmed_by_typing_yes(tmp_path: Path, keys: PipeInput) -> None:
    io, out = terminal(keys, tmp_path / "history")
    keys.send_text("открываю дверь\r/сначала\rда\r/quit\r")
    game = new_game(tmp_path / "saves")
    assert run_repl(game, io, greet=False) == 0
    assert game.name != "тест" and game.story.turns == []
    assert len(SaveStore(tmp_path / "saves").load("тест").turns) == 1
