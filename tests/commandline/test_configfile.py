"""The settings file: keys read off `gamio play`'s declared options, click's precedence
(command line > environment > file > default) as a table, one Russian line for a bad file,
and `gamio config path|show`. typer's CliRunner drives the real app; models point at
directories that do not exist, so the error line shows which value won without loading any."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.main
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from gamio_cli.cli import app
from gamio_cli.commandline import configfile
from gamio_cli.settings import Settings


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "conf" / "config.toml"
    path.parent.mkdir()
    monkeypatch.setenv("GAMIO_CONFIG", str(path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for name in ("GAMIO_GENERATOR", "GAMIO_RU_EN", "GAMIO_EN_RU", "GAMIO_DEVICE", "GAMIO_ENGINE",
                 "GAMIO_SAVES_DIR"):
        monkeypatch.delenv(name, raising=False)
    return path


def invoke(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, args, env=env, prog_name="gamio")
    return result.exit_code, result.output


def play_command() -> object:
    return typer.main.get_command(app).commands["play"]  # type: ignore[attr-defined]


# Which generator wins: (in the file, in the environment, on the command line) -> the winner.
PRECEDENCE = [
    (None, None, None, "0x7194633/gameGPT"),
    ("/file/fgen", None, None, "/file/fgen"),
    ("/file/fgen", "/env/egen", None, "/env/egen"),
    ("/file/fgen", "/env/egen", "/cli/cgen", "/cli/cgen"),
    (None, "/env/egen", "/cli/cgen", "/cli/cgen"),
    ("/file/fgen", None, "/cli/cgen", "/cli/cgen"),
    (None, "/env/egen", None, "/env/egen"),
]


@pytest.mark.parametrize(("in_file", "in_env", "on_line", "winner"), PRECEDENCE)
def test_command_line_beats_environment_beats_file_beats_default(
    config: Path, tmp_path: Path, in_file: str | None, in_env: str | None, on_line: str | None,
    winner: str,
) -> None:
    if in_file:
        config.write_text(f'generator = "{in_file}"\n', encoding="utf-8")
    # No network: the game's failure to find the winning model names it, in a second.
    env = {"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    if in_env:
        env["GAMIO_GENERATOR"] = in_env
    line = ["--generator", on_line] if on_line else []
    if not on_line:  # `gamio config show` knows all but the command line
        code, output = invoke(["config", "show"], env)
        shown = next(row for row in output.splitlines() if row.strip().startswith("generator"))
        assert code == 0 and f"= {winner}" in shown
    # The game itself takes the same value.
    code, output = invoke(["play", "--new", "--saves-dir", str(tmp_path / "s"), *line], env)
    losers = {in_file, in_env, on_line} - {winner, None}
    assert code == 1 and winner in output and not [lost for lost in losers if lost in output]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("generator = [", "это не TOML"),
        ("colour = 'red'", "неизвестный ключ «colour». Допустимые ключи: new, load"),
        ("device = 'gpu'", "ключ «device» = 'gpu': выберите auto, cpu, cuda, mps"),
        ("engine = 3", "ключ «engine» = 3: выберите auto"),
        ("seed = -1", "ключ «seed» = -1: нужно целое число от 0"),
        ("seed = 'x'", "ключ «seed» = 'x': нужно целое число"),
        ("new = 'yes'", "ключ «new» = 'yes': нужно true или false"),
        ("generator = 5", "ключ «generator» = 5: нужна строка"),
        ("temperature = 5.0", "temperature: от 0 (не включая) до 2"),
        ("top_k = 1.5", "ключ «top_k» = 1.5: нужно целое число"),
    ],
)
def test_a_bad_file_stops_the_game_with_one_line_naming_file_and_key(
    config: Path, text: str, named: str
) -> None:
    config.write_text(text + "\n", encoding="utf-8")
    for args in (["play", "--new"], ["saves"]):
        code, output = invoke(args)
        assert code == 2 and len(output.strip().splitlines()) == 1, output
        assert f"файл настроек {config}" in output and named in output, output
    # `gamio config path` still finds the file, so the player can repair it.
    code, output = invoke(["config", "path"])
    assert code == 0 and str(config) in output


def test_a_file_not_in_utf8_is_named(config: Path) -> None:
    config.write_bytes("generator = 'мой'".encode("cp1251"))
    code, output = invoke(["play"])
    assert code == 2 and "не в кодировке UTF-8" in output


def test_keys_follow_plays_declared_options(config: Path) -> None:
    """No hand-written list: every play option is a key, and so is every sampler knob."""
    play = play_command()
    found = configfile.read(play, config)
    keys = [row[0] for row in configfile.effective(play, found)]
    names = [param.name for param in play.params]  # type: ignore[attr-defined]
    assert keys == [*names, *Settings.__dataclass_fields__]
    assert {"generator", "ru_en", "device", "engine", "saves_dir", "seed"} <= set(keys)


def test_show_names_every_source_and_hides_nothing_secret_by_accident(config: Path) -> None:
    config.write_text('engine = "transformers"\ntemperature = 0.7\nru-en = "opus-tc-big"\n',
                      encoding="utf-8")
    code, output = invoke(["config", "show"], {"GAMIO_DEVICE": "cpu"})
    rows = {line.split("=")[0].strip(): line for line in output.splitlines()[1:]}
    assert code == 0 and str(config) in output.splitlines()[0]
    assert rows["engine"].endswith("(файл настроек)") and "transformers" in rows["engine"]
    assert rows["device"].endswith("(переменная GAMIO_DEVICE)")
    assert rows["generator"].endswith("(по умолчанию)")
    assert "0.7" in rows["temperature"] and rows["top_p"].endswith("(по умолчанию)")
    assert "opus-tc-big (Helsinki-NLP/opus-mt-tc-big-zle-en)" in rows["ru_en"]
    assert "max_new_tokens" in rows and "55" in rows["max_new_tokens"]


def test_the_files_saves_folder_reaches_the_saves_command(config: Path, tmp_path: Path) -> None:
    config.write_text(f'saves_dir = "{tmp_path / "mine"}"\n', encoding="utf-8")
    code, output = invoke(["saves"])
    assert code == 0 and str(tmp_path / "mine") in output


def test_sampler_values_become_the_new_storys_settings(config: Path) -> None:
    config.write_text("temperature = 0.8\ntop_k = 0\n", encoding="utf-8")
    found = configfile.read(play_command(), config)
    assert found.settings() == Settings(temperature=0.8, top_k=0)
    config.write_text("", encoding="utf-8")
    assert configfile.read(play_command(), config).settings() is None


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=0.01, max_value=2.0), st.integers(0, 1000))
def test_any_valid_sampler_value_round_trips(tmp_path_factory: pytest.TempPathFactory,
                                             temperature: float, top_k: int) -> None:
    path = tmp_path_factory.mktemp("c") / "config.toml"
    path.write_text(f"temperature = {temperature!r}\ntop_k = {top_k}\n", encoding="utf-8")
    found = configfile.read(play_command(), path)
    assert found.sampler == {"temperature": temperature, "top_k": top_k}


def test_the_files_sampler_beats_the_catalogues_recommendation(config: Path) -> None:
    config.write_text("temperature = 0.8\n", encoding="utf-8")
    found = configfile.read(play_command(), config)
    recommended = {"temperature": 1.0, "top_p": 0.7}  # gameGPT-small's authors
    assert found.settings(recommended) == Settings(temperature=0.8, top_p=0.7)


def test_a_folder_in_the_file_may_start_with_the_home_folder(config: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    config.write_text('saves-dir = "~/my saves"\n', encoding="utf-8")
    code, output = invoke(["saves"])
    assert code == 0 and str(tmp_path / "my saves") in output
