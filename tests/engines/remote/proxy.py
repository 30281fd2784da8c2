"""A small reverse proxy in front of a real server: it checks a bearer token (the wrong-key
test) and can slow the stream down (so a test can press Ctrl-C or kill it mid-stream).

    python -m tests.engines.remote.proxy UPSTREAM PORT [--key KEY] [--delay SECONDS]

Everything else is forwarded as it is: the status, the content type, the body chunk by chunk.
"""

from __future__ import annotations

import argparse
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx


def handler(upstream: str, key: str | None, delay_s: float) -> type[BaseHTTPRequestHandler]:
    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _forward(self, method: str) -> None:
            if key is not None and self.headers.get("Authorization") != f"Bearer {key}":
                self._answer(401, b'{"error": {"message": "invalid api key"}}')
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {"Content-Type": self.headers.get("Content-Type", "application/json")}
            with httpx.stream(method, upstream + self.path, content=body, headers=headers,
                              timeout=120) as response:
                self.send_response(response.status_code)
                self.send_header("Content-Type", response.headers.get("content-type", ""))
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for chunk in response.iter_raw():
                    if delay_s:
                        time.sleep(delay_s)
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")

        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path == "/health":
                self._answer(200, b'{"status": "ok"}')
                return
            self._forward("GET")

        def do_POST(self) -> None:
            self._forward("POST")

    return Forward


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("upstream")
    parser.add_argument("port", type=int)
    parser.add_argument("--key")
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port),
                                 handler(args.upstream, args.key, args.delay))
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
