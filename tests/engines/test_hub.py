"""Where model files come from: local directories, the HF cache, and a hub that is unreachable.

No test touches the real network: the "hub" is either switched off, a closed local port, or a
tiny local HTTP server that answers the way the Hugging Face API answers errors.
"""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from huggingface_hub import constants as hf_constants
from hypothesis import given
from hypothesis import strategies as st

from gamio_cli.engines import hub
from gamio_cli.engines.hub import resolve_model_dir, wanted_files
from gamio_cli.errors import ModelUnavailable
from tests.engines.fakehub import FakeHub

REPO = "Helsinki-NLP/opus-mt-ru-en"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def empty_hf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty HF home, no offline flags, no proxies: each test sets the rest."""
    home = tmp_path / "hf-home"
    home.mkdir()
    monkeypatch.setenv("HF_HOME", str(home))
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE",
                 "HF_ENDPOINT", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy",
                 "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    return home


def _fake_model_dir(path: Path, *, config: bool = True, tokenizer: bool = True,
                    weights: str | None = "model.safetensors") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    if config:
        (path / "config.json").write_text("{}", encoding="utf-8")
    if tokenizer:
        (path / "vocab.json").write_text("{}", encoding="utf-8")
    if weights:
        (path / weights).write_bytes(b"\0")
    return path


def _timed_error(id_or_dir: str, option: str = "--ru-en") -> tuple[str, float]:
    start = time.monotonic()
    with pytest.raises(ModelUnavailable) as caught:
        resolve_model_dir(id_or_dir, "переводчик ru→en", option=option)
    return caught.value.message, time.monotonic() - start


# --- local directories ------------------------------------------------------------------------

def test_complete_local_dir_is_used_as_is(tmp_path: Path) -> None:
    model = _fake_model_dir(tmp_path / "my model")
    assert resolve_model_dir(str(model), "генератор") == model


def test_relative_and_home_paths_are_local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_model_dir(tmp_path / "models" / "gen")
    monkeypatch.chdir(tmp_path)
    assert resolve_model_dir("./models/gen", "генератор").resolve() == tmp_path / "models" / "gen"
    # A bare "org/name" that exists on disk is a directory, not a hub id.
    assert resolve_model_dir("models/gen", "генератор").resolve() == tmp_path / "models" / "gen"
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_model_dir("~/models/gen", "генератор") == tmp_path / "models" / "gen"


@pytest.mark.parametrize("spec", ["/nonexistent/gamio-model", "./no-such-model", "~/no/such/model",
                                  "a/b/c"])
def test_missing_dir_names_the_dir(spec: str) -> None:
    message, _ = _timed_error(spec)
    assert "не найдена" in message
    assert Path(spec).name in message
    assert "переводчик ru→en" in message


@pytest.mark.parametrize(
    ("kwargs", "missing"),
    [
        ({"weights": None}, "весов (pytorch_model.bin или *.safetensors)"),
        ({"weights": "tf_model.h5"}, "весов"),
        ({"config": False}, "config.json"),
        ({"tokenizer": False}, "файлов токенизатора"),
    ],
)
def test_incomplete_dir_says_what_is_missing(tmp_path: Path, kwargs: dict[str, object],
                                             missing: str) -> None:
    model = _fake_model_dir(tmp_path / "half", **kwargs)  # type: ignore[arg-type]
    message, _ = _timed_error(str(model))
    assert str(model) in message
    assert missing in message
    assert message.count("не хватает") == 1


def test_pytorch_bin_and_sharded_weights_count(tmp_path: Path) -> None:
    _fake_model_dir(tmp_path / "bin", weights="pytorch_model.bin")
    _fake_model_dir(tmp_path / "shards", weights="model-00001-of-00002.safetensors")
    assert resolve_model_dir(str(tmp_path / "bin"), "генератор") == tmp_path / "bin"
    assert resolve_model_dir(str(tmp_path / "shards"), "генератор") == tmp_path / "shards"


# --- the hub, unreachable ---------------------------------------------------------------------

def test_offline_flag_gives_clear_message_fast(empty_hf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    message, seconds = _timed_error(REPO)
    assert seconds < 2.0
    assert f"«{REPO}»" in message and "переводчик ru→en" in message
    # The remedy is to lift the flag, not to find a network the player already has.
    assert "HF_HUB_OFFLINE=0 gamio" in message and "--ru-en ПАПКА" in message
    assert "Подключитесь к интернету" not in message


def test_unreachable_endpoint_gives_clear_message_fast(
    empty_hf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # the discard port: nothing listens
    message, seconds = _timed_error(REPO, option="--generator")
    assert seconds < 2.0
    assert f"«{REPO}»" in message and "сервер http://127.0.0.1:9 недоступен" in message
    assert "--generator ПАПКА" in message


def test_hanging_network_is_cut_short(empty_hf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A DNS lookup or SYN that hangs (captive portal, broken resolver) still answers in time."""
    release = threading.Event()

    def hang(*args: object, **kwargs: object) -> None:
        release.wait(30)
        raise OSError("gave up")

    monkeypatch.setattr(socket, "create_connection", hang)
    try:
        message, seconds = _timed_error(REPO)
    finally:
        release.set()
    assert 1.0 < seconds < 2.0
    assert "недоступен" in message


