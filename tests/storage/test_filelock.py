"""The advisory lock keeps a second process off a story, and dies with its holder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gamio_cli.storage import filelock
from gamio_cli.storage.filelock import FileLock, LockBusy

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the tests use POSIX signals")

# A child process that takes the lock, says so, and holds it until stdin closes or it is killed.
HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from gamio_cli.storage.filelock import FileLock
    lock = FileLock(Path(sys.argv[1])).acquire()
    print("locked", flush=True)
    sys.stdin.read()
    lock.release()
    """
)


def start_holder(path: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "locked"
    return child


def test_acquire_writes_pid_and_release_removes_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.lock"
    lock = FileLock(path).acquire()
    assert lock.held
    assert path.read_text(encoding="utf-8") == f"{os.getpid()}\n"
    lock.release()
    assert not lock.held and not path.exists()
    lock.release()  # harmless twice


def test_a_second_lock_in_the_same_process_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.lock"
    with FileLock(path):
        with pytest.raises(LockBusy) as caught:
            FileLock(path).acquire()
        assert caught.value.owner_pid == os.getpid()
    FileLock(path).acquire().release()  # free again after the with block


def test_with_block_releases_on_error(tmp_path: Path) -> None:
    path = tmp_path / "a.lock"
    with pytest.raises(ZeroDivisionError):
        with FileLock(path):
            raise ZeroDivisionError
    assert not path.exists()
    FileLock(path).acquire().release()


def test_another_process_holds_it_until_it_dies(tmp_path: Path) -> None:
    path = tmp_path / "a.lock"
    child = start_holder(path)
    try:
        with pytest.raises(LockBusy) as caught:
            FileLock(path).acquire()
        assert caught.value.owner_pid == child.pid
    finally:
        child.send_signal(signal.SIGKILL)  # no clean-up code runs in the holder
        child.wait()
    assert path.exists()  # the killed holder could not remove it: a stale file...
    FileLock(path).acquire().release()  # ...but no stale lock: the kernel dropped it


def test_released_by_a_clean_exit_of_the_holder(tmp_path: Path) -> None:
    path = tmp_path / "a.lock"
    child = start_holder(path)
    child.communicate("")
    assert child.returncode == 0 and not path.exists()
    FileLock(path).acquire().release()


def test_a_file_removed_under_us_is_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seam: the holder removes the file between our open() and flock(); we must retry."""
    path = tmp_path / "a.lock"
    real_try_lock = filelock._try_lock
    calls: list[int] = []

    def try_lock_after_removal(fd: int) -> bool:
        calls.append(fd)
        if len(calls) == 1:
            path.unlink()  # what a releasing holder does
        return real_try_lock(fd)

    monkeypatch.setattr(filelock, "_try_lock", try_lock_after_removal)
    lock = FileLock(path).acquire()
    assert len(calls) == 2  # locked a removed inode, noticed, tried the new file
    mine, on_disk = os.stat(path), os.fstat(lock._fd or -1)
    assert (mine.st_dev, mine.st_ino) == (on_disk.st_dev, on_disk.st_ino)
    lock.release()


# Several processes take and release the lock as fast as they can; inside it, each creates a
# marker file with O_EXCL, which fails if anyone else is inside at the same time.
CONTENDER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from gamio_cli.storage.filelock import FileLock, LockBusy
    lock_path, marker = Path(sys.argv[1]), sys.argv[2]
    entered = 0
    while entered < int(sys.argv[3]):
        try:
            lock = FileLock(lock_path).acquire()
        except LockBusy:
            continue
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)  # FileExistsError = overlap
        os.close(fd)
        os.unlink(marker)
        lock.release()
        entered += 1
    """
)


def test_no_two_processes_ever_hold_it_at_once(tmp_path: Path) -> None:
    args = [str(tmp_path / "a.lock"), str(tmp_path / "inside"), "150"]
    children = [subprocess.Popen([sys.executable, "-c", CONTENDER, *args]) for _ in range(3)]
    codes = [child.wait(timeout=120) for child in children]
    assert codes == [0, 0, 0]
    assert not (tmp_path / "a.lock").exists()
