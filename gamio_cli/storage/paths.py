"""Where gamio keeps the player's files: saves in the user data directory, input history in the
user state directory (the platform's conventions, via platformdirs; XDG variables on Linux)."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir, user_state_dir

APP_NAME = "gamio"


def default_saves_dir() -> Path:
    """e.g. ~/.local/share/gamio/saves on Linux."""
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "saves"


def history_file() -> Path:
    """The prompt's input history, kept across sessions: e.g. ~/.local/state/gamio/history."""
    return Path(user_state_dir(APP_NAME, appauthor=False)) / "history"
