"""Text from the player and from the model is untrusted: make it safe to store and to print.

An action must not be able to repaint or retitle the player's terminal, and neither may the
model's text; a NUL byte or a lone surrogate must not break a save. Pure functions.
"""

from __future__ import annotations

import re
import unicodedata

# The longest action the game takes, in characters; longer input is cut with a message.
# 500 Russian characters are about 160 GPT-2 tokens: room is left for the story itself.
MAX_INPUT_CHARS = 500

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), DCS/SOS/PM/APC strings, and two-byte escapes.
_ESCAPE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -/]*[0-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
_SPACES = re.compile(r"[ \t]+")


def _drop_controls(text: str, keep_newlines: bool) -> str:
    """Remove C0/C1 control characters (and lone surrogates, which cannot be encoded)."""
    kept: list[str] = []
    for char in text:
        if char == "\n" and keep_newlines:
            kept.append(char)
        elif char in "\t\n\r\v\f":
            kept.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cs"):
            continue
        else:
            kept.append(char)
    return "".join(kept)


def safe_output(text: str) -> str:
    """Text made safe for a terminal: no escape sequences, no control characters but newlines."""
    return _drop_controls(_ESCAPE.sub("", text), keep_newlines=True)


def clean_input(raw: str) -> tuple[str, list[str]]:
    """One line of player input, cleaned, with Russian notes about what was changed."""
    text = _drop_controls(_ESCAPE.sub("", raw), keep_newlines=False)
    text = _SPACES.sub(" ", text).strip()
    notes: list[str] = []
    if len(text) > MAX_INPUT_CHARS:
        text = text[:MAX_INPUT_CHARS].rstrip()
        notes.append(
            f"Строка слишком длинная: взяты первые {MAX_INPUT_CHARS} символов. "
            "Длинное действие лучше разбить на несколько ходов."
        )
    return text, notes
