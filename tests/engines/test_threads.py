"""Thread counts: physical cores, container quotas, the override, and CTranslate2's environment."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamio_cli.engines import threads


def test_physical_cores_is_real_and_bounded() -> None:
    import psutil

    cores = threads.physical_cores()
    assert 1 <= cores <= (psutil.cpu_count(logical=False) or os.cpu_count() or 1)
    if hasattr(os, "sched_getaffinity"):
        assert cores <= len(os.sched_getaffinity(0))


def test_physical_cores_honours_a_smaller_quota(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    quota = tmp_path / "cpu.max"
    quota.write_text("100000 100000\n", encoding="utf-8")
    monkeypatch.setattr(threads, "CGROUP_CPU_MAX", quota)
    assert threads.physical_cores() == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [("max 100000\n", None), ("150000 100000\n", 2), ("50000 100000", 1), ("400000 100000", 4),
     ("", None), ("abc def", None), ("0 100000", None), ("1 2 3", None)],
)
def test_cgroup_quota_parsing(tmp_path: Path, text: str, expected: int | None) -> None:
    path = tmp_path / "cpu.max"
    path.write_text(text, encoding="utf-8")
    assert threads.cgroup_cpu_quota(path) == expected


def test_missing_cgroup_file_means_no_quota(tmp_path: Path) -> None:
    assert threads.cgroup_cpu_quota(tmp_path / "absent") is None


@given(st.integers(1, 10**7), st.integers(1, 10**7))
def test_quota_rounds_up_to_whole_cpus(quota: int, period: int) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cpu.max"
        path.write_text(f"{quota} {period}", encoding="utf-8")
        assert threads.cgroup_cpu_quota(path) == max(1, math.ceil(quota / period))


@pytest.mark.parametrize(("value", "uses_override"), [("3", True), ("1", True), ("0", False),
                                                     ("-2", False), ("many", False), ("", False)])
def test_gamio_threads_overrides_only_with_a_positive_number(
    monkeypatch: pytest.MonkeyPatch, value: str, uses_override: bool
) -> None:
    monkeypatch.setenv(threads.THREADS_ENV, value)
    expected = int(value) if uses_override else threads.physical_cores()
    assert threads.thread_count() == expected
    assert threads.ct2_thread_options() == {"inter_threads": 1, "intra_threads": expected}
    # Beside torch's OpenMP pool, CTranslate2's own pool would fight it: one thread.
    assert threads.ct2_thread_options(beside_torch=True) == {"inter_threads": 1, "intra_threads": 1}


def test_torch_gets_one_thread_per_core(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    before = torch.get_num_threads()
    monkeypatch.setenv(threads.THREADS_ENV, "1")
    try:
        assert threads.set_torch_threads(torch) == 1
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_ct2_isa_default_never_overrides_the_player(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads, "CT2_ISA", "AVX512")
    monkeypatch.setenv(threads.CT2_ISA_ENV, "AVX2")
    threads.prepare_ct2_env()
    assert os.environ[threads.CT2_ISA_ENV] == "AVX2"
    monkeypatch.delenv(threads.CT2_ISA_ENV)
    threads.prepare_ct2_env()
    assert os.environ[threads.CT2_ISA_ENV] == "AVX512"
    monkeypatch.delenv(threads.CT2_ISA_ENV)
    monkeypatch.setattr(threads, "CT2_ISA", None)
    threads.prepare_ct2_env()
    assert threads.CT2_ISA_ENV not in os.environ
