"""What a converted model was built from, written beside it, and the check of it on every start.

Shared by both converted caches under the user cache (cache_dir): CTranslate2's conversions
(ct2/convert.py) and the int8 weights of the transformers generator (hf/int8_cache.py).
A converted folder is never trusted for being there: its writer puts `gamio-manifest.json`
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
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST = "gamio-manifest.json"
FORMAT = 1
_CHUNK = 1 << 20
_SNAPSHOT_REPO = re.compile(r"models--(.+)")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Temporary folders older than this many seconds are left over from a killed conversion.
STALE_TEMP_S = 24 * 3600
_TEMP_PID = re.compile(r"\.tmp-(\d+)-")


def cache_dir() -> Path:
    """gamio's own cache folder (the converted models' caches live in it)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("gamio"))


def cache_name(model_dir: Path, quantization: str) -> str:
    """A converted model's folder name: model, revision and quantization.

    A hub snapshot is named by its repository and commit (the folder name huggingface_hub
    gives it), a local folder by its path and the size and time of its files, so an edited
    model gets a new folder.
    """
    path = model_dir.resolve()
    match = _SNAPSHOT_REPO.fullmatch(path.parent.parent.name)
    if path.parent.name == "snapshots" and match:
        name, revision = match.group(1), path.name[:12]
    else:
        name, revision = path.name, "local-" + _fingerprint(path)
    return f"{_UNSAFE.sub('_', name)[:80]}@{revision}-{quantization}"


def _fingerprint(path: Path) -> str:
    """12 hex digits naming this folder and the size and time of every file in it."""
    digest = hashlib.sha256(str(path).encode("utf-8"))
    for entry in sorted(path.iterdir()):
        if entry.is_file() and not entry.name.startswith("."):
            stat = entry.stat()
            digest.update(f"\0{entry.name}\0{stat.st_size}\0{stat.st_mtime_ns}".encode("utf-8"))
    return digest.hexdigest()[:12]


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


def check(folder: Path, model_dir: Path, quantization: str, hashes: bool = True) -> Verdict:
    """Whether `folder` is a whole conversion of `model_dir` as it is now.

    hashes=False checks everything but the files' SHA-256 (milliseconds): a caller that reads
    the files anyway checks them in full beside that (int8_cache does).
    """
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
            problem = _file_problem(folder / str(name), expected, hashes)
            if problem:
                return Verdict(False, f"файл {name} {problem}")
    except OSError as error:
        return Verdict(False, f"не читается ({error.strerror or error})")
    return Verdict(True)


def _file_problem(path: Path, expected: Any, hashes: bool = True) -> str | None:
    if not isinstance(expected, dict):
        return "описан неверно"
    if not path.is_file():
        return "пропал"
    if path.stat().st_size != expected.get("size"):
        return "обрезан или дописан"
    if hashes and _sha256(path) != expected.get("sha256"):
        return "изменён (не совпадает контрольная сумма)"
    return None


def remove_stale_temps(root: Path) -> None:
    """Remove the temporary folders of killed conversions in root (named
    `.NAME.tmp-PID-...` by their writer): their game is gone, or a day old."""
    now = time.time()
    for entry in root.glob(".*.tmp-*"):
        try:
            if not _owner_alive(entry.name) or now - entry.stat().st_mtime > STALE_TEMP_S:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            continue


def _owner_alive(name: str) -> bool:
    """Whether the game that made this temporary folder may still be converting into it."""
    match = _TEMP_PID.search(name)
    if match is None or os.name != "posix":  # os.kill would end the process on Windows
        return True
    pid = int(match.group(1))
    if pid == os.getpid():
        return False  # this game makes its own folders after this cleanup
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive, another user's
    return True
