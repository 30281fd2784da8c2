"""Names and terms that stay the same across machine translation, in both directions.

MarianMT renders a name differently from turn to turn («Всеслав» may come back as "Vseslav",
"All-glory", …). Around each translation, every glossary entry found in the source, in any of
its forms, is swapped for a placeholder the translator passes through unchanged; afterwards the
placeholder becomes the entry's form in the target language.

Placeholders, chosen for the real opus-mt models (the scheme is pluggable, see PlaceholderScheme):
- ru->en: the English form itself («меч Всеслава» -> "меч Vseslav"). opus-mt-ru-en was trained
  on Russian web text full of Latin brand and place names, so its source vocabulary holds Latin
  pieces and it copies a Latin word in Russian text; the English grammar around it
  ("Vseslav's sword") is then the model's own.
- en->ru: a code-like Latin token, "Xqz1", "Xqz2", … ("Xqz1's sword" -> «меч Xqz1»). Keeping the
  English form would invite the model to transliterate it its own way (that is what it learnt to
  do with names: "Vseslav" -> «Вселав»); a token of letters and a digit reads as a code, which
  MT copies. A Cyrillic placeholder is unsafe: the English source vocabulary barely covers
  Cyrillic and would turn it into <unk>. The restore step tolerates what the model may attach
  to the token (an apostrophe-s, a Russian case ending, a space before the digit).
The Russian form put back is the glossary's (usually the nominative): declining it by context is
out of scope. If the translator drops a placeholder, the text is translated again without
placeholders, since a sentence that lost a name is worse than a name in another spelling.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, Protocol

from gamio_cli.engine import CancelToken, Translator
from gamio_cli.story import GlossaryEntry
from gamio_cli.world.nominative import guess_nominative, nominative
from gamio_cli.world.stemming import KeyWord, Phrase, is_russian, normalise_ru, tokens

Direction = Literal["ru-en", "en-ru"]
_EXAMPLE = "Всеслав = Vseslav"


def parse_name_command(arg: str) -> GlossaryEntry:
    """Read "RU = EN"; ValueError with a Russian message when the input does not fit."""
    if "=" not in arg:
        raise ValueError(f"Не хватает знака «=». Формат: имя = Name, например: {_EXAMPLE}")
    ru, en = (" ".join(part.split()) for part in arg.split("=", 1))
    if not ru or not en:
        raise ValueError(f"Нужны обе части: слева по-русски, справа по-английски: {_EXAMPLE}")
    if not tokens(ru) or not is_russian(ru):
        raise ValueError(f"Слева от «=» нужно слово по-русски, например: {_EXAMPLE}")
    if not tokens(en) or is_russian(en):
        raise ValueError(f"Справа от «=» нужно слово латиницей, например: {_EXAMPLE}")
    return GlossaryEntry(ru, en)


@dataclass(frozen=True)
class Occurrence:
    """Where a glossary entry stands in a text."""

    start: int
    end: int
    entry: GlossaryEntry


class Glossary:
    """A story's glossary: one entry per Russian form, no English form used twice."""

    def __init__(self, entries: Iterable[GlossaryEntry] = ()) -> None:
        self._entries: list[GlossaryEntry] = []
        self._phrases: dict[GlossaryEntry, tuple[Phrase, Phrase]] = {}
        for entry in entries:
            self.add(entry)

    @property
    def entries(self) -> tuple[GlossaryEntry, ...]:
        return tuple(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[GlossaryEntry]:
        return iter(self.entries)

    def add(self, entry: GlossaryEntry) -> None:
        """Add an entry, replacing one with the same Russian form (a new English spelling)."""
        same_ru = [e for e in self._entries if normalise_ru(e.ru) == normalise_ru(entry.ru)]
        for other in self._entries:
            if other not in same_ru and other.en.lower() == entry.en.lower():
                raise ValueError(
                    f"«{entry.en}» уже означает «{other.ru}»: одно английское имя не может "
                    "переводиться двумя способами. Выберите другое написание."
                )
        for old in same_ru:
            self._drop(old)
        self._entries.append(entry)
        # Names are matched with their capital: the name «Лада» must not catch «лада».
        self._phrases[entry] = (Phrase(entry.ru, True), Phrase(entry.en, True))

    def remove(self, form: str) -> GlossaryEntry:
        """Remove the entry with this Russian or English form (any case form); return it."""
        entry = self.lookup_ru(form) or self.lookup_en(form)
        if entry is None:
            raise ValueError(f"«{form}» нет в словаре имён.")
        self._drop(entry)
        return entry

    def _drop(self, entry: GlossaryEntry) -> None:
        self._entries.remove(entry)
        del self._phrases[entry]

    def lookup_ru(self, form: str) -> GlossaryEntry | None:
        """The entry a Russian word or phrase in any case form stands for."""
        return _whole(self.find_ru(form.strip()), form.strip())

    def lookup_en(self, form: str) -> GlossaryEntry | None:
        """The entry an English word or phrase (possessive and plural too) stands for."""
        return _whole(self.find_en(form.strip()), form.strip())

    def find_ru(self, text: str) -> list[Occurrence]:
        """Every entry's Russian form in the text, left to right, without overlaps."""
        return self._find(text, 0, lambda e: e.ru)

    def find_en(self, text: str) -> list[Occurrence]:
        """Every entry's English form in the text, left to right, without overlaps."""
        return self._find(text, 1, lambda e: e.en)

    def _find(
        self, text: str, side: int, form: Callable[[GlossaryEntry], str]
    ) -> list[Occurrence]:
        found = [
            Occurrence(start, end, entry)
            for entry in self._entries
            for start, end in self._phrases[entry][side].spans(text)
        ]

        # Leftmost first, then the form written exactly as in the glossary (the name «Всеслава»
        # over a form of «Всеслав»), then the longest, then glossary order.
        def rank(o: Occurrence) -> tuple[int, bool, int, int]:
            exact = normalise_ru(text[o.start : o.end]) == normalise_ru(form(o.entry))
            return (o.start, not exact, o.start - o.end, self._entries.index(o.entry))

        kept: list[Occurrence] = []
        for occurrence in sorted(found, key=rank):
            if not kept or occurrence.start >= kept[-1].end:
                kept.append(occurrence)
        return kept


def _whole(found: list[Occurrence], text: str) -> GlossaryEntry | None:
    """The entry when one occurrence covers the whole text (an English possessive aside)."""
    if len(found) == 1 and found[0].start == 0 and text[found[0].end :] in ("", "'s", "’s"):
        return found[0].entry
    return None


def substitute(text: str, found: list[Occurrence], new: Callable[[GlossaryEntry], str]) -> str:
    """The text with each occurrence replaced by new(its entry); occurrences must not overlap."""
    for occurrence in sorted(found, key=lambda o: o.start, reverse=True):
        text = text[: occurrence.start] + new(occurrence.entry) + text[occurrence.end :]
    return text


class PlaceholderScheme(Protocol):
    """What stands for an entry while the translator works, and how to find it afterwards."""

    def placeholder(self, entry: GlossaryEntry, number: int) -> str:
        """The text put into the source for the entry numbered `number` (from 1) in this text."""
        ...

    def pattern(self, placeholder: str) -> re.Pattern[str]:
        """Finds the placeholder in the translation, with whatever the model may attach to it."""
        ...


class EnglishFormScheme:
    """The entry's English form is its own placeholder (used for ru->en)."""

    def placeholder(self, entry: GlossaryEntry, number: int) -> str:
        return entry.en

    def pattern(self, placeholder: str) -> re.Pattern[str]:
        return re.compile(rf"(?<![^\W_]){re.escape(placeholder)}(?![^\W_])", re.IGNORECASE)


class CodeTokenScheme:
    """A code-like token, prefix + number ("Xqz1"), which MT copies through (used for en->ru)."""

    def __init__(self, prefix: str = "Xqz") -> None:
        self.prefix = prefix

    def placeholder(self, entry: GlossaryEntry, number: int) -> str:
        return f"{self.prefix}{number}"

    def pattern(self, placeholder: str) -> re.Pattern[str]:
        number = placeholder[len(self.prefix) :]
        # Absorbed with the token: "'s", a case ending the model glued on («Xqz1а», «Xqz1-ом»).
        tail = r"(?:['’]s\b|-?[а-яё]{1,3}(?![а-яё]))?"
        return re.compile(
            rf"(?<![^\W_]){re.escape(self.prefix)}\s?{re.escape(number)}(?!\d){tail}",
            re.IGNORECASE,
        )


def default_scheme(direction: Direction) -> PlaceholderScheme:
    """The placeholders chosen for the real opus-mt models (see the module docstring)."""
    return EnglishFormScheme() if direction == "ru-en" else CodeTokenScheme()


@dataclass(frozen=True)
class Slot:
    """One entry protected in a text: its placeholder and the form it becomes afterwards."""

    entry: GlossaryEntry
    placeholder: str
    target: str


def protect(
    text: str, glossary: Glossary, direction: Direction, scheme: PlaceholderScheme
) -> tuple[str, list[Slot]]:
    """The source with every glossary entry replaced by its placeholder, and the slots used."""
    found = glossary.find_ru(text) if direction == "ru-en" else glossary.find_en(text)
    slots: dict[GlossaryEntry, Slot] = {}
    for occurrence in found:
        entry = occurrence.entry
        if entry not in slots:
            target = entry.en if direction == "ru-en" else entry.ru
            slots[entry] = Slot(entry, scheme.placeholder(entry, len(slots) + 1), target)
    return substitute(text, found, lambda e: slots[e].placeholder), list(slots.values())


def restore(
    text: str, slots: list[Slot], scheme: PlaceholderScheme
) -> tuple[str, list[Slot]]:
    """The translation with placeholders turned into target forms, and the slots not found."""
    missing: list[Slot] = []
    for slot in slots:
        text, count = scheme.pattern(slot.placeholder).subn(lambda _: slot.target, text)
        if not count:
            missing.append(slot)
    return text, missing


class GlossaryTranslator:
    """A Translator that keeps the current story's glossary entries in their chosen forms."""

    def __init__(
        self,
        inner: Translator,
        glossary_source: Callable[[], Glossary],
        direction: Direction,
        scheme: PlaceholderScheme | None = None,
    ) -> None:
        self.inner = inner
        self.glossary_source = glossary_source  # read on every call: the story may change
        self.direction = direction
        self.scheme = scheme if scheme is not None else default_scheme(direction)

    def translate(self, text: str, cancel: CancelToken | None = None) -> str:
        glossary = self.glossary_source()
        protected, slots = protect(text, glossary, self.direction, self.scheme)
        if not slots:
            return self.inner.translate(text, cancel)
        restored, missing = restore(self.inner.translate(protected, cancel), slots, self.scheme)
        if not missing:
            return restored
        plain = self.inner.translate(text, cancel)
        if self.direction == "en-ru":  # an English name the model copied still gets its form
            plain = substitute(plain, glossary.find_en(plain), lambda e: e.ru)
        return plain


# Capitalised inside a sentence for politeness or by custom, not because they are names.
_NOT_NAMES = frozenset(
    "я ты вы вас вам вами ваш ваша ваше вашего вашей вашему вашим вашем вашу ваши ваших "
    "тебя тебе тобой бог бога богу богом боже господь господа господу господом господи".split()
)
_OPENERS = "«„“\"'‘([—–- \t\n"
_CLOSERS = "»”\"'’)]"


def _starts_sentence(text: str, start: int) -> bool:
    """True when the word at `start` opens a sentence, a quotation or a line of speech."""
    before = text[:start].rstrip(_OPENERS).rstrip(_CLOSERS)
    return not before or before[-1] in ".!?…:"


def candidate_names(text_ru: str, known: Glossary | None = None) -> list[str]:
    """Names the player seems to introduce: capitalised Russian words inside a sentence.

    Forms of one name count once, and a capitalised word at a sentence's start still helps
    to pick its best form («…к Всеславу. Всеслав…» -> «Всеслав»). Names in `known` are left out.
    """
    groups: list[list[str]] = []  # the forms of one name, in order of appearance
    inside: list[bool] = []  # whether the name occurs inside a sentence at least once
    for token in tokens(text_ru):
        word = token.text
        if not (is_russian(word) and word[:1].isupper() and word[1:].islower()):
            continue
        if normalise_ru(word) in _NOT_NAMES:
            continue
        mid = not _starts_sentence(text_ru, token.start)
        for index, forms in enumerate(groups):
            if KeyWord(forms[0]).matches(word) or KeyWord(word).matches(forms[0]):
                forms.append(word)
                inside[index] = inside[index] or mid
                break
        else:
            groups.append([word])
            inside.append(mid)
    names = [_best_form(forms) for forms, mid in zip(groups, inside) if mid]
    return [name for name in names if known is None or known.lookup_ru(name) is None]


def _best_form(forms: list[str]) -> str:
    """The likeliest nominative among the forms of one name (see nominative.py)."""
    for form in forms:
        found = nominative(form)
        if found is not None:
            return found
    for form in forms:
        if guess_nominative(form) != form:
            return guess_nominative(form)
    for form in forms:
        # A masculine name ends in a consonant only in the nominative («Всеслав»).
        if normalise_ru(form)[-1] not in "аеиоуыэюя":
            return form
    return forms[0]


# A readable scheme close to BGN/PCGN without diacritics: «Всеслав» -> "Vseslav", «Щукин» ->
# "Shchukin", «Юлия» -> "Yuliya", «Ёлкин» -> "Yolkin".
_LATIN = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e yo zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya".split(),
    )
)
_IOTATING = frozenset("аеёиоуыэюяьъ")  # after these (or at a word's start) е is "ye"


