"""The written-out GPT-2 decode step (engines/hf/gpt2_step.py) against the model's own forward
pass, on the tiny real GPT-2 in float32 and in int8, and where it must stand aside."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from gamio_cli.engines.hf.gpt2_step import gpt2_step
from gamio_cli.engines.hf.int8_weights import load_int8_causal_lm
from gamio_cli.engines.hf.kv_cache import new_cache
from gamio_cli.engines.hf.kv_prefix import cache_argument
from gamio_cli.model import load_generator
from gamio_cli.settings import Settings
from tests.tiny.build import TinyModels

PROMPT = "You are a knight in an old castle. You have a lamp.\n> You open the door.\n"


def _model(tiny_models: TinyModels, kind: str) -> Any:
    if kind == "int8":
        return load_int8_causal_lm(tiny_models.generator, 1)
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(str(tiny_models.generator)).eval()


def _prefilled(model: Any, ids: list[int]) -> tuple[Any, Any]:
    cache = new_cache(model, 256, "cpu")
    output = model(torch.tensor([ids]), cache_position=torch.arange(len(ids)), use_cache=True,
                   **cache_argument(cache))
    return cache, output.logits[0, -1]


@pytest.mark.parametrize("kind", ["float32", "int8"])
def test_each_step_gives_the_models_own_logits(tiny_models: TinyModels, kind: str) -> None:
    from transformers import AutoTokenizer

    model = _model(tiny_models, kind)
    ids = AutoTokenizer.from_pretrained(str(tiny_models.generator))(PROMPT)["input_ids"]
    with torch.inference_mode():
        theirs, logits = _prefilled(model, ids)
        ours, _ = _prefilled(model, ids)
        step = gpt2_step(model, ours)
        assert step is not None
        for position in range(len(ids), len(ids) + 8):
            token = int(logits.argmax())
            reference = model(torch.tensor([[token]]), cache_position=torch.tensor([position]),
                              use_cache=True, **cache_argument(theirs)).logits[0, -1]
            logits = step(token, position)
            assert torch.allclose(logits, reference, atol=1e-4, rtol=1e-4)
            assert int(ours.get_seq_length()) == int(theirs.get_seq_length()) == position + 1


def test_it_stands_aside_for_another_cache_or_model(tiny_models: TinyModels) -> None:
    from transformers import DynamicCache

    model = _model(tiny_models, "float32")
    assert gpt2_step(model, DynamicCache()) is None
    assert gpt2_step(model, None) is None
    model.config.model_type = "gpt_neo"
    assert gpt2_step(model, new_cache(model, 64, "cpu")) is None


def test_the_game_writes_the_same_with_and_without_it(
    tiny_models: TinyModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gamio_cli.engines.hf import decode

    greedy = Settings(top_k=1, max_new_tokens=30)
    fast = load_generator(str(tiny_models.generator), "cpu", seed=1).generate(PROMPT, greedy)
    monkeypatch.setattr(decode, "gpt2_step", lambda model, cache: None)
    plain = load_generator(str(tiny_models.generator), "cpu", seed=1).generate(PROMPT, greedy)
    assert fast == plain and fast
