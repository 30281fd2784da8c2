"""`gamio doctor` reports the narrator's server: against the real `transformers serve` of
these tests (reachable, its models, its window) and against a closed port (a problem that
fails the check). The server comes from GAMIO_SERVER, as a player's shell would set it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gamio_cli.cli import app
from tests.engines.remote.servers import Served
from tests.tiny.build import TinyModels


def _doctor(tmp_path: Path, tiny_models: TinyModels, server: str,
            monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[str]]:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    env = {"GAMIO_GENERATOR": str(tiny_models.generator), "GAMIO_RU_EN": str(tiny_models.ru_en),
           "GAMIO_EN_RU": str(tiny_models.en_ru), "GAMIO_SAVES_DIR": str(tmp_path / "saves"),
           "GAMIO_SERVER": server, "GAMIO_CONFIG": str(tmp_path / "none.toml")}
    result = CliRunner().invoke(app, ["doctor"], env=env, prog_name="gamio")
    return result.exit_code, result.output.splitlines()


def _section(lines: list[str], heading: str) -> list[str]:
    start = lines.index(heading) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("  ")), len(lines))
    return [line.strip() for line in lines[start:end]]


def test_doctor_reports_a_real_server(tmp_path: Path, tiny_models: TinyModels, served: Served,
                                      model_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    code, lines = _doctor(tmp_path, tiny_models, served.url, monkeypatch)
    server = _section(lines, "Сервер рассказчика:")
    assert code == 0, lines
    assert server[0].endswith("доступен, API completions.") and model_name in server[1]
    assert server[2].startswith("Окно модели:")


def test_doctor_fails_on_a_server_that_does_not_answer(
    tmp_path: Path, tiny_models: TinyModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, lines = _doctor(tmp_path, tiny_models, f"http://127.0.0.1:{port}", monkeypatch)
    assert code == 1
    assert "недоступен" in _section(lines, "Сервер рассказчика:")[0]
    assert "недоступен" in _section(lines, "Играть не получится:")[0]
