"""Word-level rules of the agreement post-edit (agreement.py): which word refers to the player
and what it becomes. Every decision that rests on pymorphy3 takes only readings it scores at
least CONFIDENT; when two confident readings would give different words, the word stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from gamio_cli.world.morph import analyzer

if TYPE_CHECKING:
    from pymorphy3.analyzer import Parse
    from pymorphy3.tagset import OpencorporaTag

Form = Literal["sing", "plur"]  # how the model wrote the player in a clause: «ты» or «вы»

# pymorphy3's score (0-1) a reading needs to count at all.
CONFIDENT = 0.05

_TO_TY = {"вы": "ты", "вам": "тебе", "вами": "тобой"}
_TO_VY = {"ты": "вы", "тебя": "вас", "тобой": "вами", "тобою": "вами"}
_LOCATIVE_O = frozenset({"о", "об", "обо", "при"})  # «о вас» -> «о тебе», «у вас» -> «у тебя»
_LOCATIVE_TEBE = _LOCATIVE_O | {"в", "во", "на"}  # «на тебе» -> «на вас»
_GROUP_AFTER_VY = frozenset(
    "оба обе обоих обеих обоим обеим обоими все всех всем всеми вдвоём вдвоем втроём втроем "
    "вчетвером впятером вместе двое трое четверо пятеро".split()
)
_COMPANIONS = frozenset({"ним", "ней", "нею", "ними", "мной", "нами"})
_PLURAL_VY = frozenset({"вы", "вас", "вам", "вами"})
# Words that stand as a subject though pymorphy3 reads them first as something else («все»).
_SUBJECT_WORDS = frozenset(
    "все оба обе многие некоторые остальные другие никто кто-то кто-нибудь каждый двое трое "
    "четверо пятеро несколько".split()
)


@dataclass(frozen=True)
class Target:
    """What the player's words must become: «вы» (plural) or «ты» with this gender."""

    vy: bool
    gender: str | None  # pymorphy3's "masc" or "femn"; None when the hero's is unknown


@lru_cache(maxsize=4096)
def _confident_readings(word: str) -> tuple[Parse, ...]:
    """Cached: a sentence asks about the same word several times, a story about the same few
    hundred words over and over."""
    return tuple(p for p in analyzer().parse(word) if p.score >= CONFIDENT)


def _readings(word: str) -> list[Parse]:
    return list(_confident_readings(word))


def _same_case(original: str, new: str) -> str:
    return new[:1].upper() + new[1:] if original[:1].isupper() else new


def _unique(words: set[str]) -> str | None:
    return next(iter(words)) if len(words) == 1 else None


def _inflected(readings: list[Parse], grammemes: set[str]) -> str | None:
    """The one word all readings give in the grammemes, else None."""
    results = set()
    for reading in readings:
        inflected = reading.inflect(grammemes)
        if inflected is None:
            return None
        results.add(inflected.word)
    return _unique(results)


def _is_finite_2per(tag: OpencorporaTag, number: str) -> bool:
    return bool(tag.POS == "VERB" and tag.person == "2per" and tag.number == number)


def _is_imperative(tag: OpencorporaTag, number: str) -> bool:
    return bool(tag.POS == "VERB" and tag.mood == "impr" and "excl" in tag and tag.number == number)


def _is_predicate(tag: OpencorporaTag, number: str) -> bool:
    """A past verb, short adjective or participle, in the number asked."""
    if tag.number != number:
        return False
    return (tag.POS == "VERB" and tag.tense == "past") or tag.POS in ("ADJS", "PRTS")


def _pronoun(lower: str, before: str, target: Target) -> str | None:
    if target.vy:
        if lower == "тебе":
            return "вас" if before in _LOCATIVE_TEBE else "вам"
        return _TO_VY.get(lower)
    if lower == "вас":
        return "тебе" if before in _LOCATIVE_O else "тебя"
    return _TO_TY.get(lower)


def _possessive(word: str, target: Target) -> str | None:
    source, other = ("твой", "ваш") if target.vy else ("ваш", "твой")
    readings = [r for r in _readings(word) if r.normal_form == source and r.tag.POS == "ADJF"]
    if not readings:
        return None
    stem = analyzer().parse(other)[0]
    results = set()
    for reading in readings:
        grammemes = {g for g in (reading.tag.case, reading.tag.number, reading.tag.gender,
                                 reading.tag.animacy) if g}  # fmt: skip
        inflected = stem.inflect(grammemes)
        if inflected is None:
            return None
        results.add(inflected.word)
    return _unique(results)


