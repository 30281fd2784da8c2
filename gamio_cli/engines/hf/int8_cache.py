"""The generator's int8 weights kept on disk, so that only the first start quantizes them.

Quantizing GPT-2-XL from its checkpoint takes most of a start on a CPU. The first start writes
what it made into <user cache>/gamio/int8/<model>@<revision>-int8/ (beside CTranslate2's
conversions): `weights.bin`, every tensor's bytes one after another (int8 matrices with their
row scales, the 8-bit token embeddings, the float32 rest), `layout.json`, where each tensor
lies, and the manifest (engines/manifest.py) of what it was built from: the model's files,
and a key of the torch version, the int8 engine and the weight range this CPU needs
(int8_weights.weight_levels). It is written into a temporary folder, flushed, and renamed into
place whole; a start killed while writing leaves only a temporary folder, removed later.

Later starts read the tensors with plain reads, one at a time (no file stays mapped, so the
pages read do not stay counted in the process's memory), and hand the matrices to fbgemm to
pack, as many at once as there are threads. The folder is never trusted for being there:
the manifest is checked without hashes before loading (sizes, source files, key), and every
file's SHA-256 in a thread beside the loading; any mismatch, a layout that does not fit the
model, or a file that cannot be read throws the loaded model away and quantizes again, with a
notice for the player. torch is imported inside functions.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from gamio_cli.engines import manifest
from gamio_cli.engines.heap import release_free_heap
from gamio_cli.engines.hf.int8_layers import int8_embedding, int8_linear
from gamio_cli.engines.hf.int8_weights import (
    assign,
    check_complete,
    load_int8_causal_lm,
    put_module,
    skeleton,
    weight_levels,
)

WEIGHTS = "weights.bin"
LAYOUT = "layout.json"
# Bumped when what the files hold changes: an older folder is then rebuilt.
FORMAT = 1
# The parts of a module kept in the file, by the module's kind.
PARTS = {"matrix": ("matrix", "scales", "bias"), "embedding": ("codes", "scales", "offsets"),
         "tensor": ("value",)}
DTYPES = {"int8", "uint8", "int32", "int64", "bool", "float16", "bfloat16", "float32", "float64"}


class BrokenCache(Exception):
    """The cache folder does not hold what its manifest and layout say; .reason_ru says why."""

    def __init__(self, reason_ru: str) -> None:
        super().__init__(reason_ru)
        self.reason_ru = reason_ru


def cache_root() -> Path:
    """Where the int8 weights live: <user cache>/gamio/int8."""
    return manifest.cache_dir() / "int8"


def cache_key() -> str:
    """What the weights depend on besides the model: torch, its int8 engine, the weight range."""
    import torch

    return f"int8-fbgemm-levels{weight_levels()}-torch{torch.__version__}-format{FORMAT}"


class LoadStopped(Exception):
    """The reading of a cached model was stopped (the game is closing)."""


def is_cached(model_dir: Path, root: Path | None = None) -> bool:
    """Whether model_dir's int8 weights look whole in the cache (sizes, sources, key; the
    hashes are checked while they load): a start then takes seconds, not a minute."""
    root = root or cache_root()
    folder = root / manifest.cache_name(model_dir, "int8")
    return manifest.check(folder, model_dir, cache_key(), hashes=False).ok


def load_cached_int8(
    model_dir: Path, root: Path | None = None, on_notice: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
) -> Any:
    """The int8 model of model_dir: from the cache when it is whole, else quantized from the
    checkpoint and written to the cache (a cache that cannot be written only costs time).

    on_notice gets one Russian line when a cache was found unusable and is made again; stop,
    once set, ends the reading of the cache between two matrices (LoadStopped).
    """
    root = root or cache_root()
    folder, key = root / manifest.cache_name(model_dir, "int8"), cache_key()
    verdict = manifest.check(folder, model_dir, key, hashes=False)
    reason = verdict.reason_ru
    if verdict.ok:
        try:
            return read_cache(folder, model_dir, key, stop=stop)
        except BrokenCache as broken:
            reason = broken.reason_ru
    if reason is not None:
        shutil.rmtree(folder, ignore_errors=True)
        if on_notice is not None:
            on_notice(f"Подготовленные int8-веса модели «генератор историй» не годятся: {reason}. "
                      "Готовлю их заново.")
    return write_cache(model_dir, root, folder, key)


def write_cache(model_dir: Path, root: Path, folder: Path, key: str) -> Any:
    """Quantize model_dir's checkpoint, writing the result into folder on the way."""
    writer = None
    try:
        root.mkdir(parents=True, exist_ok=True)
        manifest.remove_stale_temps(root)
        temp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-{os.getpid()}-", dir=root))
        writer = CacheWriter(temp)
    except OSError:
        pass  # no cache this time (a read-only or full disk): the game runs all the same
    try:
        model = load_int8_causal_lm(model_dir, sink=writer)
        if writer is not None:
            writer.finish(model_dir, folder, key)
    finally:
        if writer is not None:
            writer.close()
            shutil.rmtree(writer.folder, ignore_errors=True)
    return model


