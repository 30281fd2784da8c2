"""The soak run, short, in the normal suite (the full run: python -m tests.soak; figures in the
README): kills, Ctrl-C, random inputs and a filling disk on the real game with the tiny models.
The random inputs run with the scripted models at the engine seam here (the full run also
plays 1 000 of them on the tiny models: a second a turn would make this test minutes long)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from tests.soak.kills import KINDS
from tests.soak.run import SoakCounts, run_soak
from tests.tiny.build import TinyModels

pytest.importorskip("pexpect")
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pty, SIGKILL and mounts")


def test_short_soak_keeps_every_promise(tmp_path: Path, tiny_models: TinyModels) -> None:
    counts = SoakCounts(kills=5, interrupts=4, inputs=400, real_inputs=0)
    figures = run_soak(tmp_path, tiny_models, counts, random.Random(15))
    assert figures.failures == [], figures
    assert figures.kills is not None and figures.interrupts is not None
    assert figures.kills.rounds == 5 and figures.interrupts.rounds == 4
    assert sorted(figures.kills.kinds) == sorted(KINDS)  # one kill of each kind
    assert figures.inputs is not None and figures.inputs.inputs >= 400
    assert figures.disk is not None and figures.disk.told >= 1
