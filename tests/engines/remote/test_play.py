"""The real `gamio play --server` against the real `transformers serve`: Russian in, Russian
out, the English recorded; a failure is one Russian line and leaves the story as it was;
Ctrl-C in a pseudo-terminal mid-stream."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gamio_cli.storage.store import SaveStore
from tests.engines.remote.servers import Served, proxy
from tests.tiny.build import TinyModels

TIMEOUT_S = 240


def env_for(tmp: Path, models: TinyModels, server: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("GAMIO_API_KEY", "OPENAI_API_KEY")}
    return {
        **env,
        "GAMIO_SERVER": server,  # the environment variable, as a player's shell sets it
        "GAMIO_RU_EN": str(models.ru_en),
        "GAMIO_EN_RU": str(models.en_ru),
        "GAMIO_GENERATOR": str(tmp / "no-local-generator"),  # never loaded with --server
        "GAMIO_DEVICE": "cpu",
        "GAMIO_SAVES_DIR": str(tmp / "saves"),
        "XDG_STATE_HOME": str(tmp / "state"),
        "OMP_NUM_THREADS": "1",
    }


def gamio(tmp: Path, models: TinyModels, server: str, stdin: str, *args: str
          ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gamio_cli", "play", "--seed", "1", *args],
        input=stdin, capture_output=True, text=True, encoding="utf-8",
        env=env_for(tmp, models, server), timeout=TIMEOUT_S,
    )


def test_real_turns_through_the_server(tmp_path: Path, tiny_models: TinyModels,
                                       served: Served) -> None:
    run = gamio(tmp_path, tiny_models, served.url, "открываю дверь\nя беру меч\n",
                "--new", "--scenario", "fantasy")
    assert run.returncode == 0, run.stderr
    assert "Ваш ход › открываю дверь\n" in run.stdout
    assert "Дверь со скрипом открывается.\nВнутри спит дракон.\n" in run.stdout or \
        "Дверь со скрипом открывается. Внутри спит дракон." in run.stdout
    assert "Меч тяжёлый." in run.stdout
    assert "не принимает настройки" in run.stdout  # the 422-refused settings, told once
    assert run.stdout.count("не принимает настройки") == 1
    story = SaveStore(tmp_path / "saves").load("фэнтези")
    assert [t.action_en for t in story.turns] == ["You open the door.", "You take the sword."]
    assert story.turns[0].continuation_en == "The door creaks open. A dragon sleeps inside."
    assert story.turns[0].continuation_ru == "Дверь со скрипом открывается. Внутри спит дракон."


def test_a_wrong_model_fails_before_play_in_one_line(tmp_path: Path, tiny_models: TinyModels,
                                                     served: Served) -> None:
    run = gamio(tmp_path, tiny_models, served.url, "открываю дверь\n", "--new", "--scenario",
                "fantasy", "--server-model", "gpt-17")
    assert run.returncode != 0
    errors = [line for line in run.stderr.splitlines() if "HTTP 404" in line]
    assert len(errors) == 1 and "--server-model" in errors[0]
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "saves").exists() or not list((tmp_path / "saves").glob("*.json"))


def test_server_gone_mid_game_keeps_the_story(tmp_path: Path, tiny_models: TinyModels,
                                              served: Served) -> None:
    """The proxy (the server the game talks to) is killed after the first session: the next
    start fails with one line and the story keeps its turn. (Mid-stream: test_served.py.)"""
    front = proxy(served.url, tmp_path / "proxy.log")
    first = gamio(tmp_path, tiny_models, front.url, "открываю дверь\n", "--new", "--scenario",
                  "fantasy")
    assert first.returncode == 0, first.stderr
    front.kill()
    second = gamio(tmp_path, tiny_models, front.url, "я беру меч\n", "--load", "фэнтези")
    assert second.returncode != 0
    lines = [line for line in second.stderr.splitlines() if "не принимает соединение" in line]
    assert len(lines) == 1 and "Traceback" not in second.stderr
    story = SaveStore(tmp_path / "saves").load("фэнтези")
    assert [t.action_ru for t in story.turns] == ["открываю дверь"]


pexpect = pytest.importorskip("pexpect")


def test_ctrl_c_mid_stream_in_a_terminal(tmp_path: Path, tiny_models: TinyModels,
                                         served: Served) -> None:
    # Each streamed chunk waits a second, so a Ctrl-C answered only with the next chunk shows.
    slow = proxy(served.url, tmp_path / "proxy.log", delay_s=1.0)
    env = {**env_for(tmp_path, tiny_models, slow.url), "TERM": "xterm",
           "PROMPT_TOOLKIT_NO_CPR": "1", "XDG_DATA_HOME": str(tmp_path / "data")}
    child = pexpect.spawn(sys.executable, ["-m", "gamio_cli", "play", "--new", "--scenario",
                                           "fantasy", "--seed", "1"],
                          env=env, encoding="utf-8", timeout=TIMEOUT_S, dimensions=(50, 200))
    try:
        child.expect_exact("Ваш ход")
        child.send("открываю дверь\r")
        child.expect_exact("Дверь со скрипом открывается.")  # the first sentence streamed
        child.delaybeforesend = None
        pressed = time.perf_counter()
        child.send("\x03")
        child.expect_exact("Ход отменён", timeout=5)
        assert time.perf_counter() - pressed < 0.9
        child.expect_exact("Ваш ход", timeout=5)
        child.send("/quit\r")
        child.expect(pexpect.EOF)
    finally:
        child.close()
        slow.kill()
    assert SaveStore(tmp_path / "saves").load("фэнтези").turns == []


def test_a_russian_narrator_needs_no_translators(tmp_path: Path, tiny_models: TinyModels,
                                                 served: Served) -> None:
    """--narrator-language ru: the translators point at folders that do not exist, and the game
    plays anyway (neither is looked for nor loaded); each turn keeps its Russian only and
    records the server's model as its narrator. (The tiny model writes English whatever it
    reads: what is checked is the path, not its prose.)"""
    env_models = TinyModels(tmp_path / "no-ru-en", tmp_path / "no-en-ru", tiny_models.generator)
    # transformers serve states no window and the tiny model has 512 positions: the Russian
    # opening alone is longer, so without --server-context the server fails the turn.
    run = gamio(tmp_path, env_models, served.url, "открываю дверь\n/original\n", "--new",
                "--scenario", "fantasy", "--narrator-language", "ru", "--server-context", "512")
    assert run.returncode == 0, run.stderr
    assert "переводчик" not in run.stderr and "no-ru-en" not in run.stderr
    assert "рассказчик написал сам по-русски" in run.stdout
    turn = SaveStore(tmp_path / "saves").load("фэнтези").turns[0]
    assert turn.language == "ru" and turn.action_en == "" and turn.continuation_en == ""
    assert turn.continuation_ru and turn.narrator.endswith(f"({served.url})")
