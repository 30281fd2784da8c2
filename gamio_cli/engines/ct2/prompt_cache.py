"""Which part of a prompt CTranslate2 should take from its prompt cache (pure logic).

CTranslate2 caches the model state after a `static_prompt`, keyed by its exact tokens, and
never frees an entry (a std::map in the model: about 0.6 MB per token for GPT-2-XL, so 0.5 GB
for a full prompt). It cannot extend a cached state either: a new static prompt is computed
from its first token. So the generator keeps exactly one cached prefix:

- A new prompt that starts with the cached prefix (most turns: the window of turns moves
  only every `window_step` turns, see turn.prompt.WINDOW_STEP) re-uses it and encodes only
  the rest.
- Otherwise the whole new prompt but its last token becomes the cached prefix. The prompt has
  to be encoded in full this turn anyway, so caching it costs nothing extra; the old entry is
  dropped first (CTranslate2 frees it only with the model, so the generator reloads the
  model: about a second for GPT-2-XL, from the page cache).
- Better still, while the player reads and types, the generator can encode the text the next
  prompt will start with (turn.prompt.next_prompt_prefix; Ct2Generator.prepare), and the turn
  then encodes only the player's action line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# A cached prefix is re-used while it covers at least this share of the prompt, 0-1: below it,
# re-encoding the remainder every turn costs more than caching the new prompt once.
MIN_REUSE_SHARE = 0.5
# Prompts shorter than this many tokens are not worth an entry (and a reload) in the cache.
MIN_CACHED_TOKENS = 64


@dataclass(frozen=True)
class CachePlan:
    """How to run one prompt: prompt[:static_len] from (or into) the cache, the rest encoded."""

    static_len: int
    reuse: bool  # the prefix is already cached
    drop_old: bool  # free the previous cached prefix before this run


class PromptCache:
    """Remembers the one prefix in CTranslate2's cache and plans each prompt around it."""

    def __init__(
        self, min_reuse_share: float = MIN_REUSE_SHARE, min_cached_tokens: int = MIN_CACHED_TOKENS
    ) -> None:
        self.min_reuse_share = min_reuse_share
        self.min_cached_tokens = min_cached_tokens
        self._prefix: tuple[int, ...] = ()

    @property
    def cached_tokens(self) -> int:
        return len(self._prefix)

    def plan(self, ids: Sequence[int]) -> CachePlan:
        """Plan a prompt of token ids and remember the prefix the run will leave cached."""
        size = len(self._prefix)
        if (
            size
            and size < len(ids)
            and size >= self.min_reuse_share * len(ids)
            and tuple(ids[:size]) == self._prefix
        ):
            return CachePlan(static_len=size, reuse=True, drop_old=False)
        if len(ids) - 1 < self.min_cached_tokens:
            # Not cached at all (and the old prefix stays: the next prompt may match it again).
            return CachePlan(static_len=0, reuse=False, drop_old=False)
        drop_old = bool(self._prefix)
        self._prefix = tuple(ids[:-1])
        return CachePlan(static_len=len(ids) - 1, reuse=False, drop_old=drop_old)

    def hold(self, prefix: Sequence[int]) -> bool | None:
        """Make prefix the cached one (prepared ahead of a turn). None: it already is, or it is
        too short to cache; else whether the previous prefix must be dropped first."""
        if tuple(prefix) == self._prefix or len(prefix) < self.min_cached_tokens:
            return None
        drop_old = bool(self._prefix)
        self._prefix = tuple(prefix)
        return drop_old

    def clear(self) -> None:
        """The model's cache was emptied (the model was reloaded)."""
        self._prefix = ()
