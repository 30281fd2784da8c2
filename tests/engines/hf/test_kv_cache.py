"""kv_cache on the tiny real GPT-2: storage for the whole window, attention sees the filled part."""

from __future__ import annotations

from typing import Any

import pytest

from gamio_cli.engines.heap import release_free_heap
from gamio_cli.engines.hf import kv_cache
from tests.tiny.build import TinyModels

PROMPT = "You are a knight in an old castle. You have a lamp.\n> You open the door.\n"


@pytest.fixture(scope="module")
def lm(tiny_models: TinyModels) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(tiny_models.generator))
    return tokenizer, AutoModelForCausalLM.from_pretrained(str(tiny_models.generator)).eval()


def _run(lm: tuple[Any, Any], ids: list[int], cache: Any, start: int = 0) -> Any:
    import torch

    from gamio_cli.engines.hf.kv_prefix import cache_argument

    with torch.inference_mode():
        return lm[1](torch.tensor([ids[start:]]), cache_position=torch.arange(start, len(ids)),
                     use_cache=True, **cache_argument(cache)).logits[0]


def test_storage_is_taken_at_once_and_attention_sees_the_filled_part(lm: tuple[Any, Any]) -> None:
    import torch

    tokenizer, model = lm
    window = model.config.n_positions
    cache = kv_cache.new_cache(model, window, "cpu")
    assert cache is not None and cache.get_seq_length() == 0
    layer = cache.layers[0]
    assert layer.keys.shape[2] == window  # all of it, before any token
    ids = tokenizer(PROMPT)["input_ids"]
    assert layer.get_mask_sizes(len(ids)) == (len(ids), 0)
    whole = _run(lm, ids, None)
    split = 9
    _run(lm, ids[:split], cache)
    assert int(cache.get_seq_length()) == split
    rest = _run(lm, ids, cache, start=split)
    assert torch.allclose(rest, whole[split:], atol=1e-4)
    with torch.inference_mode():
        keys, _ = layer.update(layer.keys[:, :, :1].clone(), layer.values[:, :, :1].clone())
    assert keys.shape[2] == len(ids) + 1


def test_a_transformers_without_such_a_cache_gets_none(
    lm: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import transformers.cache_utils

    class OldStaticCache:  # transformers 4 took (config, max_batch_size, max_cache_len, ...)
        def __init__(self, config: Any, max_batch_size: int, max_cache_len: int) -> None:
            pass

    monkeypatch.setattr(transformers.cache_utils, "StaticCache", OldStaticCache)
    assert kv_cache.new_cache(lm[1], 64, "cpu") is None


def test_heap_release_runs_where_there_is_glibc() -> None:
    import platform

    glibc = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    assert release_free_heap() is glibc

