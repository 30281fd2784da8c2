"""The models gamio knows (catalogue.toml, shipped in the package): short names for the model
options, the language each writes, sizes, licences, recommended sampling, and the equivalents
to fall back to when a repo is missing or incomplete.

Plain data read with the standard library's tomllib (tomli on Python 3.10); no ML library.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROLES = ("generator", "ru-en", "en-ru")
LANGUAGES = ("en", "ru")
# The option that sets a model of each role, and how the player hears of the role.
ROLE_OPTIONS = {"generator": "--generator", "ru-en": "--ru-en", "en-ru": "--en-ru"}
ROLE_RU = {"generator": "рассказчик", "ru-en": "перевод ru→en", "en-ru": "перевод en→ru"}
REQUIRED = ("name", "id", "role", "language", "size_mb", "ram_mb", "licence", "prompt",
            "sampler", "fallbacks", "verified", "note")  # fmt: skip


@dataclass(frozen=True)
class Entry:
    """One catalogue model."""

    name: str
    id: str
    role: str
    language: str
    size_mb: int
    ram_mb: int
    licence: str
    prompt: str
    sampler: dict[str, float] = field(default_factory=dict)
    fallbacks: tuple[str, ...] = ()
    default: bool = False
    verified: bool = False
    note: str = ""
    target_token: str | None = None


def parse(text: str) -> tuple[Entry, ...]:
    """The entries of a catalogue file's text; ValueError names the first bad entry."""
    data = tomllib.loads(text)
    entries = []
    for number, raw in enumerate(data.get("model", []), 1):
        missing = [key for key in REQUIRED if key not in raw]
        if missing:
            raise ValueError(f"model #{number} lacks {', '.join(missing)}")
        values: dict[str, Any] = dict(raw)
        values["fallbacks"] = tuple(raw["fallbacks"])
        entries.append(Entry(**values))
    return tuple(entries)


@cache
def entries() -> tuple[Entry, ...]:
    """The shipped catalogue, read once."""
    text = resources.files("gamio_cli.engines").joinpath("catalogue.toml").read_text("utf-8")
    return parse(text)


def by_id(model_id: str) -> Entry | None:
    """The entry of a hub id (any case), or None."""
    wanted = model_id.strip().lower()
    return next((entry for entry in entries() if entry.id.lower() == wanted), None)


def find(name_or_id: str, role: str | None = None) -> Entry | None:
    """The entry a short name (within role, when given) or a hub id stands for, or None."""
    wanted = name_or_id.strip().lower()
    for entry in entries():
        if entry.name == wanted and role in (None, entry.role):
            return entry
    found = by_id(wanted)
    return found if found is not None and role in (None, found.role) else None


def expand(name_or_id: str, role: str) -> str:
    """The hub id a short name of role stands for; anything else (a hub id, an existing
    directory of that name) comes back unchanged."""
    if Path(name_or_id).expanduser().exists():
        return name_or_id
    entry = next((e for e in entries() if e.name == name_or_id.strip().lower() and e.role == role),
                 None)
    return entry.id if entry is not None else name_or_id


def language_of(name_or_id: str) -> str | None:
    """The language ("en" or "ru") a catalogue model writes, or None for a model not listed."""
    entry = find(name_or_id)
    return entry.language if entry is not None else None


def default_of(role: str) -> Entry:
    return next(entry for entry in entries() if entry.role == role and entry.default)


def names_of(role: str) -> tuple[str, ...]:
    return tuple(entry.name for entry in entries() if entry.role == role)


def fallbacks_of(model_id: str) -> tuple[str, ...]:
    """The equivalents to try, in order, when model_id is missing or has no usable weights."""
    entry = by_id(model_id)
    return entry.fallbacks if entry is not None else ()
