"""The CTranslate2 engine: which engine runs, and loading the three models with it.

`auto` means CTranslate2 int8 on a CPU (3-4x faster per turn there, a third of the memory)
and transformers on a GPU (CTranslate2's pip wheels run CUDA too, but the transformers path
is the tested one there). When CTranslate2 cannot run (not installed, not enough memory to
convert, a broken cache) load_ct2_models raises Ct2Unavailable and the caller falls back.
ctranslate2 and transformers are imported lazily, inside functions.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from gamio_cli.ct2_convert import BrokenConversion, Ct2Unavailable, ensure_converted
from gamio_cli.ct2_generator import Ct2Generator
from gamio_cli.ct2_prompt_cache import WINDOW_STEP
from gamio_cli.ct2_translator import Ct2Translator
from gamio_cli.engine import Translator
from gamio_cli.errors import ModelUnavailable
from gamio_cli.hub import resolve_model_dir
from gamio_cli.model import GENERATOR_RU, ModelConfig, Models, _check_tokenizer, _translator_specs
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


def load_ct2_models(
    config: ModelConfig,
    on_status: Callable[[str], None] | None = None,
    cache_root: Path | None = None,
) -> Models:
    """The configured models on CTranslate2 int8 (CPU), converting them on first use.

    cache_root: where converted models live (default: the user cache, see ct2_convert).
    Raises Ct2Unavailable (the caller shows its message and loads transformers instead) or
    ModelUnavailable (a model that no engine can load).
    """
    status = on_status or (lambda _line: None)
    _import_ct2()
    specs = [(config.generator, GENERATOR_RU, "--generator")] + _translator_specs(config)
    dirs = [resolve_model_dir(model_id, what, option=option) for model_id, what, option in specs]
    converted = ensure_converted([(path, what) for path, (_, what, _) in zip(dirs, specs)],
                                 root=cache_root, on_status=status)
    translators: dict[str, Translator] = {}
    for hf_dir, ct2_dir, (_, what, option) in list(zip(dirs, converted, specs))[1:]:
        status(f"Загружаю {what} (CTranslate2 int8)…")
        translators[option] = _load_translator(hf_dir, ct2_dir, what)
    status(f"Загружаю {GENERATOR_RU} (CTranslate2 int8, на процессоре)…")
    generator = _load_generator(dirs[0], converted[0], config.seed)
    return Models(generator, translators.get("--ru-en"), translators.get("--en-ru"))


def _import_ct2() -> None:
    prepare_ct2_env()  # before the library reads its environment
    try:
        import ctranslate2  # noqa: F401
    except ImportError as error:  # a platform without wheels, or a broken install
        raise Ct2Unavailable(
            f"Быстрый движок CTranslate2 недоступен ({error}). Играю на обычном движке "
            "(transformers): ходы будут медленнее. Переустановите игру, чтобы его вернуть."
        ) from error


def _load_translator(hf_dir: Path, ct2_dir: Path, what_ru: str) -> Translator:
    translator = _guarded_ct2(lambda: Ct2Translator.from_dirs(hf_dir, ct2_dir), ct2_dir, what_ru)
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
