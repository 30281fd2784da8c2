"""The soak's parts in order, their figures, and which figures are broken promises."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.soak.disk import DiskFigures, soak_full_disk
from tests.soak.inputs import InputFigures, soak_inputs
from tests.soak.kills import InterruptFigures, KillFigures, KillSoak, soak_interrupts
from tests.tiny.build import TinyModels

PARTS = ("kills", "interrupts", "inputs", "disk")


@dataclass(frozen=True)
class SoakCounts:
    kills: int
    interrupts: int
    inputs: int  # with the scripted models at the engine seam
    real_inputs: int  # with the tiny trained models
    parts: tuple[str, ...] = PARTS


@dataclass
class SoakFigures:
    kills: KillFigures | None = None
    interrupts: InterruptFigures | None = None
    inputs: InputFigures | None = None
    real_inputs: InputFigures | None = None
    disk: DiskFigures | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def failures(self) -> list[str]:
        broken = []
        if self.kills and self.kills.failures:
            broken.append("kills")
        if self.interrupts and (self.interrupts.story_changed or self.interrupts.no_answer):
            broken.append("interrupts")
        for name, inputs in (("inputs", self.inputs), ("real_inputs", self.real_inputs)):
            if inputs and (inputs.tracebacks or inputs.crashes or inputs.unloadable
                           or inputs.bad_exits):
                broken.append(name)
        if self.disk and not (self.disk.told and self.disk.loads and self.disk.kept_turns):
            broken.append("disk")
        return broken


def _kills(work: Path, models: TinyModels, count: int, rng: random.Random) -> KillFigures:
    (work / "kills").mkdir(exist_ok=True)
    kills = KillSoak(work / "kills", models, rng)
    kills.start()
    for _ in range(count):
        kills.round()
    kills.finish()
    return kills.figures


def _interrupts(work: Path, models: TinyModels, count: int, rng: random.Random
                ) -> InterruptFigures:
    (work / "interrupts").mkdir(exist_ok=True)
    return soak_interrupts(work / "interrupts", models, count, rng)


def run_soak(work: Path, models: TinyModels, counts: SoakCounts, rng: random.Random,
             report: Callable[[str], None] = lambda _line: None) -> SoakFigures:
    """Each part in its own folder of work; the same rng drives them all (one seed replays).
    report gets each part's figures as soon as the part is done."""
    figures = SoakFigures()
    steps: dict[str, Callable[[], object]] = {
        "kills": lambda: _kills(work, models, counts.kills, rng),
        "interrupts": lambda: _interrupts(work, models, counts.interrupts, rng),
        "inputs": lambda: soak_inputs(work / "inputs", models, counts.inputs,
                                      rng.randrange(2**32), real=False),
        "real_inputs": lambda: soak_inputs(work / "real-inputs", models, counts.real_inputs,
                                           rng.randrange(2**32), real=True),
        "disk": lambda: soak_full_disk(work, models),
    }
    for name, step in steps.items():
        if name.removeprefix("real_") not in counts.parts or getattr(counts, name, 1) == 0:
            continue
        started = time.monotonic()
        setattr(figures, name, step())
        figures.seconds[name] = round(time.monotonic() - started, 1)
        report(f"{name} ({figures.seconds[name]:.0f} s): {getattr(figures, name)}")
    return figures
