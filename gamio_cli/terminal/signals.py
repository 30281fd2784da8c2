"""Signals during play.

- Ctrl-C while the model works sets the turn's CancelToken (the generator checks it between
  tokens), so the turn is dropped cleanly and nothing is killed mid-write. The handler is
  installed only for that time: at the prompt, Ctrl-C is a key (prompt_toolkit) or Python's
  usual KeyboardInterrupt (piped input), and the REPL clears the line.
- Two Ctrl-C presses within DOUBLE_PRESS_S seconds, in any state, mean "save and leave".
- SIGTERM and SIGHUP (the terminal was closed) mean the same.

"Leave" is the Shutdown exception. It subclasses SystemExit on purpose: asyncio (under
prompt_toolkit) swallows other exceptions raised inside its callbacks but lets SystemExit
through, so it reaches the REPL, which saves and returns the exit status it carries.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from types import FrameType
from typing import Any

from gamio_cli.engine import CancelToken

# Seconds within which a second Ctrl-C means "save and leave".
DOUBLE_PRESS_S = 2.0
# Exit statuses after a signal: 128 + the signal's number, as shells report them.
EXIT_INTERRUPTED = 128 + int(signal.SIGINT)

_Handler = Callable[[int, FrameType | None], Any] | int | None


class Shutdown(SystemExit):
    """Save and leave now; .code is the exit status."""


class Presses:
    """Remembers Ctrl-C presses to spot a double press."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, window_s: float = DOUBLE_PRESS_S
    ) -> None:
        self._clock = clock
        self._window_s = window_s
        self._last: float | None = None

    def press(self) -> bool:
        """Record a press; True when it follows the previous one within the window."""
        now = self._clock()
        double = self._last is not None and now - self._last <= self._window_s
        self._last = None if double else now
        return double


def _can_install() -> bool:
    # signal.signal works only in the main thread; elsewhere (some test runners) we do without.
    return threading.current_thread() is threading.main_thread()


@contextmanager
def _handlers(signums: list[int], handler: _Handler) -> Iterator[None]:
    """Install handler for signums while the block runs, then put the old ones back."""
    if not _can_install():
        yield
        return
    previous = {signum: signal.signal(signum, handler) for signum in signums}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def cancel_on_interrupt(token: CancelToken, presses: Presses) -> AbstractContextManager[None]:
    """While the model works: Ctrl-C cancels the turn; a double press raises Shutdown."""

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        if presses.press():
            raise Shutdown(EXIT_INTERRUPTED)
        token.cancel()

    return _handlers([signal.SIGINT], on_sigint)


def hangup_signals() -> list[int]:
    """SIGTERM, and SIGHUP where the platform has it (not on Windows)."""
    names = ["SIGTERM", "SIGHUP"]
    return [int(getattr(signal, name)) for name in names if hasattr(signal, name)]


# While set, a shutdown is handed to this function instead of being raised where the signal
# lands: inside prompt_toolkit's event loop a raised exception is caught and the player is asked
# to "Press ENTER", so the terminal UI asks its prompt to exit with the exception instead.
_deliver: Callable[[Shutdown], None] | None = None


@contextmanager
def deliver_shutdown_via(deliver: Callable[[Shutdown], None]) -> Iterator[None]:
    """While the block runs, SIGTERM/SIGHUP call deliver(Shutdown) rather than raising it."""
    global _deliver
    previous, _deliver = _deliver, deliver
    try:
        yield
    finally:
        _deliver = previous


def shutdown_on_signals() -> AbstractContextManager[None]:
    """SIGTERM/SIGHUP raise Shutdown once; repeats are ignored so the save in progress finishes."""
    fired = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal fired
        if fired:
            return
        fired = True
        stop = Shutdown(128 + signum)
        if _deliver is not None:
            _deliver(stop)
            return
        raise stop

    return _handlers(hangup_signals(), on_signal)


def ignoring_interrupts() -> AbstractContextManager[None]:
    """Ctrl-C does nothing while the block runs (the final save)."""
    return _handlers([signal.SIGINT], signal.SIG_IGN)

