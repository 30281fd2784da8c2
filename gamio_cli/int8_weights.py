"""Load a causal LM with its matrices in int8, straight from its checkpoint, for the CPU.

Decoding one token reads every weight once, so on a CPU a token costs about the time it takes
to read the weights from memory: int8 reads a quarter of float32's bytes. The matrices become
torch's dynamically quantized Linear layers (int8 weights, one scale per output row; each
input is quantized on the fly), whose kernels read int8 weights about 2.5x faster than
CTranslate2's int8 kernels on the same two cores (benchmarks/README.md).

The model is never built in float32: its skeleton is made without memory (the "meta" device)
and the checkpoint is read one tensor at a time, each matrix quantized as it arrives, so the
peak is the int8 model plus one float32 tensor, not the 6 GB of GPT-2-XL in float32.
Safetensors files are read with plain reads rather than mapped, so pages already used do not
stay counted in the process's memory. torch and transformers are imported lazily.
"""

from __future__ import annotations

import json
import struct
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gamio_cli.heap import release_free_heap

# safetensors dtype names -> torch attribute names.
_DTYPES = {"F32": "float32", "F16": "float16", "BF16": "bfloat16", "I64": "int64",
           "I32": "int32", "I8": "int8", "U8": "uint8", "BOOL": "bool", "F64": "float64"}


def int8_available() -> bool:
    """Whether this torch has the int8 kernels used here (fbgemm: x86-64 builds)."""
    import torch

    return "fbgemm" in torch.backends.quantized.supported_engines


def read_safetensors(path: Path) -> Iterator[tuple[str, Any]]:
    """(name, tensor) of every tensor in a safetensors file, one read() each, no mapping."""
    import torch

    size = path.stat().st_size
    with path.open("rb") as handle:
        header, base = _safetensors_header(handle, size, path)
        entries = sorted((info["data_offsets"][0], name) for name, info in header.items()
                         if name != "__metadata__")
        for _, name in entries:
            info = header[name]
            start, end = info["data_offsets"]
            if not 0 <= start <= end <= size - base:
                raise ValueError(f"файл весов {path} повреждён: тензор {name} за концом файла")
            dtype = getattr(torch, _DTYPES[info["dtype"]])
            data = bytearray(end - start)
            handle.seek(base + start)
            handle.readinto(data)
            tensor = torch.frombuffer(data, dtype=dtype) if data else torch.empty(0, dtype=dtype)
            yield name, tensor.reshape(info["shape"])


