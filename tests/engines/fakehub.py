"""A local stand-in for the Hugging Face Hub on 127.0.0.1: model_info (with file sizes), the
tree listing and file downloads (with Range, so huggingface_hub resumes) for the repos it is
given, in the hub's URL layout. Point HF_ENDPOINT at it and the real huggingface_hub client
runs. A file can be cut off once after some bytes, the way a dropped connection cuts it."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
from pathlib import Path
from typing import Any, ClassVar

SHA = "fedcba9876543210fedcba9876543210fedcba98"


def git_hash(body: bytes) -> str:
    return hashlib.sha1(body).hexdigest()


def repo_from_dir(folder: Path) -> dict[str, bytes]:
    """A repo's files as the hub would serve them, read from a model folder."""
    return {entry.name: entry.read_bytes() for entry in sorted(folder.iterdir()) if entry.is_file()}


class Handler(http.server.BaseHTTPRequestHandler):
    repos: ClassVar[dict[str, dict[str, bytes]]] = {}
    requested: ClassVar[list[str]] = []  # "repo/file" of every file body sent
    cut_after: ClassVar[dict[str, int]] = {}  # "repo/file" -> bytes sent before the drop (once)
    hold_after: ClassVar[dict[str, int]] = {}  # "repo/file" -> bytes sent before a stall (once)
    released: ClassVar[threading.Event] = threading.Event()  # ends every stall

    def _reply(self, body: bytes, headers: dict[str, str] | None = None, status: int = 200) -> None:
        self.send_response(status)
        for key, value in {"Content-Length": str(len(body)), **(headers or {})}.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    def _missing(self) -> None:
        self.send_response(404)
        self.send_header("X-Error-Code", "RepoNotFound")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?")[0]
        repo = next((r for r in self.repos if path.startswith((f"/api/models/{r}", f"/{r}/"))), None)
        if repo is None:
            self._missing()
            return
        files = self.repos[repo]
        if path in (f"/api/models/{repo}", f"/api/models/{repo}/revision/main"):
            siblings = [{"rfilename": n, "size": len(b), "blobId": git_hash(b)} for n, b in files.items()]
            self._reply(json.dumps({"id": repo, "sha": SHA, "siblings": siblings}).encode())
        elif path.startswith(f"/api/models/{repo}/tree/{SHA}"):
            tree = [{"type": "file", "oid": git_hash(b), "size": len(b), "path": n}
                    for n, b in files.items()]
            self._reply(json.dumps(tree).encode())
        elif path.startswith(f"/{repo}/resolve/") and path.split("/resolve/", 1)[1].split("/", 1)[1] in files:
            self._file(repo, path.split("/resolve/", 1)[1].split("/", 1)[1])
        else:
            self._missing()

    def _file(self, repo: str, name: str) -> None:
        body = self.repos[repo][name]
        headers = {"ETag": f'"{git_hash(body)}"', "X-Repo-Commit": SHA, "Accept-Ranges": "bytes"}
        start = _range_start(self.headers.get("Range"))
        if self.command != "GET":
            self._reply(body, headers)
            return
        self.requested.append(f"{repo}/{name}" + (f"@{start}" if start else ""))
        part = body[start:]
        hold = self.hold_after.pop(f"{repo}/{name}", None)
        cut = self.cut_after.pop(f"{repo}/{name}", hold)
        if cut is not None:  # announce the whole body, send a part, drop the connection
            self.send_response(200)
            self.send_header("Content-Length", str(len(part)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(part[:cut])
            self.wfile.flush()
            if hold is not None:  # a stalled network: nothing more until released
                self.released.wait(30)
            self.close_connection = True
            return
        if start:
            headers["Content-Range"] = f"bytes {start}-{len(body) - 1}/{len(body)}"
        self._reply(part, headers, 206 if start else 200)

    def log_message(self, *args: object) -> None:
        pass


def _range_start(header: str | None) -> int:
    if not header or not header.startswith("bytes="):
        return 0
    return int(header[len("bytes="):].split("-", 1)[0] or 0)


class FakeHub:
    """Serves repos until closed; endpoint is what HF_ENDPOINT should be."""

    def __init__(self, repos: dict[str, dict[str, bytes]]) -> None:
        handler: Any = type("RepoHandler", (Handler,), {
            "repos": repos, "requested": [], "cut_after": {}, "hold_after": {},
            "released": threading.Event()})
        self.handler = handler
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def requested(self) -> list[str]:
        return list(self.handler.requested)

    def cut(self, repo_file: str, after: int) -> None:
        self.handler.cut_after[repo_file] = after

    def hold(self, repo_file: str, after: int) -> None:
        """The file's download stalls after `after` bytes until release() (or close())."""
        self.handler.hold_after[repo_file] = after

    def release(self) -> None:
        self.handler.released.set()

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()
