"""The model layer's facade for the CLI: which models, on which device and engine, loaded how.

The three steps (ru->en, generator, en->ru) stay separate: a translator set to None is skipped,
so a generator that writes Russian itself can plug in without translators.
Importing this module loads no ML library; torch/transformers load inside the functions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gamio_cli.engine import Generator, Translator
from gamio_cli.engines.catalogue import fallbacks_of, language_of
from gamio_cli.engines.device import dtype_for, pick_device
from gamio_cli.engines.hf.generator import (
    TransformersGenerator,
    load_tokenizer,
    token_ids,
    window_of,
)
from gamio_cli.engines.hf.translator import MarianTranslator
from gamio_cli.engines.hub import RepoUnusable, is_hub_id, resolve_model_dir
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
from gamio_cli.engines.pending import PendingGenerator
from gamio_cli.engines.remote.discovery import server_report as remote_report
from gamio_cli.engines.remote.generator import RemoteGenerator
from gamio_cli.engines.remote.transport import STALL_S, server_label
from gamio_cli.errors import ModelUnavailable
from gamio_cli.turn.prompt import WINDOW_STEP

DEFAULT_GENERATOR = "0x7194633/gameGPT"
DEFAULT_RU_EN = "Helsinki-NLP/opus-mt-ru-en"
DEFAULT_EN_RU = "Helsinki-NLP/opus-mt-en-ru"

ENGINE_CHOICES = ("auto", "ctranslate2", "transformers")
NARRATOR_LANGUAGES = ("auto", "en", "ru")
@dataclass(frozen=True)
class ServerConfig:
    """A narrator on a server (--server): its address, model, API, window and stall limit."""

    url: str
    model: str | None = None  # None: the first one the server lists
    api: str = "completions"  # "completions", "chat" or "ollama"
    context: int | None = None  # the window when the server does not say; None: 4096
    stall_s: float = STALL_S  # seconds without a byte before a turn fails


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
    # The options (--generator, --ru-en, --en-ru) whose model may be replaced by the next
    # catalogue equivalent when its repo is missing or has no weights: the built-in defaults
    # and catalogue short names. What the player typed as an id or a folder never is.
    fallback_options: tuple[str, ...] = ()
    # The story's narrator on a server instead of the local generator, or None.
    server: ServerConfig | None = None
    # What the narrator writes: "auto" (known Russian models: "ru", else "en"), "en" or "ru".
    narrator_language: str = "auto"

    def generator_spec(self) -> ModelSpec:
        return ModelSpec(self.generator, GENERATOR_RU, GENERATOR_OPTION)

    def language(self, model_id: str | None = None) -> str:
        """What the narrator writes: the option, else what is known of the model, else "en".
        model_id: the narrator's name when known only later (the server's first model)."""
        if self.narrator_language in ("en", "ru"):
            return self.narrator_language
        name = model_id or (self.server.model if self.server else None) or (
            None if self.server else self.generator)
        return (language_of(name) if name else None) or "en"

    def local_specs(self) -> list[ModelSpec]:
        """The models that run on this machine: the generator unless it is on a server, and
        the translators unless the narrator writes Russian."""
        generator = [] if self.server else [self.generator_spec()]
        return generator + self.translator_specs()

    def translator_specs(self) -> list[ModelSpec]:
        """The translators configured (None is left out), ru->en first; none for a narrator
        that writes Russian (they are then neither downloaded nor loaded)."""
        if self.language() == "ru":
            return []
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
    # What the narrator writes, "en" or "ru" (then both translators are None).
    language: str = "en"
    # The narrator's name, recorded in each turn: the local model's id or folder, or the
    # server's model and address (never its key).
    narrator: str = ""


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
    on_notice: Callable[[str], None] | None = None, background: bool = False,
) -> TransformersGenerator | PendingGenerator:
    """A GPT-2-family story generator from a hub id or a local directory, on device.

    On a CPU its matrices are int8 where this torch has the kernels (int8_weights): a quarter
    of the memory and about 4.5x faster per token than float32 for GPT-2-XL, quantized once and
    kept in int8_root (int8_cache; on_notice hears of a broken one made again). background,
    when those int8 weights are already made: only the tokenizer loads now, the model in a
    thread behind the opening screen (engines/pending.py).
    """
    from gamio_cli.engines.hf.int8_cache import is_cached
    from gamio_cli.engines.hf.int8_weights import int8_available

    path = resolve_model_dir(id_or_dir, GENERATOR_RU, option=GENERATOR_OPTION)
    int8 = device == "cpu" and int8_available()
    tokenizer = guarded(lambda: load_tokenizer(path), path, GENERATOR_RU)
    check_tokenizer(tokenizer, path, GENERATOR_RU)

    def load(notice: Callable[[str], None] | None, stop: threading.Event | None = None
             ) -> TransformersGenerator:
        return guarded(lambda: TransformersGenerator.from_tokenizer(
            tokenizer, path, device, dtype_for(device), seed, int8, int8_root, notice, stop),
            path, GENERATOR_RU)

    if background and int8 and is_cached(path, int8_root):
        window = guarded(lambda: window_of(path), path, GENERATOR_RU)
        return PendingGenerator(lambda text: len(token_ids(tokenizer, text)), window, WINDOW_STEP,
                                load)
    return load(on_notice)


_FIELDS = {GENERATOR_OPTION: "generator", RU_EN_OPTION: "ru_en", EN_RU_OPTION: "en_ru"}


def settle(config: ModelConfig) -> tuple[ModelConfig, tuple[str, ...]]:
    """The configuration with every model found (a first download included): a missing or
    weightless repo of a fallback option is replaced by its first usable catalogue
    equivalent, with one Russian line each for the player. ModelUnavailable otherwise."""
    notices: list[str] = []
    for spec in config.local_specs():
        if spec.option not in config.fallback_options:
            resolve_model_dir(spec.model_id, spec.what_ru, option=spec.option)
            continue
        chosen = _first_usable(spec)
        if chosen != spec.model_id:
            notices.append(f"Модель «{spec.model_id}» ({spec.what_ru}) недоступна на Hugging "
                           f"Face; вместо неё играет равноценная «{chosen}».")
            changed: dict[str, Any] = {_FIELDS[spec.option]: chosen}
            config = replace(config, **changed)
    return config, tuple(notices)


def _first_usable(spec: ModelSpec) -> str:
    first: RepoUnusable | None = None
    for candidate in (spec.model_id, *fallbacks_of(spec.model_id)):
        try:
            resolve_model_dir(candidate, spec.what_ru, option=spec.option)
            return candidate
        except RepoUnusable as error:
            first = first or error
    assert first is not None
    raise first


def check_models(config: ModelConfig, on_status: Callable[[str], None] | None = None) -> str:
    """Find every configured model (downloading what the hub cache lacks) and the device, in
    seconds: the game does this before it asks the player anything. Returns the device;
    ModelUnavailable names what is wrong and the remedy."""
    specs = config.local_specs()
    hub = any(is_hub_id(spec.model_id) for spec in specs)
    if on_status is not None:
        on_status("Проверяю модели (при первом запуске скачиваю)…" if hub else "Проверяю модели…")
    for spec in specs:
        resolve_model_dir(spec.model_id, spec.what_ru, option=spec.option)
    if config.server is not None:  # the server answers, knows the model, takes the key
        connect_server(config, on_status).close()
    return pick_device(config.device)


def load_models(
    config: ModelConfig,
    on_status: Callable[[str], None] | None = None,
    ct2_root: Path | None = None,
    int8_root: Path | None = None,
    background: bool = False,
) -> Models:
    """Load the configured models; on_status receives Russian progress lines for a spinner.

    Every model directory is resolved before any model loads, so a missing download fails in
    seconds rather than after a minute of loading the others. ct2_root and int8_root: where
    models converted for CTranslate2 and the generator's int8 weights live (default: the user
    cache). background: the generator may go on loading behind the game's first screen
    (load_generator).
    """
    status = on_status or (lambda _line: None)
    device = check_models(config, status)
    remote = connect_server(config, status) if config.server else None
    if remote is not None and config.language(remote.model) == "ru":
        config = replace(config, narrator_language="ru")  # the server's first model is known
    ct2, notice = _try_ct2(config, device, on_status, ct2_root)
    notices = list(ct2.notices) if ct2 else []
    generator: Generator | None = remote or (ct2.generator if ct2 else None)
    if generator is None:  # before the translators: in the background it loads beside them
        status(f"Загружаю {GENERATOR_RU} ({_device_ru(device)})…")
        generator = load_generator(config.generator, device, config.seed, int8_root,
                                   notices.append, background)
    translators: dict[str, Translator] = dict(ct2.translators) if ct2 else {}
    try:
        for spec in config.translator_specs():
            if spec.option not in translators:
                status(f"Загружаю {spec.what_ru}…")
                translators[spec.option] = load_translator(
                    spec.model_id, device, what_ru=spec.what_ru, option=spec.option
                )
    except BaseException:
        close_generator(generator)  # a load in the background must not outlive the start
        raise
    narrator = f"{remote.model} ({remote.transport.label})" if remote else config.generator
    return Models(generator, translators.get(RU_EN_OPTION), translators.get(EN_RU_OPTION), notice,
                  tuple(notices), config.language(), narrator)


def close_generator(generator: Generator) -> None:
    """Stop what the generator does in the background (a load, an encoding ahead), if any."""
    close = getattr(generator, "close", None)
    if callable(close):
        close()


def connect_server(
    config: ModelConfig, on_status: Callable[[str], None] | None = None
) -> RemoteGenerator:
    """The narrator on config.server, asked for its models and window (RemoteFailure, a
    GamioError, says what is wrong)."""
    server = config.server
    assert server is not None
    if on_status is not None:
        on_status(f"Подключаюсь к серверу {server_label(server.url)}…")
    generator = RemoteGenerator.connect(server.url, server.model, server.api, server.context,
                                        server.stall_s, config.seed)
    generator.language = config.language(generator.model)
    return generator


def server_report(config: ModelConfig) -> tuple[list[str], bool]:
    """What `gamio doctor` says about config.server, a Russian line each ([] without one),
    and whether the server answered (a game cannot start on one that does not)."""
    if config.server is None:
        return [], True
    found = remote_report(config.server.url, config.server.api, config.server.model)
    return found.lines(), found.reachable


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
    local = generator_engine == "ctranslate2" and config.server is None
    generator = config.generator_spec() if local else None
    if generator is None and not config.translator_specs():
        return None, None
    try:
        return load_ct2_models(generator, config.translator_specs(), config.seed, on_status,
                               ct2_root), None
    except Ct2Unavailable as error:
        return None, error.message


def _device_ru(device: str) -> str:
    return {"cpu": "на процессоре", "cuda": "на видеокарте", "mps": "на Apple MPS"}.get(device, device)


def timed_check(config: ModelConfig) -> list[str]:
    """`gamio doctor --check`: load the models, translate one sentence each way and write 20
    tokens; Russian lines with the times (and tokens per second)."""
    import time

    from gamio_cli.settings import Settings

    start = time.perf_counter()
    models = load_models(config)
    lines = [f"загрузка моделей: {time.perf_counter() - start:.1f} с"]
    sentence_en = "You open the heavy door and step into the dark hall."
    if models.ru_en is not None:
        start = time.perf_counter()
        sentence_en = models.ru_en.translate("Я открываю тяжёлую дверь и вхожу в тёмный зал.")
        lines.append(f"ru→en: {time.perf_counter() - start:.2f} с — {sentence_en}")
    start = time.perf_counter()
    text = models.generator.generate(sentence_en + "\n", Settings(max_new_tokens=20))
    seconds = time.perf_counter() - start
    tokens = models.generator.count_tokens(text)
    lines.append(f"рассказчик: {tokens} токенов за {seconds:.2f} с "
                 f"({tokens / seconds if seconds else 0:.1f} токенов/с)")
    if models.en_ru is not None:
        start = time.perf_counter()
        russian = models.en_ru.translate(sentence_en)
        lines.append(f"en→ru: {time.perf_counter() - start:.2f} с — {russian}")
    close_generator(models.generator)
    return lines
