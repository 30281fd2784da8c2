"""What a converted model was built from, written beside it, and the check of it on every start.

A converted folder is never trusted for being there: convert.py writes `gamio-manifest.json`
into it last, before the folder is renamed into place, recording the source model's files
(name, size, modification time), the quantization, and the size and SHA-256 of every file of
the conversion. On start check() compares all of it with the disk; a folder without a manifest
(an interrupted or foreign copy, or one made before manifests), with a file missing, cut short
or changed, or built from other model files, gets a reason in Russian and is converted again.
Hashing reads the whole folder (about 0.1 s for the two opus-mt translators; the page cache it
fills is the one CTranslate2 then loads from).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST = "gamio-manifest.json"
FORMAT = 1
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Verdict:
    """check()'s answer: usable, or why not (None when the folder is simply not there)."""

    ok: bool
    reason_ru: str | None = None


def source_files(model_dir: Path) -> dict[str, list[int]]:
    """name -> [size, mtime_ns] of the model's own files (hidden files and folders left out)."""
    found = {}
    for entry in sorted(model_dir.iterdir()):
        if entry.is_file() and not entry.name.startswith("."):
            stat = entry.stat()
            found[entry.name] = [stat.st_size, stat.st_mtime_ns]
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fsync_folder(path: Path) -> None:
    """Make renames inside the folder `path` durable (POSIX)."""
    _fsync(path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass  # a file system without fsync on folders: the rename still happens whole
    finally:
        os.close(fd)


def write(folder: Path, model_dir: Path, quantization: str) -> None:
    """Record what `folder` (a finished conversion, not yet in place) holds and came from.

    Every file is flushed to the disk first, so after the rename into place a power cut
    cannot leave a manifest that describes data never written.
    """
    files = {}
    for entry in sorted(folder.iterdir()):
        if entry.is_file() and entry.name != MANIFEST:
            _fsync(entry)
            files[entry.name] = {"size": entry.stat().st_size, "sha256": _sha256(entry)}
    record = {"format": FORMAT, "source": str(model_dir.resolve()), "quantization": quantization,
              "source_files": source_files(model_dir), "files": files}
    temp = folder / f".{MANIFEST}.tmp"
    with temp.open("w", encoding="utf-8") as handle:
        json.dump(record, handle, ensure_ascii=False, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, folder / MANIFEST)
    if os.name == "posix":
        fsync_folder(folder)


def _read(folder: Path) -> dict[str, Any] | str:
    """The manifest's record, or the Russian reason it cannot be used."""
    path = folder / MANIFEST
    if not path.is_file():
        return "нет описания, из чего она собрана (подготовка прервалась или это старая копия)"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return "описание сборки повреждено"
    if (not isinstance(record, dict) or record.get("format") != FORMAT
            or not isinstance(record.get("files"), dict) or not record["files"]):
        return "описание сборки повреждено или от другой версии gamio"
    return record


def check(folder: Path, model_dir: Path, quantization: str) -> Verdict:
    """Whether `folder` is a whole conversion of `model_dir` as it is now."""
    if not folder.exists():
        return Verdict(False)
    record = _read(folder)
    if isinstance(record, str):
        return Verdict(False, record)
    if record.get("quantization") != quantization:
        return Verdict(False, "собрана с другим квантованием")
    try:
        if record.get("source_files") != source_files(model_dir):
            return Verdict(False, "файлы исходной модели с тех пор изменились")
        for name, expected in record["files"].items():
            problem = _file_problem(folder / str(name), expected)
            if problem:
                return Verdict(False, f"файл {name} {problem}")
    except OSError as error:
        return Verdict(False, f"не читается ({error.strerror or error})")
    return Verdict(True)


def _file_problem(path: Path, expected: Any) -> str | None:
    if not isinstance(expected, dict):
        return "описан неверно"
    if not path.is_file():
        return "пропал"
    if path.stat().st_size != expected.get("size"):
        return "обрезан или дописан"
    if _sha256(path) != expected.get("sha256"):
        return "изменён (не совпадает контрольная сумма)"
    return None
