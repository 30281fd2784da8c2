"""The story generator while it still loads in a background thread, behind the opening screen.

A warm start of GPT-2-XL on a CPU spends most of its seconds handing the int8 matrices to
fbgemm, which re-packs every one of them on each start (its packed form cannot be stored).
The player does not need the model until the first action is sent: the game shows the story
and the prompt as soon as the translators and the generator's tokenizer are there, and the
model loads meanwhile. Counting tokens (the prompt's budget) needs only the tokenizer and
answers at once; a prepare() asked for before the model is there is done as soon as it is;
generate() and wait_prepared() wait for the model (Ctrl-C still cancels the wait) and then
re-raise a failed load's error, one Russian line, on every call. Notices of the load (a cache
found broken and made again) are handed to set_notice's callback from the game's own thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

from gamio_cli.engine import CancelToken
from gamio_cli.engines.background import POLL_S  # between checks of the cancel token
from gamio_cli.settings import Settings


class Loaded(Protocol):
    """What the background load returns: a generator that can also prepare and close."""

    def generate(self, prompt: str, settings: Settings, cancel: CancelToken | None = None,
                 on_text: Callable[[str], None] | None = None) -> str: ...

    def prepare(self, text: str) -> None: ...

    def wait_prepared(self, cancel: CancelToken | None = None) -> None: ...

    def close(self) -> None: ...


# load(on_notice, stop) -> the generator; it should return early once stop is set.
Load = Callable[[Callable[[str], None], threading.Event], Loaded]


class PendingGenerator:
    """Implements engine.Generator (and prepare/close) while load runs in a daemon thread."""

    def __init__(self, count_tokens: Callable[[str], int], window: int, window_step: int,
                 load: Load) -> None:
        self.window_step = window_step
        self._count = count_tokens
        self._window = window
        self._lock = threading.Lock()  # the tokenizer is used from one thread at a time
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._real: Loaded | None = None
        self._error: BaseException | None = None
        self._prepare_text: str | None = None
        self._notices: list[str] = []
        self._on_notice: Callable[[str], None] | None = None
        self._thread = threading.Thread(target=self._run, args=(load,), daemon=True)
        self._thread.start()

    @property
    def context_window(self) -> int:
        return self._window

    @property
    def ready(self) -> bool:
        """Whether the load has ended (with the model or with an error)."""
        return self._ready.is_set()

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return self._count(text)

    def generate(self, prompt: str, settings: Settings, cancel: CancelToken | None = None,
                 on_text: Callable[[str], None] | None = None) -> str:
        return self.loaded(cancel).generate(prompt, settings, cancel, on_text)

    def prepare(self, text: str) -> None:
        """Encode text ahead now, or as soon as the model is there."""
        with self._lock:
            real = self._real
            if real is None:
                self._prepare_text = text
                return
        real.prepare(text)

    def wait_prepared(self, cancel: CancelToken | None = None) -> None:
        self.loaded(cancel).wait_prepared(cancel)

    def set_notice(self, callback: Callable[[str], None]) -> None:
        """Where the load's notices go (called from the thread that waits for the model)."""
        self._on_notice = callback

    def loaded(self, cancel: CancelToken | None = None) -> Loaded:
        """The generator, once loaded (Cancelled when cancel is set first; the load's error)."""
        while not self._ready.wait(POLL_S):
            if cancel is not None:
                cancel.check()
        self._flush_notices()
        if self._error is not None:
            raise self._error
        assert self._real is not None
        return self._real

    def close(self) -> None:
        """Stop the load (between two matrices) or the work ahead, before the game exits."""
        self._stop.set()
        self._thread.join()
        if self._real is not None:
            self._real.close()

    def __getattr__(self, name: str) -> Any:
        """Anything else the loaded generator has (its statistics, its model) once it is
        loaded; before, nothing else: a getattr(..., default) must not wait for the model
        without a cancel token."""
        real = self._real if not name.startswith("_") and self._ready.is_set() else None
        if real is None:
            raise AttributeError(name)
        return getattr(real, name)

    def _run(self, load: Load) -> None:
        try:
            real = load(self._notice, self._stop)
        except BaseException as error:  # noqa: BLE001 - re-raised in the game's thread
            self._error = error
            self._ready.set()
            return
        with self._lock:
            self._real = real
            text, self._prepare_text = self._prepare_text, None
            if text is not None and not self._stop.is_set():
                real.prepare(text)  # encodes the text here, so under the tokenizer's lock
        self._ready.set()

    def _notice(self, line: str) -> None:
        with self._lock:
            self._notices.append(line)

    def _flush_notices(self) -> None:
        if self._on_notice is None:
            return  # kept until someone listens
        with self._lock:
            lines, self._notices = self._notices, []
        for line in lines:
            self._on_notice(line)
