"""Turn latency on a CPU: the AI Dungeon baseline against gamio's CPU default, side by side.

    python benchmarks/turn_latency.py                 # GPT-2-XL shape (the real game)
    python benchmarks/turn_latency.py --size medium   # GPT-2-medium shape, a quick check

Builds random-weight models of the real shapes once (cached in .bench-cache/, git-ignored),
measures a cold first launch of the game's side (fresh caches: the translators converted for
CTranslate2, the generator's int8 weights quantized and written) and a warm one (the same
caches), the memory bandwidth, then plays the same scripted turns on both sides (each in its
own process, so peak RSS is its own), interleaved turn by turn so a change in the machine's
load hits both. Both sides write exactly 55 tokens a turn and translations of the same length
(bench_worker.py says how). Not part of the test suite: the XL run takes about 15 minutes on
two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_models import build_all

HERE = Path(__file__).resolve().parent
SIDES = ("baseline", "gamio")
# The issues' targets (ratios measured in one run).
TARGET_TURN = 0.25  # gamio's turn / the baseline's turn
TARGET_FIRST = 0.10  # gamio's first Russian sentence / the baseline's whole turn
TARGET_DECODE = 1.5  # gamio's decode per token / the floor of weights and attention cache
TARGET_PEAK_GB = 3.5  # while playing, and on a cold first launch
TARGET_WARM = 1.0  # gamio's warm launch to the first prompt / the baseline's load
TARGET_TURN1 = 1.1  # gamio's turn 1 / the median of its later turns (their spread)


class Worker:
    """A bench_worker.py process playing one side."""

    def __init__(self, side: str, model_dir: Path, ct2_root: Path, log: Path,
                 extra: list[str]) -> None:
        self.side = side
        self._log = log.open("a", encoding="utf-8")
        self._process = subprocess.Popen(
            [sys.executable, str(HERE / "bench_worker.py"), side, str(model_dir), str(ct2_root),
             "--started", repr(time.time())] + extra,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, text=True,
            encoding="utf-8", cwd=HERE,
        )
        self.ready = self._read()

    def turn(self, number: int) -> dict[str, Any]:
        assert self._process.stdin is not None
        self._process.stdin.write(f"turn {number}\n")
        self._process.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self._process.stdin is not None:
            try:
                self._process.stdin.write("quit\n")
                self._process.stdin.close()
            except BrokenPipeError:  # a --load-only worker is gone already
                pass
        self._process.wait(timeout=120)
        self._log.close()

    def _read(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            if line.startswith("@@ "):
                data: dict[str, Any] = json.loads(line[3:])
                return data
        raise RuntimeError(f"the {self.side} worker died; see {self._log.name}")


def memory_bandwidth_gbs(repeats: int = 6) -> float:
    """Read bandwidth in GB/s (1e9): best of several sums over 1 GiB, on the physical cores.

    Measured again before every turn (the median is reported), so the floor sees the same
    load from other processes as the turns do.
    """
    import torch

    from gamio_cli.engines.threads import set_torch_threads

    set_torch_threads(torch)
    data = torch.ones(2**28, dtype=torch.float32)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        data.sum()
        best = min(best, time.perf_counter() - started)
    return data.numel() * 4 / best / 1e9


def launches(models: Any, ct2_root: Path, log: Path) -> dict[str, dict[str, Any]]:
    """The game's side loaded twice with nothing else running: cold (the caches under
    ct2_root's folder removed first) and warm (what the cold one left); each exits once ready."""
    shutil.rmtree(ct2_root.parent, ignore_errors=True)
    found = {}
    for kind in ("cold", "warm"):
        worker = Worker("gamio", models.generator, ct2_root, log, ["--load-only"])
        worker.close()
        found[kind] = worker.ready
        print(f"{kind} launch: {worker.ready['launch_s']:.1f} s to the first prompt, "
              f"{worker.ready['narrator_ready_s']:.1f} s until the narrator is ready, peak RSS "
              f"{worker.ready['peak_rss_mb'] / 1024:.2f} GB (conversion child up to "
              f"{worker.ready['children_peak_rss_mb'] / 1024:.2f} GB)", flush=True)
    return found


def int8_matrix_bytes(int8_root: Path) -> int:
    """Bytes of the int8 matrices (with their scales and biases) in the game's int8 cache:
    what every decode step reads."""
    layouts = list(int8_root.glob("*/layout.json"))
    if not layouts:  # GAMIO_ENGINE=ctranslate2: the generator's CTranslate2 int8 weights
        return sum(path.stat().st_size for path in int8_root.parent.glob("ct2/gpt2-*/model.bin"))
    tensors = json.loads(layouts[0].read_text(encoding="utf-8"))["tensors"]
    return sum(int(entry["size"]) for entry in tensors if entry["kind"] == "matrix")