def _latin_letter(word: str, index: int) -> str:
    """One letter of a lower-case word in Latin letters, looking at its neighbours."""
    char, before = word[index], word[index - 1] if index else ""
    rest = word[index:]
    if char == "е" and (not before or before in _IOTATING):
        return "ye"
    if char == "ё" and before in ("ж", "ч", "ш", "щ"):
        return "o"
    if char == "ы" and rest == "ый":  # Красный -> Krasny, not Krasnyy
        return "y"
    if char == "й" and before == "ы" and index == len(word) - 1:
        return ""
    latin = _LATIN.get(char, char)
    return "" if latin == "-" else latin


def transliterate_ru(name: str) -> str:
    """A Russian name in Latin letters; other characters are kept; capitals follow the source."""
    parts: list[str] = []
    last = 0
    for token in tokens(name):
        parts.append(name[last : token.start])
        parts.append(_transliterate_word(token.text))
        last = token.end
    parts.append(name[last:])
    return "".join(parts)


def _transliterate_word(word: str) -> str:
    lowered = word.lower()
    letters = [_latin_letter(lowered, i) for i in range(len(lowered))]
    if len(word) > 1 and word.isupper():
        return "".join(letters).upper()
    return "".join(
        latin.capitalize() if char.isupper() else latin for char, latin in zip(word, letters)
    )
