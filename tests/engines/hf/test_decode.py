"""The game's own decode loop (engines/hf/decode.py): its candidates and their probabilities
against transformers' own logits processors for the same Settings, and the loop on the tiny
real GPT-2 against transformers' generate()."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gamio_cli.engines.hf.decode import candidates, decode
from gamio_cli.errors import Cancelled
from gamio_cli.model import load_generator
from gamio_cli.settings import Settings
from tests.tiny.build import TinyModels

VOCAB = 300
PROMPT = "You are a knight in an old castle. You have a lamp.\n> You open the door.\n"


def library_probs(logits: Any, seen_ids: list[int], knobs: Settings, banned: int | None) -> Any:
    """The distribution transformers' generate() samples from, by its own processors."""
    from transformers.generation import logits_process as lp

    input_ids = torch.tensor([seen_ids or [0]])
    processors: list[Any] = [lp.RepetitionPenaltyLogitsProcessor(knobs.repetition_penalty)]
    if banned is not None:  # no new token yet of the 5 the run must write
        processors.insert(0, lp.MinNewTokensLengthLogitsProcessor(input_ids.shape[1], 5, banned))
    processors += [lp.TemperatureLogitsWarper(knobs.temperature)]
    if knobs.top_k:
        processors.append(lp.TopKLogitsWarper(knobs.top_k))
    if knobs.top_p < 1.0:
        processors.append(lp.TopPLogitsWarper(knobs.top_p))
    scores = logits[None].clone()
    for processor in processors:
        scores = processor(input_ids, scores)
    return torch.softmax(scores[0], dim=-1)


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    temperature=st.floats(0.1, 2.0),
    top_p=st.one_of(st.just(1.0), st.floats(0.05, 1.0)),
    top_k=st.one_of(st.just(0), st.integers(1, 60)),
    penalty=st.floats(1.0, 2.0),
    seen=st.lists(st.integers(0, VOCAB - 1), max_size=30),
    ban=st.booleans(),
)
def test_the_candidates_are_the_libraries_distribution(
    seed: int, temperature: float, top_p: float, top_k: int, penalty: float, seen: list[int],
    ban: bool,
) -> None:
    logits = torch.randn(VOCAB, generator=torch.Generator().manual_seed(seed)) * 2
    knobs = Settings(temperature=temperature, top_p=top_p, top_k=top_k,
                     repetition_penalty=penalty)
    banned = 7 if ban else None
    seen_ids = seen or ([0] if penalty != 1.0 else [])  # the library's input_ids are never empty
    mask = torch.tensor(sorted(set(seen_ids)), dtype=torch.long)
    indices, probs = candidates(logits, mask, knobs, banned)
    ours = torch.zeros(VOCAB)
    ours[indices] = probs / probs.sum()
    expected = library_probs(logits, seen_ids, knobs, banned)
    if top_p < 1.0:  # a token whose cumulative probability lies on top_p: rounding either way
        _, top = candidates(logits, mask, Settings(temperature=temperature, top_k=top_k,
                                                   top_p=1.0, repetition_penalty=penalty), banned)
        before = torch.cumsum(top, 0) - top
        assume(bool((before - top_p).abs().min() > 1e-4))
    assert torch.equal(ours > 0, expected > 0)
    assert torch.allclose(ours, expected, rtol=1e-4, atol=1e-12)  # the tail's tiny ones too
    if banned is not None:
        assert float(ours[banned]) == 0.0


def test_the_loop_writes_what_generate_writes_when_the_choice_is_certain(
    tiny_models: TinyModels,
) -> None:
    own = load_generator(str(tiny_models.generator), "cpu", seed=1)
    library = load_generator(str(tiny_models.generator), "cpu", seed=1)
    library.library_generate = True
    greedy = Settings(top_k=1, max_new_tokens=30)  # one candidate: no draw to differ in
    assert own.generate(PROMPT, greedy) == library.generate(PROMPT, greedy)
    own.force_length = library.force_length = True
    assert own.count_tokens(own.generate(PROMPT, greedy)) >= 25


def test_the_loop_stops_when_told_keeps_the_cache_and_cancels(tiny_models: TinyModels) -> None:
    generator = load_generator(str(tiny_models.generator), "cpu", seed=1)
    ids = generator.tokenizer(PROMPT)["input_ids"]
    seen_steps: list[int] = []

    def stop_at_five(new: list[int]) -> bool:
        seen_steps.append(len(new))
        return len(new) == 5

    with torch.inference_mode():
        run = decode(generator.model, ids, None, 0, Settings(), 50, stop_at_five, eos=-1)
        assert seen_steps == [1, 2, 3, 4, 5] and len(run.tokens) == 5
        assert int(run.cache.get_seq_length()) == len(ids) + 4  # all but the last new token
        forced = decode(generator.model, ids, None, 0, Settings(), 12, lambda new: False,
                        eos=run.tokens[0], min_new=12)
        assert len(forced.tokens) == 12  # end of text is banned until the length is reached

        def cancel(new: list[int]) -> bool:
            raise Cancelled()

        with pytest.raises(Cancelled):
            decode(generator.model, ids, None, 0, Settings(), 50, cancel, eos=-1)