def play(args: argparse.Namespace, models: Any, ct2_root: Path, bandwidths: list[float]
         ) -> tuple[dict[str, list[dict[str, Any]]], dict[str, dict[str, Any]]]:
    """(each side's turns, each side's ready line)."""
    log = Path(args.cache) / "workers.log"
    extra = ["--window-step", str(args.window_step)] if args.window_step else []
    extra += ["--overlap"] if args.overlap else []
    extra += ["--no-prepare"] if args.no_prepare else []
    sides = (args.only,) if args.only else SIDES
    workers = {side: Worker(side, models.generator, ct2_root, log, extra) for side in sides}
    for side, worker in workers.items():
        print(f"{side}: ready in {worker.ready['launch_s']:.1f} s from the process start, "
              f"window_step {worker.ready['window_step']}", flush=True)
    results: dict[str, list[dict[str, Any]]] = {side: [] for side in sides}
    try:
        for number in range(args.turns):
            bandwidths.append(memory_bandwidth_gbs(3))
            order = sides if number % 2 == 0 else sides[::-1]
            for side in order:
                results[side].append(workers[side].turn(number))
                if args.only:
                    print(f"turn {number + 1:2}: {json.dumps(results[side][-1])}", flush=True)
            if not args.only:
                print_turn(number, results)
    finally:
        for worker in workers.values():
            worker.close()
    return results, {side: worker.ready for side, worker in workers.items()}


def print_turn(number: int, results: dict[str, list[dict[str, Any]]]) -> None:
    base, gamio = results["baseline"][-1], results["gamio"][-1]
    print(f"turn {number + 1:2}: baseline {base['turn_s']:6.2f} s (first sentence "
          f"{base['first_sentence_s']:5.2f} s, {base['decode_s'] * 1000:4.0f} ms/token) | gamio "
          f"{gamio['turn_s']:6.2f} s (first sentence {gamio['first_sentence_s']:5.2f} s, "
          f"first token {gamio['first_token_s']:4.2f} s, {gamio['decode_s'] * 1000:4.0f} ms/token,"
          f" prompt {gamio['prompt_tokens']} tokens, {gamio['cached_tokens']} cached"
          f"{', reloaded' if gamio['reloaded'] else ''}; then {gamio['prepare_s']:.1f} s preparing"
          " the next prompt while the player types)", flush=True)


def kv_bytes_per_token(model_dir: Path) -> int:
    """Bytes of attention cache a decode step reads per token of context (float32 keys and
    values in every layer): part of each step's memory traffic besides the weights."""
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    return int(config["n_layer"]) * 2 * int(config["n_embd"]) * 4


