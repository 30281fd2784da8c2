"""The Russian morphological analyser (pymorphy3), loaded once and only when first needed.

pymorphy3 is imported inside the function: `gamio --help` and the start of a game must not pay
for its dictionaries (about 0.1 s and 15 MB) until a Russian word is analysed.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pymorphy3 import MorphAnalyzer


@cache
def analyzer() -> MorphAnalyzer:
    """The shared analyser (building one reads the dictionaries from disk)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()
