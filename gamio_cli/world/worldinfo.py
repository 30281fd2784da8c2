"""World info: facts that join the prompt only while something in the story mentions them.

KoboldAI's world info, in two languages: an entry has keys (Russian or English words) and a
text in both languages; when a key appears in the latest turns, Russian or English side, the
entry's English text goes into the prompt. Russian keys match any case form («дракон» finds
«драконом»), English keys their plural and possessive; see stemming.py. Pure functions.
"""

from __future__ import annotations

from collections.abc import Sequence

from gamio_cli.story import Turn, WorldEntry
from gamio_cli.world.stemming import Phrase, tokens

__all__ = ["WorldEntry", "active_entries", "entry_matches", "parse_world_add", "recent_texts"]

# How many latest turns are searched for keys (KoboldAI's default world-info depth).
SCAN_TURNS = 3
# Limits that keep one entry from eating the prompt; the prompt budget checks the rest.
MAX_KEYS = 10
MAX_KEY_CHARS = 40

_EXAMPLE = "дракон, змей = В пещере под горой спит старый дракон."


def parse_world_add(arg: str) -> tuple[tuple[str, ...], str]:
    """Split "KEYS = TEXT" into the keys and the text; ValueError with a Russian message if bad."""
    if "=" not in arg:
        raise ValueError(f"Не хватает знака «=». Формат: ключи = описание, например: {_EXAMPLE}")
    keys_part, text = (part.strip() for part in arg.split("=", 1))
    if not keys_part:
        raise ValueError(f"Перед «=» нужны ключевые слова через запятую, например: {_EXAMPLE}")
    if not text:
        raise ValueError(f"После «=» нужно описание, например: {_EXAMPLE}")
    keys = tuple(_parse_key(key) for key in keys_part.split(","))
    if len(keys) > MAX_KEYS:
        raise ValueError(f"Слишком много ключей: не больше {MAX_KEYS} на одну запись.")
    return _unique(keys), text


def _parse_key(raw: str) -> str:
    """One key, cleaned: single spaces; at least one word; not too long."""
    key = " ".join(raw.split())
    if not key:
        raise ValueError("Между запятыми пустой ключ: уберите лишнюю запятую.")
    if not tokens(key):
        raise ValueError(f"В ключе «{key}» нет ни одного слова: нужны буквы.")
    if len(key) > MAX_KEY_CHARS:
        raise ValueError(f"Ключ «{key[:20]}…» слишком длинный: не больше {MAX_KEY_CHARS} символов.")
    return key


def _unique(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The keys without repeats (compared ignoring case), first spelling kept."""
    seen: set[str] = set()
    kept: list[str] = []
    for key in keys:
        if key.lower() not in seen:
            seen.add(key.lower())
            kept.append(key)
    return tuple(kept)


def entry_matches(entry: WorldEntry, text: str) -> bool:
    """True when any key of the entry occurs in the text, in any of its forms."""
    return any(Phrase(key).occurs_in(text) for key in entry.keys)


def active_entries(entries: Sequence[WorldEntry], recent_texts: list[str]) -> list[WorldEntry]:
    """The entries whose keys occur in the given texts, in their stored order."""
    # Each text on its own: a two-word key must not match across the end of one turn.
    return [e for e in entries if any(entry_matches(e, text) for text in recent_texts)]


def recent_texts(turns: Sequence[Turn], count: int = SCAN_TURNS) -> list[str]:
    """The Russian and English text of the latest `count` turns, where keys are searched."""
    texts: list[str] = []
    for turn in turns[-count:] if count > 0 else []:
        texts += [turn.action_ru, turn.action_en, turn.continuation_ru, turn.continuation_en]
    return [text for text in texts if text]
