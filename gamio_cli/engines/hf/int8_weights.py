"""Load a causal LM with its matrices in int8, straight from its checkpoint, for the CPU.

Decoding one token reads every weight once, so on a CPU a token costs about the time it takes
to read the weights from memory: int8 reads a quarter of float32's bytes. The matrices become
torch's dynamically quantized Linear layers (fbgemm: int8 weights, one scale per output row,
each input quantized on the fly). Their kernels read the weights at about 40 GB/s on two
cores where CTranslate2's int8 kernels read 12-15 GB/s: GPT-2-XL decodes a token in 61-78 ms
instead of 105-139 ms (benchmarks/README.md).

The model is never built in float32: its skeleton is made without memory (the "meta" device)
and the checkpoint is read one tensor at a time, each matrix quantized as soon as it is
complete, so the peak is the int8 model plus a few float32 matrices, not the 6 GB of GPT-2-XL
in float32. Safetensors files are read with plain reads rather than mapped, so pages already
used do not stay counted in the process's memory (pytorch_model.bin files are mapped: torch
reads them no other way without loading them whole). torch and transformers load lazily.
"""

from __future__ import annotations

import json
import struct
import warnings
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from gamio_cli.engines.heap import release_free_heap
from gamio_cli.engines.hf.int8_layers import int8_embedding, int8_linear

# safetensors dtype names -> torch attribute names.
_DTYPES = {"F32": "float32", "F16": "float16", "BF16": "bfloat16", "I64": "int64",
           "I32": "int32", "I8": "int8", "U8": "uint8", "BOOL": "bool", "F64": "float64"}


def int8_available() -> bool:
    """Whether this torch has the int8 kernels used here: fbgemm (x86-64 builds) and the
    torch.ao modules around it (deprecated in favour of torchao; a later torch may drop
    them, and --engine auto then runs the generator on CTranslate2)."""
    import torch

    try:
        from torch.ao.nn.quantized import dynamic  # noqa: F401
    except ImportError:
        return False
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
        try:
            state = torch.load(path, map_location="cpu", mmap=True, weights_only=True)
        except RuntimeError:  # the pre-2020 format cannot be mapped: read it whole
            state = torch.load(path, map_location="cpu", weights_only=True)
        yield from state.items()


def quantized_linear(weight: Any, bias: Any, levels: int = 127) -> Any:
    """A dynamically quantized Linear for weight (out x in), one int8 scale per output row,
    weights within +-levels (see weight_levels)."""
    return int8_linear(*quantize_matrix(weight, levels), bias)


def quantize_matrix(weight: Any, levels: int) -> tuple[Any, Any]:
    """(the int8 matrix, its float64 scale per output row) of weight (out x in)."""
    import torch

    weight = weight.float()
    rows = weight.shape[0]
    scales = (weight.abs().amax(dim=1) / levels).clamp_min(1e-12).double()
    qweight = torch.quantize_per_channel(weight, scales, torch.zeros(rows, dtype=torch.long),
                                         0, torch.qint8)
    return qweight.int_repr(), scales


def weight_levels() -> int:
    """The largest int8 weight: 127 where fbgemm multiplies with AVX-512 VNNI, else 63.

    Inputs are quantized to all 8 bits here (torch's dynamic Linear uses 7 by default: too
    coarse even for the tiny test model, which then looped on the 19th turn of 30). The AVX2
    instruction that multiplies 8-bit pairs (vpmaddubsw) adds two products into 16 bits and
    saturates beyond 32767: 2 x 255 x 63 fits, 2 x 255 x 127 does not. VNNI adds into 32 bits.
    """
    import torch

    capabilities = getattr(torch.cpu, "get_capabilities", None)
    vnni = capabilities is not None and bool(capabilities().get("avx512_vnni", False))
    return 127 if vnni else 63


class Sink(Protocol):
    """Receives every int8 matrix, the int8 embeddings and every other tensor as the model is
    made (int8_cache writes them to disk); called from the loader's threads."""

    def matrix(self, name: str, matrix: Any, scales: Any, bias: Any) -> None: ...

    def embedding(self, name: str, codes: Any, scales: Any, offsets: Any) -> None: ...

    def tensor(self, name: str, value: Any) -> None: ...


