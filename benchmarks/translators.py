"""What a turn costs in translation: opus-mt (the default) against the OPUS-MT "tc-big" pair.

Both pairs are built with random weights at their real shapes (the cost of a token does not
depend on the weights' values; bench_models) and run the way the game runs them on a CPU:
CTranslate2 int8, converted by the game's own code, one thread beside the generator. A turn
translates one action ru->en (13 words) and a 55-token continuation en->ru (3 sentences);
outputs are forced to 1.25 tokens per input token (bench_worker.OUTPUT_RATIO), so both pairs
write the same amount. Prints milliseconds per turn (median of --reps) and the ratio.

    .venv/bin/python benchmarks/translators.py            # ~3-5 min on 2 cores, first run
    .venv/bin/python benchmarks/translators.py --reps 9

opus-mt-ru-en / -en-ru: MarianConfig from the hub (512 wide, 6+6 layers, 8 heads, ffn 2048,
vocabulary 62518, swish). tc-big (transformer-big): 1024 wide, 6+6 layers, 16 heads, ffn 4096
are the Tatoeba-Challenge "transformer-big" recipe; the vocabulary size (57000), relu and 1024
positions are GUESSED (the models' config.json could not be read here): the vocabulary only
moves the output layer's cost, a few per cent of a token.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench_models import MARIAN_SHAPE, MARIAN_VOCAB, build_marian
from bench_worker import OUTPUT_RATIO

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".bench-cache" / "translators"
TC_BIG_SHAPE: dict[str, int | str] = {"d_model": 1024, "layers": 6, "heads": 16, "ffn": 4096,
                                      "positions": 1024, "activation": "relu"}
TC_BIG_VOCAB = 57000  # guessed
ACTION_RU = "Я осторожно открываю тяжёлую дубовую дверь и заглядываю в тёмный холодный зал."
CONTINUATION_EN = (
    "The door creaks open and a gust of cold air rushes past you, carrying the smell of dust "
    "and old smoke. In the middle of the hall stands a long table covered with candles that "
    "have burned down to stubs. Somewhere in the darkness, something moves."
)


def build() -> dict[str, tuple[Path, Path]]:
    opus = {"d_model": 512, "activation": "swish", **MARIAN_SHAPE}
    return {
        "opus-mt": (build_marian(CACHE / "opus-ru-en", "ru-en", opus, MARIAN_VOCAB),
                    build_marian(CACHE / "opus-en-ru", "en-ru", opus, MARIAN_VOCAB)),
        "opus-mt-tc-big": (build_marian(CACHE / "tc-big-zle-en", "ru-en", TC_BIG_SHAPE, TC_BIG_VOCAB),
                           build_marian(CACHE / "tc-big-en-zle", "en-ru", TC_BIG_SHAPE, TC_BIG_VOCAB)),
    }


def load_pair(dirs: tuple[Path, Path]) -> tuple[Any, Any]:
    """The pair as the game loads its translators on a CPU (CTranslate2 int8)."""
    from gamio_cli.engines.ct2.models import load_ct2_models
    from gamio_cli.engines.loading import ModelSpec

    specs = [ModelSpec(str(dirs[0]), "ru-en", "--ru-en"), ModelSpec(str(dirs[1]), "en-ru", "--en-ru")]
    loaded = load_ct2_models(None, specs, cache_root=CACHE / "ct2")
    pair = (loaded.translators["--ru-en"], loaded.translators["--en-ru"])
    for translator in pair:
        translator.force_length = True
    return pair


def turn_ms(pair: tuple[Any, Any], reps: int) -> tuple[float, float]:
    """Median milliseconds of (the action ru->en, the continuation en->ru)."""
    times: tuple[list[float], list[float]] = ([], [])
    for rep in range(reps + 1):  # the first is a warm-up
        for index, (translator, text) in enumerate(zip(pair, (ACTION_RU, CONTINUATION_EN))):
            translator._cache.clear()  # every turn's text is new to the game
            start = time.perf_counter()
            translator.translate(text)
            if rep:
                times[index].append((time.perf_counter() - start) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    from gamio_cli.engines.hf import translator as marian

    marian.OUTPUT_PER_INPUT_TOKEN, marian.OUTPUT_SLACK_TOKENS = OUTPUT_RATIO, 0
    results = {}
    for name, dirs in build().items():
        pair = load_pair(dirs)
        results[name] = turn_ms(pair, args.reps)
        size = sum(f.stat().st_size for f in (CACHE / "ct2").rglob("model.bin")
                   if dirs[0].name in str(f.parent) or dirs[1].name in str(f.parent))
        print(f"{name:16} ru->en {results[name][0]:7.0f} ms  en->ru {results[name][1]:7.0f} ms  "
              f"turn {sum(results[name]):7.0f} ms  int8 on disk {size / 1e6:.0f} MB", flush=True)
    base, big = sum(results["opus-mt"]), sum(results["opus-mt-tc-big"])
    print(f"tc-big / opus-mt per turn: {big / base:.2f}x "
          f"(ru->en {results['opus-mt-tc-big'][0] / results['opus-mt'][0]:.2f}x, "
          f"en->ru {results['opus-mt-tc-big'][1] / results['opus-mt'][1]:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
