"""One decode step of a GPT-2 model, written out for the decode loop.

transformers' GPT-2 forward pass goes through some thirty module calls per layer, a mask
builder and keyword plumbing: with tiny matrices a 48-layer GPT-2 still spends about 17 ms a
token in it on a CPU, all Python and dispatch. For one new token with kv_cache's cache the
same arithmetic is short: per layer a layer norm, the fused q/k/v matrix, the new keys and
values written into the cache's storage, attention over the filled part (no mask is needed:
one query sees every cached position), the output matrix and the MLP; then the last layer norm
and the output layer. Everything a step needs from the modules (weights, the int8 kernels'
packed matrices, the cache's storage) is looked up once per run, not per token and layer: on
GPT-2-XL that lookup and the cache layer's own update (an index tensor, two index copies and a
tensor-to-int read per layer) cost about 10 ms a token. The layers' own weights are used (int8
or not), so only the glue is ours; anything that is not plain GPT-2 as written here
(cross-attention, another model type, another cache) gets None and the model's own forward
runs. tests/engines/hf/test_gpt2_step.py holds it to the model's own logits and cache length.
torch is imported inside functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from gamio_cli.engines.hf.int8_layers import matrix_call
from gamio_cli.engines.hf.kv_cache import is_filled_view

Step = Callable[[int, int], Any]
Product = Callable[[Any], Any]


class Layer(NamedTuple):
    """What one GPT-2 block's step uses, looked up once."""

    norm_1: tuple[Any, ...]  # layer_norm's arguments after the input: shape, weight, bias, eps
    qkv: Product
    keys: Any  # the cache layer's storage: (1, heads, window, head size)
    values: Any
    scale: float  # attention's score scale (1/sqrt(head size) unless the config says not)
    out: Product
    norm_2: tuple[Any, ...]
    up: Product
    act: Product
    down: Product
    filled: Any  # the cache layer's count of tokens held (a tensor, as transformers keeps it)


def gpt2_step(model: Any, cache: Any) -> Step | None:
    """step(token, position) -> the logits after model reads token at position, where position
    is the number of tokens the cache holds (it then holds one more); None where this model or
    cache is not the one written here."""
    config = model.config
    if getattr(config, "model_type", None) != "gpt2" or getattr(config, "add_cross_attention",
                                                                 False):
        return None
    if not is_filled_view(cache) or len(cache.layers) != len(model.transformer.h):
        return None
    import torch

    if not all(isinstance(getattr(layer, name, None), torch.Tensor)
               for layer in cache.layers for name in ("keys", "values", "cumulative_length")):
        return None  # storage not taken yet (new_cache takes it at once), or another layout
    return _step(model, [_layer(block, layer) for block, layer in
                         zip(model.transformer.h, cache.layers)])


def _norm_arguments(module: Any) -> tuple[Any, ...]:
    return module.normalized_shape, module.weight, module.bias, module.eps


def _layer(block: Any, layer: Any) -> Layer:
    attn, mlp = block.attn, block.mlp
    return Layer(_norm_arguments(block.ln_1), matrix_call(attn.c_attn), layer.keys,
                 layer.values, float(attn.scaling), matrix_call(attn.c_proj),
                 _norm_arguments(block.ln_2), matrix_call(mlp.c_fc), mlp.act,
                 matrix_call(mlp.c_proj), layer.cumulative_length)


def _step(model: Any, layers: list[Layer]) -> Step:
    import torch
    from torch.nn import functional

    transformer, heads = model.transformer, int(model.config.n_head)
    device = next(model.parameters()).device
    layer_norm, attention = functional.layer_norm, functional.scaled_dot_product_attention
    final_norm, head = _norm_arguments(transformer.ln_f), matrix_call(model.lm_head)

    def step(token: int, position: int) -> Any:
        x = (transformer.wte(torch.tensor([[token]], device=device))
             + transformer.wpe(torch.tensor([[position]], device=device)))
        filled = position + 1
        for layer in layers:
            # q, k and v lie one after the other, each head after head: as (1, heads, 1, size)
            q, k, v = layer.qkv(layer_norm(x, *layer.norm_1)).view(3, 1, heads, 1, -1).unbind()
            layer.keys.narrow(2, position, 1).copy_(k)
            layer.values.narrow(2, position, 1).copy_(v)
            out = attention(q, layer.keys.narrow(2, 0, filled),
                            layer.values.narrow(2, 0, filled), scale=layer.scale)
            x = x + layer.out(out.reshape(1, 1, -1))  # one query: heads side by side already
            x = x + layer.down(layer.act(layer.up(layer_norm(x, *layer.norm_2))))
            layer.filled.fill_(filled)
        return head(layer_norm(x, *final_norm))[0, -1]

    return step
