"""What loading a model on any engine shares: the models' Russian names and options (ModelSpec),
refusing an empty tokenizer, and one Russian line for a load that crashed or ran out of memory.

transformers and huggingface_hub are imported inside guarded only.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from gamio_cli.errors import ModelUnavailable

# How the player hears of each model, and the option that sets it.
GENERATOR_RU = "генератор историй"
RU_EN_RU = "переводчик ru→en"
EN_RU_RU = "переводчик en→ru"
GENERATOR_OPTION = "--generator"
RU_EN_OPTION = "--ru-en"
EN_RU_OPTION = "--en-ru"
# Offered when a model does not fit in memory.
SMALLER_GENERATOR = "openai-community/gpt2-medium"

T = TypeVar("T")


@dataclass(frozen=True)
class ModelSpec:
    """One model to load: its hub id or local directory, its Russian name, its option."""

    model_id: str
    what_ru: str
    option: str


def _quiet_transformers() -> None:
    """Keep library warnings and the "Loading weights" bar out of the game's screen.

    Download bars (huggingface_hub's own) stay: a first download of gigabytes needs them.
    """
    import huggingface_hub.utils
    from transformers.utils import logging

    hf_logging: Any = logging
    hub_utils: Any = huggingface_hub.utils
    hf_logging.set_verbosity_error()
    download_bars = not hub_utils.are_progress_bars_disabled()
    hf_logging.disable_progress_bar()  # switches huggingface_hub's bars off as well
    if download_bars:
        hub_utils.enable_progress_bars()


def guarded(load: Callable[[], T], path: Path, what_ru: str) -> T:
    """Run load, turning out-of-memory and broken-file errors into ModelUnavailable."""
    _quiet_transformers()
    try:
        # Library warnings ("Recommended: pip install sacremoses." when a Marian tokenizer
        # loads) are for developers; the player's screen shows only the game.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load()
    except ModelUnavailable:
        raise
    except MemoryError as error:
        raise ModelUnavailable(_oom_message(what_ru)) from error
    except Exception as error:  # noqa: BLE001 - broken files raise anything; the player needs one line
        if _is_oom(error):
            raise ModelUnavailable(_oom_message(what_ru)) from error
        raise ModelUnavailable(
            f"Не удалось загрузить модель ({what_ru}) из папки {path}: "
            f"{type(error).__name__}: {error}. Файлы повреждены или это модель другого типа; "
            "скачайте её заново или укажите другую папку."
        ) from error


def _is_oom(error: BaseException) -> bool:
    text = str(error).lower()
    markers = ("out of memory", "can't allocate memory", "cannot allocate memory", "not enough memory")
    return isinstance(error, RuntimeError) and any(marker in text for marker in markers)


def _oom_message(what_ru: str) -> str:
    return (
        f"Не хватает памяти, чтобы загрузить модель ({what_ru}). Возьмите модель поменьше "
        f"(--generator {SMALLER_GENERATOR}), закройте другие программы или играйте на "
        "процессоре с движком по умолчанию (--device cpu --engine auto): там модели в int8 "
        "и занимают вчетверо меньше памяти."
    )


def check_tokenizer(tokenizer: Any, path: Path, what_ru: str) -> None:
    """A directory with broken vocabulary files can load into an empty tokenizer: refuse it."""
    try:
        usable = len(tokenizer) > 2 and bool(tokenizer.tokenize("Hello world"))
    except Exception:  # noqa: BLE001 - a tokenizer that cannot tokenize is just as unusable
        usable = False
    if not usable:
        raise ModelUnavailable(
            f"Токенизатор модели ({what_ru}) в папке {path} пуст или повреждён: проверьте "
            "файлы vocab.json, merges.txt, tokenizer.json или *.spm, либо скачайте модель заново."
        )
