"""The real server of the --server tests, started once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engines.remote.servers import Served, transformers_serve, with_chat_template
from tests.tiny.build import TinyModels


@pytest.fixture(scope="session")
def served(tiny_models: TinyModels, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`transformers serve` on the tiny story model (its tokenizer given a chat template, which
    the completions path ignores), on a free port of 127.0.0.1."""
    root = tmp_path_factory.mktemp("served")
    model = with_chat_template(tiny_models.generator, root / "generator")
    try:
        server = transformers_serve(model, root / "serve.log")
    except RuntimeError as error:  # only when it cannot start at all; the reason is shown
        pytest.skip(f"transformers serve did not start here: {error}")
    yield server
    server.kill()


@pytest.fixture
def model_name(served: Served) -> str:
    """The name the server lists the tiny model under (its directory)."""
    import httpx

    return str(httpx.get(served.url + "/v1/models").json()["data"][0]["id"])


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    return tmp_path
