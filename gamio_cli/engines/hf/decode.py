"""The story generator's own decode loop: the model's forward pass with its cache, one token at
a time, and sampling among the top-k candidates only.

transformers' generate() spends about 16 ms of every token outside the model on a CPU (a
48-layer GPT-2 with tiny matrices: 33 ms a token in generate(), 17 ms in the bare forward
pass): its sampling sorts and draws over all 50257 logits and it keeps its own bookkeeping
around the cache and the attention mask. Here the logits go through the same steps in the same
order as generate()'s processors for the same Settings (repetition penalty, temperature, top-k,
top-p), but top-p and the draw see only the k best: the tokens they could pick are the same,
each with the same probability. Without a seed the draw uses torch's default RNG, as before.
torch is imported inside functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gamio_cli.engines.hf.gpt2_step import gpt2_step
from gamio_cli.settings import Settings


@dataclass
class Decoded:
    """What a run wrote: the new tokens, and the cache holding every token but the last."""

    tokens: list[int]
    cache: Any


def sample(logits: Any, seen: Any, settings: Settings, banned: int | None = None) -> int:
    """The next token, drawn from candidates(); torch's RNG makes the draw."""
    import torch

    indices, probs = candidates(logits, seen, settings, banned)
    return int(indices[int(torch.multinomial(probs, 1))])


def candidates(logits: Any, seen: Any, settings: Settings, banned: int | None = None
               ) -> tuple[Any, Any]:
    """(token ids, their probabilities, unnormalised) the next token is drawn from, given the
    last position's logits (one per vocabulary entry).

    seen: the distinct ids (a 1-D integer tensor) of the prompt's tokens and the run's so far,
    the repetition penalty's tokens; banned: a token that may not come yet (end of text before
    the length the run must reach). The penalty touches the seen entries only and top-k is
    taken unsorted, then its k sorted: over GPT-2's 50257 logits each saves about 0.1 ms.
    """
    import torch

    logits = logits.float().clone()
    if settings.repetition_penalty != 1.0:  # CTRL's penalty, as transformers applies it
        penalty, picked = settings.repetition_penalty, logits[seen]
        logits[seen] = torch.where(picked < 0, picked * penalty, picked / penalty)
    if banned is not None:
        logits[banned] = -float("inf")
    logits = logits.div_(settings.temperature)
    k = settings.top_k if 0 < settings.top_k < logits.numel() else logits.numel()
    values, indices = torch.topk(logits, k, sorted=False)
    values, order = values.sort(descending=True)  # best first
    indices = indices[order]
    probs = torch.softmax(values, dim=-1)
    if settings.top_p < 1.0:
        # Keep the best tokens until their probability reaches top_p (at least one).
        before = torch.cumsum(probs, dim=-1) - probs
        probs = torch.where(before < settings.top_p, probs, torch.zeros_like(probs))
    return indices, probs


def decode(
    model: Any, ids: list[int], cache: Any, reused: int, settings: Settings, max_new: int,
    on_token: Callable[[list[int]], bool], eos: int, min_new: int = 0,
) -> Decoded:
    """Encode ids[reused:] onto cache (None: a new one of the model's default kind), then write
    up to max_new tokens; on_token(new tokens so far) after each one returns True to stop (it
    may raise Cancelled). End of text stops the run once min_new tokens are written."""
    import torch

    device = next(model.parameters()).device
    logits, cache = _forward(model, ids[reused:], reused, cache, device)
    step = gpt2_step(model, cache)  # None: each token through the model's own forward
    distinct = set(ids)
    seen = torch.tensor(sorted(distinct), dtype=torch.long, device=device)
    new: list[int] = []
    while True:
        token = sample(logits, seen, settings, eos if len(new) < min_new else None)
        new.append(token)
        if token not in distinct:
            distinct.add(token)
            seen = torch.cat((seen, torch.tensor([token], device=device)))
        if on_token(new) or len(new) >= max_new or (token == eos and len(new) >= min_new):
            return Decoded(new, cache)
        position = len(ids) + len(new) - 1
        if step is not None:
            logits = step(token, position)
        else:
            logits, cache = _forward(model, [token], position, cache, device)


def _forward(model: Any, tokens: list[int], start: int, cache: Any, device: Any
             ) -> tuple[Any, Any]:
    """(the last position's logits, the cache) after the model read tokens at start..."""
    import torch

    from gamio_cli.engines.hf.kv_prefix import cache_argument, output_cache

    output = model(
        torch.tensor([tokens], dtype=torch.long, device=device),
        cache_position=torch.arange(start, start + len(tokens), device=device),
        use_cache=True,
        logits_to_keep=1,  # the lm head for the last position only (a prompt's 800 rows aside)
        **cache_argument(cache),
    )
    return output.logits[0, -1], cache if cache is not None else output_cache(output)