def _verb_2per(word: str, target: Target) -> str | None:
    """«открываете» <-> «открываешь», «откройте» <-> «открой».

    A form that reads both as indicative and imperative («садитесь») is taken as indicative,
    as narration writes it; «понимаете» is also a parenthetical word, which changes the same.
    """
    source, wanted = ("sing", "plur") if target.vy else ("plur", "sing")
    readings = _readings(word)
    finite = [r for r in readings if _is_finite_2per(r.tag, source)]
    imperative = [r for r in readings if _is_imperative(r.tag, source)]
    others = [r for r in readings if r not in finite and r not in imperative]
    if others and not all(r.tag.POS == "CONJ" for r in others):
        return None
    if finite:
        return _inflected(finite, {wanted})
    return _inflected(imperative, {wanted}) if imperative and not others else None


def _is_sam(reading: Parse, number: str) -> bool:
    tag = reading.tag
    return bool(reading.normal_form == "сам" and tag.case == "nomn" and tag.number == number)


def predicate_readings(word: str, number: str, after_link: bool = False) -> list[Parse]:
    """Readings of word as a past verb, short form or «сам» in this number.

    Right after «ты», «вы» or «был(а)», a short form counts even when pymorphy3 scores it
    low: «ты была права» is «правый», not the genitive of «право» it reads first.
    """
    readings = [r for r in _readings(word) if _is_predicate(r.tag, number) or _is_sam(r, number)]
    if after_link and not readings:
        readings = [r for r in analyzer().parse(word) if r.score >= LINKED_SHORT_FORM
                    and r.tag.POS in ("ADJS", "PRTS") and r.tag.number == number]  # fmt: skip
    return readings


# Words after which a short form is the predicate however pymorphy3 scores it, and that score's
# floor there.
LINKS = frozenset("ты вы был была были будешь будете".split())
LINKED_SHORT_FORM = 0.01


def _predicate(word: str, target: Target, subject: Form, after_link: bool) -> str | None:
    """A past verb or short form whose subject is the player, in the hero's number and gender."""
    if target.vy:
        if subject != "sing":
            return None
        readings = predicate_readings(word, "sing", after_link)
        readings = [r for r in readings if r.tag.gender != "neut"]
        return _inflected(readings, {"plur"}) if readings else None
    gender = target.gender
    readings = predicate_readings(word, subject, after_link)
    if subject == "sing":
        if gender is None:
            return None
        readings = [r for r in readings if r.tag.gender not in (gender, "neut", None)]
    if not readings:
        return None
    return _inflected(readings, {"sing", gender or "masc"})


def convert_word(
    word: str, before: str, target: Target, subject: Form | None, after_verb: bool = False
) -> str | None:
    """What a narration word becomes for the target; None when it stays as it is.

    `before` is the previous word, lower-cased ("" after a sign); `subject` is the number the
    player takes as subject of this word's clause, None when the player is not its subject;
    `after_verb` says a full verb came earlier in the clause, where a word that may be a noun
    is its object («открыть замок», not the past of «замокнуть»).
    """
    lower = word.lower()
    new = _pronoun(lower, before, target) or _possessive(lower, target)
    new = new or _verb_2per(lower, target)
    if new is None and subject is not None and not (after_verb and _may_be_noun(lower)):
        new = _predicate(lower, target, subject, before in LINKS)
    if new is None or new == lower:
        return None
    return _same_case(word, new)


def _may_be_noun(word: str) -> bool:
    return any(r.tag.POS == "NOUN" for r in _readings(word))


# Verbs after which a short form or past verb is still the subject's predicate.
_LINKS = frozenset({"быть", "стать", "казаться", "оказаться", "остаться", "становиться"})


def has_verb(clause: list[str]) -> bool:
    """True when some word of the clause may be a verb, infinitive or short form."""
    verbal = ("VERB", "INFN", "ADJS", "PRTS", "GRND")
    return any(r.tag.POS in verbal for word in clause for r in _readings(word.lower()))


def is_full_verb(word: str) -> bool:
    """True when the word reads first as a verb or infinitive that takes objects, not a link."""
    readings = _readings(word.lower())
    if not readings or readings[0].tag.POS not in ("VERB", "INFN"):
        return False
    return readings[0].normal_form not in _LINKS


def is_player_subject(clause: list[str]) -> Form | None:
    """The number the player is written in when a clause says «вы»/«ты» or has a 2nd-person verb."""
    lowered = [word.lower() for word in clause]
    if "вы" in lowered:
        return "plur"
    if "ты" in lowered:
        return "sing"
    for word in lowered:
        readings = _readings(word)
        for number in ("plur", "sing"):
            if readings and all(_is_finite_2per(r.tag, number) for r in readings):
                return "plur" if number == "plur" else "sing"
    return None


