"""Convert Hugging Face models to CTranslate2 int8 once, on first use, into the user cache.

The cache folder is named after the model and its revision: a hub snapshot by its repository
and commit (the folder name huggingface_hub gives it), a local folder by its path and the size
and time of its files, so an edited model is converted again. Conversion runs in a child
process: the game never loads torch for it, its memory goes back to the system when it ends,
and if the system kills it for lack of memory the game survives and falls back. Each model is
converted into a temporary folder beside its final place (named with the game's pid, so the
next start removes those of a killed game), given a manifest of what it was built from
(manifest.py) and renamed when complete. On every start each folder is checked against its
manifest; a partial, damaged or mismatched one is converted again, with a notice.

Run as a module, this file is that child: python -m gamio_cli.engines.ct2.convert SRC DST QUANT ...
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from gamio_cli.engines import disk, manifest, memcheck
from gamio_cli.errors import ModelUnavailable

QUANTIZATION = "int8"
T = TypeVar("T")


class Ct2Unavailable(ModelUnavailable):
    """CTranslate2 cannot run this model here; .message says why in Russian.

    The model facade catches it and loads the transformers engine instead.
    """


class BrokenConversion(Exception):
    """A converted folder that CTranslate2 cannot load (the caller deletes it)."""

    def __init__(self, folder: Path, error: BaseException) -> None:
        super().__init__(f"{folder}: {error}")
        self.folder = folder


def open_converted(kind: Callable[..., T], folder: Path, **options: Any) -> T:
    """kind(folder) on the CPU in int8: a ctranslate2.Generator or Translator.

    Raises BrokenConversion when the folder does not load (MemoryError passes through).
    """
    try:
        return kind(str(folder), device="cpu", compute_type=QUANTIZATION, **options)
    except (RuntimeError, ValueError, OSError) as error:
        raise BrokenConversion(folder, error) from error


def cache_root() -> Path:
    """Where converted models live: <user cache>/gamio/ct2."""
    return manifest.cache_dir() / "ct2"


def cache_name(model_dir: Path, quantization: str = QUANTIZATION) -> str:
    """The converted model's folder name: model, revision and quantization (manifest.cache_name)."""
    return manifest.cache_name(model_dir, quantization)


def is_converted(folder: Path) -> bool:
    return (folder / "model.bin").is_file() and (folder / "config.json").is_file()


def ensure_converted(
    models: list[tuple[Path, str]],
    *,
    root: Path | None = None,
    on_status: Callable[[str], None] | None = None,
    available: Callable[[], int] | None = None,
    on_notice: Callable[[str], None] | None = None,
) -> list[Path]:
    """The converted folder of every (model folder, Russian role) pair, converting missing ones.

    available reads the free memory (default: memcheck.available_bytes, looked up at call time).
    on_notice receives a one-line Russian notice for each folder found unusable (partial,
    damaged, built from other files) and converted again.
    Raises Ct2Unavailable (Russian, with the reason) when a conversion cannot run or fails.
    """
    root = root or cache_root()
    available = available or memcheck.available_bytes
    if root.is_dir():
        manifest.remove_stale_temps(root)
    targets = [root / cache_name(path) for path, _ in models]
    missing = []
    for (path, what), target in zip(models, targets):
        verdict = manifest.check(target, path, QUANTIZATION)
        if verdict.ok:
            continue
        if verdict.reason_ru is not None:
            shutil.rmtree(target, ignore_errors=True)
            if on_notice is not None:
                on_notice(f"Подготовленная для CTranslate2 модель «{what}» не годится: "
                          f"{verdict.reason_ru}. Готовлю её заново.")
        missing.append((path, what, target))
    if missing:
        for path, what, _ in missing:
            check_resources(path, what, root, available)
        roles = ", ".join(f"«{what}»" for _, what, _ in missing)
        if on_status is not None:
            on_status(f"Готовлю модели ({roles}) для быстрого движка CTranslate2: это делается "
                      "один раз и занимает до пары минут…")
        _convert_all([(path, target) for path, _, target in missing], root)
    return targets


