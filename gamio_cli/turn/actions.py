"""The player's input: which mode it is in, and how its English becomes an action line.

Pure functions. «открываю дверь» -> (DO, "открываю дверь") -> translated "I open the door."
-> "You open the door."; «Привет» -> (SAY, "Привет") -> 'You say "Hello."'.
"""

from __future__ import annotations

import re

from gamio_cli.story import Mode

_QUOTES_OPEN = "\"«„“'‘"
_QUOTES_CLOSE = "\"»“”'’"
_DASHES = "—–-"
_END_MARKS = ".!?…"

# First person -> second person, for text outside quotes. Keys are lower case.
_PRONOUNS = {
    "i": "you", "i'm": "you're", "i've": "you've", "i'll": "you'll", "i'd": "you'd",
    "me": "you", "my": "your", "mine": "yours", "myself": "yourself",
    "am": "are", "we": "we",
}
# "I was" -> "you were"; applied before the word table.
_I_WAS = re.compile(r"\bI was\b")
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
_SUBJECT = re.compile(r"\bI(?:['’](?:m|ve|ll|d))?\b")
_QUOTED = re.compile(r"(\"[^\"]*\"?|“[^”]*”?)")


def parse_action(raw: str) -> tuple[Mode, str]:
    """Decide the mode from the raw Russian input and return the text to translate."""
    text = raw.strip()
    if not text:
        return Mode.CONTINUE, ""
    if text[0] == "!":
        narration = text[1:].strip()
        return (Mode.STORY, narration) if narration else (Mode.CONTINUE, "")
    if text[0] in _QUOTES_OPEN or text[0] in _DASHES:
        speech = text.lstrip(_DASHES + _QUOTES_OPEN + " ").rstrip(_QUOTES_CLOSE + " ")
        return (Mode.SAY, speech) if speech else (Mode.CONTINUE, "")
    return Mode.DO, text


def ensure_final_stop(text: str) -> str:
    """Add a full stop unless the text already ends a sentence (quotes may follow the mark)."""
    stripped = text.rstrip()
    core = stripped.rstrip(_QUOTES_CLOSE)
    if not stripped or (core and core[-1] in _END_MARKS):
        return stripped
    # 'You say "I am here"' -> 'You say "I am here."': the stop goes inside closing quotes.
    return core + "." + stripped[len(core):]


def _swap_word(match: re.Match[str]) -> str:
    word = match.group(0)
    swapped = _PRONOUNS.get(word.lower().replace("’", "'"))
    if swapped is None:
        return word
    return swapped


def _convert_unquoted(text: str) -> str:
    """I/me/my -> you/you/your in text that holds no quotes."""
    return _WORD.sub(_swap_word, _I_WAS.sub("you were", text))


def _capitalise_sentences(text: str) -> str:
    """Capital letter for "you" at the start of the text and after a sentence end."""
    return re.sub(
        r"(^|[.!?…]\s+)you(r|rs|rself)?\b", lambda m: m.group(1) + "You" + (m.group(2) or ""), text
    )


def to_second_person(english: str) -> str:
    """Turn a translated do-action into an action line: 'I open the door' -> 'You open the door.'"""
    text = english.strip()
    if not text:
        return ""
    parts = _QUOTED.split(text)
    has_subject = any(_SUBJECT.search(p) for i, p in enumerate(parts) if i % 2 == 0)
    converted = "".join(p if i % 2 else _convert_unquoted(p) for i, p in enumerate(parts))
    converted = re.sub(r"^you(?:\s+you\b)+", "you", converted, flags=re.IGNORECASE)
    if not has_subject and not re.match(r"you\b", converted, re.IGNORECASE):
        first = converted[:1]
        # An imperative ("Open the door") gets "You "; an acronym keeps its capitals.
        if not converted[1:2].isupper():
            first = first.lower()
        converted = "You " + first + converted[1:]
    return ensure_final_stop(_capitalise_sentences(converted))


def about_the_hero(english: str) -> str:
    """What the player wrote about the hero (a custom opening, a memory entry), translated,
    in the second person as the actions are: "I have a lamp. My name is Ann." -> "You have a
    lamp. Your name is Ann." Quoted speech keeps its persons; no "You" is added (these are
    statements, not actions)."""
    parts = _QUOTED.split(english.strip())
    converted = "".join(p if i % 2 else _convert_unquoted(p) for i, p in enumerate(parts))
    return _capitalise_sentences(converted)


def say_line(speech_en: str) -> str:
    """'Hello' -> 'You say "Hello."' (the speech keeps its own punctuation)."""
    speech = speech_en.strip().strip("\"“”«»").strip()
    return f'You say "{ensure_final_stop(speech)}"'


def action_line_en(mode: Mode, translated: str) -> str:
    """The English line given to the model for a translated input in the given mode."""
    if mode is Mode.DO:
        return to_second_person(translated)
    if mode is Mode.SAY:
        return say_line(translated)
    if mode is Mode.STORY:
        return ensure_final_stop(translated.strip())
    return ""
