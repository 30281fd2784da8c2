"""MarianMT translation (opus-mt-ru-en / opus-mt-en-ru), sentence by sentence, with a cache.

MarianMT silently drops later sentences of long inputs, so text is split into lines and lines
into sentences, and each sentence is translated on its own. torch/transformers are imported
lazily, inside functions.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from gamio_cli.engine import CancelToken
from gamio_cli.turn.sentences import split_sentences

# Beam search width, a count >= 1: never wider than this (the model's own setting when smaller).
# Beams are deterministic; opus-mt ships 4-6, which costs little on a model this size.
MAX_BEAMS = 4
# Output length budget per input token, unitless: Russian needs more tokens than English.
OUTPUT_PER_INPUT_TOKEN = 2.0
# Extra output tokens on top of that budget, a count: short inputs still get room.
OUTPUT_SLACK_TOKENS = 16
# Marian models are trained on inputs of at most this many tokens.
MARIAN_MAX_TOKENS = 512
# A multi-target model (opus-mt-tc-big-en-zle writes Belarusian, Russian and Ukrainian) needs
# every source sentence to start with the target token; this one, when it knows it.
RUSSIAN_TARGET = ">>rus<<"


class MarianTranslator:
    """Implements engine.Translator with a MarianTokenizer + MarianMTModel pair."""

    def __init__(self, tokenizer: Any, model: Any, device: str) -> None:
        self.tokenizer = tokenizer
        self.model = model
        self.device = device
        positions = getattr(model.config, "max_position_embeddings", None) or MARIAN_MAX_TOKENS
        # Room for the end-of-sentence token the tokenizer appends.
        self.max_tokens = min(positions, MARIAN_MAX_TOKENS) - 1
        beams = getattr(model.generation_config, "num_beams", None) or 1
        self.num_beams = max(1, min(beams, MAX_BEAMS))
        codes = getattr(tokenizer, "supported_language_codes", None) or []
        self.target_token: str | None = RUSSIAN_TARGET if RUSSIAN_TARGET in codes else None
        self._cache: dict[str, str] = {}

    @classmethod
    def from_dir(cls, path: Path, device: str, dtype: Any) -> MarianTranslator:
        """Load tokenizer and model from a directory written by save_pretrained."""
        from transformers import MarianMTModel, MarianTokenizer

        from gamio_cli.engines.device import dtype_keyword

        with warnings.catch_warnings():
            # "Recommended: pip install sacremoses": only punctuation normalisation is lost.
            warnings.simplefilter("ignore")
            tokenizer = MarianTokenizer.from_pretrained(str(path))
            model: Any = MarianMTModel.from_pretrained(str(path), **{dtype_keyword(): dtype})
        model.to(device)
        model.eval()
        return cls(tokenizer, model, device)

    def translate(self, text: str, cancel: CancelToken | None = None) -> str:
        """Translate text line by line and sentence by sentence; newlines are kept."""
        if not text.strip():
            return ""
        lines = [self._translate_line(line, cancel) for line in text.split("\n")]
        return "\n".join(lines)

    def _translate_line(self, line: str, cancel: CancelToken | None) -> str:
        parts = []
        for sentence in split_sentences(line):
            if cancel is not None:
                cancel.check()
            parts.append(self._translate_sentence(sentence, cancel))
        return " ".join(part for part in parts if part)

    def _translate_sentence(self, sentence: str, cancel: CancelToken | None) -> str:
        cached = self._cache.get(sentence)
        if cached is not None:
            return cached
        pieces = []
        for index, chunk in enumerate(self._chunks(sentence)):
            if index and cancel is not None:
                cancel.check()
            pieces.append(self._run_model(f"{self.target_token} {chunk}" if self.target_token
                                          else chunk))
        result = " ".join(piece for piece in pieces if piece)
        self._cache[sentence] = result
        return result

    def _chunks(self, sentence: str) -> list[str]:
        """The sentence, or word groups of it that each fit the model (a run-on of 500 words).

        Words are grouped greedily by their own token counts; the tokenizer still truncates
        as a last resort (one "word" longer than the limit).
        """
        if self._count(sentence) <= self.max_tokens:
            return [sentence]
        chunks: list[str] = []
        current: list[str] = []
        used = 0
        for word in sentence.split():
            size = self._count(word)
            if current and used + size > self.max_tokens:
                chunks.append(" ".join(current))
                current, used = [], 0
            current.append(word)
            used += size
        if current:
            chunks.append(" ".join(current))
        return chunks

    def _count(self, text: str) -> int:
        # verbose=False: counting an overlong sentence is how we find out that it is too long.
        ids = self.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]
        return len(ids)

    def _run_model(self, text: str) -> str:
        import torch

        batch = self.tokenizer(
            text, return_tensors="pt", truncation=True, max_length=self.max_tokens + 1
        ).to(self.device)
        budget = int(batch["input_ids"].shape[1] * OUTPUT_PER_INPUT_TOKEN) + OUTPUT_SLACK_TOKENS
        with torch.inference_mode():
            output = self.model.generate(
                **batch,
                do_sample=False,
                num_beams=self.num_beams,
                max_new_tokens=min(budget, self.max_tokens),
            )
        return str(self.tokenizer.decode(output[0], skip_special_tokens=True)).strip()
