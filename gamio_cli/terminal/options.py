"""What the command line asks of a game: the options of `gamio play`, checked already."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gamio_cli.settings import Settings


@dataclass(frozen=True)
class PlayOptions:
    new: bool
    load: str | None
    scenario: str | None
    generator: str
    ru_en: str
    en_ru: str
    device: str
    saves_dir: Path | None
    seed: int | None
    debug: bool
    engine: str = "auto"
    # New stories' sampler defaults from the settings file (None: the built-in ones).
    settings: Settings | None = None
    # The model options whose model may fall back to a catalogue equivalent (model.py).
    fallback_options: tuple[str, ...] = ()
    server: str | None = None  # the narrator's server (--server), or None: a local model
    server_model: str | None = None
    server_api: str = "completions"
    server_context: int | None = None
    server_stall: float = 60.0
    narrator_language: str = "auto"
