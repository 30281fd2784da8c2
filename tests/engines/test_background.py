"""Background: one piece of work at a time, waited for, stoppable, its failures contained."""

from __future__ import annotations

import threading
import time

import pytest

from gamio_cli.engine import CancelToken
from gamio_cli.engines.background import Background
from gamio_cli.errors import Cancelled


def test_work_stops_when_asked_and_failures_only_call_on_error() -> None:
    failed: list[bool] = []
    background = Background(lambda: failed.append(True))
    steps: list[int] = []
    working, ended = threading.Event(), threading.Event()

    def work() -> None:
        while not background.stopping:
            steps.append(1)
            working.set()
            time.sleep(0.01)
        ended.set()

    def broken() -> None:
        raise RuntimeError("out of memory")

    background.start(work)
    # Stopped once it runs, however long a busy machine takes to start the thread.
    assert working.wait(30)
    background.stop()
    assert ended.is_set() and steps and not failed
    background.start(broken)
    background.wait()
    assert failed == [True]


def test_a_cancelled_wait_leaves_the_work_to_the_next_wait() -> None:
    background = Background(lambda: None)
    release = threading.Event()
    background.start(lambda: release.wait(5))
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        background.wait(cancel)
    release.set()
    background.wait()  # waits for the same work, now ending
