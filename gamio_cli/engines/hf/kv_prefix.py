"""Re-use the attention keys and values of the tokens a prompt shares with the previous one.

For transformers generators. Consecutive turns' prompts start the same way (the backstory,
then the turns of the window, which moves only every `window_step` turns; see turn/prompt.py),
and the previous run already computed the keys and values of those tokens. Instead of encoding the
whole prompt again, generate() gets the previous run's cache cut back to the longest common
token prefix and encodes only the rest:

    past, reused = kv.take(ids)
    output = model.generate(input_ids, **cache_argument(past), return_dict_in_generate=True, ...)
    kv.keep(output.sequences[0].tolist(), output_cache(output))

The cache is the model's own (a transformers DynamicCache), held between turns: for GPT-2-XL
in float32 about 0.6 MB per token, 0.6 GB for a full window, the same memory a run needs anyway.
transformers is imported lazily (only its version is read).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any


def common_prefix(first: Sequence[int], second: Sequence[int]) -> int:
    """Length of the longest common prefix of two token sequences."""
    count = 0
    for left, right in zip(first, second):
        if left != right:
            break
        count += 1
    return count


def cache_argument(past: Any) -> dict[str, Any]:
    """generate()'s keyword for a cache to continue from: `cache` in transformers 5,
    `past_key_values` before (5 still takes it, with a deprecation warning)."""
    import transformers

    major = int(re.match(r"\d+", transformers.__version__).group())  # type: ignore[union-attr]
    return {"cache" if major >= 5 else "past_key_values": past}


def output_cache(output: Any) -> Any:
    """The cache a generate() output carries (`cache` in transformers 5, `past_key_values` in 4)."""
    cache = getattr(output, "cache", None)
    return cache if cache is not None else getattr(output, "past_key_values", None)


class KvPrefixCache:
    """The previous run's key/value cache and the tokens it holds."""

    def __init__(self) -> None:
        self._ids: list[int] = []
        self._cache: Any = None

    @property
    def cached_tokens(self) -> int:
        return len(self._ids)

    def take(self, ids: Sequence[int]) -> tuple[Any, int]:
        """(the cache cut to the prefix ids shares with it, that prefix's length); (None, 0) if none.

        At least the last token of ids is left to encode: generate() needs one to start from.
        The cache is handed over (and grows during the run): call keep() after it.
        """
        cache, self._cache = self._cache, None
        reused = min(common_prefix(self._ids, ids), len(ids) - 1)
        if cache is None or reused <= 0:
            self._ids = []
            return None, 0
        extra = int(cache.get_seq_length()) - reused
        if extra > 0:
            # A negative count removes that many tokens from the end in transformers 4 and 5
            # alike (5 refuses a positive one, which 4 read as the length to keep).
            cache.crop(-extra)
        self._ids = list(ids[:reused])
        return cache, reused

    def keep(self, sequence: Sequence[int], cache: Any) -> None:
        """Remember a run's cache; sequence is every token of the run, prompt and new ones.

        The cache holds all but the last of them (the last sampled token never went through
        the model); anything else means another cache layout: keep nothing rather than guess.
        """
        length = int(cache.get_seq_length()) if cache is not None else 0
        if cache is None or length <= 0 or length > len(sequence):
            self.clear()
            return
        self._ids, self._cache = list(sequence[:length]), cache

    def clear(self) -> None:
        self._ids, self._cache = [], None
