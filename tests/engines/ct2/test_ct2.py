"""The CTranslate2 engine on the tiny real models: conversion cache, turns, cancel, prompt cache,
the memory check and its fallback signal.

CTranslate2's sampling is not reproducible even with a seed (upstream issue #1757), so turns
are checked on what the trained tiny models do robustly (the memorised sentence comes out),
never on exact samples.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamio_cli.engine import CancelToken
from gamio_cli.engines import manifest, memcheck
from gamio_cli.engines.ct2.convert import (
    Ct2Unavailable,
    cache_name,
    ensure_converted,
    is_converted,
)
from gamio_cli.engines.ct2.generator import Ct2Generator, sampling_options
from gamio_cli.engines.ct2.models import CT2_WINDOW_STEP, Ct2Models, load_ct2_models
from gamio_cli.engines.ct2.prompt_cache import PromptCache
from gamio_cli.errors import Cancelled, ModelUnavailable
from gamio_cli.model import (
    ModelConfig,
    Models,
    load_models,
    resolve_engine,
    resolve_engines,
)
from gamio_cli.settings import Settings
from gamio_cli.story import Story
from gamio_cli.turn.runner import TurnRunner
from tests.tiny.build import TinyModels
from tests.tiny.tables import CONTINUATIONS, EN_RU

STORY = "You are a knight in an old castle. You have a lamp."
# (Russian action, English action line, the continuation's first sentence, its Russian)
TURNS = [
    ("открываю дверь", "You open the door.", "The door creaks open.", EN_RU["The door creaks open."]),
    ("я беру меч", "You take the sword.", "The sword is heavy.", EN_RU["The sword is heavy."]),
    ("иду на север", "You go north.", "The road leads north.", EN_RU["The road leads north."]),
]


@pytest.fixture(scope="module", autouse=True)
def _one_thread() -> Iterator[None]:
    """One thread for torch and CTranslate2: tiny matrices run slower on more."""
    import torch

    from gamio_cli.engines.threads import THREADS_ENV

    threads, setting = torch.get_num_threads(), os.environ.get(THREADS_ENV)
    torch.set_num_threads(1)
    os.environ[THREADS_ENV] = "1"
    yield
    torch.set_num_threads(threads)
    if setting is None:
        os.environ.pop(THREADS_ENV, None)
    else:
        os.environ[THREADS_ENV] = setting


@pytest.fixture(scope="module")
def ct2_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ct2-cache")


def _config(tiny: TinyModels) -> ModelConfig:
    return ModelConfig(str(tiny.generator), str(tiny.ru_en), str(tiny.en_ru), device="cpu", seed=1)


def _load_ct2(
    tiny: TinyModels, cache_root: Path, on_status: Callable[[str], None] | None = None
) -> Ct2Models:
    """All three tiny models on CTranslate2, as `--engine ctranslate2` loads them."""
    config = _config(tiny)
    return load_ct2_models(config.generator_spec(), config.translator_specs(), config.seed,
                           on_status, cache_root)


@pytest.fixture(scope="module")
def first_load(tiny_models: TinyModels, ct2_root: Path) -> tuple[Ct2Models, list[str]]:
    """The first load: converts all three models (one child process) and reports it.

    A half-written folder (config.json, no model.bin: not made by our atomic rename, say copied
    in part) already stands where the en->ru model goes: it must be converted over.
    """
    half = ct2_root / cache_name(tiny_models.en_ru)
    half.mkdir()
    (half / "config.json").write_text("{}", encoding="utf-8")
    lines: list[str] = []
    models = _load_ct2(tiny_models, ct2_root, lines.append)
    return models, lines


@pytest.fixture(scope="module")
def ct2(first_load: tuple[Ct2Models, list[str]]) -> Ct2Models:
    return first_load[0]


@pytest.fixture(scope="module")
def transformers_models(tiny_models: TinyModels) -> Models:
    return load_models(replace(_config(tiny_models), engine="transformers"))


@pytest.fixture(scope="module")
def auto_models(tiny_models: TinyModels, ct2: Ct2Models, ct2_root: Path) -> Models:
    """The CPU default: the generator on transformers int8, the translators on CTranslate2."""
    from gamio_cli.engines.ct2.translator import Ct2Translator

    load = Ct2Translator.from_dirs
    beside: list[bool] = []

    def spy(hf_dir: Path, ct2_dir: Path, beside_torch: bool = False) -> Ct2Translator:
        beside.append(beside_torch)
        return load(hf_dir, ct2_dir, beside_torch)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Ct2Translator, "from_dirs", spy)
        models = load_models(_config(tiny_models), ct2_root=ct2_root)
    assert beside == [True, True]  # one CTranslate2 thread beside torch's (threads.py)
    return models


def _story() -> Story:
    return Story("custom", "Ты рыцарь.", STORY)


def _generator(models: Ct2Models) -> Ct2Generator:
    assert isinstance(models.generator, Ct2Generator)
    return models.generator


# --- conversion and its cache ------------------------------------------------------------


def test_first_load_converts_with_a_russian_status(
    first_load: tuple[Ct2Models, list[str]], ct2_root: Path
) -> None:
    models, lines = first_load
    assert any("Готовлю модели" in line and "CTranslate2" in line for line in lines)
    folders = sorted(path for path in ct2_root.iterdir())  # no temporary folder is left
    assert len(folders) == 3 and all(is_converted(path) for path in folders)
    assert all((path / manifest.MANIFEST).is_file() for path in folders)
    assert len(models.notices) == 1 and "переводчик" in models.notices[0]  # the half folder
    assert all(re.fullmatch(r"[\w.-]+@local-[0-9a-f]{12}-int8", path.name) for path in folders)


def test_second_load_does_not_convert_again(
    ct2: Ct2Models, tiny_models: TinyModels, ct2_root: Path
) -> None:
    before = {path.name: (path / "model.bin").stat().st_mtime_ns for path in ct2_root.iterdir()}
    lines: list[str] = []
    _load_ct2(tiny_models, ct2_root, lines.append)
    after = {path.name: (path / "model.bin").stat().st_mtime_ns for path in ct2_root.iterdir()}
    assert after == before
    assert not any("Готовлю" in line for line in lines)
    assert any("CTranslate2 int8" in line for line in lines)  # it did load


def test_changed_model_files_get_a_new_cache_name(tmp_path: Path) -> None:
    model = tmp_path / "my model"
    model.mkdir()
    (model / "config.json").write_text("{}", encoding="utf-8")
    first = cache_name(model)
    (model / "config.json").write_text('{"n_layer": 2}', encoding="utf-8")
    assert cache_name(model) != first
    assert first.startswith("my_model@local-") and first.endswith("-int8")


def test_hub_snapshot_is_named_by_repository_and_commit(tmp_path: Path) -> None:
    snapshot = tmp_path / "models--0x7194633--gameGPT" / "snapshots" / ("ab12" * 10)
    snapshot.mkdir(parents=True)
    assert cache_name(snapshot) == "0x7194633--gameGPT@ab12ab12ab12-int8"
    assert cache_name(snapshot, "int8_float32").endswith("-int8_float32")


@given(st.text(min_size=1, max_size=200).filter(lambda name: "/" not in name and "\0" not in name
                                                  and name not in (".", "..")))
def test_cache_names_are_safe_folder_names(name: str) -> None:
    folder = Path("/nonexistent-gamio") / name
    safe = manifest.cache_name.__globals__["_UNSAFE"].sub("_", folder.name)[:80]
    assert re.fullmatch(r"[A-Za-z0-9._-]*", safe)
    assert len(safe) <= 80


def test_failed_conversion_leaves_nothing_and_signals_fallback(
    tmp_path: Path, tiny_models: TinyModels
) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    for entry in tiny_models.generator.iterdir():
        (broken / entry.name).write_bytes(entry.read_bytes())
    (broken / "config.json").write_text("{ not json", encoding="utf-8")
    root = tmp_path / "cache"
    with pytest.raises(Ct2Unavailable) as caught:
        ensure_converted([(broken, "генератор историй")], root=root)
    message = caught.value.message
    assert "CTranslate2" in message and "transformers" in message and "config.json" in message
    assert list(root.iterdir()) == []
    assert isinstance(caught.value, ModelUnavailable)  # shown like any model error if uncaught


def test_a_converted_folder_that_does_not_load_is_dropped(
    ct2: Ct2Models, tiny_models: TinyModels, ct2_root: Path, tmp_path: Path
) -> None:
    import shutil

    root = tmp_path / "cache"
    shutil.copytree(ct2_root, root)
    broken = root / cache_name(tiny_models.generator)
    (broken / "model.bin").write_bytes(b"\0" * 100)
    # Its manifest describes the broken file: a conversion CTranslate2 wrote but cannot load
    # (a damaged file with a stale manifest is caught before loading: test_cache.py).
    manifest.write(broken, tiny_models.generator, "int8")
    with pytest.raises(Ct2Unavailable, match="удалил её"):
        _load_ct2(tiny_models, root)
    assert not broken.exists()  # converted again on the next start
    assert (root / cache_name(tiny_models.ru_en)).exists()


# --- memory check -----------------------------------------------------------------------------


def test_real_memory_reading_is_plausible() -> None:
    import psutil

    available = memcheck.available_bytes()
    assert 0 < available <= psutil.virtual_memory().total


def test_parameter_count_matches_the_model(tiny_models: TinyModels) -> None:
    from safetensors import safe_open

    with safe_open(str(tiny_models.generator / "model.safetensors"), "np") as weights:
        real = sum(_numel(weights.get_slice(name).get_shape()) for name in weights.keys())
    # The file's header makes it a little larger than its tensors.
    assert real <= memcheck.parameter_count(tiny_models.generator) <= real * 1.05


def _numel(shape: list[int]) -> int:
    count = 1
    for size in shape:
        count *= size
    return count


def test_xl_sized_checkpoint_needs_about_ten_gigabytes(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"model_type": "gpt2"}', encoding="utf-8")
    with (tmp_path / "model.safetensors").open("wb") as sparse:
        sparse.truncate(6_230_505_744)  # GPT-2-XL in float32, without writing 6 GB
    need = memcheck.conversion_need(tmp_path)
    assert 9 * memcheck.GIB < need.memory < 11 * memcheck.GIB
    assert 1.5e9 < need.disk < 2e9


def test_too_little_memory_falls_back_before_converting(
    tiny_models: TinyModels, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memcheck, "available_bytes", lambda: 100 * 1024**2)
    root = tmp_path / "cache"
    with pytest.raises(Ct2Unavailable) as caught:
        _load_ct2(tiny_models, root)
    message = caught.value.message
    assert "памяти" in message and "transformers" in message and "ГБ" in message
    assert not root.exists() or list(root.iterdir()) == []


# --- turns ----------------------------------------------------------------------------------


def test_auto_on_a_cpu_mixes_the_engines(auto_models: Models) -> None:
    from gamio_cli.engines.ct2.translator import Ct2Translator
    from gamio_cli.engines.hf.generator import TransformersGenerator

    assert isinstance(auto_models.generator, TransformersGenerator)
    assert auto_models.generator.int8 and auto_models.notice is None
    assert isinstance(auto_models.ru_en, Ct2Translator)
    assert isinstance(auto_models.en_ru, Ct2Translator)


@pytest.mark.parametrize(("action_ru", "line", "first_en", "first_ru"), TURNS)
def test_every_engine_plays_the_same_kind_of_turn(
    ct2: Ct2Models, transformers_models: Models, auto_models: Models, action_ru: str, line: str,
    first_en: str, first_ru: str,
) -> None:
    for models in (transformers_models, ct2, auto_models):
        runner = TurnRunner(models.generator, models.ru_en, models.en_ru)
        turn = runner.play(_story(), action_ru)
        assert turn.action_en == line
        assert turn.continuation_en.startswith(first_en)
        assert CONTINUATIONS[line].startswith(turn.continuation_en)
        assert turn.continuation_ru.startswith(first_ru)


def test_streams_russian_sentences_before_the_end(ct2: Ct2Models) -> None:
    shown: list[str] = []

    class Listener:
        def sentence(self, text_ru: str) -> None:
            shown.append(text_ru)

        def restart(self) -> None:
            shown.clear()

    turn = TurnRunner(ct2.generator, ct2.ru_en, ct2.en_ru).play(_story(), TURNS[0][0], None, Listener())
    assert shown == [EN_RU["The door creaks open."], EN_RU["A dragon sleeps inside."]]
    assert turn.continuation_ru == " ".join(shown)


def test_cancel_mid_stream_stops_and_the_next_turn_works(ct2: Ct2Models) -> None:
    generator = _generator(ct2)
    token = CancelToken()
    seen: list[str] = []

    def on_text(text: str) -> None:
        seen.append(text)
        if len(seen) == 2:
            token.cancel()

    with pytest.raises(Cancelled):
        generator.generate(f"{STORY}\n> You open the door.\n", Settings(), token, on_text)
    assert len(seen) == 2  # no token reached the game after the cancel
    text = generator.generate(f"{STORY}\n> You open the door.\n", Settings())
    assert text.startswith("The door creaks open.")


def test_cancel_before_the_first_token(ct2: Ct2Models) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        _generator(ct2).generate(f"{STORY}\n> You go north.\n", Settings(), token)


def test_prompt_cache_is_reused_then_replaced(ct2: Ct2Models) -> None:
    generator = _generator(ct2)
    generator.cache.min_cached_tokens = 4  # the tiny prompts are short
    first = f"{STORY}\n> You open the door.\n"
    generator.generate(first, Settings())
    second = first + "The door creaks open. A dragon sleeps inside.\n> You take the sword.\n"
    text = generator.generate(second, Settings())
    assert generator.last_run.cached_tokens == generator.count_tokens(first) - 1
    assert text.startswith("The sword is heavy.")
    text = generator.generate("You have a lamp.\n> You go north.\n", Settings())
    assert generator.last_run.reloaded and generator.last_run.cached_tokens == 0
    assert text.startswith("The road leads north.")  # the reloaded model still works


def test_forced_length_writes_exactly_max_new_tokens(ct2: Ct2Models) -> None:
    generator = _generator(ct2)
    generator.force_length = True
    try:
        generator.generate(f"{STORY}\n> You open the door.\n", Settings(max_new_tokens=30))
        assert len(generator.last_run.token_times) == 30
    finally:
        generator.force_length = False


def test_sampling_knobs_map_to_ctranslate2_options() -> None:
    settings = Settings(temperature=0.7, top_p=0.8, top_k=0, repetition_penalty=1.1)
    options = sampling_options(settings, 55, force_length=False)
    assert options == {"max_length": 55, "sampling_temperature": 0.7, "sampling_topp": 0.8,
                       "sampling_topk": 0, "repetition_penalty": 1.1}
    forced = sampling_options(settings, 55, force_length=True)
    assert forced["min_length"] == 55 and forced["end_token"] == []


# --- engine choice and the prompt cache's plan ------------------------------------------------------


def test_engine_choice() -> None:
    assert resolve_engine("auto", "cpu") == "ctranslate2"
    assert resolve_engine("auto", "cuda") == "transformers"
    assert resolve_engine(" CTranslate2 ", "cuda") == "ctranslate2"
    assert resolve_engine("transformers", "cpu") == "transformers"
    # (generator, translators): on a CPU, auto takes the fastest of each (benchmarks/README.md).
    assert resolve_engines("auto", "cpu") == ("transformers", "ctranslate2")
    assert resolve_engines("auto", "cuda") == ("transformers", "transformers")
    assert resolve_engines("ctranslate2", "cpu") == ("ctranslate2", "ctranslate2")
    assert resolve_engines("transformers", "cpu") == ("transformers", "transformers")


def test_auto_without_torch_int8_kernels_runs_all_on_ctranslate2(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import torch

    # An ARM build of torch, say: its quantized engines lack fbgemm.
    monkeypatch.setattr(type(torch.backends.quantized), "supported_engines",
                        property(lambda _self: ["qnnpack"]))
    assert resolve_engines("auto", "cpu") == ("ctranslate2", "ctranslate2")
    with pytest.raises(ModelUnavailable, match="Неизвестный движок «onnx»"):
        resolve_engine("onnx", "cpu")
    assert CT2_WINDOW_STEP > 1


def test_plan_reuses_the_prefix_while_prompts_extend_it() -> None:
    cache = PromptCache(min_cached_tokens=2)
    first = cache.plan([1, 2, 3, 4])
    assert (first.static_len, first.reuse, first.drop_old) == (3, False, False)
    assert cache.plan([1, 2, 3, 4, 5, 6]).reuse
    moved = cache.plan([9, 2, 3, 4, 5, 6, 7])
    assert (moved.static_len, moved.reuse, moved.drop_old) == (6, False, True)


def test_plan_skips_short_prompts_and_keeps_the_prefix() -> None:
    cache = PromptCache(min_cached_tokens=4)
    cache.plan([1, 2, 3, 4, 5, 6])
    short = cache.plan([7, 8])
    assert (short.static_len, short.drop_old) == (0, False)
    assert cache.plan([1, 2, 3, 4, 5, 6, 7]).reuse


@given(st.lists(st.lists(st.integers(0, 3), min_size=1, max_size=12), min_size=1, max_size=12))
def test_plans_are_always_runnable(prompts: list[list[int]]) -> None:
    """At least one token is left to encode, and a re-used prefix really is the prompt's start."""
    cache = PromptCache(min_reuse_share=0.5, min_cached_tokens=2)
    held: tuple[int, ...] = ()
    for ids in prompts:
        plan = cache.plan(ids)
        assert 0 <= plan.static_len < len(ids)
        if plan.reuse:
            assert tuple(ids[: plan.static_len]) == held
        elif plan.static_len:
            assert plan.drop_old == bool(held)
            held = tuple(ids[: plan.static_len])
        assert cache.cached_tokens == len(held)


