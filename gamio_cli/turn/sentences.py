"""Sentence boundaries in English and Russian text (pure functions).

Translation goes sentence by sentence (MarianMT drops later sentences of long inputs), a
continuation is cut at its last complete sentence, and streaming shows each sentence as soon
as it is complete: all three use the same notion of "a sentence ends here".
"""

from __future__ import annotations

import re

# A sentence ends with . ! ? or … (possibly repeated), optionally followed by closing quotes or
# brackets, and then the end of the text or whitespace before something that can start a
# sentence (not a lowercase letter or a dash: '"Hello!" he says.' and «Беги!» — кричит он.
# are one sentence each).
_END = re.compile(r"""[.!?…]+["'»”’)\]]*(?=$|\s+(?![a-zа-яё—–-]))""")
# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "st", "sr", "jr", "prof", "vs", "etc", "e.g", "i.e",
     "т.е", "т.д", "т.п", "г", "гг", "ул", "им", "см", "др", "пр"}
)


def _is_abbreviation(text: str, end: int) -> bool:
    """True when the full stop at text[end] closes a known abbreviation ("Mr.", "т.е.")."""
    if text[end] != ".":
        return False
    start = end
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    return text[start:end].lower() in _ABBREVIATIONS


def sentence_ends(text: str) -> list[int]:
    """Offsets just past the end of each complete sentence in text."""
    ends: list[int] = []
    for match in _END.finditer(text):
        if _is_abbreviation(text, match.start()):
            continue
        ends.append(match.end())
    return ends


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; a trailing fragment without an end mark is kept as the last one."""
    sentences: list[str] = []
    start = 0
    for end in sentence_ends(text):
        piece = text[start:end].strip()
        if piece:
            sentences.append(piece)
        start = end
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def complete_part(text: str) -> str:
    """The text up to and including its last complete sentence ("" when none is complete)."""
    ends = sentence_ends(text)
    return text[: ends[-1]].rstrip() if ends else ""
