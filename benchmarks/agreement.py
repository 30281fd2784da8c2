"""How long the agreement post-edit (gamio_cli/turn/agreement.py) adds to a turn.

    .venv/bin/python benchmarks/agreement.py

Runs the post-edit over the sentences of tests/turn/agreement_table.txt for each of the four
heroes, grouped as turns of TURN_SENTENCES sentences (a continuation of 60 tokens is about
that), and prints the median and worst time per turn, the time per sentence, and the one-off
cost of loading pymorphy3's dictionaries (paid at the first turn). Target: under 20 ms a turn.
Not part of the test suite.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gamio_cli.story import Hero  # noqa: E402
from gamio_cli.turn.agreement import agree  # noqa: E402
from gamio_cli.world.morph import analyzer  # noqa: E402
from tests.turn.agreement_table import HEROES, read_table  # noqa: E402

TURN_SENTENCES = 4
TARGET_MS = 20.0
ROUNDS = 5


def main() -> None:
    start = time.perf_counter()
    analyzer()
    load_ms = (time.perf_counter() - start) * 1000
    sentences = [case.text for case in read_table()]
    turns = [" ".join(sentences[i : i + TURN_SENTENCES])
             for i in range(0, len(sentences), TURN_SENTENCES)]  # fmt: skip
    first_hero = next(iter(HEROES.values()))
    cold = _time_turns(turns, [first_hero])  # most words new to the cache of readings
    warm = [ms for _ in range(ROUNDS) for ms in _time_turns(turns, list(HEROES.values()))]
    print(f"pymorphy3 dictionaries loaded once: {load_ms:.0f} ms")
    print(f"turns of {TURN_SENTENCES} sentences: {len(turns)} × {len(HEROES)} heroes")
    for name, times in (("first pass, one hero (words not cached yet)", cold),
                        (f"then {ROUNDS} rounds × 4 heroes (cached)", warm)):  # fmt: skip
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"{name}: median {statistics.median(times):.2f} ms, 95th percentile "
              f"{p95:.2f} ms, worst {max(times):.2f} ms a turn")  # fmt: skip
    p95 = statistics.quantiles(cold, n=20)[-1]
    print(f"target < {TARGET_MS:.0f} ms a turn (95th percentile, first pass): "
          f"{'met' if p95 < TARGET_MS else 'NOT met'}")  # fmt: skip


def _time_turns(turns: list[str], heroes: list[Hero]) -> list[float]:
    times: list[float] = []
    for hero in heroes:
        for turn in turns:
            start = time.perf_counter()
            agree(turn, hero)
            times.append((time.perf_counter() - start) * 1000)
    return times


if __name__ == "__main__":
    main()