def test_prepared_prefix_makes_the_turn_encode_only_the_action(ct2: Ct2Models) -> None:
    generator = _generator(ct2)
    generator.cache.min_cached_tokens = 4
    story = f"{STORY}\nThe hall is cold.\n"
    generator.prepare(story)
    generator.prepare(story)  # the same prefix again: nothing to do
    text = generator.generate(story + "> You take the sword.\n", Settings())
    assert generator.last_run.cached_tokens == generator.count_tokens(story) - 1
    assert not generator.last_run.reloaded  # prepare() dropped the old prefix, not the turn
    assert text.startswith("The sword is heavy.")


def test_next_prompt_prefix_is_how_the_next_prompt_starts() -> None:
    from gamio_cli.story import Mode, Turn
    from gamio_cli.turn.actions import action_line_en
    from gamio_cli.turn.prompt import Pending, build_prompt, next_prompt_prefix

    def words(text: str) -> int:
        return len(text.split())

    turns = [Turn("иду", Mode.DO, f"You go to room {n}.", f"Room {n} is empty.", "…")
             for n in range(14)]
    story = Story("custom", "Ты рыцарь.", STORY, turns=turns)
    for step in (1, 4):
        prefix = next_prompt_prefix(story, words, 120, step)
        line = action_line_en(Mode.DO, "I open the door.")
        prompt = build_prompt(story, Pending(Mode.DO, line), words, 120 - 55, step)
        assert prefix and prompt == prefix + f"> {line}\n"
