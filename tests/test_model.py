"""The model facade: lazy imports, devices, load_models on the tiny models, and load failures."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from gamio_cli.engines.device import available_devices, dtype_for, pick_device
from gamio_cli.engines.hf.generator import TransformersGenerator
from gamio_cli.engines.hf.translator import MarianTranslator
from gamio_cli.errors import ModelUnavailable
from gamio_cli.model import (
    DEFAULT_EN_RU,
    DEFAULT_GENERATOR,
    DEFAULT_RU_EN,
    ModelConfig,
    check_models,
    load_generator,
    load_models,
    load_translator,
)
from gamio_cli.settings import Settings
from tests.tiny.build import TinyModels
from tests.tiny.tables import CONTINUATIONS, EN_RU, RU_EN

ROOT = Path(__file__).resolve().parent.parent


def test_importing_the_model_layer_loads_no_ml_library() -> None:
    code = (
        "import sys\n"
        "import gamio_cli.model, gamio_cli.engines.hub, gamio_cli.engines.device, gamio_cli.engines.hf.translator, "
        "gamio_cli.engines.hf.generator\n"
        "heavy = {'torch', 'transformers', 'huggingface_hub', 'ctranslate2', 'sentencepiece'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            encoding="utf-8", cwd=ROOT, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


def test_default_config() -> None:
    config = ModelConfig()
    assert (config.generator, config.ru_en, config.en_ru) == (DEFAULT_GENERATOR, DEFAULT_RU_EN, DEFAULT_EN_RU)
    assert DEFAULT_GENERATOR == "0x7194633/gameGPT"
    assert config.device == "auto" and config.seed is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.device = "cpu"  # type: ignore[misc]


# --- devices ----------------------------------------------------------------------------------

def test_pick_device() -> None:
    assert pick_device("cpu") == "cpu"
    assert pick_device(" CPU ") == "cpu"
    assert pick_device("auto") == available_devices()[0]
    assert available_devices()[-1] == "cpu"


@pytest.mark.parametrize("choice", ["cuda", "mps"])
def test_missing_accelerator_is_a_clear_error(choice: str) -> None:
    if choice in available_devices():
        pytest.skip(f"{choice} is available here")
    with pytest.raises(ModelUnavailable) as caught:
        pick_device(choice)
    assert f"«{choice}»" in caught.value.message and "--device cpu" in caught.value.message


def test_unknown_device_is_a_clear_error() -> None:
    with pytest.raises(ModelUnavailable, match="Неизвестное устройство «tpu»"):
        pick_device("tpu")


def test_dtype_per_device() -> None:
    import torch

    assert dtype_for("cpu") is torch.float32
    assert dtype_for("cuda") is torch.float16
    assert dtype_for("mps") is torch.float16


# --- load_models ------------------------------------------------------------------------------

def _tiny_config(tiny: TinyModels, **changes: object) -> ModelConfig:
    config = ModelConfig(generator=str(tiny.generator), ru_en=str(tiny.ru_en), en_ru=str(tiny.en_ru),
                         device="cpu", seed=3, engine="transformers")
    return dataclasses.replace(config, **changes)  # type: ignore[arg-type]


def test_load_models_with_tiny_dirs(tiny_models: TinyModels) -> None:
    statuses: list[str] = []
    models = load_models(_tiny_config(tiny_models), on_status=statuses.append)
    assert statuses == [
        "Проверяю модели…",
        "Загружаю генератор историй (на процессоре)…",  # first: it may load in the background
        "Загружаю переводчик ru→en…",
        "Загружаю переводчик en→ru…",
    ]
    assert isinstance(models.ru_en, MarianTranslator) and isinstance(models.en_ru, MarianTranslator)
    assert isinstance(models.generator, TransformersGenerator)
    assert models.ru_en.translate("открываю дверь") == RU_EN["открываю дверь"]
    assert models.en_ru.translate("The sword is heavy.") == EN_RU["The sword is heavy."]
    text = models.generator.generate("Hi.\n> You take the sword.\n", Settings())
    assert CONTINUATIONS["You take the sword."] in text


def test_translators_can_be_left_out(tiny_models: TinyModels) -> None:
    statuses: list[str] = []
    models = load_models(_tiny_config(tiny_models, ru_en=None, en_ru=None), statuses.append)
    assert models.ru_en is None and models.en_ru is None
    assert not any("переводчик" in line for line in statuses)


def test_a_missing_model_fails_before_anything_loads(tiny_models: TinyModels, tmp_path: Path) -> None:
    statuses: list[str] = []
    with pytest.raises(ModelUnavailable, match="переводчик en→ru"):
        load_models(_tiny_config(tiny_models, en_ru=str(tmp_path / "nothing")), statuses.append)
    assert statuses == ["Проверяю модели…"]


def test_hub_id_from_cache_uses_the_same_path(
    tiny_models: TinyModels, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hub id found in the HF cache loads exactly like a directory."""
    storage = tmp_path / "hub" / "models--tiny--generator"
    sha = "89abcdef0123456789abcdef0123456789abcdef"
    shutil.copytree(tiny_models.generator, storage / "snapshots" / sha)
    (storage / "refs").mkdir()
    (storage / "refs" / "main").write_text(sha, encoding="utf-8")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    generator = load_generator("tiny/generator", "cpu", seed=1)
    assert CONTINUATIONS["You go north."] in generator.generate("> You go north.\n", Settings())


