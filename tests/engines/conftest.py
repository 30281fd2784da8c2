"""Fixtures of the download tests: an empty hub cache, and the local hub (fakehub) serving
given repos with HF_ENDPOINT pointed at it, so the real huggingface_hub client runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from huggingface_hub import constants as hf_constants

from tests.engines.fakehub import FakeHub

Serve = Callable[[dict[str, dict[str, bytes]]], FakeHub]


@pytest.fixture
def hf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty hub cache and gamio cache, no offline flags or proxies."""
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE",
                 "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    return tmp_path / "hf" / "hub"


@pytest.fixture
def serve(hf: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Serve]:
    hubs: list[FakeHub] = []

    def start(repos: dict[str, dict[str, bytes]]) -> FakeHub:
        hub = FakeHub(repos)
        hubs.append(hub)
        monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
        return hub

    yield start
    for hub in hubs:
        hub.close()
