"""The seams between the story logic and the models: what a translator and a generator do.

Tests pass tiny real models through these seams; the model layer implements them.
This module imports no ML library.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from gamio_cli.errors import Cancelled
from gamio_cli.settings import Settings


class CancelToken:
    """A stop flag set from a signal handler and checked between tokens and sentences."""

    def __init__(self) -> None:
        self._cancelled = False

    def cancel(self) -> None:
        self._cancelled = True

    def reset(self) -> None:
        self._cancelled = False

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def check(self) -> None:
        """Raise Cancelled once the flag is set."""
        if self._cancelled:
            raise Cancelled()


@dataclass
class RunStats:
    """What a generator's last generate() did, for the benchmark and the curious."""

    prompt_tokens: int = 0
    cached_tokens: int = 0  # taken from the prompt cache instead of encoded
    reloaded: bool = False  # CTranslate2 only: the model was reloaded to free an old prompt
    token_times: list[float] = field(default_factory=list)  # perf_counter() of each token


class Translator(Protocol):
    """Translates text from one language to another."""

    def translate(self, text: str, cancel: CancelToken | None = None) -> str: ...


class Generator(Protocol):
    """Continues an English story prompt."""

    @property
    def context_window(self) -> int:
        """The most tokens the model can see at once, prompt and new tokens together."""
        ...

    def count_tokens(self, text: str) -> int: ...

    def generate(
        self,
        prompt: str,
        settings: Settings,
        cancel: CancelToken | None = None,
        on_text: Callable[[str], None] | None = None,
    ) -> str:
        """Return the raw continuation (without the prompt).

        Stops after settings.max_new_tokens tokens or once the model writes a newline followed
        by ">" (the player's next action). on_text receives the text decoded so far, for streaming.
        Raises Cancelled when cancel is set between tokens.
        """
        ...
