"""`gamio doctor [--check]` through the real command line: every section present, the exit
status saying whether a game can start, no secret printed, and --check running the tiny
models for real (one sentence each way, 20 tokens)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gamio_cli.cli import app
from gamio_cli.engines import doctor
from tests.tiny.build import TinyModels

HEADINGS = ["Версии:", "Устройства:", "Процессор:", "Память:", "Диск:", "Hugging Face:",
            "Модели настроек:"]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_models: TinyModels) -> dict[str, str]:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    return {"GAMIO_GENERATOR": str(tiny_models.generator), "GAMIO_RU_EN": str(tiny_models.ru_en),
            "GAMIO_EN_RU": str(tiny_models.en_ru), "GAMIO_SAVES_DIR": str(tmp_path / "saves")}


def invoke(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args, env=env, prog_name="gamio")
    return result.exit_code, result.output


def _section(output: str, heading: str) -> list[str]:
    """The indented lines under heading."""
    lines = output.splitlines()
    body = []
    for line in lines[lines.index(heading) + 1:]:
        if not line.startswith("  "):
            break
        body.append(line)
    return body


def test_every_section_is_there_and_local_models_mean_ready(env: dict[str, str],
                                                            tiny_models: TinyModels) -> None:
    code, output = invoke(["doctor"], env)
    assert code == 0, output
    assert [line for line in output.splitlines() if line in HEADINGS] == HEADINGS
    assert "torch " in _section(output, "Версии:")[1] and "ctranslate2" in output
    assert "набор команд для torch" in _section(output, "Процессор:")[0]
    assert "--engine auto на процессоре" in _section(output, "Процессор:")[1]
    assert "доступно" in _section(output, "Память:")[0] and "int8" in _section(output, "Память:")[1]
    assert [line.split(":")[0].strip() for line in _section(output, "Диск:")] == [
        "кеш моделей", "кеш gamio", "сохранения"]
    assert "выключен (HF_HUB_OFFLINE" in _section(output, "Hugging Face:")[0]
    models = _section(output, "Модели настроек:")
    assert len(models) == 3 and all("своя папка" in line for line in models)
    assert str(tiny_models.generator) in models[0]
    assert output.splitlines()[-1] == "Всё готово к игре."


def test_a_model_not_downloaded_while_offline_fails_the_check(env: dict[str, str]) -> None:
    env = {**env, "GAMIO_GENERATOR": "0x7194633/gameGPT"}
    code, output = invoke(["doctor"], env)
    assert code == 1
    assert "рассказчик: 0x7194633/gameGPT, 6,4 ГБ — не скачана" in output
    assert "Играть не получится:" in output and "не скачана, а сети нет" in output


def test_a_token_is_said_to_be_set_never_shown(env: dict[str, str]) -> None:
    code, output = invoke(["doctor"], {**env, "HF_TOKEN": "hf_secretvalue123"})
    assert "HF_TOKEN задан" in output and "hf_secretvalue123" not in output


def test_a_broken_check_is_reported_not_fatal(env: dict[str, str]) -> None:
    def broken(machine: doctor.Machine) -> doctor.Section:
        raise RuntimeError("boom")

    machine = doctor.Machine({}, Path("."), [], lambda: False)
    lines, code = doctor.report(machine, [broken, doctor.hub_state])
    assert lines[0] == "broken:" and "проверка не удалась: RuntimeError: boom" in lines[1]
    assert code == 0 and lines[-1] == "Всё готово к игре."


def test_check_runs_the_models_for_real(env: dict[str, str]) -> None:
    code, output = invoke(["doctor", "--check"], env)
    assert code == 0, output
    check = _section(output, "Проверка моделей (--check):")
    assert check[0].strip().startswith("загрузка моделей:")
    assert any(line.strip().startswith("ru→en:") for line in check)
    assert any("токенов/с" in line for line in check)
    assert any(line.strip().startswith("en→ru:") for line in check)
