"""Show the Russian continuation sentence by sentence while the English one is still written.

As soon as an English sentence is complete (and survives the same cleaning as the final text),
it is translated and handed to the listener, so the player reads the first sentence early.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from gamio_cli.turn.postprocess import clean_continuation, cut_at_action, strip_markup
from gamio_cli.turn.sentences import split_sentences


def _followed_by_text(raw_so_far: str, cleaned: str) -> bool:
    """True when the model has written something after the cleaned text's last sentence."""
    visible = " ".join(strip_markup(cut_at_action(raw_so_far)).split())
    return bool(cleaned) and not visible.endswith(cleaned)


class TurnListener(Protocol):
    """Receives the continuation as it becomes ready (the REPL prints it)."""

    def sentence(self, text_ru: str) -> None:
        """A finished Russian sentence of the continuation."""

    def restart(self) -> None:
        """What was shown is discarded: a new try begins."""


class SentenceStreamer:
    """Feeds complete English sentences, translated, to a listener as generation goes on."""

    def __init__(
        self, to_russian: Callable[[str], str], listener: TurnListener | None
    ) -> None:
        self._to_russian = to_russian
        self._listener = listener
        self._shown_en: list[str] = []
        self._shown_ru: list[str] = []

    def feed(self, raw_so_far: str) -> None:
        """Called with the raw text generated so far; shows newly completed sentences."""
        if self._listener is None:
            return
        cleaned = clean_continuation(raw_so_far)
        done = split_sentences(cleaned)
        if not _followed_by_text(raw_so_far, cleaned):
            # Nothing after the last full stop yet: '"Run!" he says.' may still be one sentence.
            done = done[:-1]
        for sentence in done[len(self._shown_en) :]:
            self._show(sentence)

    def finish(self, final_en: str) -> str:
        """Show what is left of the final text and return the whole Russian continuation."""
        sentences = split_sentences(final_en)
        if sentences[: len(self._shown_en)] != self._shown_en:
            self.discard()
        for sentence in sentences[len(self._shown_en) :]:
            self._show(sentence)
        return " ".join(self._shown_ru)

    def discard(self) -> None:
        """Forget what was shown (the caller tries again or gives up)."""
        if self._shown_en and self._listener is not None:
            self._listener.restart()
        self._shown_en, self._shown_ru = [], []

    def _show(self, sentence_en: str) -> None:
        sentence_ru = self._to_russian(sentence_en)
        self._shown_en.append(sentence_en)
        self._shown_ru.append(sentence_ru)
        if self._listener is not None:
            self._listener.sentence(sentence_ru)
