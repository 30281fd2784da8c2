"""int8_weights on the tiny real GPT-2: the same model as from_pretrained, in int8, from any
checkpoint layout, and one clear message when a weight is missing."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from gamio_cli.engines.hf.generator import TransformersGenerator
from gamio_cli.engines.hf.int8_weights import (
    checkpoint_tensors,
    load_int8_causal_lm,
    read_safetensors,
)
from gamio_cli.errors import ModelUnavailable
from gamio_cli.model import load_generator
from gamio_cli.settings import Settings
from tests.tiny.build import TinyModels
from tests.tiny.tables import CONTINUATIONS

PROMPT = "You are a knight in an old castle. You have a lamp.\n> You open the door.\n"


def _reference(model_dir: Path) -> Any:
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(str(model_dir)).eval()


def _logits(model: Any, tokenizer: Any, text: str) -> Any:
    import torch

    with torch.inference_mode():
        return model(torch.tensor([tokenizer(text)["input_ids"]])).logits[0]


@pytest.fixture(scope="module")
def tokenizer(tiny_models: TinyModels) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(tiny_models.generator))


def _assert_same_model(model: Any, reference: Any, tokenizer: Any) -> None:
    """int8 logits within a few percent of float32's, and the same most likely tokens."""
    ours, theirs = _logits(model, tokenizer, PROMPT), _logits(reference, tokenizer, PROMPT)
    error = float((ours - theirs).norm() / theirs.norm())
    assert 0 < error < 0.15  # 0: nothing was quantized; a swapped matrix gives about 1
    assert (ours.argmax(-1) == theirs.argmax(-1)).float().mean() > 0.9


@pytest.mark.parametrize("workers", [1, 3])
def test_matrices_are_int8_and_the_model_is_the_same(
    tiny_models: TinyModels, tokenizer: Any, workers: int
) -> None:
    from torch.ao.nn.quantized import dynamic

    model = load_int8_causal_lm(tiny_models.generator, workers)
    kinds = {type(module).__name__ for module in model.modules()}
    assert "Conv1D" not in kinds
    assert isinstance(model.lm_head, dynamic.Linear)
    assert not any(value.is_meta for value in model.parameters())
    assert model.config.activation_function == "gelu_pytorch_tanh"  # the fused GELU
    _assert_same_model(model, _reference(tiny_models.generator), tokenizer)


def test_checkpoint_without_the_base_prefix_and_with_old_buffers(
    tiny_models: TinyModels, tokenizer: Any, tmp_path: Path
) -> None:
    """openai-community/gpt2* checkpoints name tensors "h.0..." (no "transformer.") and carry
    the old attention-mask buffers: both must load."""
    import torch
    from safetensors.torch import save_file

    folder = _copy_without_weights(tiny_models.generator, tmp_path / "bare")
    state = {name.removeprefix("transformer."): tensor.contiguous()
             for name, tensor in _reference(tiny_models.generator).state_dict().items()
             if name != "lm_head.weight"}
    state["h.0.attn.bias"] = torch.ones(1, 1, 4, 4)
    save_file(state, str(folder / "model.safetensors"))
    _assert_same_model(load_int8_causal_lm(folder), _reference(tiny_models.generator), tokenizer)


@pytest.mark.parametrize("zipped", [True, False])
def test_pytorch_bin_checkpoint(
    tiny_models: TinyModels, tokenizer: Any, tmp_path: Path, zipped: bool
) -> None:
    """Both torch.save formats: the zip one (mapped) and the one before torch 1.6 (read whole)."""
    import torch

    folder = _copy_without_weights(tiny_models.generator, tmp_path / "bin")
    reference = _reference(tiny_models.generator)
    torch.save(reference.state_dict(), folder / "pytorch_model.bin",
               _use_new_zipfile_serialization=zipped)
    _assert_same_model(load_int8_causal_lm(folder), reference, tokenizer)


def test_safetensors_reader_matches_the_library(tiny_models: TinyModels, tmp_path: Path) -> None:
    import torch
    from safetensors.torch import load_file, save_file

    tensors = {"f32": torch.randn(3, 5), "bf16": torch.randn(4).to(torch.bfloat16),
               "i64": torch.arange(7), "empty": torch.zeros(0, 3), "scalar": torch.tensor(2.5)}
    save_file(tensors, str(tmp_path / "t.safetensors"))
    ours = dict(read_safetensors(tmp_path / "t.safetensors"))
    assert ours.keys() == tensors.keys()
    for name, tensor in tensors.items():
        assert ours[name].dtype == tensor.dtype and torch.equal(ours[name], tensor)
    weights = dict(checkpoint_tensors(tiny_models.generator))
    library = load_file(str(tiny_models.generator / "model.safetensors"))
    assert weights.keys() == library.keys()
    assert all(torch.equal(weights[name], library[name]) for name in library)


def test_a_missing_weight_is_one_russian_message(tiny_models: TinyModels, tmp_path: Path) -> None:
    from safetensors.torch import save_file

    folder = _copy_without_weights(tiny_models.generator, tmp_path / "partial")
    state = {name: tensor.contiguous()
             for name, tensor in _reference(tiny_models.generator).state_dict().items()
             if ".h.1.mlp.c_fc." not in name and name != "lm_head.weight"}
    save_file(state, str(folder / "model.safetensors"))
    with pytest.raises(ValueError, match="mlp.c_fc"):
        load_int8_causal_lm(folder)
    message = "Не удалось загрузить модель \\(генератор историй\\)"
    with pytest.raises(ModelUnavailable, match=message):
        load_generator(str(folder), "cpu")


def test_the_cpu_generator_is_int8_and_writes_the_trained_text(tiny_models: TinyModels) -> None:
    generator = load_generator(str(tiny_models.generator), "cpu", seed=1)
    assert isinstance(generator, TransformersGenerator) and generator.int8
    text = generator.generate(PROMPT, Settings())
    assert CONTINUATIONS["You open the door."] in text


def _copy_without_weights(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.safetensors", "*.bin"))
    return target


@pytest.mark.parametrize("levels", [127, 63])
def test_weights_stay_within_their_levels_and_inputs_use_8_bits(levels: int) -> None:
    """63 levels where the CPU lacks AVX-512 VNNI: 8-bit inputs then cannot saturate AVX2's
    16-bit pair sums (int8_weights.weight_levels)."""
    import torch

    from gamio_cli.engines.hf.int8_weights import quantized_linear, weight_levels

    assert weight_levels() in (127, 63)
    torch.manual_seed(0)
    weight = torch.randn(48, 64)
    layer = quantized_linear(weight, None, levels)
    stored = layer.weight().int_repr()
    assert int(stored.abs().max()) == levels
    inputs = torch.randn(3, 64)
    expected = inputs @ weight.t()
    eight_bits = torch.ops.quantized.linear_dynamic(inputs, layer._packed_params._packed_params,
                                                     reduce_range=False)
    assert torch.equal(layer(inputs), eight_bits)
    assert float((layer(inputs) - expected).norm() / expected.norm()) < 0.03
