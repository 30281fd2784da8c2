"""The agreement sentence table (agreement_table.txt): read it, run the post-edit, score it.

Shared by tests/turn/test_agreement.py and benchmarks/agreement.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from gamio_cli.story import Address, Gender, Hero
from gamio_cli.turn.agreement import agree

TABLE = Path(__file__).with_name("agreement_table.txt")
HEROES: dict[str, Hero] = {
    "ты/м": Hero(Address.TY, Gender.MALE),
    "ты/ж": Hero(Address.TY, Gender.FEMALE),
    "вы/м": Hero(Address.VY, Gender.MALE),
    "вы/ж": Hero(Address.VY, Gender.FEMALE),
}
_SLOT = re.compile(r"\{([^{}]*)\}")
_WORD = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*")


@dataclass(frozen=True)
class Case:
    text: str
    expected: str  # with {вы|ты} or {вы|ты-м|ты-ж} slots
    held_out: bool
    line: int

    def expected_for(self, hero: str) -> str:
        def pick(match: re.Match[str]) -> str:
            forms = match.group(1).split("|")
            if hero.startswith("вы"):
                return forms[0]
            return forms[1] if len(forms) == 2 or hero == "ты/м" else forms[2]

        return _SLOT.sub(pick, self.expected)


def read_table(path: Path = TABLE) -> list[Case]:
    cases: list[Case] = []
    held_out = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("# held-out"):
            held_out = True
        if not line.strip() or line.startswith("#"):
            continue
        text, _, expected = (part.strip() for part in line.partition("||"))
        cases.append(Case(text, expected or text, held_out, number))
    return cases


@dataclass
class Score:
    sentences: int = 0
    correct: int = 0  # sentences right for all four heroes
    wrongly_changed: int = 0  # words changed that had to stay or became a wrong form
    missed: int = 0  # words left as they were that had to change
    failures: list[str] | None = None

    @property
    def share(self) -> float:
        return self.correct / self.sentences if self.sentences else 0.0


def score(cases: list[Case]) -> Score:
    result = Score(failures=[])
    for case in cases:
        result.sentences += 1
        right = True
        for name, hero in HEROES.items():
            got, want = agree(case.text, hero), case.expected_for(name)
            if got == want:
                continue
            right = False
            before, after, wanted = (_WORD.findall(s) for s in (case.text, got, want))
            for old, new, good in zip(before, after, wanted, strict=True):
                result.wrongly_changed += new not in (old, good)
                result.missed += new == old != good
            assert result.failures is not None
            result.failures.append(f"line {case.line} {name}: {got!r} != {want!r}")
        result.correct += right
    return result