def check_resources(
    model_dir: Path, what_ru: str, root: Path, available: Callable[[], int]
) -> None:
    """Raise Ct2Unavailable when converting model_dir would not fit in memory or on disk."""
    need = memcheck.conversion_need(model_dir)
    free_memory = available()
    if free_memory < need.memory:
        raise Ct2Unavailable(
            f"Для подготовки быстрого движка (CTranslate2) модели «{what_ru}» нужно около "
            f"{memcheck.gib(need.memory)} свободной памяти, а свободно "
            f"{memcheck.gib(free_memory)}. Играю на обычном движке (transformers): ходы будут "
            "медленнее. Чтобы ускорить игру, закройте другие программы и запустите её снова: "
            "подготовка нужна только один раз."
        )
    free_disk = disk.free_disk_bytes(root)
    if free_disk < need.disk:
        raise Ct2Unavailable(
            f"Для быстрого движка (CTranslate2) модели «{what_ru}» нужно "
            f"{memcheck.gib(need.disk)} на диске, а свободно {memcheck.gib(free_disk)} "
            f"(папка {root}). Играю на обычном движке (transformers): ходы будут медленнее."
        )


def _convert_all(jobs: list[tuple[Path, Path]], root: Path) -> None:
    """Convert in one child process (torch loads once), then move each result into place."""
    root.mkdir(parents=True, exist_ok=True)
    temps = [Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=root))
             for _, target in jobs]
    try:
        command = [sys.executable, "-m", "gamio_cli.engines.ct2.convert"]
        for (source, _), temp in zip(jobs, temps):
            command += [str(source), str(temp), QUANTIZATION]
        done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                              errors="replace", check=False)
        if done.returncode != 0:
            raise Ct2Unavailable(_failure_message(done.returncode, done.stderr))
        for (source, target), temp in zip(jobs, temps):
            manifest.write(temp, source, QUANTIZATION)
            _move_into_place(temp, target, source)
    finally:
        for temp in temps:
            shutil.rmtree(temp, ignore_errors=True)


def _move_into_place(temp: Path, target: Path, source: Path) -> None:
    try:
        temp.rename(target)
    except OSError:
        if manifest.check(target, source, QUANTIZATION).ok:  # another gamio finished it first
            return
        shutil.rmtree(target)  # an incomplete folder not made by us (copied in part, say)
        temp.rename(target)
    if os.name == "posix":
        manifest.fsync_folder(target.parent)  # the rename itself survives a power cut


def _failure_message(returncode: int, stderr: str) -> str:
    fallback = "Играю на обычном движке (transformers): ходы будут медленнее."
    if returncode in (-9, 137) or "MemoryError" in stderr or "out of memory" in stderr.lower():
        return ("Не хватило памяти, чтобы подготовить модель для быстрого движка (CTranslate2). "
                f"{fallback} Закройте другие программы и запустите игру снова.")
    if "No space left" in stderr:
        return f"Не хватило места на диске, чтобы подготовить модель для CTranslate2. {fallback}"
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    detail = lines[-1] if lines else f"код выхода {returncode}"
    return f"Не удалось подготовить модель для быстрого движка (CTranslate2): {detail}. {fallback}"


def _convert_one(source: str, output: str, quantization: str) -> None:
    """Child process: one Hugging Face folder to one CTranslate2 folder."""
    from ctranslate2.converters import TransformersConverter

    # float16 halves the memory of loading the checkpoint; the weights become int8 anyway.
    converter = TransformersConverter(source, load_as_float16=True, low_cpu_mem_usage=True)
    converter.convert(output, quantization=quantization, force=True)


def _readable_config(source: str) -> bool:
    """Check config.json before loading torch for a minute: a broken one fails in a second."""
    path = Path(source) / "config.json"
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"файл {path} не читается или повреждён ({error})", file=sys.stderr)
        return False
    return True


def main(argv: list[str]) -> int:
    if len(argv) % 3 != 0 or not argv:
        print("usage: python -m gamio_cli.engines.ct2.convert SRC DST QUANT [SRC DST QUANT ...]",
              file=sys.stderr)
        return 2
    if not all(_readable_config(source) for source in argv[::3]):
        return 1
    import torch

    from gamio_cli.engines.threads import set_torch_threads

    set_torch_threads(torch)
    for index in range(0, len(argv), 3):
        _convert_one(*argv[index : index + 3])
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main(sys.argv[1:]))
