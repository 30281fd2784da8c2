"""The transformers generator's attention cache: storage for the whole window, taken at once,
shown to attention only as far as it is filled.

transformers' DynamicCache grows by copying itself every token (GPT-2-XL decoded 3x slower at
800 tokens of context on a CPU); its StaticCache does not copy, but attention then reads all
of it, the empty part too, every token. This one keeps StaticCache's fixed storage and hands
attention views of the filled part only.

The storage is taken before the prompt is encoded rather than layer by layer during it: there
the layers' blocks and the encoding's passing tensors interleave, and the freed ones stay in
the C heap as holes (GPT-2-XL: 0.4 GB more at the peak).
transformers is imported lazily; new_cache returns None where its cache classes differ (other
major versions), and generate() then uses transformers' default cache.
"""

from __future__ import annotations

from typing import Any


def new_cache(model: Any, window: int, device: str) -> Any:
    """An empty cache of `window` tokens for model, or None when this transformers has no
    StaticCache like 5.x's."""
    import torch

    try:
        from transformers.cache_utils import StaticCache, StaticLayer
    except ImportError:
        return None
    config = model.config
    heads = int(config.num_attention_heads)
    head_dim = int(getattr(config, "head_dim", None) or config.hidden_size // heads)
    dtype = next(model.parameters()).dtype
    try:
        cache = StaticCache(config=config, max_cache_len=window)
        cache.layers = [_filled_view_layer(StaticLayer)(window) for _ in cache.layers]
        cache.early_initialization(1, heads, head_dim, dtype, torch.device(device))
    except (TypeError, AttributeError):  # another StaticCache (transformers 4)
        return None
    return cache


_LAYER_CLASSES: dict[type, type] = {}


def _filled_view_layer(base: type) -> Any:
    """StaticLayer that returns (and sizes the attention mask to) its filled part only."""
    if base not in _LAYER_CLASSES:

        class FilledViewLayer(base):  # type: ignore[misc]
            def update(self, key_states: Any, value_states: Any, *args: Any, **kwargs: Any) -> Any:
                keys, values = super().update(key_states, value_states, *args, **kwargs)
                filled = int(self.cumulative_length)
                return keys[:, :, :filled], values[:, :, :filled]

            def get_mask_sizes(self, query_length: int) -> tuple[int, int]:
                # Asked before update(): what is cached so far plus the tokens on their way.
                return int(self.cumulative_length) + query_length, 0

        _LAYER_CLASSES[base] = FilledViewLayer
    return _LAYER_CLASSES[base]


def is_filled_view(cache: Any) -> bool:
    """Whether cache is one new_cache made (every layer a filled-view StaticLayer)."""
    layers: Any = getattr(cache, "layers", None)
    classes = tuple(_LAYER_CLASSES.values())
    if not layers or not classes:
        return False
    return all(isinstance(layer, classes) for layer in layers)
