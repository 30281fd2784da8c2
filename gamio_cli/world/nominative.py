"""A name the player typed, put back into its dictionary form (the nominative).

The player types names in whatever case the sentence needs («иду к Мирославе», «спрашиваю
Петра»); the glossary must keep the nominative («Мирослава», «Пётр»), or the English gets a
wrong name (Petra for Пётр) and every later turn repeats it. pymorphy3 (world.morph) reads the
word; among its readings as a name (or, for a name it does not know, as any noun) the normal
forms' scores are summed, and one that holds at least CONFIDENT_SHARE of them wins. Otherwise an
unambiguous case ending decides («-ой», «-ом»: guess_nominative), and otherwise the typed form
stays and /name says that its case was not recognised (typed_form_kept).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gamio_cli.world.morph import analyzer
from gamio_cli.world.stemming import normalise_ru

# Share (0-1) of the readings' score one normal form needs to be taken.
CONFIDENT_SHARE = 0.6
# Share of the score the typed form's own nominative reading needs for the form to stay.
SELF_SHARE = 0.2
_VOWELS = frozenset("аеиоуыэюяьй")
_NAME_GRAMMEMES = ("Name", "Surn", "Patr")

if TYPE_CHECKING:
    from pymorphy3.analyzer import Parse


def guess_nominative(word: str) -> str:
    """The word with an unambiguous oblique ending turned back to the nominative.

    «Мирославой», «Мирославы» -> «Мирослава»; «Всеславом», «Петровым» -> «Всеслав», «Петров».
    Ambiguous forms (-а, -у, -е: «Всеслава» may be a name of its own) are left as written.
    """
    lowered = normalise_ru(word)
    for ending, replacement in (("ой", "а"), ("ою", "а"), ("ы", "а"), ("ом", ""), ("ым", "")):
        if lowered.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: len(word) - len(ending)] + replacement
    return word


def _name_readings(word: str) -> list[Parse]:
    """The word's readings as one person's name: Name over surname over any noun, singular."""
    nouns = [r for r in analyzer().parse(word) if r.tag.POS == "NOUN"]
    for grammeme in _NAME_GRAMMEMES:
        names = [r for r in nouns if grammeme in r.tag]
        if names:
            nouns = names
            break
    singular = [r for r in nouns if r.tag.number == "sing"]
    return singular or nouns


def dictionary_nominative(word: str) -> str | None:
    """The nominative pymorphy3 is confident of, capitalised like a name; None when unsure.

    When the typed form may itself be a nominative («Мирослава»: Мирослава, or Мирослав in the
    genitive) with at least SELF_SHARE of the score, it stays: the two are different people.
    """
    lowered = normalise_ru(word)
    readings = _name_readings(word.lower())
    total = sum(r.score for r in readings)
    if not readings or total <= 0:
        return None
    shares: dict[str, float] = {}
    for reading in readings:
        form = reading.normal_form
        shares[form] = shares.get(form, 0.0) + reading.score
    itself = sum(r.score for r in readings
                 if r.tag.case == "nomn" and normalise_ru(r.normal_form) == lowered)  # fmt: skip
    if itself / total >= SELF_SHARE:
        return word
    best = max(shares, key=lambda form: shares[form])
    if shares[best] / total < CONFIDENT_SHARE:
        return None
    return best[:1].upper() + best[1:]


def nominative(word: str) -> str | None:
    """The name's nominative; None when no reading is confident.

    A word the dictionary knows goes by the dictionary first, then by its ending; an unknown
    word by its ending first (the dictionary only guesses it from similar words). The typed
    form itself comes back when it may well be a nominative already.
    """
    guessed = guess_nominative(word)
    by_ending = guessed if guessed != word else None
    if analyzer().word_is_known(word.lower()):
        return dictionary_nominative(word) or by_ending
    if by_ending is not None:
        return by_ending
    if normalise_ru(word)[-1:] not in _VOWELS:
        return word  # an unknown masculine name ends in a consonant only in the nominative
    return dictionary_nominative(word)


def typed_form_kept(name: str) -> bool:
    """True when no reading of the name is confident, so it stays as the player typed it."""
    return nominative(name) is None


def dictionary_form(word: str) -> str:
    """The name's nominative, or the word as typed when no reading is confident."""
    return nominative(word) or word


def typed_form_note(name: str) -> str:
    """What /name adds after a name kept as typed ("" for one in a recognised nominative)."""
    if not typed_form_kept(name):
        return ""
    return " (падеж не распознан: имя оставлено как введено; исправить: /name имя = Name)"
