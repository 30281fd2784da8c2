"""Word forms: does a word in a text stand for a key word, whatever form it takes there?

World-info keys and glossary entries are nouns, names and adjectives. Russian declines them, so
the key «дракон» must find «дракона», «драконом», «драконы», and the name «Мирослава» must find
«Мирославой». English only adds plurals and possessives: "dragon" finds "dragons", "dragon's".

Russian rule: a word matches a key when it is one of the key's stems followed by a noun or
adjective ending from a closed list (or the empty ending). The ending list, not a minimum
stem length, is what keeps «кот» from matching «который»: «-орый» is no ending. A general
stemmer (Snowball) was tried and rejected: it cuts «Всеслав» to «всесла» (it reads «-ав» as a
verb's gerund suffix) while «Всеслава» keeps «всеслав», so the nominative never matched.
Known misses, accepted: irregular forms («мать» / «матери», «день» / «дня») and diminutives.
Pure functions; ё counts as е.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Letters with inner apostrophes: "dragon's" and "don't" are single words, digits split words.
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)

# Case endings of nouns (all declensions, singular and plural) and of adjectives/surnames.
ENDINGS: frozenset[str] = frozenset(
    ["", "а", "я", "о", "е", "ь", "й", "ы", "и", "у", "ю"]
    + "ой ей ою ею ом ем ам ям ами ями ах ях ов ев".split()
    + "ия ию ие ии ий ией ием иям иями иях".split()
    + "ью ье ья ьи ьев ьей ьям ьями ьях".split()
    + "ени енем ена ен енам енами енах".split()  # время, имя, племя
    + "ый ая яя ое ее ые ие ого его ому ему ым им ую юю ых их ыми ими".split()
)
# Stem ends that lose their vowel when declined: отец/отца, замок/замка, ветер/ветра, пепел/пепла.
_FLEETING_ENDS = ("ок", "ек", "ец", "ер", "ел", "ен", "ол")
_VOWELS = frozenset("аеиоуыэюяьй")
# Stems shorter than this match only when the key allows nothing longer («ель» -> «ел»).
_MIN_STEM = 3


@dataclass(frozen=True)
class Token:
    """A word in a text and where it stands."""

    start: int
    end: int
    text: str


def tokens(text: str) -> list[Token]:
    """The words of a text, in order."""
    return [Token(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]


def is_russian(word: str) -> bool:
    """True when the word is written in Cyrillic letters."""
    return bool(_CYRILLIC.search(word))


def normalise_ru(word: str) -> str:
    """Lower case with ё read as е: players type either."""
    return word.lower().replace("ё", "е")


def russian_stems(key_word: str) -> frozenset[str]:
    """Every stem the key word can have: the key minus each ending it may carry."""
    key = normalise_ru(key_word)
    candidates = {key[: len(key) - len(e)] for e in ENDINGS if e and key.endswith(e)}
    if key[-1:] not in _VOWELS:  # a key ending in a consonant is a stem itself
        candidates.add(key)
    long_ones = {s for s in candidates if len(s) >= _MIN_STEM}
    stems = long_ones or {s for s in candidates if len(s) >= 2}
    return frozenset(stems | {_drop_fleeting(s) for s in stems if _has_fleeting(s)})


def _has_fleeting(stem: str) -> bool:
    return len(stem) > _MIN_STEM and stem.endswith(_FLEETING_ENDS)


def _drop_fleeting(stem: str) -> str:
    return stem[:-2] + stem[-1]


def russian_bare_forms(key_word: str) -> frozenset[str]:
    """Whole-word forms not built as stem + ending: the key itself, and the genitive plural that
    gains a vowel (кошка -> кошек, сосна -> сосен, окно -> окон)."""
    key = normalise_ru(key_word)
    forms = {key}
    if key[-1:] in ("а", "я", "о") and len(key) > _MIN_STEM:
        stem = key[:-1]
        if stem[-1] not in _VOWELS and stem[-2] not in _VOWELS:
            forms.update(stem[:-1] + vowel + stem[-1] for vowel in ("е", "о"))
    return frozenset(forms)


def english_forms(key_word: str) -> frozenset[str]:
    """Lower-case forms an English key word takes: itself and its regular plural."""
    key = _POSSESSIVE.sub("", key_word.lower().replace("’", "'"))
    bases = {key}
    if key.endswith("ies") and len(key) > 3:
        bases.add(key[:-3] + "y")
    elif key.endswith("s") and not key.endswith("ss") and len(key) > 2:
        bases.add(key[:-1])
    forms = set(bases)
    for base in bases:
        forms.update((base + "s", base + "es"))
        if base.endswith("y") and base[-2:-1] not in ("a", "e", "o", "u"):
            forms.add(base[:-1] + "ies")
        if base.endswith("fe"):
            forms.add(base[:-2] + "ves")
        elif base.endswith("f"):
            forms.add(base[:-1] + "ves")
    return frozenset(forms)


class KeyWord:
    """One word of a key, ready to be compared with the words of a text."""

    def __init__(self, word: str, keep_capital: bool = False) -> None:
        self.word = word
        # A capitalised glossary name must not match a common noun: «Лада» is not «лада».
        self.needs_capital = keep_capital and word[:1].isupper()
        self.russian = is_russian(word)
        self.stems = russian_stems(word) if self.russian else frozenset()
        self.bare = russian_bare_forms(word) if self.russian else english_forms(word)

    def matches(self, word: str) -> bool:
        """True when the word is a form of this key word."""
        if self.needs_capital and not word[:1].isupper():
            return False
        if not self.russian:
            return _POSSESSIVE.sub("", word.lower().replace("’", "'")) in self.bare
        lowered = normalise_ru(word)
        if lowered in self.bare:
            return True
        return any(
            lowered.startswith(stem) and lowered[len(stem) :] in ENDINGS for stem in self.stems
        )


def base_end(token: Token) -> int:
    """Where the word ends without its English possessive ("Vseslav's" -> after "Vseslav")."""
    found = _POSSESSIVE.search(token.text)
    return token.start + found.start() if found else token.end


class Phrase:
    """A key of one or more words, found in any of their forms, words separated by spaces only."""

    def __init__(self, phrase: str, keep_capital: bool = False) -> None:
        self.words = [KeyWord(t.text, keep_capital) for t in tokens(phrase)]
        if not self.words:
            raise ValueError(f"В ключе «{phrase}» нет ни одного слова.")

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the phrase stands in the text: (start, end) of each occurrence, in order.

        The end leaves out an English possessive, so a replacement keeps "'s" in place.
        """
        words = tokens(text)
        found: list[tuple[int, int]] = []
        size = len(self.words)
        for first in range(len(words) - size + 1):
            window = words[first : first + size]
            if self._matches(text, window):
                found.append((window[0].start, base_end(window[-1])))
        return found

    def occurs_in(self, text: str) -> bool:
        return bool(self.spans(text))

    def _matches(self, text: str, window: list[Token]) -> bool:
        for index, (key, token) in enumerate(zip(self.words, window)):
            if not key.matches(token.text):
                return False
            if index and text[window[index - 1].end : token.start].strip():
                return False  # "Пепельный, лес" is not the phrase «Пепельный лес»
        return True
