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
            response = _Headers(self, path, body).wait(cancel)
            try:
                if response.status_code == 429 and attempt < MAX_WAITS:
                    self._wait(retry_after(response.headers.get("retry-after")), cancel)
                    continue
                if response.status_code >= 400:
                    raise Refused(response.status_code, self._body(response))
                yield from self._lines(response, cancel)
                return
            finally:
                _quietly_close(response)
        raise status_failure(429, self.label, "", [])

    def _body(self, response: Any) -> str:
        import httpx

        try:
            return str(response.read().decode("utf-8", "replace"))
        except httpx.HTTPError:
            return ""

    def _lines(self, response: Any, cancel: CancelToken | None) -> Iterator[str]:
        """The body's lines, read on this thread (no hand-over per token); a watcher thread
        shuts the socket on Ctrl-C, so even a silent server lets go within POLL_S."""
        import httpx

        watcher = _Watcher(response, cancel)
        try:
            for line in response.iter_lines():
                if cancel is not None:
                    cancel.check()
                yield line
        except httpx.TransportError as error:
            if cancel is not None:
                cancel.check()
            raise transport_failure(error, self.label, self.stall_s) from None
        except Exception:  # the socket shut under a read: what is left is the cancel
            if cancel is not None:
                cancel.check()
            raise
        finally:
            watcher.stop()
        if cancel is not None:
            cancel.check()

    def _wait(self, seconds: float, cancel: CancelToken | None) -> None:
        self.on_notice(f"Сервер просит подождать (HTTP 429): жду {seconds:g} с…")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if cancel is not None:
                cancel.check()
            time.sleep(min(POLL_S, max(0.0, deadline - time.monotonic())))


class _Headers:
    """One request sent on a helper thread until its status and headers arrive, so that the
    game's thread can wait for them in slices and let Ctrl-C through (the server may think
    for a while before it answers: a long prompt)."""

    def __init__(self, transport: Transport, path: str, body: dict[str, Any]) -> None:
        self._transport = transport
        self._items: queue.Queue[object] = queue.Queue()
        self._abandoned = threading.Event()
        thread = threading.Thread(target=self._send, args=(path, body), daemon=True)
        thread.start()

    def _send(self, path: str, body: dict[str, Any]) -> None:
        try:
            client = self._transport.client()
            response = client.send(client.build_request("POST", path, json=body), stream=True)
        except BaseException as error:  # handed to the game's thread, which decides
            self._items.put(error)
            return
        self._items.put(response)
        if self._abandoned.is_set():  # nobody will read it: let the connection go
            _quietly_close(response)

    def wait(self, cancel: CancelToken | None) -> Any:
        """The response (status and headers read, body not yet); raises what sending met."""
        import httpx

        while True:
            if cancel is not None and cancel.cancelled:
                self._abandoned.set()
                cancel.check()
            try:
                item = self._items.get(timeout=POLL_S)
            except queue.Empty:
                continue
            if isinstance(item, httpx.TransportError):
                raise transport_failure(item, self._transport.label,
                                        self._transport.stall_s) from None
            if isinstance(item, BaseException):
                raise RemoteFailure(f"Не удалось связаться с сервером {self._transport.label}: "
                                    f"{type(item).__name__}.")
            return item


class _Watcher:
    """Polls the cancel token while the game's thread reads the body; on Ctrl-C it shuts the
    connection's socket, which wakes a read blocked on a silent server at once."""

    def __init__(self, response: Any, cancel: CancelToken | None) -> None:
        self._response = response
        self._cancel = cancel
        self._done = threading.Event()
        if cancel is not None:
            threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        while not self._done.wait(POLL_S):
            if self._cancel is not None and self._cancel.cancelled:
                _shut(self._response)
                return

    def stop(self) -> None:
        self._done.set()


def _shut(response: Any) -> None:
    """Shut the response's socket for reading and writing (close() alone does not wake a
    read blocked in another thread); close the response where no socket is reachable."""
    import socket

    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if sock is None:
        _quietly_close(response)
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed
        pass


def _quietly_close(response: Any) -> None:
    try:
        response.close()
    except Exception:  # the helper thread may be inside a read: it ends either way
        pass