def test_offline_in_fresh_process_is_fast_and_loads_no_torch(tmp_path: Path) -> None:
    """The whole facade, as the CLI calls it, with huggingface_hub reading the env at import."""
    code = (
        "import sys, time\n"
        "from gamio_cli.model import ModelConfig, load_models\n"
        "from gamio_cli.errors import ModelUnavailable\n"
        "start = time.monotonic()\n"
        "try:\n"
        "    load_models(ModelConfig())\n"
        "except ModelUnavailable as error:\n"
        "    print(round(time.monotonic() - start, 2), 'torch' in sys.modules)\n"
        "    print(error.message)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE"))}
    env.update(HF_HOME=str(tmp_path), HF_ENDPOINT="http://127.0.0.1:9")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            encoding="utf-8", env=env, cwd=ROOT, timeout=60, check=True)
    timing, message = result.stdout.split("\n", 1)
    seconds, torch_loaded = timing.split()
    assert float(seconds) < 2.0
    assert torch_loaded == "False"
    assert "«0x7194633/gameGPT»" in message and "--generator ПАПКА" in message


# --- the local cache --------------------------------------------------------------------------

def _cache_snapshot(hf_home: Path, repo: str, **kwargs: object) -> Path:
    """Lay out a snapshot the way huggingface_hub caches one (refs/main -> snapshots/<sha>)."""
    storage = hf_home / "hub" / ("models--" + repo.replace("/", "--"))
    sha = "0123456789abcdef0123456789abcdef01234567"
    (storage / "refs").mkdir(parents=True)
    (storage / "refs" / "main").write_text(sha, encoding="utf-8")
    return _fake_model_dir(storage / "snapshots" / sha, **kwargs)  # type: ignore[arg-type]