# --- failures while loading -------------------------------------------------------------------

def test_out_of_memory_suggests_a_smaller_model(
    tiny_models: TinyModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    def oom(*args: object) -> None:
        raise RuntimeError("CUDA out of memory. Tried to allocate 1.50 GiB")

    monkeypatch.setattr(TransformersGenerator, "from_tokenizer", oom)
    with pytest.raises(ModelUnavailable) as caught:
        load_generator(str(tiny_models.generator), "cpu")
    assert "Не хватает памяти" in caught.value.message
    assert "gpt2-medium" in caught.value.message and "int8" in caught.value.message


def test_memory_error_while_loading_a_translator(
    tiny_models: TinyModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_memory(*args: object) -> None:
        raise MemoryError()

    monkeypatch.setattr(MarianTranslator, "from_dir", no_memory)
    with pytest.raises(ModelUnavailable, match="Не хватает памяти"):
        load_translator(str(tiny_models.ru_en), "cpu", what_ru="переводчик ru→en")


def test_corrupt_weights_are_a_clear_error(tiny_models: TinyModels, tmp_path: Path) -> None:
    broken = shutil.copytree(tiny_models.generator, tmp_path / "broken")
    for weights in list(broken.glob("*.safetensors")) + list(broken.glob("*.bin")):
        weights.write_bytes(b"this is not a tensor file")
    with pytest.raises(ModelUnavailable) as caught:
        load_generator(str(broken), "cpu")
    assert "Не удалось загрузить модель (генератор историй)" in caught.value.message
    assert str(broken) in caught.value.message


def test_empty_tokenizer_is_refused(tiny_models: TinyModels, tmp_path: Path) -> None:
    """GPT2Tokenizer loads an empty vocabulary without complaint; the game must not."""
    empty = shutil.copytree(tiny_models.generator, tmp_path / "empty")
    (empty / "tokenizer.json").unlink(missing_ok=True)
    (empty / "vocab.json").write_text("{}", encoding="utf-8")
    (empty / "merges.txt").write_text("", encoding="utf-8")
    with pytest.raises(ModelUnavailable, match="Токенизатор модели \\(генератор историй\\)"):
        load_generator(str(empty), "cpu")


def test_auto_engine_on_a_cpu_translates_with_ctranslate2(tiny_models: TinyModels) -> None:
    from gamio_cli.engines.ct2.translator import Ct2Translator

    statuses: list[str] = []
    models = load_models(_tiny_config(tiny_models, engine="auto"), on_status=statuses.append)
    assert isinstance(models.generator, TransformersGenerator) and models.generator.int8
    assert isinstance(models.ru_en, Ct2Translator) and models.notice is None
    assert any("CTranslate2" in line for line in statuses)


def test_a_broken_int8_cache_is_told_among_the_cache_notices(
    tiny_models: TinyModels, tmp_path: Path
) -> None:
    """The generator's int8 weights are kept in int8_root; a damaged copy is made again and
    the player hears of it with the other caches' notices (launch shows cache_notices)."""
    config = _tiny_config(tiny_models, engine="auto")
    first = load_models(config, int8_root=tmp_path / "int8")
    assert first.cache_notices == ()
    (weights,) = (tmp_path / "int8").glob("*/weights.bin")
    weights.write_bytes(weights.read_bytes()[:-1])
    again = load_models(config, int8_root=tmp_path / "int8")
    assert len(again.cache_notices) == 1 and "int8" in again.cache_notices[0]
    assert isinstance(again.generator, TransformersGenerator) and again.generator.int8
    text = again.generator.generate("Hi.\n> You take the sword.\n", Settings())
    assert CONTINUATIONS["You take the sword."] in text


def test_engine_ctranslate2_runs_the_generator_there_too(tiny_models: TinyModels) -> None:
    from gamio_cli.engines.ct2.generator import Ct2Generator

    models = load_models(_tiny_config(tiny_models, engine="ctranslate2"))
    assert isinstance(models.generator, Ct2Generator) and models.notice is None


def test_the_download_note_is_only_for_hub_ids(
    tiny_models: TinyModels, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    statuses: list[str] = []
    check_models(_tiny_config(tiny_models), statuses.append)
    assert statuses == ["Проверяю модели…"]  # local folders: nothing to download
    with pytest.raises(ModelUnavailable, match="HF_HUB_OFFLINE=0"):
        check_models(_tiny_config(tiny_models, en_ru="someone/some-model"), statuses.append)
    assert statuses[-1] == "Проверяю модели (при первом запуске скачиваю)…"


def test_a_missing_accelerator_is_found_by_the_check(tiny_models: TinyModels) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ModelUnavailable, match="--device cpu"):
        check_models(_tiny_config(tiny_models, device="cuda"))


def test_no_library_warning_reaches_the_player(tiny_models: TinyModels) -> None:
    # MarianTokenizer warns "Recommended: pip install sacremoses." when it loads.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_translator(str(tiny_models.ru_en), "cpu")
    assert [str(w.message) for w in caught] == []
