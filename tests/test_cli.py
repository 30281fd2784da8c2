"""The command line: options and environment variables, one-line errors, `gamio saves`, a fast
`--help`. typer's CliRunner drives the real app in-process; model paths point at directories
that do not exist, so a test sees which value won without loading any model."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gamio_cli.cli import app
from gamio_cli.storage.filelock import FileLock
from gamio_cli.storage.store import SaveStore
from tests.scripted import new_game
from tests.tiny.build import TinyModels

REPO = Path(__file__).resolve().parent.parent
ENV_NAMES = ["GAMIO_GENERATOR", "GAMIO_RU_EN", "GAMIO_EN_RU", "GAMIO_DEVICE", "GAMIO_SAVES_DIR"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    # The input history and default saves must never land in the real home directory.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def invoke(args: list[str], env: dict[str, str] | None = None, stdin: str = "") -> tuple[int, str]:
    result = CliRunner().invoke(app, args, env=env, input=stdin, prog_name="gamio")
    return result.exit_code, result.output


def assert_one_line_error(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output and "╭" not in output
    return lines[0]


def test_help_is_fast_and_loads_no_model_library() -> None:
    code = (
        "import sys, time\n"
        "start = time.perf_counter()\n"
        "sys.argv = ['gamio', '--help']\n"
        "from gamio_cli.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    status = exit.code\n"
        "heavy = [m for m in ('torch', 'transformers', 'ctranslate2', 'prompt_toolkit') if m in sys.modules]\n"
        "print('RESULT', status, heavy, round(time.perf_counter() - start, 2))\n"
    )
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "RESULT 0 []" in run.stdout
    assert "play" in run.stdout and "saves" in run.stdout
    assert time.perf_counter() - started < 10  # generous: two shared CPUs; typically 0.3 s


def test_python_dash_m_works() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "gamio_cli", "--version"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0 and run.stdout.strip() == "gamio 0.1.0"


@pytest.mark.parametrize(
    "args, expected",
    [
        (["play", "--device", "gpu"], "«gpu» в --device"),
        (["--device", "gpu"], "«gpu» в --device"),
        (["play", "--engine", "onnx"], "«onnx» в --engine"),
        (["play", "--scenario", "космос"], "неизвестный мир «космос»"),
        (["play", "--new", "--load", "x"], "--new и --load"),
        (["play", "--load", "x", "--scenario", "fantasy"], "--scenario"),
        (["play", "--frobnicate"], "неизвестный параметр --frobnicate"),
        (["play", "--seed", "abc"], "--seed"),
        (["play", "--seed", "-3"], "--seed"),
        (["play", "--load"], "нужно значение"),
        (["fly"], "нет команды «fly»"),
        (["play", "extra"], "лишнее"),
        (["play", "--server-api", "grpc"], "«grpc» в --server-api"),
        (["play", "--narrator-language", "de"], "«de» в --narrator-language"),
        (["play", "--server-context", "100"], "не меньше 256"),
        (["play", "--server-stall", "0"], "--server-stall"),
    ],
)
def test_wrong_options_are_one_line(args: list[str], expected: str) -> None:
    code, output = invoke(args)
    assert code == 2
    assert expected in assert_one_line_error(output)


def test_bad_device_from_the_environment_names_the_variable() -> None:
    code, output = invoke(["play"], env={"GAMIO_DEVICE": "tpu"})
    assert code == 2 and "GAMIO_DEVICE" in assert_one_line_error(output)


def test_bad_engine_from_the_environment_names_the_variable() -> None:
    code, output = invoke(["play"], env={"GAMIO_ENGINE": "onnx"})
    assert code == 2 and "GAMIO_ENGINE" in assert_one_line_error(output)


def test_bad_server_api_from_the_environment_names_the_variable() -> None:
    code, output = invoke(["play"], env={"GAMIO_SERVER_API": "grpc"})
    assert code == 2 and "GAMIO_SERVER_API" in assert_one_line_error(output)


def test_server_from_the_environment_is_tried_first(tmp_path: Path) -> None:
    """GAMIO_SERVER names the narrator's server: a dead one fails in one line, before the world
    menu and without loading a local narrator."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"GAMIO_SERVER": f"http://127.0.0.1:{port}", "GAMIO_NARRATOR_LANGUAGE": "ru",
           "GAMIO_GENERATOR": str(tmp_path / "never-loaded")}
    code, output = invoke(["play", "--saves-dir", str(tmp_path / "s")], env=env)
    assert code == 1 and "не принимает соединение" in assert_one_line_error(output)
    assert "never-loaded" not in output and "Выберите мир" not in output