def skeleton(model_dir: Path) -> Any:
    """The model of model_dir's config, its tensors without memory (the "meta" device)."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    if int8_available():
        # fbgemm keeps only its packed copy of each matrix; "x86" and "onednn" keep the int8
        # weights as well (2.2x and 2.6x the memory), for no faster decoding here.
        torch.backends.quantized.engine = "fbgemm"
    config = AutoConfig.from_pretrained(str(model_dir))
    if getattr(config, "activation_function", None) == "gelu_new":
        # GPT-2's tanh GELU as one fused kernel instead of eight (transformers' own equivalent,
        # within 3e-7): 1.6 ms less a token for GPT-2-XL on 2 cores.
        config.activation_function = "gelu_pytorch_tanh"
    with torch.device("meta"):
        return getattr(AutoModelForCausalLM, "from_config")(config)


def load_int8_causal_lm(
    model_dir: Path, workers: int | None = None, sink: Sink | None = None
) -> Any:
    """The model in model_dir, its Linear/Conv1D matrices int8, the rest float32, on the CPU.

    workers: matrices quantized at once (default: torch's thread count; GPT-2-XL on 2 cores
    loads in 15 s with 2, 22 s with 1). sink: gets every tensor of the result (see Sink).
    """
    import torch

    model = skeleton(model_dir)
    with torch.no_grad(), warnings.catch_warnings():
        # torch.ao's quantization warns that it moves to torchao; its kernels are still torch's.
        warnings.simplefilter("ignore")
        loader = _Loader(model, workers or torch.get_num_threads(), sink)
        try:
            for name, tensor in checkpoint_tensors(model_dir):
                loader.add(name, tensor)
            loader.finish()
        finally:
            loader.pool.shutdown(cancel_futures=True)
    model.eval()
    return model


class _Loader:
    """Puts checkpoint tensors into the model skeleton, quantizing matrices as they complete.

    Quantizing is most of the load time and mostly single-threaded, so up to `workers`
    matrices are quantized at once; at most that many float32 matrices wait in memory.
    """

    def __init__(self, model: Any, workers: int, sink: Sink | None = None) -> None:
        self.model = model
        self.sink = sink
        self.targets = _matrix_modules(model)
        self.names = _NameMap(model)
        self.pending: dict[str, dict[str, Any]] = {}
        self.workers = max(1, workers)
        self.levels = weight_levels()
        self.pool = ThreadPoolExecutor(self.workers)
        self.running: list[Future[None]] = []

    def add(self, raw_name: str, tensor: Any) -> None:
        name = self.names.resolve(raw_name)
        if name is None:
            return
        owner, _, leaf = name.rpartition(".")
        if owner not in self.targets:
            value = assign(self.model, name, tensor)
            if self.sink is not None:
                self.sink.tensor(name, value)
            return
        parts = self.pending.setdefault(owner, {})
        parts[leaf] = tensor
        if "weight" in parts and ("bias" in parts or not self.targets[owner][1]):
            self._start(owner, self.pending.pop(owner))

    def _start(self, owner: str, parts: dict[str, Any]) -> None:
        spec = self.targets.pop(owner)
        while len(self.running) >= self.workers:
            self.running.pop(0).result()
            release_free_heap()  # the float32 copy that matrix came from (see heap.py)
        self.running.append(
            self.pool.submit(_install, self.model, owner, spec, parts, self.levels, self.sink)
        )

    def finish(self) -> None:
        for future in self.running:
            future.result()
        _tie_output(self.model, self.targets, self.pending, self.levels, self.sink)
        _quantize_input_embeddings(self.model, self.sink)
        release_free_heap()
        check_complete(self.model, self.targets)


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


def _install(
    model: Any, name: str, spec: tuple[bool, bool], parts: dict[str, Any], levels: int,
    sink: Sink | None = None,
) -> None:
    transposed, _ = spec
    weight = parts["weight"].t() if transposed else parts["weight"]
    matrix, scales = quantize_matrix(weight, levels)
    bias = parts.get("bias")
    bias = None if bias is None else bias.float()
    if sink is not None:
        sink.matrix(name, matrix, scales, bias)
    put_module(model, name, int8_linear(matrix, scales, bias))


def put_module(model: Any, name: str, module: Any) -> None:
    """Replace the submodule called name (dotted) with module."""
    owner, _, leaf = name.rpartition(".")
    parent = model.get_submodule(owner) if owner else model
    setattr(parent, leaf, module)


def assign(model: Any, name: str, tensor: Any) -> Any:
    """Put a parameter or buffer (floats as float32) into the model; returns what it put."""
    import torch

    owner, _, leaf = name.rpartition(".")
    module = model.get_submodule(owner) if owner else model
    value = (tensor.float() if tensor.is_floating_point() else tensor).contiguous()
    if leaf in module._parameters:
        module._parameters[leaf] = torch.nn.Parameter(value, requires_grad=False)
    else:
        module._buffers[leaf] = value
    return value


def _tie_output(
    model: Any, targets: dict[str, tuple[bool, bool]], pending: dict[str, Any], levels: int,
    sink: Sink | None,
) -> None:
    """The output layer shares the input embedding's matrix in GPT-2: quantize a copy of it."""
    head = model.get_output_embeddings()
    embeddings = model.get_input_embeddings()
    for name in list(targets):
        if head is not None and model.get_submodule(name) is head and not embeddings.weight.is_meta:
            bias = pending.pop(name, {}).get("bias")
            weight = {"weight": embeddings.weight, "bias": bias}
            _install(model, name, targets.pop(name), weight, levels, sink)


def _quantize_input_embeddings(model: Any, sink: Sink | None) -> None:
    """The token embeddings in 8 bits too (one scale and offset per token): a step reads only
    its token's row, so this costs no time and saves 240 MB for GPT-2-XL."""
    import torch
    from torch.ao.quantization import float_qparams_weight_only_qconfig

    embeddings: Any = model.get_input_embeddings()
    if type(embeddings) is not torch.nn.Embedding or embeddings.weight.is_meta:
        return
    # What torch's Embedding.from_float does, without its extra packing (see int8_embedding).
    observer = float_qparams_weight_only_qconfig.weight()
    observer(embeddings.weight)
    scales, offsets = (value.float() for value in observer.calculate_qparams())
    codes = torch.quantize_per_channel(embeddings.weight.float(), scales, offsets, 0,
                                       torch.quint8).int_repr()
    if sink is not None:
        sink.embedding(input_embeddings_name(model), codes, scales, offsets)
    model.set_input_embeddings(int8_embedding(codes, scales, offsets))


def input_embeddings_name(model: Any) -> str:
    """The dotted name of the model's token embeddings module."""
    embeddings = model.get_input_embeddings()
    return str(next(name for name, module in model.named_modules() if module is embeddings))


def check_complete(model: Any, targets: Iterable[str]) -> None:
    """Raise ValueError naming what the model still lacks (meta tensors, matrices in targets)."""
    # named_parameters, not state_dict(): that would unpack a copy of every int8 matrix.
    tensors = list(model.named_parameters()) + list(model.named_buffers())
    missing = list(targets) + [name for name, value in tensors if value.is_meta]
    if missing:
        raise ValueError(f"в файлах весов нет: {', '.join(sorted(missing)[:5])}")
