"""Story continuation with any GPT-2-family causal LM (gameGPT, gpt2-xl, gpt2-medium ...).

Reproducibility: with a seed, every generate() call reseeds torch with seed + (number of earlier
calls in this session). A session with the same seed and the same inputs therefore writes the
same story, whatever else used the global RNG in between, and a retry of the same prompt still
gets fresh text. Without a seed, sampling is left to torch's default RNG.
torch/transformers are imported lazily, inside functions.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from gamio_cli.engine import CancelToken
from gamio_cli.settings import Settings

# The player's next action starts with a newline and ">": the model's turn is over.
ACTION_MARKER = "\n>"
# Window to assume when the config names none, in tokens (GPT-2's).
DEFAULT_WINDOW = 1024


def token_ids(tokenizer: Any, text: str) -> list[int]:
    """The token ids of text, as both engines' generators count and feed them."""
    # verbose=False: a story longer than the window is normal here (the caller trims it).
    ids = tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]
    return [int(token) for token in ids]


class TransformersGenerator:
    """Implements engine.Generator with AutoTokenizer + AutoModelForCausalLM."""

    def __init__(self, tokenizer: Any, model: Any, device: str, seed: int | None = None) -> None:
        self.tokenizer = tokenizer
        self.model = model
        self.device = device
        self.seed = seed
        self._calls = 0
        config = model.config
        window = getattr(config, "n_positions", None) or getattr(
            config, "max_position_embeddings", None
        )
        self._window = int(window or DEFAULT_WINDOW)

    @classmethod
    def from_dir(cls, path: Path, device: str, dtype: Any, seed: int | None) -> TransformersGenerator:
        """Load tokenizer and model from a directory written by save_pretrained."""
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from gamio_cli.device import dtype_keyword

        tokenizer = AutoTokenizer.from_pretrained(str(path))
        model: Any = AutoModelForCausalLM.from_pretrained(str(path), **{dtype_keyword(): dtype})
        model.to(device)
        model.eval()
        return cls(tokenizer, model, device, seed)

    @property
    def context_window(self) -> int:
        return self._window

    def count_tokens(self, text: str) -> int:
        return len(self._encode(text))

    def _encode(self, text: str) -> list[int]:
        return token_ids(self.tokenizer, text)

    def generate(
        self,
        prompt: str,
        settings: Settings,
        cancel: CancelToken | None = None,
        on_text: Callable[[str], None] | None = None,
    ) -> str:
        """The raw continuation of prompt (without it), ending at most a token past "\\n>"."""
        import torch
        from transformers import StoppingCriteriaList

        max_new = max(1, min(settings.max_new_tokens, self._window - 1))
        ids = self._prompt_ids(prompt, self._window - max_new)
        input_ids = torch.tensor([ids], dtype=torch.long, device=self.device)
        watcher = _Watcher(self.tokenizer, len(ids), cancel, on_text)
        if cancel is not None:
            cancel.check()  # the first step (reading the whole prompt) is the slowest one
        self._reseed(torch)
        with torch.inference_mode():
            output = self.model.generate(
                input_ids,
                attention_mask=torch.ones_like(input_ids),
                do_sample=True,
                temperature=settings.temperature,
                top_p=settings.top_p,
                top_k=settings.top_k,
                repetition_penalty=settings.repetition_penalty,
                max_new_tokens=max_new,
                pad_token_id=self._eos_id(),
                stopping_criteria=StoppingCriteriaList([watcher]),
            )
        return str(self.tokenizer.decode(output[0, len(ids):], skip_special_tokens=True))

    def _prompt_ids(self, prompt: str, keep: int) -> list[int]:
        """The last `keep` tokens of the prompt (an overlong prompt is the caller's bug, not a crash)."""
        ids = self._encode(prompt)[-keep:]
        # GPT-2 cannot start from nothing; its end-of-text token is also its start token.
        return ids or [self._eos_id()]

    def _eos_id(self) -> int:
        eos = self.tokenizer.eos_token_id
        if eos is None:
            eos = getattr(self.model.config, "eos_token_id", None) or 0
        return int(eos)

    def _reseed(self, torch: Any) -> None:
        if self.seed is not None:
            torch.manual_seed(self.seed + self._calls)
        self._calls += 1


class _Watcher:
    """Called by generate() after every token: cancels, streams and stops at the action marker.

    A duck-typed transformers StoppingCriteria (subclassing would import transformers at module
    import). Raising Cancelled here unwinds generate() cleanly; no thread is ever killed.

    Decoding all new tokens each step is O(n²) in the turn length, but a turn is at most 512
    tokens, so it stays far below the cost of one forward pass of the model.
    """

    def __init__(
        self,
        tokenizer: Any,
        prompt_len: int,
        cancel: CancelToken | None,
        on_text: Callable[[str], None] | None,
    ) -> None:
        self.tokenizer = tokenizer
        self.prompt_len = prompt_len
        self.cancel = cancel
        self.on_text = on_text
        self.text = ""

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        if self.cancel is not None:
            self.cancel.check()
        text = self.tokenizer.decode(input_ids[0, self.prompt_len:], skip_special_tokens=True)
        # A multi-byte character split across tokens decodes as U+FFFD until it completes.
        text = text.rstrip("\ufffd")
        if text != self.text:
            self.text = text
            if self.on_text is not None:
                self.on_text(text)
        done = ACTION_MARKER in text
        return torch.full((input_ids.shape[0],), done, dtype=torch.bool, device=input_ids.device)
