"""The design's layers: domain modules import no terminal or ML library, so they stay fast,
testable and usable without a terminal; torch is loaded only by the model layer."""

from __future__ import annotations

import subprocess
import sys

import pytest

DOMAIN = [
    "gamio_cli.story", "gamio_cli.settings", "gamio_cli.turn.actions", "gamio_cli.turn.prompt",
    "gamio_cli.turn.postprocess", "gamio_cli.turn.sentences", "gamio_cli.turn.streaming", "gamio_cli.turn.runner",
    "gamio_cli.storage.codec", "gamio_cli.storage.migrations", "gamio_cli.storage.store", "gamio_cli.storage.savename",
    "gamio_cli.world.scenarios", "gamio_cli.world.glossary", "gamio_cli.world.worldinfo", "gamio_cli.storage.export",
    "gamio_cli.commands.table", "gamio_cli.game", "gamio_cli.textsafe",
]  # fmt: skip
FORBIDDEN = ["torch", "transformers", "ctranslate2", "sentencepiece", "huggingface_hub",
             "rich", "prompt_toolkit", "typer"]  # fmt: skip


@pytest.mark.parametrize("module", DOMAIN)
def test_domain_module_imports_no_terminal_or_ml_library(module: str) -> None:
    code = f"import sys, {module}; print(sorted(set({FORBIDDEN!r}) & set(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
