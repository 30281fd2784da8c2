"""One decode step of a GPT-2 model, written out for the decode loop.

transformers' GPT-2 forward pass goes through some thirty module calls per layer, a mask
builder and keyword plumbing: with tiny matrices a 48-layer GPT-2 still spends about 17 ms a
token in it on a CPU, all Python and dispatch. For one new token with kv_cache's cache the
same arithmetic is short: per layer a layer norm, the fused q/k/v matrix, the cache update,
attention over the filled part (no mask is needed: one query sees every cached position),
the output matrix and the MLP; then the last layer norm and the output layer. The layers'
own modules and weights are used (int8 or not), so only the glue is ours; anything that is
not plain GPT-2 as written here (cross-attention, another model type, another cache) gets
None and the model's own forward runs. tests/engines/hf/test_gpt2_step.py holds it to the
model's own logits. torch is imported inside functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gamio_cli.engines.hf.kv_cache import is_filled_view

Step = Callable[[int, int], Any]


def gpt2_step(model: Any, cache: Any) -> Step | None:
    """step(token, position) -> the logits after model reads token at position (the cache
    grows by one), or None where this model or cache is not the one written here."""
    import torch
    from torch.nn import functional

    config = model.config
    if getattr(config, "model_type", None) != "gpt2" or getattr(config, "add_cross_attention",
                                                                 False):
        return None
    if not is_filled_view(cache) or len(cache.layers) != len(model.transformer.h):
        return None
    transformer, device = model.transformer, next(model.parameters()).device
    pairs = list(zip(transformer.h, cache.layers))
    heads = int(config.n_head)

    def norm(module: Any, x: Any) -> Any:
        return functional.layer_norm(x, module.normalized_shape, module.weight, module.bias,
                                     module.eps)

    def step(token: int, position: int) -> Any:
        x = (transformer.wte(torch.tensor([[token]], device=device))
             + transformer.wpe(torch.tensor([[position]], device=device)))
        for block, layer in pairs:
            attn = block.attn
            qkv = attn.c_attn.forward(norm(block.ln_1, x)).split(attn.split_size, 2)
            q, k, v = (part.view(1, 1, heads, -1).transpose(1, 2) for part in qkv)
            keys, values = layer.update(k, v)
            out = functional.scaled_dot_product_attention(q, keys, values, scale=attn.scaling)
            x = x + attn.c_proj.forward(out.transpose(1, 2).reshape(1, 1, -1))
            mlp = block.mlp
            x = x + mlp.c_proj.forward(mlp.act(mlp.c_fc.forward(norm(block.ln_2, x))))
        return model.lm_head(norm(transformer.ln_f, x))[0, -1]

    return step
