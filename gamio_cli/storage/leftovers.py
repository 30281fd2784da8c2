"""Hidden temporary files a killed save left in the saves folder, and their removal.

store.py writes a save to `.<name>.json.<8 hex>.tmp` (and the backup's link to
`.<name>.json.bak.<8 hex>.tmp`) and renames it into place; a kill between the two leaves the
temporary file behind. Only the process holding the lock of <name> ever writes those files,
and it takes the lock before it writes (filelock.py writes the holder's pid into the lock file
then, so the lock file's modification time is when the holder took it). So a temporary file is
a leftover when nobody holds its story's lock, or when it is older than the lock file of the
one who does: that holder cannot have made it, and a save in progress is never touched.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from gamio_cli.storage.filelock import FileLock, LockBusy

TEMP_PATTERN = re.compile(r"\.(?P<name>.+)\.json(?:\.bak)?\.[0-9a-f]{8}\.tmp")


def lock_path(directory: Path, name: str) -> Path:
    """The lock file that store.SaveStore.lock(name) holds."""
    return directory / f".{name}.json.lock"


def holder_since(path: Path) -> float | None:
    """When the holder of the lock file `path` took it (its mtime), or None when nobody holds it.

    Probing takes the lock for a moment when it is free; FileLock.acquire retries briefly, so a
    gamio opening that story at the same instant is not turned away by the probe.
    """
    probe = FileLock(path)
    try:
        probe.acquire()
    except LockBusy:
        try:
            return path.stat().st_mtime
        except OSError:
            return float("-inf")  # held, but its age is unknown: keep every file
    except OSError:
        return float("-inf")  # the folder cannot be written: nothing can be removed anyway
    probe.release()
    return None


def clean_leftovers(directory: Path) -> list[Path]:
    """Remove the leftover temporary files of killed saves in `directory`; the removed ones."""
    try:
        entries = os.listdir(directory)
    except OSError:
        return []
    by_name: dict[str, list[Path]] = {}
    for entry in entries:
        match = TEMP_PATTERN.fullmatch(entry)
        if match is not None:
            by_name.setdefault(match.group("name"), []).append(directory / entry)
    removed = []
    for name, paths in by_name.items():
        since = holder_since(lock_path(directory, name))  # one probe a story
        for path in paths:
            try:
                if since is None or path.stat().st_mtime < since:
                    path.unlink()
                    removed.append(path)
            except OSError:
                continue  # renamed into place or removed meanwhile; else tried on the next start
    return removed
