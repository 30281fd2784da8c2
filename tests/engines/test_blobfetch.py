"""blobfetch against the local hub (fakehub, real huggingface_hub client): a file that arrives
corrupted (one byte changed, same length) is refused and fetched anew by the next start, a
partial file continues even when the server ignores Range, a whole download leaves no partial
file and blobs with the hub's file mode, and the checksums are the hub's own (git's blob id)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gamio_cli.engines import blobfetch
from gamio_cli.engines.blobfetch import PARTIAL_SUFFIX, checksum_matches
from gamio_cli.engines.hub import cached_bytes, resolve_model_dir
from gamio_cli.errors import ModelUnavailable
from tests.engines.conftest import Serve
from tests.engines.fakehub import FakeHub, git_hash, repo_from_dir
from tests.tiny.build import TinyModels


def _etag(name: str, body: bytes) -> str:
    """The name the hub gives the blob: sha256 for LFS files, the git blob id for others."""
    return hashlib.sha256(body).hexdigest() if name.endswith(".safetensors") else git_hash(body)


@pytest.mark.parametrize("name", ["model.safetensors", "config.json"])
def test_a_corrupted_file_is_refused_and_the_next_start_fetches_it_anew(
    serve: Serve, hf: Path, tiny_models: TinyModels, name: str
) -> None:
    files = repo_from_dir(tiny_models.generator)
    hub = serve({"bad/model": files})
    hub.corrupt(f"bad/model/{name}")
    with pytest.raises(ModelUnavailable) as caught:
        resolve_model_dir("bad/model", "генератор историй")
    message = caught.value.message
    assert f"Файл bad/model/{name} скачался с ошибкой" in message
    assert "контрольная сумма не совпала" in message and "запустите команду снова" in message
    repo = hf / "models--bad--model"
    assert not (repo / "blobs" / _etag(name, files[name])).exists()
    assert not list(repo.rglob("*" + PARTIAL_SUFFIX))
    assert name not in {path.name for path in repo.rglob("snapshots/*/*")}
    folder = resolve_model_dir("bad/model", "генератор историй")
    assert (folder / name).read_bytes() == files[name]
    assert hub.requested.count(f"bad/model/{name}") == 2  # anew, whole, not resumed


def _with_partial(serve: Serve, hf: Path, tiny_models: TinyModels, repo: str, kept: int
                  ) -> tuple[FakeHub, bytes, Path]:
    """The tiny generator served as repo, its weights' first `kept` bytes already in the
    cache as gamio's partial file: (the hub, the weights, the blobs folder)."""
    files = repo_from_dir(tiny_models.generator)
    hub = serve({repo: files})
    weights = files["model.safetensors"]
    blobs = hf / ("models--" + repo.replace("/", "--")) / "blobs"
    blobs.mkdir(parents=True)
    (blobs / (_etag("model.safetensors", weights) + PARTIAL_SUFFIX)).write_bytes(weights[:kept])
    return hub, weights, blobs


def test_a_partial_file_is_continued_even_when_the_server_ignores_range(
    serve: Serve, hf: Path, tiny_models: TinyModels
) -> None:
    """http_get starts the file over when it gets 200 to a Range request: the result is the
    file, not the partial bytes followed by the whole file."""
    hub, weights, _ = _with_partial(serve, hf, tiny_models, "norange/model", 5000)
    hub.ignore_range("norange/model/model.safetensors")
    folder = resolve_model_dir("norange/model", "генератор историй")
    assert (folder / "model.safetensors").read_bytes() == weights
    assert "norange/model/model.safetensors" in hub.requested  # sent whole, from byte 0


def test_a_partial_file_counts_as_fetched_and_a_whole_download_leaves_none(
    serve: Serve, hf: Path, tiny_models: TinyModels
) -> None:
    hub, weights, blobs = _with_partial(serve, hf, tiny_models, "whole/model", 3000)
    (blobs / "0123abcd.0f0f0f0f.incomplete").write_bytes(b"\0" * 700)  # the hub's: not resumed
    assert cached_bytes("whole/model", hf) == 3000
    folder = resolve_model_dir("whole/model", "генератор историй")
    assert "whole/model/model.safetensors@3000" in hub.requested
    assert (folder / "model.safetensors").read_bytes() == weights
    assert not list(hf.rglob("*" + PARTIAL_SUFFIX))
    umask = os.umask(0o022)
    os.umask(umask)
    modes = {path.stat().st_mode & 0o777 for path in blobs.iterdir() if "." not in path.name}
    assert modes == {0o666 & ~umask}  # what huggingface_hub gives the blobs it writes


def test_the_repo_folder_is_huggingface_hubs_name_for_it() -> None:
    assert blobfetch.repo_folder("Helsinki-NLP/opus-mt-ru-en", Path("/c")) == Path(
        "/c/models--Helsinki-NLP--opus-mt-ru-en")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_regular_files_checksum_is_gits_blob_id(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_bytes(b'{"model_type": "gpt2"}\n')
    oid = subprocess.run(["git", "hash-object", str(path)], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert oid == git_hash(path.read_bytes()) and checksum_matches(path, oid)


@settings(max_examples=50, deadline=None)
@given(body=st.binary(max_size=3000), flip=st.integers(min_value=0))
def test_a_checksum_matches_its_body_and_no_body_with_one_byte_changed(
    tmp_path_factory: pytest.TempPathFactory, body: bytes, flip: int
) -> None:
    path = tmp_path_factory.mktemp("blob") / "file"
    path.write_bytes(body)
    for etag in (hashlib.sha256(body).hexdigest(), git_hash(body)):
        assert checksum_matches(path, etag)
        if body:
            changed = bytearray(body)
            changed[flip % len(body)] ^= 0x01
            path.write_bytes(bytes(changed))
            assert not checksum_matches(path, etag)
            path.write_bytes(body)