class CacheWriter:
    """An int8_weights.Sink that appends every tensor to weights.bin (from several threads).

    Matrices are written as they are quantized; the other tensors (layer norms, positions,
    biases: the model holds them anyway) at the end, so that the float32 token embeddings,
    replaced by their 8-bit form, are never written.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.handle: Any = (folder / WEIGHTS).open("wb")
        self.entries: list[dict[str, Any]] = []
        self.tensors: dict[str, Any] = {}
        self.lock = threading.Lock()
        self.failed: Exception | None = None

    def matrix(self, name: str, matrix: Any, scales: Any, bias: Any) -> None:
        self._write(name, "matrix", {"matrix": matrix, "scales": scales, "bias": bias})

    def embedding(self, name: str, codes: Any, scales: Any, offsets: Any) -> None:
        with self.lock:
            self.tensors.pop(f"{name}.weight", None)
        self._write(name, "embedding", {"codes": codes, "scales": scales, "offsets": offsets})

    def tensor(self, name: str, value: Any) -> None:
        with self.lock:
            self.tensors[name] = value

    def _write(self, name: str, kind: str, parts: dict[str, Any]) -> None:
        with self.lock:  # a module's parts stay together in the file: read back in one go
            if self.failed is not None:
                return
            try:
                for part, tensor in parts.items():
                    if tensor is not None:
                        self._append(name, kind, part, tensor)
            except (OSError, TypeError, ValueError, RuntimeError) as error:
                self.failed = error  # a tensor numpy cannot hold, or the disk: no cache

    def _append(self, name: str, kind: str, part: str, tensor: Any) -> None:
        data = tensor.detach().contiguous()
        offset = self.handle.tell()
        if data.numel():
            self.handle.write(memoryview(data.numpy()).cast("B"))
        self.entries.append({"module": name, "kind": kind, "part": part,
                             "dtype": str(data.dtype).removeprefix("torch."),
                             "shape": list(data.shape), "offset": offset,
                             "size": self.handle.tell() - offset})

    def finish(self, model_dir: Path, folder: Path, key: str) -> None:
        """Flush, describe and move the folder into place (nothing when a write failed)."""
        try:
            for name, value in self.tensors.items():
                self._write(name, "tensor", {"value": value})
            self.tensors = {}
            if self.failed is not None:
                return
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.close()
            layout = {"format": FORMAT, "key": key, "tensors": self.entries}
            (self.folder / LAYOUT).write_text(json.dumps(layout), encoding="utf-8")
            manifest.write(self.folder, model_dir, key)  # fsyncs every file, then itself
            shutil.rmtree(folder, ignore_errors=True)
            self.folder.rename(folder)
            manifest.fsync_folder(folder.parent)
        except OSError:
            pass  # the model is loaded; only the next start pays for quantizing again

    def close(self) -> None:
        if not self.handle.closed:
            self.handle.close()


def read_cache(folder: Path, model_dir: Path, key: str, workers: int | None = None,
               stop: threading.Event | None = None) -> Any:
    """The model from a cache folder that passed manifest.check(hashes=False); its hashes are
    checked beside the loading. Raises BrokenCache when anything does not match."""
    import torch

    hashes: Future[manifest.Verdict]
    with ThreadPoolExecutor(1) as checker:
        hashes = checker.submit(manifest.check, folder, model_dir, key)
        try:
            model = _read(folder, model_dir, key, workers or torch.get_num_threads(),
                          stop or threading.Event())
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RuntimeError) as error:
            hashes.cancel()
            raise BrokenCache(f"не читается ({type(error).__name__}: {error})") from error
        verdict = hashes.result()
    if not verdict.ok:
        raise BrokenCache(verdict.reason_ru or "пропала")
    return model


def _read(folder: Path, model_dir: Path, key: str, workers: int, stop: threading.Event) -> Any:
    import torch

    layout = json.loads((folder / LAYOUT).read_text(encoding="utf-8"))
    if not isinstance(layout, dict) or layout.get("format") != FORMAT or layout.get("key") != key:
        raise ValueError("описание весов от другой версии")
    model = skeleton(model_dir)
    with torch.no_grad(), warnings.catch_warnings(), ThreadPoolExecutor(workers) as pool:
        warnings.simplefilter("ignore")  # torch.ao's notes that it moves to torchao
        running: list[Future[None]] = []
        for name, kind, parts in _modules(folder / WEIGHTS, layout["tensors"]):
            while len(running) >= workers:
                running.pop(0).result()  # at most `workers` matrices wait unpacked
            if stop.is_set():
                raise LoadStopped
            running.append(pool.submit(_install, model, name, kind, parts))
        for future in running:
            future.result()
    release_free_heap()
    check_complete(model, ())
    model.eval()
    return model


def _install(model: Any, name: str, kind: str, parts: dict[str, Any]) -> None:
    if kind == "matrix":
        put_module(model, name, int8_linear(parts["matrix"], parts["scales"], parts.get("bias")))
    elif kind == "embedding":
        put_module(model, name, int8_embedding(parts["codes"], parts["scales"], parts["offsets"]))
    else:
        assign(model, name, parts["value"])


def _modules(path: Path, entries: list[dict[str, Any]]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(module name, kind, {part: tensor}) for each module in the file, read in file order."""
    import torch

    size = path.stat().st_size
    group: tuple[str, str] | None = None
    parts: dict[str, Any] = {}
    with path.open("rb") as handle:
        for entry in sorted(entries, key=lambda item: int(item["offset"])):
            if (entry["module"], entry["kind"]) != group:
                if group is not None:
                    yield (*group, parts)
                group, parts = (str(entry["module"]), str(entry["kind"])), {}
            if entry["kind"] not in PARTS or entry["part"] not in PARTS[entry["kind"]]:
                raise ValueError(f"непонятная часть {entry['part']} у {entry['module']}")
            start, length = int(entry["offset"]), int(entry["size"])
            if not 0 <= start <= start + length <= size:
                raise ValueError(f"тензор {entry['module']} за концом файла")
            if entry["dtype"] not in DTYPES:
                raise ValueError(f"непонятный тип {entry['dtype']} у {entry['module']}")
            dtype = getattr(torch, str(entry["dtype"]))
            data = bytearray(length)
            handle.seek(start)
            if handle.readinto(data) != length:
                raise ValueError(f"тензор {entry['module']} обрезан")
            tensor = torch.frombuffer(data, dtype=dtype) if data else torch.empty(0, dtype=dtype)
            parts[str(entry["part"])] = tensor.reshape(entry["shape"])
        if group is not None:
            yield (*group, parts)
