"""A scripted HTTP server for the failures no real server can be made to show on cue (429,
5xx, a malformed event, a stall, a stream cut short) and for Ollama's own API (no Ollama binary
here). Every path it stands in for is also played against the real server (test_served.py).

Each route is a function that writes the whole answer with the handler's wfile.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Route = Callable[["Handler"], None]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    routes: dict[str, Route] = {}
    bodies: list[dict[str, Any]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _route(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        self.bodies.append(json.loads(raw) if raw else {})
        route = self.routes.get(self.path)
        if route is None:
            answer(self, 404, {"error": "not here"})
            return
        route(self)

    do_GET = _route
    do_POST = _route


def answer(handler: BaseHTTPRequestHandler, status: int, data: Any,
           headers: dict[str, str] | None = None) -> None:
    body = json.dumps(data).encode("utf-8")
    handler.send_response(status)
    for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def stream(handler: BaseHTTPRequestHandler, lines: list[bytes], end: bool = True) -> None:
    """A chunked answer of lines; end=False stops without the closing chunk (a cut)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    for line in lines:
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
        handler.wfile.flush()
    if end:
        handler.wfile.write(b"0\r\n\r\n")
    else:
        handler.close_connection = True


def sse(*texts: str, done: bool = True) -> list[bytes]:
    """Completions events for texts, the last with finish_reason, then [DONE]."""
    events = [{"choices": [{"index": 0, "text": text,
                            "finish_reason": "stop" if i == len(texts) - 1 and done else None}]}
              for i, text in enumerate(texts)]
    lines = [b"data: " + json.dumps(event).encode("utf-8") + b"\n\n" for event in events]
    return lines + ([b"data: [DONE]\n\n"] if done else [])


MODELS: Route = lambda h: answer(h, 200, {"data": [{"id": "fake-model"}]})  # noqa: E731


@contextmanager
def fake_server(routes: dict[str, Route]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(base URL, the request bodies received) while the server runs in a thread."""
    handler = type("Scripted", (Handler,), {"routes": {"/v1/models": MODELS, **routes},
                                            "bodies": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler.bodies
    finally:
        server.shutdown()
        server.server_close()