def summarize(results: dict[str, list[dict[str, Any]]], bandwidth: float, model_bytes: int,
              kv_per_token: int, ready: dict[str, dict[str, Any]],
              launched: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Medians per side, turn 1 apart, the launches, the floors, and the ratios of the targets."""
    keys = ("turn_s", "first_sentence_s", "first_token_s", "decode_s")
    summary: dict[str, Any] = {
        side: {key: float(statistics.median(t[key] for t in results[side])) for key in keys}
        for side in SIDES
    }
    later = {side: float(statistics.median(t["turn_s"] for t in results[side][1:]))
             for side in SIDES}
    context = statistics.median(t["prompt_tokens"] for t in results["gamio"]) + 27  # mid-turn
    floor = model_bytes / (bandwidth * 1e9)
    summary.update(
        turn1={side: {key: results[side][0][key] for key in keys} for side in SIDES},
        later_turns_median_s=later,
        launch_s={side: ready[side]["launch_s"] for side in SIDES},
        cold_launch=launched["cold"], warm_launch=launched["warm"],
        peak_rss_gb={side: max(t["peak_rss_mb"] for t in results[side]) / 1024 for side in SIDES},
        bandwidth_gbs=bandwidth, int8_weights_gb=model_bytes / 1e9, floor_s=floor,
        context_tokens=context,
        floor_with_attention_cache_s=(model_bytes + kv_per_token * context) / (bandwidth * 1e9),
    )
    gamio, base_turn = summary["gamio"], summary["baseline"]["turn_s"]
    summary["checks"] = [
        ("turn / baseline turn", gamio["turn_s"] / base_turn, TARGET_TURN),
        ("first sentence / baseline turn", gamio["first_sentence_s"] / base_turn, TARGET_FIRST),
        ("decode / floor with attention cache",
         gamio["decode_s"] / summary["floor_with_attention_cache_s"], TARGET_DECODE),
        ("peak RSS GB while playing", summary["peak_rss_gb"]["gamio"], TARGET_PEAK_GB),
        ("peak RSS GB, cold first launch", launched["cold"]["peak_rss_mb"] / 1024,
         TARGET_PEAK_GB),
        ("warm launch / baseline load", launched["warm"]["launch_s"]
         / ready["baseline"]["launch_s"], TARGET_WARM),
        ("turn 1 / later turns", results["gamio"][0]["turn_s"] / later["gamio"], TARGET_TURN1),
    ]
    summary["warm_narrator_ready_ratio"] = (launched["warm"]["narrator_ready_s"]
                                            / ready["baseline"]["launch_s"])
    return summary


def print_summary(summary: dict[str, Any]) -> None:
    print("\nmedians        turn     first sentence  first token  decode/token  peak RSS")
    for side in SIDES:
        data = summary[side]
        print(f"{side:9} {data['turn_s']:8.2f} s {data['first_sentence_s']:10.2f} s "
              f"{data['first_token_s']:10.2f} s {data['decode_s'] * 1000:9.0f} ms "
              f"{summary['peak_rss_gb'][side]:8.2f} GB")
    for side in SIDES:
        data = summary["turn1"][side]
        print(f"turn 1 {side:9} {data['turn_s']:6.2f} s, first sentence "
              f"{data['first_sentence_s']:5.2f} s, first token {data['first_token_s']:5.2f} s "
              f"(later turns' median {summary['later_turns_median_s'][side]:.2f} s)")
    cold, warm = summary["cold_launch"], summary["warm_launch"]
    print(f"launch to the first prompt: baseline {summary['launch_s']['baseline']:.1f} s; gamio "
          f"cold (fresh caches) {cold['launch_s']:.1f} s, peak RSS "
          f"{cold['peak_rss_mb'] / 1024:.2f} GB (conversion child up to "
          f"{cold['children_peak_rss_mb'] / 1024:.2f} GB), warm {warm['launch_s']:.1f} s, "
          f"peak RSS {warm['peak_rss_mb'] / 1024:.2f} GB; gamio's side in the play "
          f"{summary['launch_s']['gamio']:.1f} s")
    print(f"until the narrator could answer the first action (its model loads behind the first "
          f"prompt): cold {cold['narrator_ready_s']:.1f} s, warm {warm['narrator_ready_s']:.1f} s "
          f"= {summary['warm_narrator_ready_ratio']:.2f}x the baseline's load")
    print(f"memory bandwidth {summary['bandwidth_gbs']:.1f} GB/s (median, measured before each "
          f"turn); int8 matrices {summary['int8_weights_gb']:.2f} GB; floor "
          f"{summary['floor_s'] * 1000:.0f} ms/token (weights only), "
          f"{summary['floor_with_attention_cache_s'] * 1000:.0f} ms/token with the attention "
          f"cache of {summary['context_tokens']:.0f} tokens; load average before/after "
          f"{summary['load_average_before_after']}")
    for name, value, target in summary["checks"]:
        verdict = "ok" if value <= target else "MISSED"
        print(f"  {name:36} {value:6.3f}  (target <= {target})  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("xl", "medium"), default="xl")
    parser.add_argument("--turns", type=int, default=8)
    parser.add_argument("--cache", default=str(HERE.parent / ".bench-cache"))
    parser.add_argument("--json", help="also write every figure here")
    parser.add_argument("--window-step", type=int, default=0,
                        help="experiment: gamio's window step (default: the game's)")
    parser.add_argument("--only", choices=SIDES, help="experiment: play one side only")
    parser.add_argument("--no-prepare", action="store_true",
                        help="experiment: gamio does not encode the next prompt while the "
                             "player types")
    parser.add_argument("--overlap", action="store_true",
                        help="experiment: let generation run on while a sentence is translated")
    args = parser.parse_args()
    cache = Path(args.cache)
    models = build_all(cache / "models", args.size)
    # The game's caches of this run, made afresh by the cold launch (models stay in models/).
    ct2_root = cache / "run" / "ct2"
    loads = [round(value, 2) for value in os.getloadavg()]
    launched = launches(models, ct2_root, cache / "workers.log")
    bandwidths = [memory_bandwidth_gbs()]
    results, ready = play(args, models, ct2_root, bandwidths)
    bandwidth = statistics.median(bandwidths)
    after = [round(value, 2) for value in os.getloadavg()]
    if args.only:
        for key in ("turn_s", "first_sentence_s", "first_token_s", "decode_s"):
            print(f"median {key}: {statistics.median(t[key] for t in results[args.only]):.3f}")
        print(f"peak RSS {max(t['peak_rss_mb'] for t in results[args.only])} MB; load {loads} -> {after}")
        return
    model_bytes = int8_matrix_bytes(ct2_root.parent / "int8")
    summary = summarize(results, bandwidth, model_bytes, kv_bytes_per_token(models.generator),
                        ready, launched)
    summary["load_average_before_after"] = (loads, after)
    print_summary(summary)
    if args.json:
        record = {"when_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
                  "machine": {"cpu": platform.processor() or platform.machine(),
                              "cores": os.cpu_count(), "platform": platform.platform()},
                  "args": vars(args), "bandwidths_gbs": bandwidths, "ready": ready,
                  "turns": results, "summary": summary}
        Path(args.json).write_text(json.dumps(record, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
