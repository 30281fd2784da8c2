"""Making a finished write survive a power cut: a renamed file is only durable once its
folder is flushed too (POSIX). Shared by the story files (storage/) and the model downloads
(engines/blobfetch), which both write a temporary file, flush it and rename it into place."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_directory(directory: Path) -> None:
    """Flush directory's entries (a rename in it); a no-op where folders cannot be opened
    (Windows) or a file system refuses, since the rename itself is already done."""
    if os.name != "posix":
        return
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems refuse fsync on a directory
    finally:
        os.close(descriptor)
