"""torch's quantized layers as gamio makes them: the int8 Linear (fbgemm, 8-bit inputs; see
int8_weights.weight_levels) and the 8-bit Embedding, each made small and then given its weights,
and matrix_call, the cheapest way to call one per token. torch is imported inside functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast


def int8_linear(matrix: Any, scales: Any, bias: Any) -> Any:
    """The dynamically quantized Linear of an int8 matrix (out x in) and its row scales.

    fbgemm packs the matrix into its own layout (most of the time of loading a model). The
    layer is made 1 x 1 and then given its matrix: made at its size, its constructor would
    pack a matrix of zeros of that size first, doubling the time.
    """
    import torch
    from torch.ao.nn.quantized import dynamic

    rows, columns = matrix.shape
    qweight = torch._make_per_channel_quantized_tensor(
        matrix, scales, torch.zeros(rows, dtype=torch.long), 0
    )
    layer: Any = _linear_class(dynamic.Linear)(1, 1, dtype=torch.qint8)
    layer.in_features, layer.out_features = columns, rows
    layer.set_weight_bias(qweight, None if bias is None else bias.float())
    return layer


def int8_embedding(codes: Any, scales: Any, offsets: Any) -> Any:
    """A quantized Embedding of uint8 rows with a float scale and offset each (as torch's
    float_qparams observer makes them); made 1 row wide first, as int8_linear does."""
    import torch
    from torch.ao.nn.quantized import Embedding

    weight = torch._make_per_channel_quantized_tensor(codes, scales, offsets, 0)
    layer: Any = Embedding(1, codes.shape[1])
    layer.num_embeddings = codes.shape[0]
    layer.set_weight(weight)
    return layer


_LINEAR_CLASSES: dict[type, type] = {}



def _linear_class(base: type) -> Any:
    """torch's dynamic Linear with 8-bit inputs (see weight_levels)."""
    if base not in _LINEAR_CLASSES:
        import torch

        class Int8Linear(base):  # type: ignore[misc]
            def forward(self, x: Any) -> Any:
                packed = self._packed_params._packed_params
                return torch.ops.quantized.linear_dynamic(x, packed, reduce_range=False)

        _LINEAR_CLASSES[base] = Int8Linear
    return _LINEAR_CLASSES[base]


def matrix_call(module: Any) -> Callable[[Any], Any]:
    """module's product as one call: for gamio's int8 Linear the int8 kernel straight on its
    packed weights (no module call and attribute lookups per token), else module.forward."""
    if not isinstance(module, tuple(_LINEAR_CLASSES.values())):
        return cast(Callable[[Any], Any], module.forward)
    import torch

    layer: Any = module  # (isinstance against plain types narrowed module to object)
    kernel, packed = torch.ops.quantized.linear_dynamic, layer._packed_params._packed_params
    return lambda x: kernel(x, packed, False)
