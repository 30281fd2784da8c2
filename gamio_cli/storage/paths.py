"""Where gamio keeps the player's files: saves in the user data directory, input history in the
user state directory, the settings file in the user config directory (the platform's
conventions, via platformdirs; XDG variables on Linux)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir, user_state_dir

APP_NAME = "gamio"
# Points at another settings file (tests; a player keeping several setups).
CONFIG_ENV = "GAMIO_CONFIG"


def default_saves_dir() -> Path:
    """e.g. ~/.local/share/gamio/saves on Linux."""
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "saves"


def history_file() -> Path:
    """The prompt's input history, kept across sessions: e.g. ~/.local/state/gamio/history."""
    return Path(user_state_dir(APP_NAME, appauthor=False)) / "history"


def config_file() -> Path:
    """The settings file: $GAMIO_CONFIG, else e.g. ~/.config/gamio/config.toml on Linux."""
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        return Path(explicit).expanduser()
    return Path(user_config_dir(APP_NAME, appauthor=False)) / "config.toml"
