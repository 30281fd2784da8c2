"""An exclusive, non-blocking advisory lock held through a lock file, across processes.

POSIX uses flock(2) and Windows msvcrt.locking: the operating system drops the lock when its
process dies, however it dies, so a stale lock cannot outlive a crash and no pid check is
needed. The holder's pid is written into the file only to tell the player who holds it.

On POSIX the lock file is removed on release. Removing a file other processes may have opened
is racy (one could lock the removed inode while another creates a new file), so after locking,
acquire checks that the path still names the inode it locked, and tries again if not.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from types import TracebackType

_ATTEMPTS = 20  # inode races need another process to release at the same instant: rare
# A busy lock is tried again this many times, this far apart, before LockBusy: leftovers.py
# probes free locks by taking them for a moment, and that must not turn a player away.
_BUSY_RETRIES = 3
_BUSY_WAIT_S = 0.01


class LockBusy(Exception):
    """Another process holds the lock; `owner_pid` is its pid when the file tells it."""

    def __init__(self, path: Path, owner_pid: int | None) -> None:
        super().__init__(f"{path} is locked by pid {owner_pid}")
        self.path = path
        self.owner_pid = owner_pid


if sys.platform == "win32":
    import msvcrt

    # The locked byte lies far past the pid text (locking beyond the end of a file is allowed):
    # a locked region cannot be read by other processes, and they should see the pid.
    _LOCK_OFFSET = 1 << 20

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

    def _still_ours(fd: int, path: Path) -> bool:
        return True  # an open file cannot be removed on Windows

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

    def _still_ours(fd: int, path: Path) -> bool:
        try:
            on_disk = os.stat(path)
        except FileNotFoundError:
            return False
        mine = os.fstat(fd)
        return (on_disk.st_dev, on_disk.st_ino) == (mine.st_dev, mine.st_ino)


def _try_lock_soon(fd: int) -> bool:
    for attempt in range(_BUSY_RETRIES + 1):
        if _try_lock(fd):
            return True
        if attempt < _BUSY_RETRIES:
            time.sleep(_BUSY_WAIT_S)
    return False


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


class FileLock:
    """Holds `path` locked from acquire() to release(); also a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> FileLock:
        """Take the lock, or raise LockBusy within ~30 ms (never blocks); OSError: the file fails."""
        if self._fd is not None:
            raise RuntimeError("lock already held by this object")
        for _ in range(_ATTEMPTS):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _try_lock_soon(fd):
                os.close(fd)
                raise LockBusy(self.path, _read_pid(self.path))
            if _still_ours(fd, self.path):
                self._fd = fd
                self._write_pid(fd)
                return self
            os.close(fd)  # the holder removed the file after we opened it: try the new one
        raise LockBusy(self.path, _read_pid(self.path))

    def _write_pid(self, fd: int) -> None:
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode())

    def release(self) -> None:
        """Let the lock go (and remove the file on POSIX); harmless if not held."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if sys.platform != "win32":
                # Removed while still locked, so nobody can lock this inode after we let go.
                self.path.unlink(missing_ok=True)
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> FileLock:
        if self._fd is None:
            self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
