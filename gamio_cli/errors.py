"""Errors the player sees: each carries one clear Russian message with the remedy."""

from __future__ import annotations


class GamioError(Exception):
    """Base of every error shown to the player; str(error) is the Russian message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ModelUnavailable(GamioError):
    """A model cannot be fetched or loaded (no network, unknown id, missing files, no memory)."""


class SaveError(GamioError):
    """A save cannot be read or written."""


class GenerationFailed(GamioError):
    """The generator produced nothing usable after the allowed number of tries."""


class Cancelled(GamioError):
    """The player pressed Ctrl-C while the model worked; the turn is dropped."""

    def __init__(self, message: str = "Ход отменён: история осталась как была.") -> None:
        super().__init__(message)
