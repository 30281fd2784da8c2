"""Re-using the key/value cache of a shared prompt prefix with transformers' generate()."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamio_cli.engines.hf.kv_prefix import (
    KvPrefixCache,
    cache_argument,
    common_prefix,
    output_cache,
)
from tests.tiny.build import TinyModels

STORY = "You are a knight in an old castle. You have a lamp."


@pytest.fixture(scope="module")
def model(tiny_models: TinyModels) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(tiny_models.generator))
    return tokenizer, AutoModelForCausalLM.from_pretrained(str(tiny_models.generator)).eval()


def _greedy(model: tuple[Any, Any], prompt: str, kv: KvPrefixCache | None) -> tuple[str, int]:
    import torch

    tokenizer, lm = model
    ids = tokenizer(prompt)["input_ids"]
    past, reused = kv.take(ids) if kv is not None else (None, 0)
    with torch.inference_mode():
        output = lm.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                             do_sample=False, max_new_tokens=10, return_dict_in_generate=True,
                             pad_token_id=tokenizer.eos_token_id, **cache_argument(past))
    if kv is not None:
        kv.keep(output.sequences[0].tolist(), output_cache(output))
    return str(tokenizer.decode(output.sequences[0, len(ids):])), reused


def test_reused_prefix_gives_the_same_text_as_encoding_everything(model: tuple[Any, Any]) -> None:
    kv = KvPrefixCache()
    first = f"{STORY}\n> You open the door.\n"
    _, reused = _greedy(model, first, kv)
    assert reused == 0
    second = first + "The door creaks open. A dragon sleeps inside.\n> You take the sword.\n"
    text, reused = _greedy(model, second, kv)
    assert reused >= len(model[0](first)["input_ids"])
    assert text == _greedy(model, second, None)[0]
    assert text.startswith("The sword is heavy.")


def test_a_different_start_reuses_only_what_matches(model: tuple[Any, Any]) -> None:
    kv = KvPrefixCache()
    _greedy(model, f"{STORY}\n> You open the door.\n", kv)
    other = "You have a lamp.\n> You go north.\n"
    expected = common_prefix(model[0](f"{STORY}\n> You open the door.\n")["input_ids"],
                             model[0](other)["input_ids"])
    text, reused = _greedy(model, other, kv)
    assert reused == expected
    assert text == _greedy(model, other, None)[0]


def test_the_same_prompt_twice_still_encodes_its_last_token(model: tuple[Any, Any]) -> None:
    kv = KvPrefixCache()
    prompt = f"{STORY}\n> You go north.\n"
    first, _ = _greedy(model, prompt, kv)
    again, reused = _greedy(model, prompt, kv)
    assert reused == len(model[0](prompt)["input_ids"]) - 1
    assert again == first


class _FakeCache:
    """Only where no model is needed: a cache of a given length (a seam, see the tests above)."""

    def __init__(self, length: int) -> None:
        self.length = length

    def get_seq_length(self) -> int:
        return self.length

    def crop(self, count: int) -> None:
        assert count < 0
        self.length += count


@given(st.lists(st.integers(0, 3), max_size=20), st.lists(st.integers(0, 3), min_size=1, max_size=20))
def test_take_never_hands_out_more_than_the_shared_prefix(kept: list[int], ids: list[int]) -> None:
    kv = KvPrefixCache()
    if kept:
        kv.keep(kept + [9], _FakeCache(len(kept)))
    cache, reused = kv.take(ids)
    assert reused == min(common_prefix(kept, ids), len(ids) - 1) if kept else reused == 0
    assert (cache is None) == (reused == 0)
    if cache is not None:
        assert cache.get_seq_length() == reused
    assert kv.cached_tokens == reused


def test_an_unexpected_cache_layout_is_not_kept() -> None:
    kv = KvPrefixCache()
    kv.keep([1, 2], _FakeCache(5))
    assert kv.cached_tokens == 0 and kv.take([1, 2, 3]) == (None, 0)
