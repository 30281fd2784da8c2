"""A real small file system that fills up while the real `gamio` plays (piped, the tiny models):
the player is told, and the previous save stays whole and loadable.

Where this process may mount (root, and a kernel that allows tmpfs here), the saves folder is a
fresh tmpfs of 64 KiB, most of it taken by a filler file; elsewhere the file-size limit
RLIMIT_FSIZE stands in for the full disk (as in tests/storage/test_store.py), and the figures
say which one ran.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from gamio_cli.errors import SaveError
from gamio_cli.storage.store import SaveStore
from tests.terminal.test_piped import env_for
from tests.tiny.build import TinyModels

SIZE = 64 * 1024
FREE = 24 * 1024  # left free: a few turns fit, then the save (written beside the old) does not
NO_SPACE = "Нет места на диске"
LIMIT = 5 * 1024  # RLIMIT_FSIZE where no tmpfs can be mounted: a few turns fit
ACTIONS = ["открываю дверь", "я беру меч", "иду на север", "осматриваюсь", "«Привет»"] * 4


@dataclass
class DiskFigures:
    how: str  # "tmpfs" or "RLIMIT_FSIZE"
    turns_played: int = 0
    told: int = 0  # "Нет места на диске" lines shown
    loads: bool = False  # the save on the full disk loads afterwards
    kept_turns: int = 0  # turns in it


def _mount(point: Path) -> bool:
    if os.geteuid() != 0:
        return False
    point.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(point)],
                          capture_output=True, check=False)
    return done.returncode == 0


def _fill(point: Path) -> None:
    stat = os.statvfs(point)
    free = stat.f_bavail * stat.f_frsize
    with open(point / "filler", "wb") as filler:
        filler.write(b"\0" * max(0, free - FREE))


def _limit_file_size() -> None:  # in the child, before exec
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def soak_full_disk(work: Path, models: TinyModels) -> DiskFigures:
    point = work / "small-disk"
    mounted = _mount(point)
    figures = DiskFigures("tmpfs" if mounted else "RLIMIT_FSIZE")
    saves = point / "saves"
    try:
        if mounted:
            saves.mkdir()
            _fill(point)
        env = {**env_for(work, models), "GAMIO_SAVES_DIR": str(saves)}
        script = "".join(f"{action}\n" for action in ACTIONS).encode("utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "gamio_cli", "play", "--seed", "1", "--new", "--scenario",
             "fantasy"], input=script, capture_output=True, env=env, timeout=600, check=False,
            preexec_fn=None if mounted else _limit_file_size,
        )
        shown = (done.stdout + done.stderr).decode("utf-8", "replace")
        figures.turns_played = shown.count("Ваш ход")
        figures.told = shown.count(NO_SPACE)
        try:
            figures.kept_turns = len(SaveStore(saves).load("фэнтези").turns)
            figures.loads = True
        except SaveError:
            figures.loads = False
    finally:
        if mounted:
            subprocess.run(["umount", str(point)], check=False)
    return figures
