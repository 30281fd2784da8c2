"""The story as plain data: what the player typed, what the model saw, what the player read.

Both languages are kept on purpose: an English narrator sees English, the player always reads
Russian, nothing is translated twice, and the English record can be shown later. A narrator
that writes Russian itself leaves the English fields of its turns empty.
This module imports no terminal or ML library.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

from gamio_cli.settings import Settings


class Mode(str, Enum):
    """How a player's input enters the story."""

    DO = "do"  # «открываю дверь» -> "> You open the door."
    SAY = "say"  # «Привет» -> '> You say "Hello."'
    STORY = "story"  # «!Начинается гроза» -> narration added as is, no "You"
    CONTINUE = "continue"  # empty input: the story goes on with no action


class Address(str, Enum):
    """How the narrator speaks to the player in Russian."""

    TY = "ty"  # «ты входишь»
    VY = "vy"  # «вы входите»


class Gender(str, Enum):
    """The hero's grammatical gender (Russian past tense and short adjectives need it)."""

    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"  # the model's forms are kept where it wrote a gender


@dataclass(frozen=True)
class Hero:
    """Who the player is to the grammar: the form of address and the gender."""

    address: Address = Address.TY
    gender: Gender = Gender.UNKNOWN


@dataclass(frozen=True)
class Alternative:
    """An earlier continuation of the same action, kept by /retry so the player can go back."""

    en: str
    ru: str


@dataclass(frozen=True)
class Turn:
    """One completed turn in both languages."""

    action_ru: str  # the action as the player typed it
    mode: Mode
    action_en: str  # the English line given to the model ("" for CONTINUE)
    continuation_en: str  # what the model wrote
    continuation_ru: str  # what the player read
    alternatives: tuple[Alternative, ...] = ()  # earlier tries, oldest first
    narrator: str = ""  # the model that wrote it (a local id or path, or server/model); "" unknown
    language: str = "en"  # what the narrator wrote: "en" (translated for the player) or "ru"


@dataclass(frozen=True)
class MemoryEntry:
    """A fact the player pinned; it always goes into the prompt."""

    ru: str
    en: str


@dataclass(frozen=True)
class WorldEntry:
    """A world fact: the words that call it up and its text for the player and for the model."""

    keys: tuple[str, ...]
    text_ru: str
    text_en: str


@dataclass(frozen=True)
class GlossaryEntry:
    """A name or term and the one form it takes in each language."""

    ru: str
    en: str


@dataclass(frozen=True)
class AuthorNote:
    """Style or direction for the model, placed a few turns from the end of the prompt."""

    ru: str
    en: str


@dataclass
class Story:
    """A whole story: the world's opening, pinned memory, the turns and the settings used."""

    scenario: str  # a shipped world's key, or "custom"
    opening_ru: str
    opening_en: str
    memory: list[MemoryEntry] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    note: AuthorNote | None = None
    world: list[WorldEntry] = field(default_factory=list)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    undone: list[Turn] = field(default_factory=list)  # removed by /undo, newest last; for /redo
    hero: Hero = field(default_factory=Hero)

    def copy(self) -> Story:
        """A copy whose lists can change without touching this story (entries are immutable)."""
        return replace(
            self,
            memory=list(self.memory),
            turns=list(self.turns),
            world=list(self.world),
            glossary=list(self.glossary),
            undone=list(self.undone),
        )

    def with_turns(self, turns: list[Turn]) -> Story:
        """A copy of this story with other turns (the original is not touched)."""
        copied = self.copy()
        copied.turns = list(turns)
        return copied
