"""The CTranslate2 conversion cache is never trusted blindly: each kind of damage to a real
converted folder of the tiny models is found on start and converted again with a notice, and a
conversion killed half way leaves nothing that outlives the next start."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from gamio_cli.engines import manifest
from gamio_cli.engines.ct2.convert import QUANTIZATION, cache_name, ensure_converted
from gamio_cli.engines.loading import EN_RU_RU, GENERATOR_RU, RU_EN_RU
from gamio_cli.model import ModelConfig, load_models
from tests.tiny.build import TinyModels
from tests.tiny.tables import EN_RU


def _pairs(tiny: TinyModels) -> list[tuple[Path, str]]:
    return [(tiny.generator, GENERATOR_RU), (tiny.ru_en, RU_EN_RU), (tiny.en_ru, EN_RU_RU)]


@pytest.fixture(scope="module")
def pristine(tiny_models: TinyModels, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache of all three tiny models, converted once by the real child process."""
    root = tmp_path_factory.mktemp("ct2-pristine")
    ensure_converted(_pairs(tiny_models), root=root)
    return root


def _copy(pristine: Path, tmp_path: Path) -> Path:
    root = tmp_path / "cache"
    shutil.copytree(pristine, root)
    return root


def _rewrite(path: Path, change: Callable[[bytes], bytes]) -> None:
    path.write_bytes(change(path.read_bytes()))


def _flip_last_byte(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 0xFF])


def _manifest_field(folder: Path, key: str, value: object) -> None:
    path = folder / manifest.MANIFEST
    record = json.loads(path.read_text(encoding="utf-8"))
    record[key] = value
    path.write_text(json.dumps(record), encoding="utf-8")


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "no manifest": (lambda f: (f / manifest.MANIFEST).unlink(), "нет описания"),
    "manifest not json": (lambda f: (f / manifest.MANIFEST).write_text("{", encoding="utf-8"),
                          "описание сборки повреждено"),
    "manifest of another format": (lambda f: _manifest_field(f, "format", 99), "другой версии"),
    "manifest without files": (lambda f: _manifest_field(f, "files", {}), "повреждено"),
    "other quantization": (lambda f: _manifest_field(f, "quantization", "float16"),
                           "квантованием"),
    "model cut short": (lambda f: _rewrite(f / "model.bin", lambda b: b[: len(b) // 2]),
                        "model.bin обрезан"),
    "model grown": (lambda f: _rewrite(f / "model.bin", lambda b: b + b"\0"), "обрезан или дописан"),
    "one byte changed": (lambda f: _rewrite(f / "model.bin", _flip_last_byte),
                         "не совпадает контрольная сумма"),
    "config missing": (lambda f: (f / "config.json").unlink(), "config.json пропал"),
}


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_each_kind_of_damage_is_named(
    kind: str, pristine: Path, tiny_models: TinyModels, tmp_path: Path
) -> None:
    root = _copy(pristine, tmp_path)
    folder = root / cache_name(tiny_models.ru_en)
    assert manifest.check(folder, tiny_models.ru_en, QUANTIZATION).ok
    damage, reason = DAMAGE[kind]
    damage(folder)
    verdict = manifest.check(folder, tiny_models.ru_en, QUANTIZATION)
    assert not verdict.ok and verdict.reason_ru is not None and reason in verdict.reason_ru


def test_a_changed_source_model_is_a_mismatch(
    pristine: Path, tiny_models: TinyModels, tmp_path: Path
) -> None:
    source = tmp_path / "model"
    shutil.copytree(tiny_models.ru_en, source)  # copy2: sizes and times as the original
    folder = pristine / cache_name(tiny_models.ru_en)
    assert manifest.check(folder, source, QUANTIZATION).ok
    _rewrite(source / "config.json", lambda b: b + b"\n")
    verdict = manifest.check(folder, source, QUANTIZATION)
    assert not verdict.ok and verdict.reason_ru is not None and "изменились" in verdict.reason_ru
    assert not manifest.check(tmp_path / "absent", source, QUANTIZATION).reason_ru  # just missing


def test_damaged_folders_are_rebuilt_on_start_with_one_notice_each(
    pristine: Path, tiny_models: TinyModels, tmp_path: Path
) -> None:
    root = _copy(pristine, tmp_path)
    for model, kind in zip([tiny_models.generator, tiny_models.ru_en, tiny_models.en_ru],
                           ["model cut short", "no manifest", "one byte changed"]):
        DAMAGE[kind][0](root / cache_name(model))
    status: list[str] = []
    config = ModelConfig(str(tiny_models.generator), str(tiny_models.ru_en),
                         str(tiny_models.en_ru), device="cpu", seed=1, engine="ctranslate2")
    models = load_models(config, status.append, ct2_root=root)  # as the game starts
    notices = list(models.cache_notices)
    assert models.notice is None and models.en_ru is not None
    assert models.en_ru.translate("The sword is heavy.") == EN_RU["The sword is heavy."]
    folders = [root / cache_name(model) for model, _ in _pairs(tiny_models)]
    assert len(notices) == 3 and all("\n" not in line for line in notices)
    assert all("Готовлю её заново" in line for line in notices)
    assert all(what in line for line, what in zip(notices, [GENERATOR_RU, RU_EN_RU, EN_RU_RU]))
    assert any("Готовлю модели" in line for line in status)
    for folder, (model, _) in zip(folders, _pairs(tiny_models)):
        assert manifest.check(folder, model, QUANTIZATION).ok
    assert sorted(path.name for path in root.iterdir()) == sorted(f.name for f in folders)
    again: list[str] = []
    ensure_converted(_pairs(tiny_models), root=root, on_notice=again.append)
    assert again == []  # whole now: trusted after checking


# The conversion of the tiny ru->en model in a child game process, killed from outside.
CONVERTER = """
import sys
from pathlib import Path
from gamio_cli.engines.ct2.convert import ensure_converted
ensure_converted([(Path(sys.argv[1]), "переводчик")], root=Path(sys.argv[2]),
                 on_status=lambda line: print(line, flush=True))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL and process groups")
def test_a_conversion_killed_half_way_leaves_nothing_after_the_next_start(
    tiny_models: TinyModels, tmp_path: Path
) -> None:
    root = tmp_path / "cache"
    child = subprocess.Popen([sys.executable, "-c", CONVERTER, str(tiny_models.ru_en), str(root)],
                             stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert child.stdout is not None and "Готовлю" in child.stdout.readline()
    time.sleep(0.5)  # the converter child has started loading torch
    assert any(path.name.startswith(".") for path in root.iterdir())  # its temporary folder
    os.killpg(child.pid, signal.SIGKILL)  # the game and its converter, as a closed terminal
    child.wait()
    notices: list[str] = []
    [folder] = ensure_converted([(tiny_models.ru_en, RU_EN_RU)], root=root,
                                on_notice=notices.append)
    assert manifest.check(folder, tiny_models.ru_en, QUANTIZATION).ok
    assert [path.name for path in root.iterdir()] == [folder.name]  # the dead game's temp: gone
    assert notices == []  # nothing half-made stood in the final place: a first conversion
