"""One file of a hub repo into the hub cache: resumable across calls, checksum-verified.

huggingface_hub 2.x downloads into a process-unique `<etag>.<uuid>.incomplete` and deletes it
when the download stops (its PR #4228), and checks only the size. Here a missing blob is
downloaded into `<blob>.gamio-partial` beside it (same folder, so the final rename is atomic),
kept when the download stops (Ctrl-C, a lost connection) and continued from its last byte by
the next call; huggingface_hub's own http_get does the transfer, so its progress bar, its
retries within the call and its handling of a server that ignores Range stay. The whole file's
hash must equal the etag the hub names it by (sha256 for LFS files, the git blob id for the
others) before it becomes the blob; then hf_hub_download finds the blob and writes the snapshot
pointer and refs/main itself, so the cache stays huggingface_hub's own layout.

Xet-backed files (most weights on the hub today) come through the plain HTTP URL the metadata
names, as huggingface_hub itself does when hf_xet is missing: one stream instead of Xet's
parallel chunks, but a file on disk that a later call can resume and a hash gamio can check.
huggingface_hub is imported inside functions.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from gamio_cli.durable import fsync_directory
from gamio_cli.errors import ModelUnavailable

PARTIAL_SUFFIX = ".gamio-partial"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_GIT_BLOB_ID = re.compile(r"[0-9a-f]{40}")
_HASH_CHUNK = 8 * 2**20


def repo_folder(repo_id: str, cache: Path) -> Path:
    """The repo's folder in the hub cache (models--org--name), named by huggingface_hub."""
    from huggingface_hub.file_download import repo_folder_name

    return cache / repo_folder_name(repo_id=repo_id, repo_type="model")


def fetch(repo_id: str, name: str, cache: Path, endpoint: str) -> Path:
    """The snapshot path of one file of repo_id (revision main), its blob downloaded (or
    resumed) and verified first when it is not in the cache yet.

    A file whose etag is no checksum (not a hub-compatible server) or whose metadata lacks
    the size or commit is left to hf_hub_download, which checks or refuses it as it does.
    Raises ModelUnavailable when the downloaded file does not match its checksum.
    """
    from huggingface_hub import get_hf_file_metadata, hf_hub_download, hf_hub_url

    url = hf_hub_url(repo_id, name, endpoint=endpoint)
    meta = get_hf_file_metadata(url, endpoint=endpoint)
    etag, size = meta.etag or "", meta.size
    checkable = bool(_SHA256.fullmatch(etag) or _GIT_BLOB_ID.fullmatch(etag))
    if meta.commit_hash and size is not None and checkable:
        folder = repo_folder(repo_id, cache)
        if not (folder / "blobs" / etag).exists():
            _fetch_blob(folder, etag, meta.location, size, _headers(url, meta.location),
                        f"{repo_id}/{name}")
    return Path(hf_hub_download(repo_id, name, cache_dir=cache, endpoint=endpoint))


def _headers(url: str, location: str) -> dict[str, str]:
    """The hub's request headers (token included); like hf_hub_download, the token is not
    sent to a CDN of another origin (its URL is signed)."""
    from huggingface_hub.utils import build_hf_headers

    headers = build_hf_headers()
    hub, target = urlsplit(url), urlsplit(location)
    if (hub.scheme, hub.netloc) != (target.scheme, target.netloc):
        headers.pop("authorization", None)
    return headers


def _fetch_blob(folder: Path, etag: str, location: str, size: int, headers: dict[str, str],
                shown: str) -> None:
    """Download (or continue) the blob's partial file, verify it and rename it into place."""
    from huggingface_hub.utils import WeakFileLock

    blob = folder / "blobs" / etag
    blob.parent.mkdir(parents=True, exist_ok=True)
    lock = folder.parent / ".locks" / folder.name / f"{etag}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    # The hub's own lock for this blob: another process (gamio or huggingface_hub) fetching it
    # waits instead of writing the same partial file.
    with WeakFileLock(lock):
        if blob.exists():  # the other process finished it meanwhile
            return
        partial = blob.with_name(blob.name + PARTIAL_SUFFIX)
        _download_partial(partial, location, size, headers, shown.rsplit("/", 1)[-1])
        if not checksum_matches(partial, etag):
            partial.unlink(missing_ok=True)
            raise ModelUnavailable(
                f"Файл {shown} скачался с ошибкой: его контрольная сумма не совпала с той, что "
                "указывает Hugging Face (файл испорчен в пути или на диске). Испорченный файл "
                "удалён; запустите команду снова — он скачается заново."
            )
        # The partial was created by open() in this folder, so its mode is already the
        # hub's (0o666 minus the umask); the rename keeps it.
        os.replace(partial, blob)
        fsync_directory(blob.parent)


def _download_partial(partial: Path, location: str, size: int, headers: dict[str, str],
                      name: str) -> None:
    """Bring partial up to size bytes from location, continuing after what it holds.

    Opened "r+b" and positioned at the end rather than "ab": http_get writes from the file's
    position and, when a server ignores Range (200, the whole file), seeks back and
    truncates; an update-mode file does what those calls say, appending writes would not
    follow the seek.
    """
    from huggingface_hub.file_download import http_get

    with open(partial, "r+b" if partial.exists() else "wb") as file:
        have = file.seek(0, os.SEEK_END)
        if have > size:  # not a prefix of this file (nothing else writes here): start over
            file.seek(0)
            file.truncate()
            have = 0
        http_get(location, file, resume_size=have, expected_size=size, headers=headers,
                 displayed_filename=name)
        file.flush()
        os.fsync(file.fileno())


def checksum_matches(path: Path, etag: str) -> bool:
    """Whether path's content has the hub's etag: sha256 (64 hex, LFS files) or the git blob
    id, sha1 of "blob <length>\\0" and the content (40 hex, the others)."""
    digest: Any = (hashlib.sha256() if _SHA256.fullmatch(etag)
                   else hashlib.sha1(b"blob %d\0" % path.stat().st_size))
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(_HASH_CHUNK), b""):
            digest.update(chunk)
    return str(digest.hexdigest()) == etag
