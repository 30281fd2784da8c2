"""The tiny GPT-2 story generator and its byte-level BPE tokenizer, trained on random stories
(stories.py) until it answers every table action exactly (tables.py).

Two recency heads (_recency_heads) and short stories placed at random positions make "answer
the last line" learnable in a few hundred steps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.tiny.stories import CHECK_PROSE, Ids, Stories
from tests.tiny.tables import CONTINUATIONS, FALLBACK, action_line

_GPT2_DIMS: dict[str, Any] = {
    "n_positions": 512, "n_embd": 64, "n_layer": 2, "n_head": 4,
    "resid_pdrop": 0.0, "embd_pdrop": 0.0, "attn_pdrop": 0.0,
}
# The recipe (found by trying, on two CPU cores with one thread each).
_MAX_STEPS = 1500  # seeds 1-10 needed 700-1200; checks every 100 steps end training early
_LEARNING_RATE = 2.5e-3  # Adam; 4e-3 made training unstable
_SHORT, _LONG = 80, 320  # tokens of story before the last action: most steps, 15 % of the rest
# Recency heads, per layer and head: logits lost per token of distance about 2, 0.5 / 1, 0.25.
_RECENCY_GAINS = [[100.0, 25.0], [50.0, 12.0]]


def _gpt2_tokenizer(out: Path, seed: int) -> Any:
    """Train a byte-level BPE on random stories; save vocab.json, merges.txt, tokenizer.json."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import GPT2Tokenizer

    stories = Stories(seed)
    rng = stories.rng
    texts = [stories.text(rng.randrange(0, 6), rng.randrange(0, 12)) for _ in range(400)]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(texts, vocab_size=1000, min_frequency=2,
                            special_tokens=["<|endoftext|>"], show_progress=False)
    bpe.save_model(str(out))
    tok = GPT2Tokenizer.from_pretrained(str(out), model_max_length=_GPT2_DIMS["n_positions"])
    tok.save_pretrained(out)
    return tok


def _pin(param: Any, dim: int, index: Any) -> None:
    """Keep param's slices at index (along dim) as they are: their gradient is always zero."""
    param.register_hook(lambda grad: grad.index_fill(dim, index, 0.0))


def _recency_heads(model: Any) -> None:
    """Give two heads per layer a built-in preference for recent tokens, as ALiBi does.

    Learned positions take thousands of steps to learn "look at the last line"; this makes it
    available from the start. The last two embedding dimensions carry only the position, as
    the angle a = p*pi/(2*n_positions) (zero in token embeddings and in every layer's output,
    kept so). A head with k = (cos a, sin a) and q = G*(-sin a, cos a) scores key j from query
    i by -G*sin(a_i - a_j): 0 for itself, falling steadily with distance.
    """
    import math

    import torch

    config = model.config
    dims = torch.tensor([config.n_embd - 2, config.n_embd - 1])
    angle = torch.arange(config.n_positions) * math.pi / (2 * config.n_positions)
    size = config.n_embd // config.n_head
    turn = torch.tensor([[0.0, 1.0], [-1.0, 0.0]])
    with torch.no_grad():
        # Token vectors about as long as the position's, so that layer norms scale both alike.
        model.transformer.wte.weight.normal_(0.0, 0.15)
        model.transformer.wte.weight[:, dims] = 0.0
        model.transformer.wpe.weight[:, dims] = torch.stack([angle.cos(), angle.sin()], 1)
        for block, gains in zip(model.transformer.h, _RECENCY_GAINS):
            for head, gain in enumerate(gains):
                query = slice(head * size, head * size + 2)
                key = slice(config.n_embd + head * size, config.n_embd + head * size + 2)
                block.attn.c_attn.weight[dims, query] = gain * turn
                block.attn.c_attn.weight[dims, key] = torch.eye(2)
            for proj in (block.attn.c_proj, block.mlp.c_proj):
                proj.weight[:, dims] = 0.0
                proj.bias[dims] = 0.0
    for embedding in (model.transformer.wte, model.transformer.wpe):
        _pin(embedding.weight, 1, dims)
    for block in model.transformer.h:
        for proj in (block.attn.c_proj, block.mlp.c_proj):
            _pin(proj.weight, 1, dims)
            _pin(proj.bias, 0, dims)


def _pad(rows: list[list[int]]) -> Any:
    import torch

    width = max(map(len, rows))
    return torch.tensor([row + [0] * (width - len(row)) for row in rows])


