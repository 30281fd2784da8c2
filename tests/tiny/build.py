"""All three tiny models under one folder: the tests' session fixture, and `python -m tests.tiny`."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.tiny.gpt2 import build_generator
from tests.tiny.marian import build_marian
from tests.tiny.tables import EN_RU, RU_EN


@dataclass(frozen=True)
class TinyModels:
    """Directories written with save_pretrained."""

    ru_en: Path
    en_ru: Path
    generator: Path


def build_tiny_models(root: Path) -> TinyModels:
    """Train and save the three models under root (about 20 s on two CPU cores)."""
    import torch

    threads = torch.get_num_threads()
    # Tiny matrices: thread hand-offs cost more than they save (2 threads were 4-7x slower).
    torch.set_num_threads(1)
    try:
        return TinyModels(
            ru_en=build_marian(root / "opus-mt-ru-en", RU_EN, seed=1),
            en_ru=build_marian(root / "opus-mt-en-ru", EN_RU, seed=2),
            generator=build_generator(root / "generator", seed=10),
        )
    finally:
        torch.set_num_threads(threads)


def main(argv: list[str]) -> int:
    if argv[1:] == ["--phrases"]:  # the README's table of what the tiny models know
        from tests.tiny.tables import demo_table

        print(demo_table())
        return 0
    if len(argv) != 2:
        print("usage: python -m tests.tiny OUT_DIR | --phrases", file=sys.stderr)
        return 2
    started = time.perf_counter()
    models = build_tiny_models(Path(argv[1]))
    took = time.perf_counter() - started
    print(f"built in {took:.1f} s:", models.ru_en, models.en_ru, models.generator)
    return 0
