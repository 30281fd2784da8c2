"""The real `gamio` with standard input from a file (not a terminal) and the tiny trained models:
one action or command per line, plain text out, saved at the end of input, exit 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from gamio_cli.storage.store import SaveStore
from tests.tiny.build import TinyModels

TIMEOUT_S = 300


def env_for(tmp: Path, models: TinyModels) -> dict[str, str]:
    """The models come through the environment variables here (options in tests/test_pty.py)."""
    return {
        **os.environ,
        "GAMIO_GENERATOR": str(models.generator),
        "GAMIO_RU_EN": str(models.ru_en),
        "GAMIO_EN_RU": str(models.en_ru),
        "GAMIO_DEVICE": "cpu",
        "GAMIO_SAVES_DIR": str(tmp / "saves"),
        "XDG_STATE_HOME": str(tmp / "state"),
        "OMP_NUM_THREADS": "1",
    }


def gamio(tmp: Path, models: TinyModels, stdin: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    actions = tmp / "actions.txt"
    actions.write_bytes(stdin)
    with open(actions, "rb") as source:
        return subprocess.run(
            [sys.executable, "-m", "gamio_cli", "play", "--seed", "1", *args],
            stdin=source, capture_output=True, env=env_for(tmp, models), timeout=TIMEOUT_S,
        )


def test_actions_from_a_file(tmp_path: Path, tiny_models: TinyModels) -> None:
    script = "открываю дверь\nя беру меч\n".encode("utf-8")
    run = gamio(tmp_path, tiny_models, script, "--new", "--scenario", "fantasy")
    out = run.stdout.decode("utf-8")
    assert run.returncode == 0, run.stderr.decode("utf-8")
    assert "Тебя зовут" in out
    assert "Ваш ход › открываю дверь\nДверь со скрипом открывается. Внутри спит дракон.\n" in out
    assert "Меч тяжёлый." in out
    assert "\x1b" not in out and "\x1b" not in run.stderr.decode("utf-8")  # no colours, no cursor
    story = SaveStore(tmp_path / "saves").load("фэнтези")
    assert [t.action_ru for t in story.turns] == ["открываю дверь", "я беру меч"]


def test_custom_world_from_the_menu_commands_and_broken_bytes(
    tmp_path: Path, tiny_models: TinyModels
) -> None:
    script = b"".join(
        [
            "5\n".encode("utf-8"),  # the menu's first line: a custom world
            "Ты рыцарь в старом замке.\n".encode("utf-8"),  # its opening, translated once
            "\x1b]0;pwned\x07открываю дверь\n".encode("utf-8"),
            "/сохранить Замок\n".encode("utf-8"),
            "/фыв\n".encode("utf-8"),
            "я беру меч\n".encode("utf-8"),
            "/undo\n".encode("utf-8"),
            b"\xff\xfe\xc3\n",  # invalid UTF-8: replaced, never a crash (a turn, or a refusal)
        ]
    )
    run = gamio(tmp_path, tiny_models, script)
    out, err = run.stdout.decode("utf-8"), run.stderr.decode("utf-8")
    assert run.returncode == 0, err
    assert "Выберите мир" in out and "Дверь со скрипом открывается." in out
    assert "Неизвестная команда «/фыв»" in err and "Последний ход отменён" in out  # an error
    assert "Traceback" not in err and "\x1b" not in out
    story = SaveStore(tmp_path / "saves").load("Замок")
    assert story.scenario == "custom"
    assert story.opening_ru == "Ты рыцарь в старом замке."
    assert story.opening_en == "You are a knight in an old castle."
    actions = [t.action_ru for t in story.turns]
    assert actions[0] == "открываю дверь" and "я беру меч" not in actions


def test_ctrl_c_while_models_load(tmp_path: Path, tiny_models: TinyModels) -> None:
    """SIGINT as soon as loading starts: a clean message and status 130, nothing written."""
    actions = tmp_path / "actions.txt"
    actions.write_bytes("открываю дверь\n".encode("utf-8"))
    with open(actions, "rb") as source:
        child = subprocess.Popen(
            [sys.executable, "-m", "gamio_cli", "play", "--new", "--scenario", "fantasy"],
            stdin=source, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env_for(tmp_path, tiny_models),
        )
        assert child.stderr is not None
        first = child.stderr.readline().decode("utf-8")  # start-up progress goes to stderr
        assert "модели" in first
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=TIMEOUT_S)
    assert child.returncode == 130, err.decode("utf-8")
    assert "Запуск прерван" in out.decode("utf-8") + err.decode("utf-8")
    assert "Traceback" not in err.decode("utf-8")
    assert not list((tmp_path / "saves").glob("*.json"))


def test_a_warm_start_plays_while_the_narrator_loads_behind_the_prompt(
    tmp_path: Path, tiny_models: TinyModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second start finds the int8 weights made, so its generator loads in the background
    (engines/pending.py): the first action waits for it and the story goes on as ever, and
    the end of input closes the game with nothing left running (no abort at exit)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = gamio(tmp_path, tiny_models, "открываю дверь\n".encode("utf-8"), "--new",
                  "--scenario", "fantasy")
    assert first.returncode == 0, first.stderr.decode("utf-8")
    made = list((tmp_path / "cache" / "gamio" / "int8").glob("*/gamio-manifest.json"))
    assert len(made) == 1  # what makes the next start load in the background
    second = gamio(tmp_path, tiny_models, "я беру меч\n".encode("utf-8"), "--load", "фэнтези")
    err = second.stderr.decode("utf-8")
    assert second.returncode == 0, err
    assert "Меч тяжёлый." in second.stdout.decode("utf-8")
    assert "terminate called" not in err and "Traceback" not in err
    story = SaveStore(tmp_path / "saves").load("фэнтези")
    assert [t.action_ru for t in story.turns] == ["открываю дверь", "я беру меч"]