def _loss(model: Any, samples: list[Ids], offset: int) -> Any:
    """Cross-entropy on the tokens to predict, with positions offset..offset+width."""
    import torch
    from torch.nn.functional import cross_entropy

    ids = _pad([sample.ids for sample in samples])
    width = ids.shape[1]
    positions = torch.arange(offset, offset + width).expand(len(samples), -1)
    hidden = model.transformer(input_ids=ids, position_ids=positions).last_hidden_state
    learn = torch.tensor([s.learn + [False] * (width - len(s.learn)) for s in samples])[:, 1:]
    # The output layer only where it counts: it is a large share of the work.
    logits = model.lm_head(hidden[:, :-1][learn])
    return cross_entropy(logits, ids[:, 1:][learn])


def _checks(tok: Any, seed: int) -> list[tuple[list[int], int]]:
    """(ids, answer start): unseen openings of 0-300 tokens, an action line, answer and "\n>"."""
    stories = Stories(seed, lambda text: tok(text)["input_ids"])
    prose = stories.encode(CHECK_PROSE)
    openings = [[], prose[-40:], prose[-150:], stories.story(120).ids, stories.story(300).ids]
    samples = []
    for opening in openings:
        for action, answer in {**CONTINUATIONS, "You sing.": FALLBACK}.items():
            prompt = opening + stories.encode(action_line(action))
            samples.append((prompt + stories.encode(answer + "\n>"), len(prompt)))
    return samples


def _confident(model: Any, samples: list[tuple[list[int], int]], need: float = 0.95) -> bool:
    """Whether every answer token is the greedy choice and, under the game's sampling
    (repetition penalty 1.2, temperature 0.4), has a probability of at least `need`: above
    0.9, top_p 0.9 keeps that token alone, so sampling cannot stray."""
    import torch

    model.eval()
    with torch.no_grad():
        logits = model(input_ids=_pad([ids for ids, _ in samples])).logits
    model.train()
    for row, (ids, start) in enumerate(samples):
        for t in range(start, len(ids)):
            scores = logits[row, t - 1].clone()
            if int(scores.argmax()) != ids[t]:
                return False
            seen = torch.tensor(sorted(set(ids[:t])))
            penalised = scores[seen]
            scores[seen] = torch.where(penalised > 0, penalised / 1.2, penalised * 1.2)
            if float((scores / 0.4).softmax(-1)[ids[t]]) < need:
                return False
    return True


def _train_generator(model: Any, stories: Stories, checks: list[tuple[list[int], int]]) -> int:
    """Adam with teacher forcing until _confident on the checks; return the steps taken."""
    import torch

    optimizer = torch.optim.Adam(model.parameters(), lr=_LEARNING_RATE)
    schedule = torch.optim.lr_scheduler.LambdaLR(  # 20 steps of warm-up, then down to 5 %
        optimizer, lambda step: min(1.0, (step + 1) / 20) * max(0.05, 1 - step / _MAX_STEPS))
    room = model.config.n_positions
    for step in range(1, _MAX_STEPS + 1):
        # Short stories at random positions teach every position cheaply; some long ones, once
        # the short ones are learnt, teach the model to ignore far-away text.
        long = step > 200 and stories.rng.random() < 0.15
        length = stories.rng.randrange(0, (_LONG if long else _SHORT) + 1)
        samples = [stories.sample(length) for _ in range(max(2, min(8, 640 // (length + 20))))]
        width = max(len(sample.ids) for sample in samples)
        offset = 0 if long else stories.rng.randrange(0, room - width)
        loss = _loss(model, samples, offset)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % 100 == 0 and _confident(model, checks):
            return step
    raise RuntimeError(f"tiny GPT-2 did not learn its continuations in {_MAX_STEPS} steps")


def build_generator(out: Path, seed: int) -> Path:
    """Train the story GPT-2 and its byte-level BPE tokenizer; save both to out."""
    import torch
    from transformers import GenerationConfig, GPT2Config, GPT2LMHeadModel

    out.mkdir(parents=True, exist_ok=True)
    tok = _gpt2_tokenizer(out, seed)
    eos = tok.convert_tokens_to_ids("<|endoftext|>")
    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=len(tok), bos_token_id=eos, eos_token_id=eos, **_GPT2_DIMS)
    model = GPT2LMHeadModel(config)
    _recency_heads(model)
    stories = Stories(seed, lambda text: tok(text)["input_ids"])
    _train_generator(model, stories, _checks(tok, seed + 1))
    model.generation_config = GenerationConfig(bos_token_id=eos, eos_token_id=eos, pad_token_id=eos)
    model.save_pretrained(out)
    return out
