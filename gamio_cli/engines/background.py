"""One piece of background work at a time, which the next foreground step waits for.

The generators encode the next prompt's beginning while the player reads and types
(prepare()); the next generate() must wait for that work before it touches the same model and
cache. Waiting polls, so Ctrl-C (whose handler runs only in the main thread) still cancels it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from gamio_cli.engine import CancelToken

# Seconds between checks of the cancel token while waiting.
POLL_S = 0.05


class Background:
    """Runs work in a daemon thread; a failure calls on_error (work here is an optimisation)."""

    def __init__(self, on_error: Callable[[], None]) -> None:
        self._on_error = on_error
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def stopping(self) -> bool:
        """True once stop() was called: work that can should end at its next step."""
        return self._stop.is_set()

    def start(self, work: Callable[[], None]) -> None:
        """Wait for the previous work, then start this one; returns at once."""
        self.wait()
        self._stop.clear()

        def run() -> None:
            try:
                work()
            except Exception:  # noqa: BLE001 - a prepared prefix is an optimisation, never an error
                self._on_error()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def wait(self, cancel: CancelToken | None = None) -> None:
        """Wait until the work in progress finished (a cancelled token stops the wait)."""
        thread, self._thread = self._thread, None
        while thread is not None and thread.is_alive():
            if cancel is not None and cancel.cancelled:
                self._thread = thread  # still running: the next call waits again
                cancel.check()
            thread.join(POLL_S)

    def stop(self) -> None:
        """Ask the work to end early and wait for it: the game is closing.

        A daemon thread still inside torch or CTranslate2 when the interpreter exits aborts
        the process ("terminate called without an active exception").
        """
        self._stop.set()
        self.wait()
