"""Hidden temporary files left by a kill mid-save go on the next start, unless a live holder
of their story's lock may still be writing them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from gamio_cli.storage.filelock import FileLock, LockBusy
from gamio_cli.storage.leftovers import TEMP_PATTERN, clean_leftovers, holder_since, lock_path
from gamio_cli.storage.store import SaveStore
from gamio_cli.story import Story
from tests.storage.test_filelock import start_holder
from tests.storage.test_store import SAVER, hidden_files

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the tests use POSIX signals")


def temp(directory: Path, name: str, kind: str = ".json", age_s: float = 0.0) -> Path:
    path = directory / f".{name}{kind}.{os.urandom(4).hex()}.tmp"
    path.write_text("{half a sa", encoding="utf-8")
    when = time.time() - age_s
    os.utime(path, (when, when))
    return path


def test_the_pattern_matches_exactly_what_the_store_writes(tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    for kind in (".json", ".json.bak"):
        for name in ("x", "мой поход", "a.json.b", "с точкой."):
            made = getattr(store, "_temp_path")(name, kind).name  # noqa: B009 - the real recipe
            match = TEMP_PATTERN.fullmatch(made)
            assert match is not None and match.group("name") == name
    for other in (".x.json.lock", ".x.json", "x.json", ".history.tmp", ".x.json.1234567.tmp"):
        assert TEMP_PATTERN.fullmatch(other) is None


def test_leftovers_of_a_story_nobody_holds_are_removed_on_start(tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    store.save(Story("fantasy", "Начало", "Start"), "x")
    stale = [temp(tmp_path, "x"), temp(tmp_path, "x", ".json.bak"), temp(tmp_path, "другая")]
    (tmp_path / ".x.json.lock").write_text("99999999\n", encoding="utf-8")  # a killed holder's
    keep = [tmp_path / ".notes", tmp_path / "notes.tmp"]
    for path in keep:
        path.write_text("mine", encoding="utf-8")
    lock = store.lock("y")  # any story opened cleans the folder
    lock.release()
    assert hidden_files(tmp_path) == [".notes"]
    assert all(not path.exists() for path in stale) and all(path.exists() for path in keep)
    assert store.load("x").scenario == "fantasy"


def test_a_live_holders_newer_files_are_kept_and_older_ones_removed(tmp_path: Path) -> None:
    old = temp(tmp_path, "x", age_s=3600)  # from a holder killed before this one started
    holder = start_holder(lock_path(tmp_path, "x"))
    try:
        since = holder_since(lock_path(tmp_path, "x"))
        assert since is not None and since > old.stat().st_mtime
        time.sleep(0.02)
        new = temp(tmp_path, "x")  # may be the live holder's save in progress
        assert clean_leftovers(tmp_path) == [old]
        assert new.exists() and not old.exists()
        assert holder.poll() is None  # the probe did not disturb the holder
    finally:
        holder.kill()
        holder.wait()
    assert clean_leftovers(tmp_path) == [new]  # its holder is dead now


def test_the_probe_does_not_turn_away_a_gamio_opening_the_story(tmp_path: Path) -> None:
    """Probing takes a free lock for a moment; a lock asked for meanwhile waits it out, while
    a lock really held is still refused."""
    path = lock_path(tmp_path, "x")
    assert holder_since(path) is None and not path.exists()
    probe = FileLock(path).acquire()
    threading.Timer(0.005, probe.release).start()  # the probe's moment, here stretched
    FileLock(path).acquire().release()
    with FileLock(path), pytest.raises(LockBusy):
        FileLock(path).acquire()


def test_a_real_kill_mid_save_leaves_nothing_after_the_next_start(tmp_path: Path) -> None:
    """The saver of test_store killed at moments spread over its writes: whatever temporary
    file each kill left, the next start removes it and the save loads."""
    for delay in (0.02, 0.07, 0.15, 0.3):
        child = subprocess.Popen([sys.executable, "-c", SAVER, str(tmp_path)],
                                 stdout=subprocess.PIPE)
        assert child.stdout is not None and child.stdout.readline() == b"saved\n"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        store = SaveStore(tmp_path)
        store.lock("x").release()
        assert hidden_files(tmp_path) == []
        assert store.load("x").turns