def test_cached_model_is_used_offline(empty_hf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot = _cache_snapshot(empty_hf, REPO)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert resolve_model_dir(REPO, "переводчик ru→en") == snapshot


def test_cached_model_is_used_without_network(empty_hf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot = _cache_snapshot(empty_hf, REPO)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    assert resolve_model_dir(REPO, "переводчик ru→en") == snapshot


def test_incomplete_cache_is_not_used(empty_hf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An interrupted download (no weights yet) must not load as half a model."""
    _cache_snapshot(empty_hf, REPO, weights=None)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    message, _ = _timed_error(REPO)
    assert "ещё не скачана" in message


# --- the hub answering with errors ------------------------------------------------------------

class _HubErrors(http.server.BaseHTTPRequestHandler):
    """Answers every request like the HF API answers an unknown, gated or broken repo."""

    answers = {"no-such/model": (404, "RepoNotFound"), "gated/model": (403, "GatedRepo"),
               "broken/model": (500, "")}

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        status, code = next((v for k, v in self.answers.items() if k in self.path), (404, ""))
        body = json.dumps({"error": "nope"}).encode("utf-8")
        self.send_response(status)
        if code:
            self.send_header("X-Error-Code", code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_hub(empty_hf: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HubErrors)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    # huggingface_hub freezes HF_HUB_OFFLINE at its import (an earlier test, or the caller's env).
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    yield endpoint
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("repo", "expected"),
    [
        ("no-such/model", "не найдена на Hugging Face. Проверьте имя"),
        ("gated/model", "закрыта: войдите на Hugging Face"),
        ("broken/model", "сервер ответил кодом 500"),
    ],
)
def test_hub_errors_become_russian_messages(fake_hub: str, repo: str, expected: str) -> None:
    message, _ = _timed_error(repo, option="--generator")
    assert f"«{repo}»" in message
    assert expected in message
    assert "ещё не скачана" not in message


# --- the hub, online (a local fake that serves files like the HF API) ---------------------------

# Distinct contents: huggingface_hub skips a download whose ETag (content hash) it already has.
_REPO_FILES = {
    name: f"contents of {name}".encode()
    for name in ["config.json", "generation_config.json", "vocab.json", "merges.txt", "tokenizer.json",
                 "model.safetensors", "pytorch_model.bin", "tf_model.h5", "rust_model.ot",
                 "onnx/model.onnx", "README.md"]
}


def test_download_fetches_only_what_the_game_needs(
    empty_hf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub_server = FakeHub({"tiny/model": _REPO_FILES})
    monkeypatch.setenv("HF_ENDPOINT", hub_server.endpoint)
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    try:
        folder = resolve_model_dir("tiny/model", "генератор историй")
    finally:
        hub_server.close()
    wanted = ["config.json", "generation_config.json", "merges.txt", "model.safetensors",
              "tokenizer.json", "vocab.json"]
    assert sorted(hub_server.requested) == [f"tiny/model/{name}" for name in wanted]
    assert sorted(p.name for p in folder.iterdir()) == wanted
    assert (folder / "model.safetensors").read_bytes() == b"contents of model.safetensors"
    assert folder.is_relative_to(empty_hf / "hub")
    # Next start, offline: the cached snapshot is found without the server.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert resolve_model_dir("tiny/model", "генератор историй") == folder


# --- which files are fetched ------------------------------------------------------------------

def test_wanted_files_for_a_typical_gpt2_repo() -> None:
    files = ["config.json", "generation_config.json", "merges.txt", "vocab.json", "tokenizer.json",
             "model.safetensors", "pytorch_model.bin", "tf_model.h5", "flax_model.msgpack",
             "rust_model.ot", "64-8bits.tflite", "onnx/decoder_model.onnx", "onnx/model.safetensors",
             "README.md", ".gitattributes"]
    assert wanted_files(files) == ["config.json", "generation_config.json", "merges.txt",
                                   "tokenizer.json", "vocab.json", "model.safetensors"]


def test_wanted_files_for_a_marian_repo_with_bin_only() -> None:
    files = ["config.json", "pytorch_model.bin", "source.spm", "target.spm", "tokenizer_config.json",
             "vocab.json", "tf_model.h5", "rust_model.ot"]
    assert wanted_files(files) == ["config.json", "source.spm", "target.spm", "tokenizer_config.json",
                                   "vocab.json", "pytorch_model.bin"]


_names = st.sampled_from(
    ["config.json", "vocab.json", "model.safetensors", "pytorch_model.bin", "tf_model.h5",
     "model-00001-of-00002.safetensors", "pytorch_model-00001-of-00002.bin", "onnx/model.onnx",
     "sub/model.safetensors", "rust_model.ot", "flax_model.msgpack", "source.spm", "README.md"]
)


@given(st.lists(_names, unique=True))
def test_wanted_files_never_mixes_weight_formats(files: list[str]) -> None:
    wanted = wanted_files(files)
    assert set(wanted) <= set(files)
    assert not any("/" in name for name in wanted)
    has_safetensors = any(name.endswith(".safetensors") for name in wanted)
    assert not (has_safetensors and any(name.endswith(".bin") for name in wanted))
    if any(name.endswith(".safetensors") and "/" not in name for name in files):
        assert has_safetensors
    assert not any(name.endswith((".h5", ".ot", ".msgpack", ".onnx")) for name in wanted)


def test_proxy_is_probed_instead_of_the_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.local:3128")
    assert hub._target("https://huggingface.co") == ("proxy.local", 3128)
    monkeypatch.delenv("HTTPS_PROXY")
    monkeypatch.delenv("https_proxy", raising=False)
    monkeypatch.delenv("ALL_PROXY", raising=False)
    monkeypatch.delenv("all_proxy", raising=False)
    assert hub._target("https://huggingface.co") == ("huggingface.co", 443)
    assert hub._target("http://127.0.0.1:9") == ("127.0.0.1", 9)
