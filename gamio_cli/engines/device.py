"""Which accelerator runs the models, and in which precision. torch is imported lazily."""

from __future__ import annotations

import re
from typing import Any

from gamio_cli.errors import ModelUnavailable

DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")


def available_devices() -> list[str]:
    """Devices torch can use here, best first; "cpu" is always last."""
    import torch

    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append("mps")
    return found + ["cpu"]


def pick_device(choice: str) -> str:
    """Resolve "auto|cpu|cuda|mps" to a device name: auto prefers CUDA, then Apple MPS, then CPU.

    An explicit choice that this machine lacks raises ModelUnavailable (Russian).
    """
    choice = choice.strip().lower()
    if choice not in DEVICE_CHOICES:
        raise ModelUnavailable(
            f"Неизвестное устройство «{choice}». Выберите одно из: {', '.join(DEVICE_CHOICES)}."
        )
    available = available_devices()
    if choice == "auto":
        return available[0]
    if choice not in available:
        names = {"cuda": "видеокарта NVIDIA (CUDA)", "mps": "ускоритель Apple (MPS)"}
        raise ModelUnavailable(
            f"Устройство «{choice}» ({names.get(choice, choice)}) недоступно: его нет на этом "
            f"компьютере или PyTorch собран без его поддержки. Доступно: {', '.join(available)}. "
            "Запустите с --device auto или --device cpu."
        )
    return choice


def dtype_for(device: str) -> Any:
    """fp16 on a GPU (half the memory, fast there); fp32 on the CPU, where fp16 is slow and lossy."""
    import torch

    return torch.float32 if device == "cpu" else torch.float16


def dtype_keyword() -> str:
    """from_pretrained's precision argument: "dtype" since transformers 4.56, "torch_dtype" before."""
    import transformers

    numbers = [int(part) for part in re.findall(r"\d+", transformers.__version__)[:2]]
    return "dtype" if tuple(numbers) >= (4, 56) else "torch_dtype"
