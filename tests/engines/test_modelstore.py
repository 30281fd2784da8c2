"""`gamio models`, `gamio models download` and `gamio models remove` through the real command
line, against the local fake hub (fakehub): the catalogue listing, a download that says its
size and the free disk first (and refuses when it does not fit), removal after a confirmation
of the hub cache entry and gamio's copies, an interrupted download's partial file listed,
resumed and removed, and no download when offline."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from huggingface_hub import constants as hf_constants
from typer.testing import CliRunner

from gamio_cli.cli import app
from gamio_cli.engines import disk, modelstore, repair
from gamio_cli.engines.blobfetch import PARTIAL_SUFFIX
from gamio_cli.engines.hub import cached_model_dir
from tests.engines.fakehub import FakeHub, repo_from_dir
from tests.tiny.build import TinyModels

REPO = "Helsinki-NLP/opus-mt-ru-en"


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_models: TinyModels) -> Iterator[FakeHub]:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE",
                 "GAMIO_RU_EN", "GAMIO_GENERATOR", "GAMIO_EN_RU"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    server = FakeHub({REPO: repo_from_dir(tiny_models.ru_en)})
    monkeypatch.setenv("HF_ENDPOINT", server.endpoint)
    yield server
    server.close()


def invoke(args: list[str], stdin: str = "") -> tuple[int, str]:
    result = CliRunner().invoke(app, args, input=stdin, prog_name="gamio")
    return result.exit_code, result.output


def _row(output: str, model_id: str) -> str:
    return next(line for line in output.splitlines() if f" {model_id} " in line)


def test_the_listing_shows_the_catalogue_and_what_the_settings_use(hub: FakeHub) -> None:
    code, output = invoke(["models"])
    assert code == 0
    assert _row(output, "0x7194633/gameGPT").startswith("★ рассказчик")
    assert _row(output, "lukasstraub2/gpt2-aidungeon2").startswith("  рассказчик")
    assert "не скачана" in _row(output, REPO) and "307 МБ" in _row(output, REPO)
    assert "Кеш моделей:" in output.splitlines()[-1]


def test_download_says_the_size_then_fetches_and_the_listing_shows_it(hub: FakeHub,
                                                                     tmp_path: Path) -> None:
    code, output = invoke(["models", "download", REPO])
    assert code == 0, output
    assert "Скачать: " in output and "свободно на диске" in output and "Готово:" in output
    assert f"{REPO}/pytorch_model.bin" in hub.requested or f"{REPO}/model.safetensors" in hub.requested
    code, output = invoke(["models"])
    row = _row(output, REPO)
    assert "скачана," in row and str(tmp_path / "hf" / "hub") in row
    # Already there: nothing is fetched again.
    before = len(hub.requested)
    code, output = invoke(["models", "download", REPO])
    assert code == 0 and "уже скачана" in output and len(hub.requested) == before


def test_download_refuses_when_the_total_does_not_fit(hub: FakeHub,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(disk, "free_disk_bytes", lambda folder: disk.MARGIN_BYTES)
    code, output = invoke(["models", "download", REPO])
    assert code == 1 and "Не хватает места для моделей" in output and "свободно 1,0 ГБ" in output
    assert hub.requested == []


def test_download_offline_says_so_and_fetches_nothing(hub: FakeHub,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code, output = invoke(["models", "download", REPO])
    assert code == 1 and "HF_HUB_OFFLINE" in output and hub.requested == []


def test_an_unknown_name_is_one_line(hub: FakeHub) -> None:
    code, output = invoke(["models", "download", "./not/a/model"])
    assert code == 1 and "нет в каталоге" in output and len(output.strip().splitlines()) == 1


def test_remove_asks_then_frees_the_cache_and_gamios_copies(hub: FakeHub, tmp_path: Path) -> None:
    assert invoke(["models", "download", REPO])[0] == 0
    copy = repair.repair_root() / f"models--{REPO.replace('/', '--')}@0123456789ab"
    copy.mkdir(parents=True)
    (copy / "config.json").write_text("{}", encoding="utf-8")
    assert modelstore.copies_of(REPO, [repair.repair_root()]) == (copy,)
    code, output = invoke(["models", "remove", REPO], stdin="нет\n")
    assert code == 1 and "Ничего не удалено" in output and copy.exists()
    code, output = invoke(["models", "remove", REPO], stdin="да\n")
    assert code == 0 and "удалена: освобождено" in output
    assert not copy.exists() and not modelstore.repo_folder(REPO).exists()
    code, output = invoke(["models", "remove", REPO, "--yes"])
    assert code == 1 and "не скачана" in output


def test_a_short_name_shared_by_two_roles_downloads_both_and_remove_wants_an_id() -> None:
    assert [role for _, role in modelstore.entries_for(["opus-tc-big"], {})] == [
        "перевод ru→en", "перевод en→ru"]
    code, output = invoke(["models", "remove", "opus-tc-big", "--yes"])
    assert code == 1 and "укажите id" in output


def _partial_weights(hub: FakeHub, kept: int) -> str:
    """Leave the first `kept` bytes of the repo's weights as an interrupted download does."""
    name = next(n for n in hub.handler.repos[REPO] if n in ("model.safetensors", "pytorch_model.bin"))
    body = hub.handler.repos[REPO][name]
    blobs = modelstore.repo_folder(REPO) / "blobs"
    blobs.mkdir(parents=True, exist_ok=True)
    (blobs / (hashlib.sha256(body).hexdigest() + PARTIAL_SUFFIX)).write_bytes(body[:kept])
    return name


def test_a_partial_download_is_listed_freed_by_remove_and_resumed_by_download(hub: FakeHub) -> None:
    _partial_weights(hub, 2000)
    assert "скачана частично, 2 КБ" in _row(invoke(["models"])[1], REPO)
    code, output = invoke(["models", "remove", REPO, "--yes"])
    assert code == 0 and "освобождено 2 КБ" in output and not modelstore.repo_folder(REPO).exists()
    name = _partial_weights(hub, 2000)
    code, output = invoke(["models", "download", REPO])
    assert code == 0, output
    assert f"{REPO}/{name}@2000" in hub.requested and f"{REPO}/{name}" not in hub.requested
    assert not list(modelstore.repo_folder(REPO).rglob("*" + PARTIAL_SUFFIX))


def test_download_refuses_a_corrupted_file_in_one_message_and_the_repeat_succeeds(
    hub: FakeHub,
) -> None:
    name = next(n for n in hub.handler.repos[REPO] if n in ("model.safetensors", "pytorch_model.bin"))
    hub.corrupt(f"{REPO}/{name}")
    code, output = invoke(["models", "download", REPO])
    assert code == 1 and f"Файл {REPO}/{name} скачался с ошибкой" in " ".join(output.split())
    assert "Готово:" not in output and cached_model_dir(REPO) is None
    code, output = invoke(["models", "download", REPO])
    assert code == 0 and "Готово:" in output, output
