"""HTTP to the server with httpx: JSON requests, and streamed lines that Ctrl-C can stop.

The stream is read on a helper thread and handed over a queue; the game's thread waits in
short slices and checks the cancel token between them, so Ctrl-C closes the connection and
returns within POLL_S even while the server is silent. A 429 waits as the server's Retry-After
asks (at most MAX_WAITS times, at most MAX_WAIT_S each, telling the player) and then fails.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from gamio_cli.engine import CancelToken
from gamio_cli.engines.remote.failures import (
    KEY_VARIABLES,
    RemoteFailure,
    status_failure,
    transport_failure,
)

# Seconds to connect before giving up.
CONNECT_S = 5.0
# Default seconds a stream may stay silent (no byte at all) before the turn fails.
STALL_S = 60.0
# The game's thread checks for Ctrl-C this often while it waits for the server, in seconds.
POLL_S = 0.05
# 429: how many waits, and the longest one, in seconds.
MAX_WAITS = 2
MAX_WAIT_S = 30.0


class Refused(Exception):
    """An HTTP 4xx/5xx answer: its status and its body, for the caller to judge (422, 404)."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body


def api_key() -> str | None:
    """The key from the environment only (never argv, saves or logs)."""
    for name in KEY_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


def server_label(url: str) -> str:
    """scheme://host:port of url, for messages: no user, password, path or query."""
    parts = urlsplit(url)
    host = parts.hostname or url
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}" if parts.scheme else host


def base_url(url: str) -> str:
    """The server's root: players often copy an address ending in /v1 (the API's own root),
    and every path gamio asks for starts with /v1 or is a server's own (/props, /api)."""
    url = url.strip().rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


def retry_after(value: str | None) -> float:
    """Seconds a Retry-After header asks for (1 when absent or a date), within MAX_WAIT_S."""
    try:
        seconds = float(value) if value is not None else 1.0
    except ValueError:
        seconds = 1.0
    return min(max(seconds, 0.0), MAX_WAIT_S)


@dataclass
class Transport:
    """One server: its base URL, its key, the timeouts; on_notice shows a waiting line."""

    base_url: str
    stall_s: float = STALL_S
    on_notice: Callable[[str], None] = field(default=lambda _line: None)
    _client: Any = field(default=None, init=False, repr=False)

    @property
    def label(self) -> str:
        return server_label(self.base_url)

    def client(self) -> Any:
        if self._client is None:
            import httpx

            key = api_key()
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            timeout = httpx.Timeout(self.stall_s, connect=CONNECT_S)
            self._client = httpx.Client(base_url=base_url(self.base_url), headers=headers,
                                        timeout=timeout)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def get_json(self, path: str) -> Any:
        """GET path -> parsed JSON; Refused for an error status, RemoteFailure for the rest."""
        return self._json("GET", path, None)

    def post_json(self, path: str, body: dict[str, Any]) -> Any:
        return self._json("POST", path, body)

    def _json(self, method: str, path: str, body: dict[str, Any] | None) -> Any:
        import httpx

        try:
            response = self.client().request(method, path, json=body)
        except httpx.TransportError as error:
            raise transport_failure(error, self.label, self.stall_s) from None
        if response.status_code >= 400:
            raise Refused(response.status_code, response.text)
        try:
            return response.json()
        except ValueError:
            raise Refused(response.status_code, "not JSON") from None

    def stream_lines(
        self, path: str, body: dict[str, Any], cancel: CancelToken | None
    ) -> Iterator[str]:
        """POST path and yield the answer's lines as they come; Refused for an error status
        (after the 429 waits), RemoteFailure for the network, Cancelled on Ctrl-C."""
        for attempt in range(MAX_WAITS + 1):
            stream = _Stream(self, path, body)
            try:
                first = stream.next_item(cancel)
                if isinstance(first, Refused) and first.status == 429 and attempt < MAX_WAITS:
                    self._wait(stream.retry_after, cancel)
                    continue
                if isinstance(first, Refused):
                    raise first
                if first is not None:
                    yield first
                    yield from stream.lines(cancel)
                return
            finally:
                stream.close()
        raise status_failure(429, self.label, "", [])

    def _wait(self, seconds: float, cancel: CancelToken | None) -> None:
        self.on_notice(f"Сервер просит подождать (HTTP 429): жду {seconds:g} с…")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if cancel is not None:
                cancel.check()
            time.sleep(min(POLL_S, max(0.0, deadline - time.monotonic())))


_END = object()


class _Stream:
    """One streamed request read on a helper thread: its lines, an error or its end."""

    def __init__(self, transport: Transport, path: str, body: dict[str, Any]) -> None:
        self._transport = transport
        self._items: queue.Queue[object] = queue.Queue()
        self._response: Any = None
        self._closed = threading.Event()
        self.retry_after = 1.0
        self._thread = threading.Thread(target=self._pump, args=(path, body), daemon=True)
        self._thread.start()

    def _pump(self, path: str, body: dict[str, Any]) -> None:
        try:
            with self._transport.client().stream("POST", path, json=body) as response:
                self._response = response
                if response.status_code >= 400:
                    self.retry_after = retry_after(response.headers.get("retry-after"))
                    self._items.put(Refused(response.status_code, response.read().decode(
                        "utf-8", "replace")))
                    return
                for line in response.iter_lines():
                    if self._closed.is_set():
                        return
                    self._items.put(line)
            self._items.put(_END)
        except BaseException as error:  # handed to the game's thread, which decides
            if not self._closed.is_set():
                self._items.put(error)

    def next_item(self, cancel: CancelToken | None) -> str | Refused | None:
        """The next line, a Refused answer, or None at the end; raises what the thread met."""
        import httpx

        while True:
            if cancel is not None and cancel.cancelled:
                self.close()
                cancel.check()
            try:
                item = self._items.get(timeout=POLL_S)
            except queue.Empty:
                continue
            if item is _END:
                return None
            if isinstance(item, (str, Refused)):
                return item
            if isinstance(item, httpx.TransportError):
                raise transport_failure(item, self._transport.label,
                                        self._transport.stall_s) from None
            if isinstance(item, BaseException):
                raise RemoteFailure(f"Не удалось прочесть ответ сервера "
                                    f"{self._transport.label}: {type(item).__name__}.")

    def lines(self, cancel: CancelToken | None) -> Iterator[str]:
        while (item := self.next_item(cancel)) is not None:
            if isinstance(item, Refused):  # only the first item can be one
                raise item
            yield item

    def close(self) -> None:
        """Stop reading and close the connection (from the game's thread, e.g. on Ctrl-C)."""
        if self._closed.is_set():
            return
        self._closed.set()
        if self._response is not None:
            # Closed on yet another thread: httpx may wait for a lock the reading thread holds,
            # and the player must get the prompt back now.
            threading.Thread(target=_quietly_close, args=(self._response,), daemon=True).start()


def _quietly_close(response: Any) -> None:
    try:
        response.close()
    except Exception:  # the helper thread may be inside a read: it ends either way
        pass
