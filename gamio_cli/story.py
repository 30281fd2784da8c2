"""The story as plain data: what the player typed, what the model saw, what the player read.

Both languages are kept on purpose: the model always sees English, the player always reads
Russian, nothing is translated twice, and the English record can be shown later.
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


@dataclass(frozen=True)
class Turn:
    """One completed turn in both languages."""

    action_ru: str  # the action as the player typed it
    mode: Mode
    action_en: str  # the English line given to the model ("" for CONTINUE)
    continuation_en: str  # what the model wrote
    continuation_ru: str  # what the player read


@dataclass(frozen=True)
class MemoryEntry:
    """A fact the player pinned; it always goes into the prompt."""

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

    def with_turns(self, turns: list[Turn]) -> Story:
        """A copy of this story with other turns (the original is not touched)."""
        return replace(self, turns=list(turns), memory=list(self.memory))
