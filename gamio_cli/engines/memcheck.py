"""Will a model conversion fit in memory and on disk? Checked before it starts, not by crashing.

Converting GPT-2-XL to CTranslate2 loads the whole model into torch first; running out of
memory half-way gets the process killed by the system with no message at all. So the need is
estimated from the checkpoint's size and compared with what the system reports as available.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from gamio_cli.engines.hub import weight_files

GIB = 1024**3
# Converting loads the model in float16 (2 bytes a parameter); the converter's float32 copies
# while quantizing, the int8 result and its scales come on top. Peak bytes per parameter,
# measured: GPT-2-XL shape 9.0 GiB for 1.56e9 parameters (5.7; 12.0 GiB when loaded in float32),
# GPT-2-medium shape 2.3 GiB for 3.55e8 (4.6); rounded up.
CONVERT_BYTES_PER_PARAM = 6.0
# torch, transformers and the interpreter in the converting process, in bytes.
CONVERT_BASE_BYTES = int(0.8 * GIB)
# The converted int8 model on disk: a byte a parameter, plus vocabulary and slack.
DISK_BYTES_PER_PARAM = 1.1
DISK_BASE_BYTES = 64 * 1024**2


def available_bytes() -> int:
    """Memory the system can give a new process now without swapping (psutil's "available")."""
    import psutil

    return int(psutil.virtual_memory().available)


@dataclass(frozen=True)
class ConversionNeed:
    """Estimated peak memory and disk space of converting one checkpoint."""

    memory: int
    disk: int


def parameter_count(model_dir: Path) -> int:
    """Parameters in the checkpoint, from its weight files' size and its stored precision."""
    names = [entry.name for entry in model_dir.iterdir() if entry.is_file()]
    size = sum((model_dir / name).stat().st_size for name in weight_files(names))
    return size // _bytes_per_weight(model_dir)


def _bytes_per_weight(model_dir: Path) -> int:
    try:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 4
    dtype = str(config.get("dtype") or config.get("torch_dtype") or "float32")
    return 2 if dtype in ("float16", "bfloat16") else 4


def conversion_need(model_dir: Path) -> ConversionNeed:
    params = parameter_count(model_dir)
    return ConversionNeed(
        memory=CONVERT_BASE_BYTES + int(params * CONVERT_BYTES_PER_PARAM),
        disk=DISK_BASE_BYTES + int(params * DISK_BYTES_PER_PARAM),
    )


def gib(count: int) -> str:
    """Bytes as gigabytes for a Russian message: "11,5 ГБ"."""
    return f"{count / GIB:.1f}".replace(".", ",") + " ГБ"
