"""Repairs for real GPT-2 repos that are laid out the old way (the AI Dungeon 2 uploads):

- no tokenizer files: every GPT-2 size shares one BPE vocabulary, so the stock GPT-2 tokenizer
  (openai-community/gpt2's vocab.json + merges.txt, ~1.5 MB) is used, after checking that its
  size matches the model's vocab_size;
- an old-style config.json without model_type but with GPT-2's keys (n_embd, n_layer, ...):
  it loads as GPT-2.

The hub cache's snapshot is never changed (other tools share it): the repaired model is a
folder in gamio's cache holding links to the snapshot's files, the patched config and the
stock tokenizer files, built in a temporary folder and renamed into place. Only hub snapshots
are repaired: a directory the player gave is used as it is, or refused with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gamio_cli.errors import ModelUnavailable

STOCK_TOKENIZER_REPO = "openai-community/gpt2"
STOCK_TOKENIZER_FILES = ("vocab.json", "merges.txt")
GPT2_KEYS = ("n_embd", "n_layer", "n_head")
TOKENIZER_CORE = ("tokenizer.json", "vocab.json", "source.spm")


def repair_root() -> Path:
    """Where repaired models live: <user cache>/gamio/repaired."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("gamio")) / "repaired"


def _config(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def needs(snapshot: Path) -> tuple[bool, bool]:
    """(the config needs model_type, the tokenizer is missing) for a GPT-2-family snapshot;
    (False, False) for anything else (a Marian model, a complete GPT-2)."""
    config = _config(snapshot)
    if config is None:
        return False, False
    gpt2 = config.get("model_type") == "gpt2" or all(key in config for key in GPT2_KEYS)
    if not gpt2:
        return False, False
    names = {entry.name for entry in snapshot.iterdir()}
    return "model_type" not in config, not any(name in names for name in TOKENIZER_CORE)


def target_of(snapshot: Path) -> Path:
    """The repaired folder of a snapshot: named after its repo and revision."""
    return repair_root() / f"{snapshot.parent.parent.name}@{snapshot.name[:12]}"


def existing(snapshot: Path) -> Path:
    """The repaired folder when one was built before, else the snapshot (no network)."""
    target = target_of(snapshot)
    return target if (target / "config.json").is_file() and any(needs(snapshot)) else snapshot


def repaired(snapshot: Path, stock_tokenizer: Callable[[], Path], what_ru: str) -> Path:
    """The snapshot when it needs no repair, else its repaired folder (built once).

    stock_tokenizer returns a folder holding the stock GPT-2 vocab.json and merges.txt.
    """
    fix_config, fix_tokenizer = needs(snapshot)
    if not (fix_config or fix_tokenizer):
        return snapshot
    target = target_of(snapshot)
    if (target / "config.json").is_file():
        return target
    config = _config(snapshot) or {}
    stock = stock_tokenizer() if fix_tokenizer else None
    if stock is not None:
        check_vocabulary(stock, config, what_ru)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        _fill(temp, snapshot, config, fix_config, stock)
        os.replace(temp, target)
    except OSError:
        if not (target / "config.json").is_file():  # another start may have won the race
            raise
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return target


def check_vocabulary(stock: Path, config: dict[str, Any], what_ru: str) -> None:
    """The stock tokenizer fits only a model with the same vocabulary size."""
    try:
        size = len(json.loads((stock / "vocab.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        size = -1
    wanted = config.get("vocab_size")
    if size != wanted:
        raise ModelUnavailable(
            f"В модели ({what_ru}) нет файлов токенизатора, а стандартный токенизатор GPT-2 "
            f"к ней не подходит (словарь {size} слов, модели нужно {wanted}). Укажите папку "
            "с полной моделью или другую модель (список: gamio models)."
        )


def _fill(temp: Path, snapshot: Path, config: dict[str, Any], fix_config: bool,
          stock: Path | None) -> None:
    for entry in snapshot.iterdir():
        if entry.is_file() and not (fix_config and entry.name == "config.json"):
            os.symlink(entry.resolve(), temp / entry.name)
    if fix_config:
        patched = {**config, "model_type": "gpt2"}
        patched.setdefault("architectures", ["GPT2LMHeadModel"])
        (temp / "config.json").write_text(json.dumps(patched, indent=2), encoding="utf-8")
    for name in STOCK_TOKENIZER_FILES if stock is not None else ():
        assert stock is not None
        shutil.copyfile(stock / name, temp / name)
