"""durable.fsync_directory: the folder itself is flushed, and a folder that cannot be opened
or flushed is no error (the rename before it is already done)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gamio_cli import durable


def test_the_folder_is_flushed_and_its_descriptor_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flushed: list[int] = []
    closed: list[int] = []
    real_close = os.close
    monkeypatch.setattr(os, "fsync", flushed.append)
    monkeypatch.setattr(os, "close", lambda fd: (closed.append(fd), real_close(fd)))
    durable.fsync_directory(tmp_path)
    assert len(flushed) == 1 and closed == flushed


def test_a_missing_or_refusing_folder_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    durable.fsync_directory(tmp_path / "missing")

    def refuse(fd: int) -> None:
        raise OSError("not supported")

    monkeypatch.setattr(os, "fsync", refuse)
    durable.fsync_directory(tmp_path)
