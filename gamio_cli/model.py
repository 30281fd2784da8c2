"""The model layer's facade for the CLI: which models, on which device, loaded how.

The three steps (ru->en, generator, en->ru) stay separate: a translator set to None is skipped,
so a generator that writes Russian itself can plug in without translators.
Importing this module loads no ML library; torch/transformers load inside the functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from gamio_cli.device import dtype_for, pick_device
from gamio_cli.engine import Generator, Translator
from gamio_cli.errors import ModelUnavailable
from gamio_cli.generator import TransformersGenerator
from gamio_cli.hub import resolve_model_dir
from gamio_cli.translator import MarianTranslator

DEFAULT_GENERATOR = "0x7194633/gameGPT"
DEFAULT_RU_EN = "Helsinki-NLP/opus-mt-ru-en"
DEFAULT_EN_RU = "Helsinki-NLP/opus-mt-en-ru"
SMALLER_GENERATOR = "openai-community/gpt2-medium"

GENERATOR_RU = "генератор историй"
RU_EN_RU = "переводчик ru→en"
EN_RU_RU = "переводчик en→ru"

T = TypeVar("T")


@dataclass(frozen=True)
class ModelConfig:
    """Model ids (hub id or local directory) and where to run them."""

    generator: str = DEFAULT_GENERATOR
    ru_en: str | None = DEFAULT_RU_EN
    en_ru: str | None = DEFAULT_EN_RU
    # "auto" (CUDA, then Apple MPS, then CPU), "cpu", "cuda" or "mps".
    device: str = "auto"
    # Makes a session reproducible (see gamio_cli.generator); None samples freshly each run.
    seed: int | None = None
    # "auto" (CTranslate2 int8 on a CPU, transformers on a GPU), "ctranslate2" or "transformers".
    engine: str = "auto"


@dataclass
class Models:
    generator: Generator
    ru_en: Translator | None
    en_ru: Translator | None
    # Why the chosen engine could not run and another one does (shown to the player), or None.
    notice: str | None = None


def load_translator(
    id_or_dir: str, device: str, *, what_ru: str = "переводчик", option: str = "--ru-en/--en-ru"
) -> MarianTranslator:
    """A MarianMT translator from a hub id or a local directory, on device ("cpu", "cuda", "mps")."""
    path = resolve_model_dir(id_or_dir, what_ru, option=option)
    translator = _guarded(
        lambda: MarianTranslator.from_dir(path, device, dtype_for(device)), path, what_ru
    )
    _check_tokenizer(translator.tokenizer, path, what_ru)
    return translator


def load_generator(id_or_dir: str, device: str, seed: int | None = None) -> TransformersGenerator:
    """A GPT-2-family story generator from a hub id or a local directory, on device.

    On a CPU its matrices are int8 where this torch has the kernels (int8_weights): a quarter
    of the memory and about 4.5x faster per token than float32 for GPT-2-XL.
    """
    from gamio_cli.int8_weights import int8_available

    path = resolve_model_dir(id_or_dir, GENERATOR_RU, option="--generator")
    int8 = device == "cpu" and int8_available()
    generator = _guarded(
        lambda: TransformersGenerator.from_dir(path, device, dtype_for(device), seed, int8),
        path,
        GENERATOR_RU,
    )
    _check_tokenizer(generator.tokenizer, path, GENERATOR_RU)
    return generator


def load_models(
    config: ModelConfig,
    on_status: Callable[[str], None] | None = None,
    ct2_root: Path | None = None,
) -> Models:
    """Load the configured models; on_status receives Russian progress lines for a spinner.

    Every model directory is resolved before any model loads, so a missing download fails in
    seconds rather than after a minute of loading the others. ct2_root: where models converted
    for CTranslate2 live (default: the user cache).
    """
    status = on_status or (lambda _line: None)
    status("Проверяю модели (при первом запуске скачиваю)…")
    resolve_model_dir(config.generator, GENERATOR_RU, option="--generator")
    for model_id, what, option in _translator_specs(config):
        resolve_model_dir(model_id, what, option=option)
    device = pick_device(config.device)
    ct2, notice = _try_ct2(config, device, on_status, ct2_root)
    translators: dict[str, Translator] = dict(ct2.translators) if ct2 else {}
    for model_id, what, option in _translator_specs(config):
        if option not in translators:
            status(f"Загружаю {what}…")
            translators[option] = load_translator(model_id, device, what_ru=what, option=option)
    generator: Generator | None = ct2.generator if ct2 else None
    if generator is None:
        status(f"Загружаю {GENERATOR_RU} ({_device_ru(device)})…")
        generator = load_generator(config.generator, device, config.seed)
    return Models(generator, translators.get("--ru-en"), translators.get("--en-ru"), notice)


def _try_ct2(
    config: ModelConfig, device: str, on_status: Callable[[str], None] | None,
    ct2_root: Path | None,
) -> tuple[Any, str | None]:
    """(the CTranslate2 models, None) for the models that engine runs; (None, why not) when
    it cannot run; (None, None) when no model runs on it."""
    # Imported here: ct2_models imports this module.
    from gamio_cli.ct2_convert import Ct2Unavailable
    from gamio_cli.ct2_models import load_ct2_models, resolve_engines

    generator_engine, translator_engine = resolve_engines(config.engine, device)
    if "ctranslate2" not in (generator_engine, translator_engine):
        return None, None
    try:
        return load_ct2_models(config, on_status, ct2_root,
                               with_generator=generator_engine == "ctranslate2"), None
    except Ct2Unavailable as error:
        return None, error.message


def _translator_specs(config: ModelConfig) -> list[tuple[str, str, str]]:
    specs = [(config.ru_en, RU_EN_RU, "--ru-en"), (config.en_ru, EN_RU_RU, "--en-ru")]
    return [(model_id, what, option) for model_id, what, option in specs if model_id is not None]


def _device_ru(device: str) -> str:
    return {"cpu": "на процессоре", "cuda": "на видеокарте", "mps": "на Apple MPS"}.get(device, device)


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


def _guarded(load: Callable[[], T], path: Path, what_ru: str) -> T:
    """Run load, turning out-of-memory and broken-file errors into ModelUnavailable."""
    _quiet_transformers()
    try:
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


def _check_tokenizer(tokenizer: Any, path: Path, what_ru: str) -> None:
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
