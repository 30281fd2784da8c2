"""Shared pytest fixtures. Add new fixtures below; keep heavy imports inside fixtures."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from tests.tiny.build import TinyModels, build_tiny_models

# Tiny models on two shared cores: one torch thread is 4-7x faster than two. These variables
# reach torch whenever it is first imported, here or in a child process (the CLI under
# pexpect), without importing it now: a test may check that gamio alone does not load torch.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
# A suite started in the background by a shell without job control (`cmd &` in a script)
# inherits SIGINT ignored, and so would every game it starts: Ctrl-C tests would then test
# nothing. Take Python's usual handler, which children exec'd from here reset to the default.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session", autouse=True)
def _own_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Converted CTranslate2 models go to a cache of the test session, not the user's."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    # The player's own settings file must never steer a test (a test that wants one sets it).
    os.environ["GAMIO_CONFIG"] = str(tmp_path_factory.mktemp("config") / "config.toml")


@pytest.fixture(autouse=True)
def _one_torch_thread() -> None:
    """torch.set_num_threads(1) once torch is loaded (never imports torch itself)."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != 1:
        torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> TinyModels:
    """Tiny ru->en, en->ru and story models, trained once per session (about 20 s)."""
    return build_tiny_models(tmp_path_factory.mktemp("tiny_models"))