def _safetensors_header(handle: Any, size: int, path: Path) -> tuple[dict[str, Any], int]:
    """The JSON header of a safetensors file and where its data starts (ValueError if broken)."""
    raw = handle.read(8)
    header_len = struct.unpack("<Q", raw)[0] if len(raw) == 8 else -1
    if not 0 < header_len <= size - 8:
        raise ValueError(f"файл весов {path} повреждён: это не safetensors")
    try:
        header = json.loads(handle.read(header_len).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ValueError(f"файл весов {path} повреждён: {error}") from error
    if not isinstance(header, dict):
        raise ValueError(f"файл весов {path} повреждён: это не safetensors")
    return header, 8 + header_len


def checkpoint_tensors(model_dir: Path) -> Iterator[tuple[str, Any]]:
    """Every tensor of the model's weight files: safetensors when present, else pytorch .bin."""
    import torch

    files = sorted(model_dir.glob("*.safetensors"))
    if files:
        for path in files:
            yield from read_safetensors(path)
        return
    for path in sorted(model_dir.glob("pytorch_model*.bin")):
        state = torch.load(path, map_location="cpu", mmap=True, weights_only=True)
        yield from state.items()


def quantized_linear(weight: Any, bias: Any) -> Any:
    """A dynamically quantized Linear for weight (out x in), one int8 scale per output row."""
    import torch
    from torch.ao.nn.quantized import dynamic

    weight = weight.float()
    rows = weight.shape[0]
    scales = (weight.abs().amax(dim=1) / 127.0).clamp_min(1e-12).double()
    qweight = torch.quantize_per_channel(weight, scales, torch.zeros(rows, dtype=torch.long),
                                         0, torch.qint8)
    layer: Any = getattr(dynamic, "Linear")(weight.shape[1], rows, dtype=torch.qint8)
    layer.set_weight_bias(qweight, None if bias is None else bias.float())
    return layer


def load_int8_causal_lm(model_dir: Path) -> Any:
    """The model in model_dir, its Linear/Conv1D matrices int8, the rest float32, on the CPU."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    if int8_available():
        # fbgemm keeps only its packed copy of each matrix; "x86" and "onednn" keep the int8
        # weights as well (2.2x and 2.6x the memory), for no faster decoding here.
        torch.backends.quantized.engine = "fbgemm"
    config = AutoConfig.from_pretrained(str(model_dir))
    with torch.device("meta"):
        model: Any = getattr(AutoModelForCausalLM, "from_config")(config)
    targets = _matrix_modules(model)
    names = _NameMap(model)
    pending: dict[str, dict[str, Any]] = {}
    with torch.no_grad(), warnings.catch_warnings():
        # torch.ao's quantization warns that it moves to torchao; its kernels are still torch's.
        warnings.simplefilter("ignore")
        for raw_name, tensor in checkpoint_tensors(model_dir):
            release_free_heap()  # the previous tensor's float32 copy (see heap.py)
            name = names.resolve(raw_name)
            if name is None:
                continue
            owner, _, leaf = name.rpartition(".")
            if owner in targets:
                parts = pending.setdefault(owner, {})
                parts[leaf] = tensor
                if "weight" in parts and ("bias" in parts or not targets[owner][1]):
                    _install(model, owner, targets.pop(owner), pending.pop(owner))
            else:
                _assign(model, name, tensor)
        _tie_output(model, targets, pending)
        _quantize_input_embeddings(model)
    _check_complete(model, targets)
    model.eval()
    return model


class _NameMap:
    """Checkpoint names -> the model's names (GPT-2 checkpoints often omit "transformer.")."""

    def __init__(self, model: Any) -> None:
        self._known = set(model.state_dict().keys())
        self._prefix = str(getattr(model, "base_model_prefix", "") or "")

    def resolve(self, name: str) -> str | None:
        if name in self._known:
            return name
        prefixed = f"{self._prefix}.{name}"
        return prefixed if self._prefix and prefixed in self._known else None


def _matrix_modules(model: Any) -> dict[str, tuple[bool, bool]]:
    """Name -> (stored transposed, has bias) for every Linear and Conv1D of the model."""
    import torch

    found: dict[str, tuple[bool, bool]] = {}
    for name, module in model.named_modules():
        kind = type(module).__name__
        if isinstance(module, torch.nn.Linear) or kind == "Conv1D":
            found[name] = (kind == "Conv1D", getattr(module, "bias", None) is not None)
    return found


def _install(model: Any, name: str, spec: tuple[bool, bool], parts: dict[str, Any]) -> None:
    transposed, _ = spec
    weight = parts["weight"].t() if transposed else parts["weight"]
    owner, _, leaf = name.rpartition(".")
    parent = model.get_submodule(owner) if owner else model
    setattr(parent, leaf, quantized_linear(weight, parts.get("bias")))


def _assign(model: Any, name: str, tensor: Any) -> None:
    import torch

    owner, _, leaf = name.rpartition(".")
    module = model.get_submodule(owner) if owner else model
    value = tensor.float() if tensor.is_floating_point() else tensor
    if leaf in module._parameters:
        module._parameters[leaf] = torch.nn.Parameter(value.contiguous(), requires_grad=False)
    else:
        module._buffers[leaf] = value.contiguous()


def _tie_output(model: Any, targets: dict[str, tuple[bool, bool]], pending: dict[str, Any]) -> None:
    """The output layer shares the input embedding's matrix in GPT-2: quantize a copy of it."""
    head = model.get_output_embeddings()
    embeddings = model.get_input_embeddings()
    for name in list(targets):
        if head is not None and model.get_submodule(name) is head and not embeddings.weight.is_meta:
            bias = pending.pop(name, {}).get("bias")
            _install(model, name, targets.pop(name), {"weight": embeddings.weight, "bias": bias})


def _quantize_input_embeddings(model: Any) -> None:
    """The token embeddings in 8 bits too (one scale and offset per token): a step reads only
    its token's row, so this costs no time and saves 240 MB for GPT-2-XL."""
    import torch
    from torch.ao.nn.quantized import Embedding
    from torch.ao.quantization import float_qparams_weight_only_qconfig

    embeddings: Any = model.get_input_embeddings()
    if type(embeddings) is not torch.nn.Embedding or embeddings.weight.is_meta:
        return
    setattr(embeddings, "qconfig", float_qparams_weight_only_qconfig)  # noqa: B010 - untyped slot
    model.set_input_embeddings(getattr(Embedding, "from_float")(embeddings))


def _check_complete(model: Any, targets: dict[str, tuple[bool, bool]]) -> None:
    # named_parameters, not state_dict(): that would unpack a copy of every int8 matrix.
    tensors = list(model.named_parameters()) + list(model.named_buffers())
    missing = list(targets) + [name for name, value in tensors if value.is_meta]
    if missing:
        raise ValueError(f"в файлах весов нет: {', '.join(sorted(missing)[:5])}")
