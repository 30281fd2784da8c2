"""The player's Russian action as a narrator that writes Russian reads it: «открываю дверь» ->
"Вы открываете дверь.", as the English narrator reads "You open the door.".

The player writes about the hero as «я» (first person) or gives an order (imperative); the
line speaks to the hero with «вы» (second person plural, the polite «you» that also mirrors
the English). Verbs and pronouns are inflected by pymorphy3's dictionaries (world/morph.py),
never by hand-written endings. An imperative of a perfective verb becomes the imperfective
present where the dictionary knows the aspect partner (открой -> открываете), else the
perfective future (возьми -> возьмёте). Quoted speech keeps its own persons.
"""

from __future__ import annotations

import re
from typing import Any

from gamio_cli.story import Mode
from gamio_cli.turn.actions import ensure_final_stop
from gamio_cli.world.morph import analyzer

_WORD = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)?")
_QUOTED = re.compile(r"(«[^»]*»?|\"[^\"]*\"?|„[^“]*“?)")
# First-person pronouns -> second person plural (the possessive «мой» is inflected as «ваш»).
_PERSONAL = {"я": "вы", "меня": "вас", "мне": "вам", "мной": "вами", "мною": "вами"}
# A preposition with its extra vowel before «мной»/«мне» loses it before «вами»/«вам».
_SHORT_PREPOSITION = {"со": "с", "ко": "к", "обо": "о", "подо": "под", "надо": "над",
                      "передо": "перед"}  # fmt: skip
# Where the first verb of an action may stand: after these words too («я иду», «не иду»).
_LEADS = {"я", "не", "сейчас", "потом", "тихо", "медленно", "быстро", "снова", "ещё"}


def _verb_parse(word: str, first: bool) -> Any | None:
    """The parse of word as a verb the player uses for the hero (1st person or imperative);
    any such parse for the action's first verb («бегу», «еду»), the likeliest one elsewhere."""
    parses = analyzer().parse(word)
    for parse in parses if first else parses[:1]:
        tag = parse.tag
        if tag.POS == "VERB" and ("1per" in tag or "impr" in tag or
                                  ("past" in tag and "sing" in tag)):
            return parse
    return None


def _imperfective(infinitive: Any) -> Any | None:
    """The imperfective partner of a perfective infinitive, when the dictionary has it:
    открыть -> открывать, поднять -> поднимать, посмотреть -> смотреть."""
    word = infinitive.word
    candidates = []
    if word.endswith("ыть"):
        candidates.append(word[:-3] + "ывать")
    if word.endswith("нять"):
        candidates.append(word[:-4] + "нимать")
    if word.startswith("по") and len(word) > 6:
        candidates.append(word[2:])
    for candidate in candidates:
        for parse in analyzer().parse(candidate):
            if parse.tag.POS == "INFN" and "impf" in parse.tag and parse.word == candidate:
                return parse
    return None


def _second_person(parse: Any) -> str | None:
    """A verb of the player's in the second person plural, same tense where it has one."""
    tag = parse.tag
    if "past" in tag:
        form = parse.inflect({"plur", "past"})
        return str(form.word) if form else None
    infinitive = parse.inflect({"INFN"})
    if infinitive is None:
        return None
    if "impr" in tag and "perf" in tag:
        partner = _imperfective(infinitive)
        if partner is not None:
            infinitive = partner
    tense = "futr" if "perf" in infinitive.tag else "pres"
    form = infinitive.inflect({"2per", "plur", tense, "indc"})
    return str(form.word) if form else None


def _possessive(word: str) -> str | None:
    """мой/моя/моего… -> ваш/ваша/вашего… in the same case, gender and number."""
    for parse in analyzer().parse(word):
        if parse.normal_form == "мой" and parse.tag.POS == "ADJF":
            grammemes = {g for g in (parse.tag.case, parse.tag.gender, parse.tag.number) if g}
            form = analyzer().parse("ваш")[0].inflect(grammemes)
            return str(form.word) if form else None
    return None


def _keep_case(original: str, new: str) -> str:
    return new[:1].upper() + new[1:] if original[:1].isupper() else new


def _convert(text: str) -> tuple[str, bool, bool]:
    """(the text in the second person, whether a verb was converted, whether «я» was)."""
    words = list(_WORD.finditer(text))
    out: list[str] = []
    last, verb_seen, subject = 0, False, False
    for index, match in enumerate(words):
        word, lower = match.group(0), match.group(0).lower()
        new: str | None = None
        if lower in _PERSONAL:
            new, subject = _PERSONAL[lower], subject or lower == "я"
            previous = words[index - 1].group(0).lower() if index else ""
            if previous in _SHORT_PREPOSITION and out:
                out[-1] = out[-1][: -len(previous)] + _SHORT_PREPOSITION[previous]
        elif (parse := _verb_parse(lower, not verb_seen and all(
                w.group(0).lower() in _LEADS for w in words[:index]))) is not None:
            new, verb_seen = _second_person(parse), True
        else:
            new = _possessive(lower)
        out.append(text[last:match.start()] + (_keep_case(word, new) if new else word))
        last = match.end()
    out.append(text[last:])
    return "".join(out), verb_seen, subject


def to_second_person_ru(action: str) -> str:
    """«я беру меч» -> "Вы берёте меч."; an input with no verb of the hero's stays as it is
    (capitalised, with a full stop): «дверь» -> "Дверь."."""
    text = action.strip()
    if not text:
        return ""
    parts = _QUOTED.split(text)
    converted, verb, subject = "", False, False
    for i, part in enumerate(parts):
        if i % 2:
            converted += part
            continue
        part, found_verb, found_subject = _convert(part)
        converted, verb, subject = converted + part, verb or found_verb, subject or found_subject
    if verb and not subject:
        converted = "Вы " + converted[:1].lower() + converted[1:]
    return ensure_final_stop(converted[:1].upper() + converted[1:])


def action_line_ru(mode: Mode, text: str) -> str:
    """The Russian line a narrator that writes Russian gets for the input in this mode."""
    if mode is Mode.DO:
        return to_second_person_ru(text)
    if mode is Mode.SAY:
        speech = text.strip().strip("\"“”«»").strip()
        return f"Вы говорите: «{ensure_final_stop(speech)}»"
    if mode is Mode.STORY:
        speech = text.strip()
        return ensure_final_stop(speech[:1].upper() + speech[1:])
    return ""
