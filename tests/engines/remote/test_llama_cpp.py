"""The completions path against llama.cpp's own server (llama-cpp-python[server]), where it is
installed: it compiles llama.cpp (here it did not finish within 7 minutes on the 2 shared
cores, so CI does not install it). Needs a GGUF model: GAMIO_TEST_GGUF=path/to/model.gguf.

    pip install 'llama-cpp-python[server]'
    GAMIO_TEST_GGUF=model.gguf .venv/bin/python -m pytest -q -m llama_cpp tests/engines/remote
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gamio_cli.engines.remote.generator import RemoteGenerator
from gamio_cli.settings import Settings
from tests.engines.remote.servers import Served, free_port, spawn, wait_ready

pytestmark = pytest.mark.llama_cpp


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    pytest.importorskip("llama_cpp.server", reason="llama-cpp-python[server] is not installed")
    model = os.environ.get("GAMIO_TEST_GGUF")
    if not model or not Path(model).is_file():
        pytest.skip("GAMIO_TEST_GGUF names no GGUF model file")
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", model, "--host",
               "127.0.0.1", "--port", str(port), "--n_ctx", "1024"]
    server = wait_ready(spawn(command, tmp_path_factory.mktemp("llama") / "log", port))
    yield server
    server.kill()


def test_completions_against_llama_cpp(llama_server: Served) -> None:
    generator = RemoteGenerator.connect(llama_server.url, seed=1)
    seen: list[str] = []
    text = generator.generate("You are in a hall.\n> You open the door.\n",
                              Settings(max_new_tokens=20), None, seen.append)
    assert text and seen and seen[-1] == text
