"""int8_layers.matrix_call: the int8 kernel called straight on a layer's packed weights gives
the layer's own output, and any other module is called as itself."""

from __future__ import annotations

import torch

from gamio_cli.engines.hf.int8_layers import matrix_call
from gamio_cli.engines.hf.int8_weights import quantized_linear, weight_levels


def test_the_int8_kernel_called_straight_gives_the_layers_output() -> None:
    generator = torch.Generator().manual_seed(3)
    weight, bias = torch.randn(48, 32, generator=generator), torch.randn(48, generator=generator)
    layer = quantized_linear(weight, bias, weight_levels())
    call = matrix_call(layer)
    assert call != layer.forward  # the straight call, not the module's
    for rows in (1, 5):
        x = torch.randn(1, rows, 32, generator=generator)
        assert torch.equal(call(x), layer(x))
        assert torch.allclose(call(x), x @ weight.T + bias, atol=0.2)  # and it is the product


def test_another_module_is_called_as_itself() -> None:
    linear = torch.nn.Linear(8, 4)
    call = matrix_call(linear)
    x = torch.randn(2, 8)
    assert call == linear.forward and torch.equal(call(x), linear(x))