def model_error(args: list[str], env: dict[str, str], tmp_path: Path) -> str:
    """Run a new game whose models cannot be found; the one-line error names the path used."""
    code, output = invoke(
        ["play", "--scenario", "fantasy", "--saves-dir", str(tmp_path / "s"), *args], env=env
    )
    assert code == 1, output
    return output


def test_option_beats_environment_variable(tmp_path: Path) -> None:
    env = {"GAMIO_GENERATOR": str(tmp_path / "from-env"), "GAMIO_DEVICE": "tpu"}
    output = model_error(["--generator", str(tmp_path / "from-option"), "--device", "cpu"], env, tmp_path)
    assert "from-option" in output and "from-env" not in output
    assert "Папка модели" in output and "Traceback" not in output


def test_environment_variable_is_used(tmp_path: Path) -> None:
    # (GAMIO_RU_EN and GAMIO_EN_RU carry the tiny models in tests/test_piped.py.)
    output = model_error([], {"GAMIO_GENERATOR": str(tmp_path / "from-env")}, tmp_path)
    assert "from-env" in output


def test_saves_dir_option_beats_variable(tmp_path: Path) -> None:
    env = {"GAMIO_SAVES_DIR": str(tmp_path / "env")}
    code, output = invoke(["saves", "--saves-dir", str(tmp_path / "opt")], env=env)
    assert code == 0 and str(tmp_path / "opt") in output
    code, output = invoke(["saves"], env=env)
    assert code == 0 and str(tmp_path / "env") in output


def test_default_saves_dir_is_the_user_data_dir(tmp_path: Path) -> None:
    code, output = invoke(["saves"])
    assert str(tmp_path / "data" / "gamio" / "saves") in output
    assert "пока нет" in output


