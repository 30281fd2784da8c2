"""python -m tests.soak [--seed N] [--kills N] [--interrupts N] [--inputs N] [--real-inputs N]
                       [--only PART,PART] [--work DIR]

The full soak run (defaults: 200 kills, 100 Ctrl-C, 10 000 random inputs with the scripted
models at the engine seam and 1 000 with the tiny trained models, one full disk) with the tiny
models built offline into DIR/models; prints each part's figures and exits 1 when a promise
broke.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tests.soak.run import PARTS, SoakCounts, run_soak
from tests.tiny.build import TinyModels, build_tiny_models


def _models(work: Path) -> TinyModels:
    folder = work / "models"
    if folder.is_dir():  # built by an earlier run in the same folder
        return TinyModels(folder / "opus-mt-ru-en", folder / "opus-mt-en-ru", folder / "generator")
    return build_tiny_models(folder)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.soak")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--interrupts", type=int, default=100)
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--real-inputs", type=int, default=1_000)
    parser.add_argument("--only", default=",".join(PARTS), help="parts, comma-separated")
    parser.add_argument("--work", type=Path, default=None, help="kept when given")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="gamio-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")  # the conversions soaked are its own
    started = time.monotonic()
    try:
        counts = SoakCounts(args.kills, args.interrupts, args.inputs, args.real_inputs,
                            tuple(part for part in args.only.split(",") if part in PARTS))
        figures = run_soak(work, _models(work), counts, random.Random(args.seed),
                           lambda line: print(line, flush=True))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"seed {args.seed}, {time.monotonic() - started:.0f} s in all; broken promises: "
          f"{', '.join(figures.failures) or 'none'}")
    return 1 if figures.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
