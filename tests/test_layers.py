"""The design's layers: domain modules import no terminal or ML library, so they stay fast,
testable and usable without a terminal; torch is loaded only by the model layer."""

from __future__ import annotations

import subprocess
import sys

import pytest

DOMAIN = [
    "gamio_cli.story", "gamio_cli.settings", "gamio_cli.actions", "gamio_cli.prompt",
    "gamio_cli.postprocess", "gamio_cli.sentences", "gamio_cli.streaming", "gamio_cli.pipeline",
    "gamio_cli.codec", "gamio_cli.migrations", "gamio_cli.saves", "gamio_cli.savename",
    "gamio_cli.scenarios", "gamio_cli.glossary", "gamio_cli.worldinfo", "gamio_cli.export",
    "gamio_cli.commands", "gamio_cli.game", "gamio_cli.textsafe",
]  # fmt: skip
FORBIDDEN = ["torch", "transformers", "ctranslate2", "sentencepiece", "huggingface_hub",
             "rich", "prompt_toolkit", "typer"]  # fmt: skip


@pytest.mark.parametrize("module", DOMAIN)
def test_domain_module_imports_no_terminal_or_ml_library(module: str) -> None:
    code = f"import sys, {module}; print(sorted(set({FORBIDDEN!r}) & set(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
