"""The CTranslate2 engine: which engine runs each model, and loading models with CTranslate2.

`auto` on a CPU runs the translators on CTranslate2 int8 (2.5x faster than transformers
float32 there) and the story generator on transformers with int8 matrices (int8_weights:
its kernels decode GPT-2-XL 1.7-2x faster than CTranslate2's int8 on the same cores);
on a GPU everything runs on transformers (CTranslate2's pip wheels run CUDA too, but the
transformers path is the tested one there). When CTranslate2 cannot run (not installed, not
enough memory to convert, a broken cache) load_ct2_models raises Ct2Unavailable and the
caller falls back.
ctranslate2 and transformers are imported lazily, inside functions.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from gamio_cli.ct2_convert import BrokenConversion, Ct2Unavailable, ensure_converted
from gamio_cli.ct2_generator import Ct2Generator
from gamio_cli.ct2_prompt_cache import WINDOW_STEP
from gamio_cli.ct2_translator import Ct2Translator
from gamio_cli.engine import Translator
from gamio_cli.errors import ModelUnavailable
from gamio_cli.hub import resolve_model_dir
from gamio_cli.int8_weights import int8_available
from gamio_cli.model import GENERATOR_RU, ModelConfig, _check_tokenizer, _translator_specs
from gamio_cli.threads import prepare_ct2_env

ENGINE_CHOICES = ("auto", "ctranslate2", "transformers")
ENGINE_ENV = "GAMIO_ENGINE"
# TurnRunner's window_step for the CTranslate2 engine (see ct2_prompt_cache.WINDOW_STEP).
CT2_WINDOW_STEP = WINDOW_STEP

T = TypeVar("T")


def resolve_engine(choice: str, device: str) -> str:
    """"auto|ctranslate2|transformers" and the picked device -> "ctranslate2" or "transformers"."""
    choice = choice.strip().lower()
    if choice not in ENGINE_CHOICES:
        raise ModelUnavailable(
            f"Неизвестный движок «{choice}». Выберите один из: {', '.join(ENGINE_CHOICES)}."
        )
    if choice == "auto":
        return "ctranslate2" if device == "cpu" else "transformers"
    return choice


def resolve_engines(choice: str, device: str) -> tuple[str, str]:
    """(the generator's engine, the translators' engine) for an --engine choice on a device."""
    engine = resolve_engine(choice, device)
    if choice.strip().lower() == "auto" and engine == "ctranslate2" and int8_available():
        return "transformers", "ctranslate2"
    return engine, engine


@dataclass
class Ct2Models:
    generator: Ct2Generator | None  # None when asked for the translators only
    translators: dict[str, Translator]  # by option: "--ru-en", "--en-ru"

    @property
    def ru_en(self) -> Translator | None:
        return self.translators.get("--ru-en")

    @property
    def en_ru(self) -> Translator | None:
        return self.translators.get("--en-ru")


def load_ct2_models(
    config: ModelConfig,
    on_status: Callable[[str], None] | None = None,
    cache_root: Path | None = None,
    with_generator: bool = True,
) -> Ct2Models:
    """The configured translators (and generator) on CTranslate2 int8 (CPU), converted on
    first use.

    cache_root: where converted models live (default: the user cache, see ct2_convert).
    Raises Ct2Unavailable (the caller shows its message and loads transformers instead) or
    ModelUnavailable (a model that no engine can load).
    """
    status = on_status or (lambda _line: None)
    _import_ct2()
    specs = [(config.generator, GENERATOR_RU, "--generator")] + _translator_specs(config)
    specs = specs if with_generator else specs[1:]
    dirs = [resolve_model_dir(model_id, what, option=option) for model_id, what, option in specs]
    converted = ensure_converted([(path, what) for path, (_, what, _) in zip(dirs, specs)],
                                 root=cache_root, on_status=status)
    loaded = Ct2Models(None, {})
    for hf_dir, ct2_dir, (_, what, option) in zip(dirs, converted, specs):
        if option == "--generator":
            status(f"Загружаю {what} (CTranslate2 int8, на процессоре)…")
            loaded.generator = _load_generator(hf_dir, ct2_dir, config.seed)
        else:
            status(f"Загружаю {what} (CTranslate2 int8)…")
            loaded.translators[option] = _load_translator(hf_dir, ct2_dir, what,
                                                          beside_torch=not with_generator)
    return loaded


def _import_ct2() -> None:
    prepare_ct2_env()  # before the library reads its environment
    try:
        import ctranslate2  # noqa: F401
    except ImportError as error:  # a platform without wheels, or a broken install
        raise Ct2Unavailable(
            f"Быстрый движок CTranslate2 недоступен ({error}). Играю на обычном движке "
            "(transformers): ходы будут медленнее. Переустановите игру, чтобы его вернуть."
        ) from error


def _load_translator(
    hf_dir: Path, ct2_dir: Path, what_ru: str, beside_torch: bool = False
) -> Translator:
    translator = _guarded_ct2(lambda: Ct2Translator.from_dirs(hf_dir, ct2_dir, beside_torch),
                              ct2_dir, what_ru)
    _check_tokenizer(translator.tokenizer, hf_dir, what_ru)
    return translator


def _load_generator(hf_dir: Path, ct2_dir: Path, seed: int | None) -> Ct2Generator:
    generator = _guarded_ct2(lambda: Ct2Generator.from_dirs(hf_dir, ct2_dir, seed), ct2_dir,
                             GENERATOR_RU)
    _check_tokenizer(generator.tokenizer, hf_dir, GENERATOR_RU)
    return generator


def _guarded_ct2(load: Callable[[], T], ct2_dir: Path, what_ru: str) -> T:
    """Load, or drop a converted folder that does not load (it is rebuilt on the next start)."""
    try:
        return load()
    except MemoryError as error:
        raise Ct2Unavailable(
            f"Не хватает памяти для модели «{what_ru}» на CTranslate2. Играю на обычном движке "
            "(transformers)."
        ) from error
    except BrokenConversion as error:
        shutil.rmtree(ct2_dir, ignore_errors=True)
        raise Ct2Unavailable(
            f"Подготовленная для CTranslate2 модель «{what_ru}» не загрузилась "
            f"({error.__cause__}); я удалил её, при следующем запуске она будет подготовлена "
            "заново. Сейчас играю на обычном движке (transformers)."
        ) from error
    except (OSError, ValueError, RuntimeError) as error:  # the model's own files (tokenizer)
        raise ModelUnavailable(
            f"Не удалось загрузить модель ({what_ru}): {type(error).__name__}: {error}. Файлы "
            "повреждены или это модель другого типа; скачайте её заново или укажите другую папку."
        ) from error
