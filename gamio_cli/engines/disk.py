"""Disk space: the one seam that reads the free space of a disk (tests fake its figure), and
sizes as the player reads them."""

from __future__ import annotations

import shutil
from pathlib import Path

GB = 1000**3
# Left free after a download: the system, the saves and the converted copies need room too.
MARGIN_BYTES = 1 * GB


def free_disk_bytes(folder: Path) -> int:
    """Free space on the disk holding folder (or its nearest existing parent)."""
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return int(shutil.disk_usage(folder).free)


def size_ru(count: int) -> str:
    """Bytes as «6,4 ГБ» / «307 МБ» (decimal units, as the hub shows sizes)."""
    if count >= GB:
        return f"{count / GB:.1f} ГБ".replace(".", ",")
    if count >= 10**6:
        return f"{round(count / 10**6)} МБ"
    return f"{max(1, round(count / 1000))} КБ" if count else "0 Б"
