"""How many CPU threads the models use: one per physical core, never more.

Hyper-threads share a core's arithmetic units, and two thread pools that together ask for more
threads than there are cores make each other wait (we saw CTranslate2 run 1.85x slower when its
threads fought another pool's). So every pool gets the physical cores the process may run on,
and the pools take turns rather than running side by side (see engines/ct2/generator.py).
GAMIO_THREADS overrides the count (a shared machine, or a player who wants a core free).
torch and ctranslate2 are imported by the callers, never here.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

THREADS_ENV = "GAMIO_THREADS"
# Where cgroup v2 states a container's CPU quota ("max 100000" or "200000 100000").
CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def physical_cores() -> int:
    """Physical cores this process may use: the smallest of the core count, the CPU affinity
    mask and a container's CPU quota; at least 1."""
    import psutil

    counts = [psutil.cpu_count(logical=False) or os.cpu_count() or 1]
    if hasattr(os, "sched_getaffinity"):
        counts.append(len(os.sched_getaffinity(0)))
    quota = cgroup_cpu_quota(CGROUP_CPU_MAX)
    if quota is not None:
        counts.append(quota)
    return max(1, min(counts))


def cgroup_cpu_quota(path: Path) -> int | None:
    """Whole CPUs a cgroup v2 quota allows (rounded up), or None when there is no quota."""
    try:
        fields = path.read_text(encoding="utf-8").split()
    except OSError:
        return None
    if len(fields) != 2 or fields[0] == "max":
        return None
    try:
        quota, period = int(fields[0]), int(fields[1])
    except ValueError:
        return None
    return max(1, math.ceil(quota / period)) if quota > 0 and period > 0 else None


def thread_count() -> int:
    """Threads for one model: GAMIO_THREADS when set to a positive number, else the physical cores."""
    raw = os.environ.get(THREADS_ENV, "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return physical_cores()


def ct2_thread_options(beside_torch: bool = False) -> dict[str, int]:
    """Keyword arguments for ctranslate2.Generator / Translator.

    inter_threads=1: the game runs one request at a time, and every extra replica would hold
    its own copy of the working memory; intra_threads: the cores for that one request.
    beside_torch: the story generator runs on torch in the same process. Each library brings
    its own OpenMP runtime, and each one's idle threads spin for a while after its work, in the
    other's way: GPT-2-XL int8 decoded at 88 ms a token and a sentence translated in 1.02 s
    with two CTranslate2 threads, 74 ms and 0.54 s with one (2 cores). So CTranslate2 gets one.
    """
    return {"inter_threads": 1, "intra_threads": 1 if beside_torch else thread_count()}


def set_torch_threads(torch: Any) -> int:
    """Give torch one thread per physical core (its default counts hyper-threads); returns it."""
    count = thread_count()
    torch.set_num_threads(count)
    return count


# CTranslate2's own kernels (softmax, layer norm, activations) use AVX2 on AMD processors even
# when they have AVX-512; the int8 matrix products, nearly all of the time, go to oneDNN, which
# picks its instructions itself. Measured with GPT-2-XL int8 on a 2-core AVX-512 VNNI Zen 5:
# best decode step 127 ms (AVX2) vs 125 ms (AVX512), 300-token prompt 1.36 s vs 1.62 s, within
# the noise of a shared machine. So CTranslate2's own choice stays (None); a value here would
# become the default of CT2_FORCE_CPU_ISA. (CT2_USE_MKL=1 was 10x slower on this AMD CPU.)
CT2_ISA_ENV = "CT2_FORCE_CPU_ISA"
CT2_ISA: str | None = None


def prepare_ct2_env() -> None:
    """Set CTranslate2's environment before it is first imported (it reads it once).

    A value the player set is kept.
    """
    if CT2_ISA is not None:
        os.environ.setdefault(CT2_ISA_ENV, CT2_ISA)
