"""Loading models with CTranslate2 (int8, on the CPU), converted on first use.

Which models run on this engine is the model facade's choice (model.resolve_engines). When
CTranslate2 cannot run (not installed, not enough memory to convert, a broken cache)
load_ct2_models raises Ct2Unavailable and the caller falls back to transformers.
ctranslate2 and transformers are imported lazily, inside functions.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from gamio_cli.engine import Translator
from gamio_cli.engines.ct2.convert import (
    BrokenConversion,
    Ct2Unavailable,
    ensure_converted,
)
from gamio_cli.engines.ct2.generator import Ct2Generator
from gamio_cli.engines.ct2.translator import Ct2Translator
from gamio_cli.engines.hub import resolve_model_dir
from gamio_cli.engines.loading import (
    EN_RU_OPTION,
    GENERATOR_RU,
    RU_EN_OPTION,
    ModelSpec,
    check_tokenizer,
)
from gamio_cli.engines.threads import prepare_ct2_env
from gamio_cli.errors import ModelUnavailable
from gamio_cli.turn.prompt import WINDOW_STEP

# TurnRunner's window_step for the CTranslate2 engine (see turn.prompt.WINDOW_STEP).
CT2_WINDOW_STEP = WINDOW_STEP

T = TypeVar("T")


@dataclass
class Ct2Models:
    generator: Ct2Generator | None  # None when asked for the translators only
    translators: dict[str, Translator]  # by option: "--ru-en", "--en-ru"
    # One Russian line for each converted folder found unusable and converted again.
    notices: list[str] = field(default_factory=list)

    @property
    def ru_en(self) -> Translator | None:
        return self.translators.get(RU_EN_OPTION)

    @property
    def en_ru(self) -> Translator | None:
        return self.translators.get(EN_RU_OPTION)


def load_ct2_models(
    generator: ModelSpec | None,
    translators: Sequence[ModelSpec],
    seed: int | None = None,
    on_status: Callable[[str], None] | None = None,
    cache_root: Path | None = None,
) -> Ct2Models:
    """The translators (and the generator, unless None) on CTranslate2 int8 (CPU), converted
    on first use.

    seed: the generator's (see Ct2Generator). cache_root: where converted models live
    (default: the user cache, see convert). Without a generator here, the generator runs on
    torch in this process, and the translators take one thread beside it.
    Raises Ct2Unavailable (the caller shows its message and loads transformers instead) or
    ModelUnavailable (a model that no engine can load).
    """
    status = on_status or (lambda _line: None)
    _import_ct2()
    specs = ([generator] if generator else []) + list(translators)
    dirs = [resolve_model_dir(spec.model_id, spec.what_ru, option=spec.option) for spec in specs]
    loaded = Ct2Models(None, {})
    converted = ensure_converted([(path, spec.what_ru) for path, spec in zip(dirs, specs)],
                                 root=cache_root, on_status=status, on_notice=loaded.notices.append)
    for hf_dir, ct2_dir, spec in zip(dirs, converted, specs):
        if spec is generator:
            status(f"Загружаю {spec.what_ru} (CTranslate2 int8, на процессоре)…")
            loaded.generator = _load_generator(hf_dir, ct2_dir, seed)
        else:
            status(f"Загружаю {spec.what_ru} (CTranslate2 int8)…")
            loaded.translators[spec.option] = _load_translator(
                hf_dir, ct2_dir, spec.what_ru, beside_torch=generator is None
            )
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
    check_tokenizer(translator.tokenizer, hf_dir, what_ru)
    return translator


def _load_generator(hf_dir: Path, ct2_dir: Path, seed: int | None) -> Ct2Generator:
    generator = _guarded_ct2(lambda: Ct2Generator.from_dirs(hf_dir, ct2_dir, seed), ct2_dir,
                             GENERATOR_RU)
    check_tokenizer(generator.tokenizer, hf_dir, GENERATOR_RU)
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