def _may_be_subject(reading: Parse) -> bool:
    return reading.tag.POS in ("NOUN", "NPRO") and reading.tag.case == "nomn"


def _takes_subject_after(predicate: list[Parse], word: str, readings: list[Parse]) -> bool:
    """True when a word after the player's predicate may be that predicate's own subject:
    a nominative agreeing with it, and only a nominative unless the verb takes no object."""
    agreeing = [r for r in readings if _may_be_subject(r) and _agrees(r, predicate[0])]
    if not agreeing:
        return False
    intransitive = all("intr" in p.tag or p.tag.POS != "VERB" for p in predicate)
    return intransitive or len(agreeing) == len(readings)


def _agrees(noun: Parse, predicate: Parse) -> bool:
    if noun.tag.number != predicate.tag.number:
        return False
    return predicate.tag.number == "plur" or noun.tag.gender in (predicate.tag.gender, None)


def _may_open_clause(word: str, readings: list[Parse]) -> bool:
    """A word before the predicate that may be the clause's own subject or object."""
    if word in _SUBJECT_WORDS:
        return True
    nouns = [r for r in readings if r.tag.POS in ("NOUN", "NPRO")]
    return any(r.tag.case in ("nomn", "accs") for r in nouns)


def kills_chain(clause: list[str], active: Form) -> bool:
    """True when a clause joined to the player's may have a subject of its own.

    Before its first past verb or short form: a noun or pronoun outside a prepositional
    phrase that may be nominative or accusative («и все замолчали», «и комнату залил свет»);
    after it, a nominative agreeing with it («и в комнату ворвался ветер»); with no such
    verb at all, any such noun.
    """
    after_preposition = False
    predicate: list[Parse] = []
    for word in (w.lower() for w in clause):
        readings = _readings(word)
        if not predicate and predicate_readings(word, active):
            predicate = predicate_readings(word, active)
            after_preposition = False  # «за которой стоял рыцарь»: the verb ends the phrase
            continue
        if any(r.tag.POS == "PREP" for r in readings[:1]):
            after_preposition = True
            continue
        if after_preposition:
            after_preposition = not any(r.tag.POS in ("NOUN", "NPRO") for r in readings)
            continue
        if not predicate and _may_open_clause(word, readings):
            return True
        if predicate and word in _SUBJECT_WORDS:
            return True
        if predicate and _takes_subject_after(predicate, word, readings):
            return True
    return False


def is_group(words: list[str]) -> bool:
    """True when «вы» in these narration words clearly means the player and others."""
    lowered = [word.lower() for word in words]
    for i, word in enumerate(lowered):
        following = lowered[i + 1 : i + 3]
        if word in _PLURAL_VY and following[:1] and following[0] in _GROUP_AFTER_VY:
            return True
        if word in ("из", "среди", "между") and following[:1] == ["вас"]:
            return True
        if word in ("все", "всех", "всем") and following[:1] and following[0] in _PLURAL_VY:
            return True
        if word == "вы" and following[:1] == ["с"] and _companion(lowered[i + 2 : i + 4]):
            return True
        if word == "вы" and following[:1] == ["и"] and _person(lowered[i + 2 : i + 3]):
            return True
        if word == "и" and following[:1] == ["вы"] and _person(lowered[i - 1 : i] if i else []):
            return True
    return "друг" in lowered and any(word in _PLURAL_VY for word in lowered)


def _companion(words: list[str]) -> bool:
    """«вы с ним», «вы с Борисом», «вы с вашим другом»: someone, in the instrumental."""
    for word in words:
        if word in _COMPANIONS:
            return True
        if any(r.tag.POS == "NOUN" and "anim" in r.tag and r.tag.case == "ablt"
               for r in _readings(word)):  # fmt: skip
            return True
    return False


def _person(words: list[str]) -> bool:
    """«вы и Борис», «Борис и вы», «вы и ваш спутник»: a person or a possessive beside «вы»."""
    for word in words:
        for reading in _readings(word):
            tag = reading.tag
            if tag.POS == "NOUN" and "anim" in tag and tag.case == "nomn":
                return True
            if tag.POS == "NPRO" and tag.case == "nomn" and word not in ("вы", "ты"):
                return True
            if reading.normal_form in ("ваш", "твой", "мой", "его", "её"):
                return True
    return False

