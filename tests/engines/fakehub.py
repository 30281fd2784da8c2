"""A local stand-in for the Hugging Face Hub on 127.0.0.1: model_info (with file sizes), the
tree listing and file downloads (with Range, so downloads resume) for the repos it is given,
in the hub's URL layout. Point HF_ENDPOINT at it and the real huggingface_hub client runs.

Like the real hub, a regular file is served from /<repo>/resolve/<rev>/<name> with its git blob
id as ETag, and an LFS file (weights, sentencepiece models) answers there with a 302 to a CDN:
a second server on another port (another origin, so the client stops at the redirect and
reads X-Linked-Etag: the sha256, X-Linked-Size, X-Repo-Commit from it, as it does with
cdn-lfs.hf.co). A file can be cut off once after some bytes, the way a dropped connection
cuts it, stall until released, be served once with one byte changed, or be sent whole
whatever Range asks."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, quote, urlsplit

SHA = "fedcba9876543210fedcba9876543210fedcba98"
LFS_SUFFIXES = (".safetensors", ".bin", ".spm", ".model")


def git_hash(body: bytes) -> str:
    """The git blob id, what the hub names a regular file by (its ETag)."""
    return hashlib.sha1(b"blob %d\0" % len(body) + body).hexdigest()


def is_lfs(name: str) -> bool:
    return name.endswith(LFS_SUFFIXES)


def _pointer(body: bytes) -> bytes:
    """The git-lfs pointer file that git stores in place of an LFS file."""
    sha = hashlib.sha256(body).hexdigest()
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize {len(body)}\n".encode()


def _listing(name: str, body: bytes, *, tree: bool) -> dict[str, Any]:
    """One file as model_info (siblings) or the tree listing describes it: the real size, and
    for an LFS file the pointer's git id plus an lfs entry with the sha256."""
    lfs: dict[str, Any] | None = None
    oid = git_hash(body)
    if is_lfs(name):
        sha, pointer = hashlib.sha256(body).hexdigest(), _pointer(body)
        oid = git_hash(pointer)
        lfs = {"oid" if tree else "sha256": sha, "size": len(body), "pointerSize": len(pointer)}
    entry: dict[str, Any] = ({"type": "file", "path": name, "oid": oid, "size": len(body)} if tree
                             else {"rfilename": name, "size": len(body), "blobId": oid})
    return {**entry, "lfs": lfs} if lfs else entry


def repo_from_dir(folder: Path) -> dict[str, bytes]:
    """A repo's files as the hub would serve them, read from a model folder."""
    return {entry.name: entry.read_bytes() for entry in sorted(folder.iterdir()) if entry.is_file()}


class Handler(http.server.BaseHTTPRequestHandler):
    repos: ClassVar[dict[str, dict[str, bytes]]] = {}
    cdn: ClassVar[str] = ""  # where LFS files redirect to
    requested: ClassVar[list[str]] = []  # "repo/file" (+ "@start" when ranged) of every body sent
    cut_after: ClassVar[dict[str, int]] = {}  # "repo/file" -> bytes sent before the drop (once)
    hold_after: ClassVar[dict[str, int]] = {}  # "repo/file" -> bytes sent before a stall (once)
    corrupted: ClassVar[set[str]] = set()  # "repo/file" served once with one byte changed
    no_range: ClassVar[set[str]] = set()  # "repo/file" whose Range header is ignored (200, whole)
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
        if path.startswith("/lfs/"):
            self._from_cdn()
            return
        repo = next((r for r in self.repos if path.startswith((f"/api/models/{r}", f"/{r}/"))), None)
        if repo is None:
            self._missing()
            return
        files = self.repos[repo]
        if path in (f"/api/models/{repo}", f"/api/models/{repo}/revision/main"):
            siblings = [_listing(n, b, tree=False) for n, b in files.items()]
            self._reply(json.dumps({"id": repo, "sha": SHA, "siblings": siblings}).encode())
        elif path.startswith(f"/api/models/{repo}/tree/{SHA}"):
            self._reply(json.dumps([_listing(n, b, tree=True) for n, b in files.items()]).encode())
        elif path.startswith(f"/{repo}/resolve/") and path.split("/resolve/", 1)[1].split("/", 1)[1] in files:
            self._resolve(repo, path.split("/resolve/", 1)[1].split("/", 1)[1])
        else:
            self._missing()

    def _resolve(self, repo: str, name: str) -> None:
        body = self.repos[repo][name]
        if not is_lfs(name):
            self._file(repo, name, {"ETag": f'"{git_hash(body)}"'})
            return
        # The real hub: 302 to a signed CDN URL; the ETag is the pointer file's git id, the
        # X-Linked-* headers describe the file itself.
        sha = hashlib.sha256(body).hexdigest()
        self._reply(b"", {"Location": f"{self.cdn}/lfs/{sha}?file={quote(f'{repo}/{name}')}",
                          "ETag": f'"{git_hash(_pointer(body))}"', "X-Linked-Etag": f'"{sha}"',
                          "X-Linked-Size": str(len(body)), "X-Repo-Commit": SHA}, 302)

    def _from_cdn(self) -> None:
        repo_file = parse_qs(urlsplit(self.path).query).get("file", [""])[0]
        repo, _, name = repo_file.rpartition("/")
        if name not in self.repos.get(repo, {}):
            self._missing()
            return
        self._file(repo, name, {"ETag": f'"{hashlib.sha256(self.repos[repo][name]).hexdigest()}"'})

    def _file(self, repo: str, name: str, headers: dict[str, str]) -> None:
        body = self.repos[repo][name]
        headers = {**headers, "X-Repo-Commit": SHA, "Accept-Ranges": "bytes"}
        key = f"{repo}/{name}"
        start = 0 if key in self.no_range else _range_start(self.headers.get("Range"))
        if self.command != "GET":
            self._reply(body, headers)
            return
        self.requested.append(key + (f"@{start}" if start else ""))
        if key in self.corrupted:  # same length, one byte changed: only a checksum can tell
            self.corrupted.discard(key)
            middle = len(body) // 2
            body = body[:middle] + bytes([body[middle] ^ 0xFF]) + body[middle + 1:]
        part = body[start:]
        hold = self.hold_after.pop(key, None)
        cut = self.cut_after.pop(key, hold)
        if cut is not None:  # announce the whole body, send a part, drop the connection
            self.send_response(200)
            self.send_header("Content-Length", str(len(part)))
            for header, value in headers.items():
                self.send_header(header, value)
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
            "corrupted": set(), "no_range": set(), "released": threading.Event()})
        self.handler = handler
        self.servers = [http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) for _ in "hc"]
        for server in self.servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        self.endpoint, handler.cdn = (f"http://127.0.0.1:{s.server_address[1]}" for s in self.servers)

    @property
    def requested(self) -> list[str]:
        return list(self.handler.requested)

    def cut(self, repo_file: str, after: int) -> None:
        self.handler.cut_after[repo_file] = after

    def hold(self, repo_file: str, after: int) -> None:
        """The file's download stalls after `after` bytes until release() (or close())."""
        self.handler.hold_after[repo_file] = after

    def corrupt(self, repo_file: str) -> None:
        """The file's next download has one byte changed (same length)."""
        self.handler.corrupted.add(repo_file)

    def ignore_range(self, repo_file: str) -> None:
        """The file is always sent whole (200), as a CDN that drops Range for gzip does."""
        self.handler.no_range.add(repo_file)

    def release(self) -> None:
        self.handler.released.set()

    def close(self) -> None:
        self.release()
        for server in self.servers:
            server.shutdown()
            server.server_close()
