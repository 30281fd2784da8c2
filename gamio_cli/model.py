"""The model layer's facade for the CLI: which models, on which device and engine, loaded how.

The three steps (ru->en, generator, en->ru) stay separate: a translator set to None is skipped,
so a generator that writes Russian itself can plug in without translators.
Importing this module loads no ML library; torch/transformers load inside the functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gamio_cli.engine import Generator, Translator
from gamio_cli.engines.device import dtype_for, pick_device
from gamio_cli.engines.hf.generator import TransformersGenerator
from gamio_cli.engines.hf.translator import MarianTranslator
from gamio_cli.engines.hub import is_hub_id, resolve_model_dir
from gamio_cli.engines.loading import (
    EN_RU_OPTION,
    EN_RU_RU,
    GENERATOR_OPTION,
    GENERATOR_RU,
    RU_EN_OPTION,
    RU_EN_RU,
    ModelSpec,
    check_tokenizer,
    guarded,
)
from gamio_cli.errors import ModelUnavailable

DEFAULT_GENERATOR = "0x7194633/gameGPT"
DEFAULT_RU_EN = "Helsinki-NLP/opus-mt-ru-en"
DEFAULT_EN_RU = "Helsinki-NLP/opus-mt-en-ru"

ENGINE_CHOICES = ("auto", "ctranslate2", "transformers")


@dataclass(frozen=True)
class ModelConfig:
    """Model ids (hub id or local directory) and where to run them."""

    generator: str = DEFAULT_GENERATOR
    ru_en: str | None = DEFAULT_RU_EN
    en_ru: str | None = DEFAULT_EN_RU
    # "auto" (CUDA, then Apple MPS, then CPU), "cpu", "cuda" or "mps".
    device: str = "auto"
    # Makes a session reproducible (see engines.hf.generator); None samples freshly each run.
    seed: int | None = None
    # "auto" (CTranslate2 int8 on a CPU, transformers on a GPU), "ctranslate2" or "transformers".
    engine: str = "auto"

    def generator_spec(self) -> ModelSpec:
        return ModelSpec(self.generator, GENERATOR_RU, GENERATOR_OPTION)

    def translator_specs(self) -> list[ModelSpec]:
        """The translators configured (None is left out), ru->en first."""
        specs = [(self.ru_en, RU_EN_RU, RU_EN_OPTION), (self.en_ru, EN_RU_RU, EN_RU_OPTION)]
        return [ModelSpec(model_id, what, option) for model_id, what, option in specs
                if model_id is not None]


@dataclass
class Models:
    generator: Generator
    ru_en: Translator | None
    en_ru: Translator | None
    # Why the chosen engine could not run and another one does (shown to the player), or None.
    notice: str | None = None
    # Caches found broken and rebuilt on this start, one Russian line each (shown to the player).
    cache_notices: tuple[str, ...] = ()


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
    """(the generator's engine, the translators' engine) for an --engine choice on a device.

    `auto` on a CPU runs the translators on CTranslate2 int8 (2.5x faster than transformers
    float32 there) and the story generator on transformers with int8 matrices (int8_weights:
    its kernels decode GPT-2-XL 1.7-2x faster than CTranslate2's int8 on the same cores);
    where torch lacks those kernels, everything runs on CTranslate2. On a GPU everything runs
    on transformers (CTranslate2's pip wheels run CUDA too, but the transformers path is the
    tested one there).
    """
    # Imported here, as the loaders import it: `gamio --help` loads the facade, not this.
    from gamio_cli.engines.hf.int8_weights import int8_available

    engine = resolve_engine(choice, device)
    if choice.strip().lower() == "auto" and engine == "ctranslate2" and int8_available():
        return "transformers", "ctranslate2"
    return engine, engine


def load_translator(
    id_or_dir: str, device: str, *, what_ru: str = "переводчик", option: str = "--ru-en/--en-ru"
) -> MarianTranslator:
    """A MarianMT translator from a hub id or a local directory, on device ("cpu", "cuda", "mps")."""
    path = resolve_model_dir(id_or_dir, what_ru, option=option)
    translator = guarded(
        lambda: MarianTranslator.from_dir(path, device, dtype_for(device)), path, what_ru
    )
    check_tokenizer(translator.tokenizer, path, what_ru)
    return translator


def load_generator(
    id_or_dir: str, device: str, seed: int | None = None, int8_root: Path | None = None,
    on_notice: Callable[[str], None] | None = None,
) -> TransformersGenerator:
    """A GPT-2-family story generator from a hub id or a local directory, on device.

    On a CPU its matrices are int8 where this torch has the kernels (int8_weights): a quarter
    of the memory and about 4.5x faster per token than float32 for GPT-2-XL, quantized once and
    kept in int8_root (int8_cache; on_notice hears of a broken one made again).
    """
    from gamio_cli.engines.hf.int8_weights import int8_available

    path = resolve_model_dir(id_or_dir, GENERATOR_RU, option=GENERATOR_OPTION)
    int8 = device == "cpu" and int8_available()
    generator = guarded(
        lambda: TransformersGenerator.from_dir(path, device, dtype_for(device), seed, int8,
                                               int8_root, on_notice),
        path,
        GENERATOR_RU,
    )
    check_tokenizer(generator.tokenizer, path, GENERATOR_RU)
    return generator


def check_models(config: ModelConfig, on_status: Callable[[str], None] | None = None) -> str:
    """Find every configured model (downloading what the hub cache lacks) and the device, in
    seconds: the game does this before it asks the player anything. Returns the device;
    ModelUnavailable names what is wrong and the remedy."""
    specs = [config.generator_spec(), *config.translator_specs()]
    hub = any(is_hub_id(spec.model_id) for spec in specs)
    if on_status is not None:
        on_status("Проверяю модели (при первом запуске скачиваю)…" if hub else "Проверяю модели…")
    for spec in specs:
        resolve_model_dir(spec.model_id, spec.what_ru, option=spec.option)
    return pick_device(config.device)


def load_models(
    config: ModelConfig,
    on_status: Callable[[str], None] | None = None,
    ct2_root: Path | None = None,
    int8_root: Path | None = None,
) -> Models:
    """Load the configured models; on_status receives Russian progress lines for a spinner.

    Every model directory is resolved before any model loads, so a missing download fails in
    seconds rather than after a minute of loading the others. ct2_root and int8_root: where
    models converted for CTranslate2 and the generator's int8 weights live (default: the user
    cache).
    """
    status = on_status or (lambda _line: None)
    device = check_models(config, status)
    ct2, notice = _try_ct2(config, device, on_status, ct2_root)
    translators: dict[str, Translator] = dict(ct2.translators) if ct2 else {}
    for spec in config.translator_specs():
        if spec.option not in translators:
            status(f"Загружаю {spec.what_ru}…")
            translators[spec.option] = load_translator(
                spec.model_id, device, what_ru=spec.what_ru, option=spec.option
            )
    notices = list(ct2.notices) if ct2 else []
    generator: Generator | None = ct2.generator if ct2 else None
    if generator is None:
        status(f"Загружаю {GENERATOR_RU} ({_device_ru(device)})…")
        generator = load_generator(config.generator, device, config.seed, int8_root,
                                   notices.append)
    return Models(generator, translators.get(RU_EN_OPTION), translators.get(EN_RU_OPTION), notice,
                  tuple(notices))


def _try_ct2(
    config: ModelConfig, device: str, on_status: Callable[[str], None] | None,
    ct2_root: Path | None,
) -> tuple[Any, str | None]:
    """(the CTranslate2 models, None) for the models that engine runs; (None, why not) when
    it cannot run; (None, None) when no model runs on it."""
    # Imported here: CTranslate2 is loaded only when a game uses it.
    from gamio_cli.engines.ct2.convert import Ct2Unavailable
    from gamio_cli.engines.ct2.models import load_ct2_models

    generator_engine, translator_engine = resolve_engines(config.engine, device)
    if "ctranslate2" not in (generator_engine, translator_engine):
        return None, None
    generator = config.generator_spec() if generator_engine == "ctranslate2" else None
    try:
        return load_ct2_models(generator, config.translator_specs(), config.seed, on_status,
                               ct2_root), None
    except Ct2Unavailable as error:
        return None, error.message


def _device_ru(device: str) -> str:
    return {"cpu": "на процессоре", "cuda": "на видеокарте", "mps": "на Apple MPS"}.get(device, device)