def test_saves_lists_name_turns_and_date(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    game.play("открываю дверь")
    game.play("я беру меч")
    game.quit()
    new_game(tmp_path, base="Вторая история").quit()
    code, output = invoke(["saves", "--saves-dir", str(tmp_path)])
    assert code == 0
    lines = output.splitlines()
    assert str(tmp_path) in lines[0]
    second, first = lines[1], lines[2]  # newest first
    assert "Вторая история" in second and "ходов: 0" in second
    assert "тест" in first and "ходов: 2" in first
    assert time.strftime("%Y-") in first


def test_saves_lists_the_repository_sample() -> None:
    code, output = invoke(["saves", "--saves-dir", str(REPO / "saves")])
    assert code == 0 and "sample" in output


def test_load_of_a_missing_save(tmp_path: Path) -> None:
    code, output = invoke(["play", "--load", "нет такой", "--saves-dir", str(tmp_path)])
    assert code == 1
    line = assert_one_line_error(output)
    assert "«нет такой»" in line and "gamio saves" in line


def test_load_of_a_story_open_elsewhere(tmp_path: Path) -> None:
    new_game(tmp_path).quit()
    lock = FileLock(tmp_path / ".тест.json.lock").acquire()
    try:
        code, output = invoke(["play", "--load", "тест", "--saves-dir", str(tmp_path)])
    finally:
        lock.release()
    assert code == 1 and "уже открыта" in assert_one_line_error(output)


def tiny_env(saves: Path, tiny: TinyModels) -> dict[str, str]:
    return {"GAMIO_SAVES_DIR": str(saves), "GAMIO_GENERATOR": str(tiny.generator),
            "GAMIO_RU_EN": str(tiny.ru_en), "GAMIO_EN_RU": str(tiny.en_ru)}


def test_no_arguments_means_play_with_the_menu(tmp_path: Path, tiny_models: TinyModels) -> None:
    code, output = invoke([], env=tiny_env(tmp_path, tiny_models))
    assert code == 0
    assert "Выберите мир" in output and "Фэнтези" in output and "Свой мир" in output
    assert "Игра не начата" in output


def test_bad_menu_choice_from_a_pipe(tmp_path: Path, tiny_models: TinyModels) -> None:
    code, output = invoke([], env=tiny_env(tmp_path, tiny_models), stdin="космос\n")
    assert code == 1 and "Не понял выбор «космос»" in output


def test_a_missing_model_is_found_before_the_world_menu(tmp_path: Path) -> None:
    env = {"GAMIO_SAVES_DIR": str(tmp_path), "GAMIO_GENERATOR": str(tmp_path / "nothing")}
    code, output = invoke(["--new"], env=env, stdin="5\nЯ стою у ворот замка.\n")
    assert code == 1 and "Папка модели" in output
    assert "Выберите мир" not in output  # nothing asked, nothing typed in vain


def test_play_continues_the_latest_story(tmp_path: Path) -> None:
    older = new_game(tmp_path, base="старая")
    older.quit()
    time.sleep(0.01)
    newer = new_game(tmp_path, base="новая")
    newer.play("открываю дверь")
    newer.quit()
    env = {"GAMIO_SAVES_DIR": str(tmp_path), "GAMIO_GENERATOR": str(tmp_path / "nothing")}
    code, output = invoke(["--debug"], env=env)
    assert "Продолжаем историю «новая»" in output
    assert code == 1 and "Папка модели" in output
    FileLock(tmp_path / ".новая.json.lock").acquire().release()  # the lock was let go
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["новая.json", "старая.json"]


def test_new_never_overwrites(tmp_path: Path) -> None:
    """--new with a world: the menu is skipped and no existing save is touched (models fail
    before the story is created, so nothing new is written either)."""
    new_game(tmp_path, base="фэнтези").quit()
    before = (tmp_path / "фэнтези.json").read_bytes()
    env = {"GAMIO_GENERATOR": str(tmp_path / "nothing")}
    code, output = invoke(["--new", "--scenario", "fantasy", "--saves-dir", str(tmp_path)], env=env)
    assert code == 1 and "Выберите мир" not in output
    assert (tmp_path / "фэнтези.json").read_bytes() == before


def test_saves_dir_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    code, output = invoke(["saves", "--saves-dir", str(blocker)])
    assert code == 1 and "Traceback" not in output
    assert len([line for line in output.splitlines() if line.strip()]) == 1


def test_main_is_the_console_script() -> None:
    run = subprocess.run(
        [str(Path(sys.executable).parent / "gamio"), "play", "--device", "x"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "GAMIO_DEVICE": ""},
    )
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "--device" in run.stderr


def test_unexpected_error_is_one_line_unless_debug(capsys: pytest.CaptureFixture[str]) -> None:
    from gamio_cli.cli import guard

    def broken() -> int:
        raise ZeroDivisionError("division by zero")

    assert guard(broken, debug=False) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ZeroDivisionError" in err and "--debug" in err
    assert guard(broken, debug=True) == 1
    assert "Traceback" in capsys.readouterr().err


def test_an_opening_typed_before_a_load_failure_is_kept(
    tmp_path: Path, tiny_models: TinyModels
) -> None:
    broken = tmp_path / "broken-generator"
    shutil.copytree(tiny_models.generator, broken)
    for weights in broken.glob("*.safetensors"):
        weights.write_bytes(b"not weights")  # found by the check, fails to load
    env = {**tiny_env(tmp_path / "saves", tiny_models), "GAMIO_GENERATOR": str(broken)}
    code, output = invoke(["--new"], env=env, stdin="5\nЯ стою у ворот старого замка.\n")
    assert code == 1 and "Не удалось загрузить модель" in output
    assert "Ваше начало истории сохранено как «свой мир»" in output
    kept = SaveStore(tmp_path / "saves").load("свой мир")
    assert (kept.opening_ru, kept.opening_en, kept.turns) == ("Я стою у ворот старого замка.", "", [])
    # With working models the kept opening is translated once and the story goes on.
    code, output = invoke(["--load", "свой мир"], env=tiny_env(tmp_path / "saves", tiny_models),
                          stdin="открываю дверь\n")
    assert code == 0, output
    story = SaveStore(tmp_path / "saves").load("свой мир")
    assert story.opening_en and len(story.turns) == 1


# Every command's help, and wrong command lines, in Russian: what English may remain is names
# (of options, models, worlds, formats, variables), never typer's or click's frame.
HELP_COMMANDS = [[], ["play"], ["saves"], ["saves", "rm"], ["saves", "mv"], ["export"],
                 ["config"], ["config", "path"], ["config", "show"], ["models"],
                 ["models", "download"], ["models", "remove"], ["doctor"]]
NAMES = {"gamio", "saves", "rm", "mv", "play", "export", "auto", "cpu", "cuda", "mps",
         "ctranslate2", "CTranslate2", "transformers", "int8", "md", "html", "HTML", "Markdown",
         "ID", "id", "N", "Hugging", "Face", "fantasy", "mystery", "apocalypse", "zombies",
         "custom", "config", "path", "show", "TOML", "models", "download", "remove", "doctor", "aid2",
         "gpt2", "xl", "opus", "tc", "big", "URL", "API", "OpenAI", "llama", "cpp", "vLLM",
         "Ollama", "KoboldCpp", "completions", "chat", "ollama", "en", "ru"}  # fmt: skip
FRAME = ("Usage", "Options", "Commands", "Arguments", "Show this", "default", "env var",
         "required", "<bool>", "<str>", "OPTIONS", "COMMAND", "ARGS", "Missing", "Input should",
         "Error", "Try ")  # fmt: skip


def english_left(text: str, typed: tuple[str, ...] = ()) -> list[str]:
    # Options, variables, ids and paths, and what the player typed (quoted or echoed) go first;
    # an id the help wrapped at its hyphen is joined again.
    text = re.sub(r"-\n\s*", "-", text)
    text = re.sub(r"--?[a-z][a-z-]*|GAMIO_[A-Z_]+|\S*/\S*|«[^»]*»", " ", text)
    text = " ".join(word for word in text.split() if word.rstrip(".,") not in typed)
    return [word for word in re.findall(r"[A-Za-z][A-Za-z0-9]*", text) if word not in NAMES]


@pytest.mark.parametrize("command", HELP_COMMANDS, ids=lambda c: " ".join(c) or "gamio")
def test_help_is_russian_all_the_way_through(command: list[str]) -> None:
    code, output = invoke([*command, "--help"])
    assert code == 0 and output.startswith("Использование: gamio")
    assert [frame for frame in FRAME if frame in output] == []
    assert english_left(output) == []


@pytest.mark.parametrize(
    "args",
    [["play", "--seed", "abc"], ["play", "--seed", "-1"], ["play", "--seed", "1.5"], ["export"],
     ["saves", "rm"], ["saves", "mv", "a"], ["play", "--new=3"], ["play", "--load"],
     ["export", "a", "b"], ["fly"], ["saves", "fly"], ["play", "--bogus"]],
)
def test_wrong_command_lines_are_answered_in_russian(args: list[str]) -> None:
    code, output = invoke(args)
    line = assert_one_line_error(output)
    assert code == 2 and line.startswith("gamio: ошибка: ")
    assert [frame for frame in FRAME if frame in line] == [], line
    assert english_left(line, tuple(args)) == [], line


@pytest.mark.parametrize("name", ["", "   "])
def test_load_with_an_empty_name_is_refused(tmp_path: Path, name: str) -> None:
    new_game(tmp_path).quit()  # a story --load '' must not silently continue
    code, output = invoke(["play", "--load", name, "--saves-dir", str(tmp_path)])
    assert code == 2 and "--load без имени" in assert_one_line_error(output)
