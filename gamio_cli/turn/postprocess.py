"""Clean what the generator wrote before the player sees it (pure functions).

GPT-2 stops mid-sentence, starts writing the player's next action ("> You ..."), leaves markup
from its training data and opens quotes it never closes; and it sometimes repeats itself.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from gamio_cli.textsafe import safe_output
from gamio_cli.turn.sentences import complete_part

# Two continuations at least this similar (0-1, difflib ratio) count as the model looping.
LOOP_SIMILARITY = 0.9

_ACTION_LINE = re.compile(r"(?:^|\n)[ \t]*>")
_MARKUP = re.compile(
    r"<\|[^|>]*\|>"  # special tokens such as <|endoftext|>
    r"|</?[A-Za-z][^<>]*>"  # html-like tags
    r"|\[[^\]]*\]"  # [bracketed notes]
    r"|[*_#`~=]{2,}"  # runs of markdown or separator characters
)
_PLAIN_QUOTE = '"'


def cut_at_action(text: str) -> str:
    """Drop everything from the point where the model starts writing the player's next action."""
    match = _ACTION_LINE.search(text)
    return text[: match.start()] if match else text


def strip_markup(text: str) -> str:
    """Remove special tokens, tags and separator runs left over from the training data."""
    return _MARKUP.sub("", text)


def _normalise_spaces(text: str) -> str:
    """One paragraph: the model's line breaks become spaces, runs of spaces become one."""
    return re.sub(r"\s+", " ", text).strip()


def fix_quotes(text: str) -> str:
    """Close a dangling quote after a complete sentence, or drop the unfinished quoted part."""
    if text.count(_PLAIN_QUOTE) % 2 == 0 and text.count("«") == text.count("»"):
        return text
    plain_open = text.count(_PLAIN_QUOTE) % 2 == 1
    start = text.rfind(_PLAIN_QUOTE) if plain_open else text.rfind("«")
    closing = _PLAIN_QUOTE if plain_open else "»"
    quoted = text[start + 1 :].strip()
    if quoted and quoted[-1] in ".!?…":
        return text.rstrip() + closing
    return complete_part(text[:start]).rstrip()


def clean_continuation(raw: str) -> str:
    """The part of a raw continuation worth showing: whole sentences, no next action, no markup."""
    # Model text is untrusted: escape sequences never reach the story, the saves or the screen.
    text = _normalise_spaces(strip_markup(safe_output(cut_at_action(raw))))
    text = complete_part(text)
    return fix_quotes(text).strip()


def _comparable(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


def is_loop(candidate: str, previous: list[str]) -> bool:
    """True when candidate nearly repeats one of the previous continuations."""
    new = _comparable(candidate)
    for old_text in previous:
        old = _comparable(old_text)
        if not old:
            continue
        if new == old or SequenceMatcher(None, new, old).ratio() >= LOOP_SIMILARITY:
            return True
    return False
