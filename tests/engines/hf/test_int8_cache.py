"""int8_cache on the tiny real GPT-2: quantized once, read back the same, and every kind of
broken cache (cut short, changed, other torch or int8 mode, half-written, killed) made again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gamio_cli.engines import manifest
from gamio_cli.engines.hf import int8_cache, int8_weights
from gamio_cli.engines.hf.int8_cache import LAYOUT, WEIGHTS, cache_key, load_cached_int8
from tests.tiny.build import TinyModels

PROMPT = "You are a knight in an old castle. You have a lamp.\n> You open the door.\n"


class Counter:
    """Counts calls of int8_weights.quantize_matrix (the work the cache saves)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = int8_weights.quantize_matrix

        def counted(weight: Any, levels: int) -> tuple[Any, Any]:
            self.calls += 1
            return real(weight, levels)

        monkeypatch.setattr(int8_weights, "quantize_matrix", counted)

    def load(self, model_dir: Path, root: Path) -> tuple[Any, int, list[str]]:
        """(model, matrices quantized, notices) of one load."""
        before, notices = self.calls, []
        model = load_cached_int8(model_dir, root, notices.append)
        return model, self.calls - before, notices


def _logits(model: Any, model_dir: Path) -> Any:
    import torch
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    with torch.inference_mode():
        return model(torch.tensor([tokenizer(PROMPT)["input_ids"]])).logits[0]


def _folder(root: Path, model_dir: Path) -> Path:
    return root / manifest.cache_name(model_dir, "int8")


@pytest.fixture
def counter(monkeypatch: pytest.MonkeyPatch) -> Counter:
    return Counter(monkeypatch)


def test_quantized_once_then_read_back_the_same(
    tiny_models: TinyModels, tmp_path: Path, counter: Counter
) -> None:
    first, quantized, notices = counter.load(tiny_models.generator, tmp_path)
    assert quantized > 0 and notices == []
    folder = _folder(tmp_path, tiny_models.generator)
    assert manifest.check(folder, tiny_models.generator, cache_key()).ok
    assert sorted(path.name for path in tmp_path.iterdir()) == [folder.name]  # no temp left
    second, quantized, notices = counter.load(tiny_models.generator, tmp_path)
    assert quantized == 0 and notices == []
    assert (_logits(second, tiny_models.generator) == _logits(first, tiny_models.generator)).all()
    from torch.ao.nn.quantized import Embedding, dynamic

    assert isinstance(second.lm_head, dynamic.Linear)
    assert isinstance(second.get_input_embeddings(), Embedding)


def _truncate(folder: Path) -> None:
    path = folder / WEIGHTS
    os.truncate(path, path.stat().st_size // 2)


def _flip_byte(folder: Path) -> None:
    """Same size, one byte changed in the middle: only the SHA-256 can tell."""
    path = folder / WEIGHTS
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _other_torch(folder: Path) -> None:
    path = folder / manifest.MANIFEST
    record = json.loads(path.read_text(encoding="utf-8"))
    record["quantization"] = record["quantization"].replace("-torch", "-torch0.0.1-was-")
    path.write_text(json.dumps(record), encoding="utf-8")


def _no_manifest(folder: Path) -> None:
    (folder / manifest.MANIFEST).unlink()  # as if the writer died before it


def _layout_missing_a_tensor(folder: Path) -> None:
    """A layout without one matrix, its manifest re-made to match: the model must be whole."""
    path = folder / LAYOUT
    layout = json.loads(path.read_text(encoding="utf-8"))
    layout["tensors"] = [entry for entry in layout["tensors"] if entry["module"] != "lm_head"]
    path.write_text(json.dumps(layout), encoding="utf-8")
    record = json.loads((folder / manifest.MANIFEST).read_text(encoding="utf-8"))
    (folder / manifest.MANIFEST).unlink()
    model_dir = Path(record["source"])
    manifest.write(folder, model_dir, record["quantization"])


@pytest.mark.parametrize("damage", [_truncate, _flip_byte, _other_torch, _no_manifest,
                                    _layout_missing_a_tensor])
def test_a_broken_cache_is_made_again_with_a_notice(
    tiny_models: TinyModels, tmp_path: Path, counter: Counter, damage: Callable[[Path], None]
) -> None:
    first, _, _ = counter.load(tiny_models.generator, tmp_path)
    damage(_folder(tmp_path, tiny_models.generator))
    again, quantized, notices = counter.load(tiny_models.generator, tmp_path)
    assert quantized > 0
    assert len(notices) == 1 and "int8" in notices[0] and "заново" in notices[0]
    assert (_logits(again, tiny_models.generator) == _logits(first, tiny_models.generator)).all()
    _, quantized, notices = counter.load(tiny_models.generator, tmp_path)
    assert quantized == 0 and notices == []  # the new cache is whole


def test_another_int8_mode_is_made_again(
    tiny_models: TinyModels, tmp_path: Path, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache written with +-127 weights (AVX-512 VNNI) is not used where +-63 are needed."""
    monkeypatch.setattr(int8_weights, "weight_levels", lambda: 127)
    monkeypatch.setattr(int8_cache, "weight_levels", lambda: 127)
    counter.load(tiny_models.generator, tmp_path)
    monkeypatch.setattr(int8_weights, "weight_levels", lambda: 63)
    monkeypatch.setattr(int8_cache, "weight_levels", lambda: 63)
    _, quantized, notices = counter.load(tiny_models.generator, tmp_path)
    assert quantized > 0 and len(notices) == 1 and "квантованием" in notices[0]


def test_changed_model_files_are_not_read_from_the_cache(
    tiny_models: TinyModels, tmp_path: Path, counter: Counter
) -> None:
    import shutil

    model_dir = tmp_path / "model"
    shutil.copytree(tiny_models.generator, model_dir)
    counter.load(model_dir, tmp_path / "cache")
    (model_dir / "config.json").write_text(
        (model_dir / "config.json").read_text(encoding="utf-8") + " ", encoding="utf-8")
    _, quantized, _ = counter.load(model_dir, tmp_path / "cache")
    assert quantized > 0


KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from gamio_cli.engines.hf import int8_cache
real = int8_cache.CacheWriter._append
count = [0]
def append(self, *args):
    real(self, *args)
    count[0] += 1
    if count[0] == int(sys.argv[3]):
        self.handle.flush()
        os.kill(os.getpid(), signal.SIGKILL)
int8_cache.CacheWriter._append = append
int8_cache.load_cached_int8(Path(sys.argv[1]), Path(sys.argv[2]))
"""


@pytest.mark.parametrize("after", [1, 40])
def test_sigkill_while_writing_leaves_nothing_trusted(
    tiny_models: TinyModels, tmp_path: Path, counter: Counter, after: int
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(tiny_models.generator), str(tmp_path),
         str(after)], capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])},
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    leftovers = [path.name for path in tmp_path.iterdir()]
    assert leftovers and all(".tmp-" in name for name in leftovers)  # only the temp folder
    _, quantized, notices = counter.load(tiny_models.generator, tmp_path)
    assert quantized > 0 and notices == []  # nothing was in place: simply made
    assert [path.name for path in tmp_path.iterdir()] == [
        _folder(tmp_path, tiny_models.generator).name]  # the killed writer's temp is gone


def test_an_unwritable_cache_still_loads(tiny_models: TinyModels, tmp_path: Path,
                                         counter: Counter) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    model, quantized, notices = counter.load(tiny_models.generator, blocked / "int8")
    assert quantized > 0 and notices == [] and model is not None
