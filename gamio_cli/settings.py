"""Generation settings of a story: sampling knobs and how much history the model sees."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """Sampling defaults follow AI Dungeon 2; every knob carries its meaning, unit and range."""

    # Softmax temperature, unitless, > 0 (sensible 0.1-2.0): lower is more predictable text.
    temperature: float = 0.4
    # Nucleus sampling: keep the smallest set of tokens whose probability sums to this, in (0, 1].
    top_p: float = 0.9
    # Keep only the k most likely tokens, a count in 0-1000; 0 turns the filter off.
    top_k: int = 40
    # Divides the scores of tokens already in the text, unitless, 1.0 (off) to 2.0: fights loops.
    repetition_penalty: float = 1.2
    # Tokens the generator writes per turn, a count in 1-512.
    max_new_tokens: int = 55
    # How many of the latest player actions the model sees, a count in 1-100.
    history_actions: int = 10

    def validate(self) -> None:
        """Raise ValueError (with a Russian message) when a knob is out of its range."""
        checks = [
            (0.0 < self.temperature <= 2.0, "temperature: от 0 (не включая) до 2"),
            (0.0 < self.top_p <= 1.0, "top_p: от 0 (не включая) до 1"),
            (0 <= self.top_k <= 1000, "top_k: от 0 до 1000"),
            (1.0 <= self.repetition_penalty <= 2.0, "repetition_penalty: от 1 до 2"),
            (1 <= self.max_new_tokens <= 512, "max_new_tokens: от 1 до 512"),
            (1 <= self.history_actions <= 100, "history_actions: от 1 до 100"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(f"Недопустимое значение {message}.")
