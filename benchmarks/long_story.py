"""Long stories: how the save, the autosave, loading, the prompt and memory grow with the turns.

    .venv/bin/python benchmarks/long_story.py                  # 500, 1000, 2000, 5000 turns
    .venv/bin/python benchmarks/long_story.py --turns 500 20000

Each story is the scripted session's world (bench_story.py) with N turns of its real prose in
both languages. Printed per size: the save's size; one autosave (SaveStore.save: encode, check
it loads back, temp file, fsync, backup link, rename, directory fsync; median of 5, after one
save made the backup), one load, one prompt build (build_prompt with a word counter, as the
window sees the newest turns only) and the Python memory the story holds (tracemalloc); then
each figure per turn relative to the smallest story: a ratio near 1 or below is linear or
better. The autosave is the only figure with a target here: under 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from bench_story import EARLIER, OPENING_EN, OPENING_RU, SESSION

from gamio_cli.storage.store import SaveStore
from gamio_cli.story import Mode, Story, Turn
from gamio_cli.turn.prompt import Pending, build_prompt

AUTOSAVE_TARGET_MS = 100.0


def make_story(turns: int) -> Story:
    script = [(t.action_en, t.continuation_en) for t in (*EARLIER, *SESSION)]
    made = []
    for number in range(turns):
        action_en, continuation_en = script[number % len(script)]
        made.append(Turn(f"действие {number}", Mode.DO, action_en, continuation_en,
                         f"Ход {number}. " + OPENING_RU[:300]))
    return Story("fantasy", OPENING_RU, OPENING_EN, turns=made)


def _ms(work: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(turns: int, folder: Path) -> dict[str, float]:
    """One story of `turns` turns: its figures (see the module's docstring)."""
    tracemalloc.start()
    story = make_story(turns)
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    store = SaveStore(folder)
    store.save(story, "long")  # the first save; the ones measured also keep a backup
    return {
        "turns": turns,
        "bytes": store.path_of("long").stat().st_size,
        "autosave_ms": _ms(lambda: store.save(story, "long")),
        "load_ms": _ms(lambda: store.load("long")),
        "prompt_ms": _ms(lambda: build_prompt(story, Pending(Mode.DO, "You wait."),
                                              lambda text: len(text.split()), 900, 4)),
        "memory_bytes": held,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="long_story.py")
    parser.add_argument("--turns", type=int, nargs="+", default=[500, 1000, 2000, 5000])
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="gamio-long-") as folder:
        for turns in args.turns:
            rows.append(measure(turns, Path(folder) / str(turns)))
    first = rows[0]
    print("| turns | save | autosave | load | prompt | memory | per turn vs the first "
          "(save, autosave, load, prompt, memory) |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        scale = row["turns"] / first["turns"]
        ratios = ", ".join(f"{row[key] / first[key] / scale:.2f}" for key in
                           ("bytes", "autosave_ms", "load_ms", "prompt_ms", "memory_bytes"))
        print(f"| {row['turns']} | {row['bytes'] / 2**20:.1f} MiB | {row['autosave_ms']:.0f} ms "
              f"| {row['load_ms']:.0f} ms | {row['prompt_ms']:.2f} ms "
              f"| {row['memory_bytes'] / 2**20:.1f} MiB | {ratios} |")
    worst = max(row["autosave_ms"] for row in rows)
    verdict = "ok" if worst < AUTOSAVE_TARGET_MS else "missed"
    print(f"autosave target < {AUTOSAVE_TARGET_MS:.0f} ms: worst {worst:.0f} ms, {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
