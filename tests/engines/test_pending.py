"""The generator that loads behind the opening screen: on the tiny real GPT-2 through the game's
own loader (warm start in the background, first start in the foreground, a cache found broken
while loading), and at its seam (the load callable) for waiting, Ctrl-C, errors and notices."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from gamio_cli.engine import CancelToken
from gamio_cli.engines.hf import int8_cache
from gamio_cli.engines.hf.generator import TransformersGenerator
from gamio_cli.engines.pending import Loaded, PendingGenerator
from gamio_cli.errors import Cancelled, ModelUnavailable
from gamio_cli.model import load_generator
from gamio_cli.settings import Settings
from tests.tiny.build import TinyModels

PROMPT = "You are a knight in an old castle. You have a lamp.\n> You open the door.\n"


def _warm(tiny_models: TinyModels, root: Path) -> TransformersGenerator:
    """The first start: quantized in the foreground (nothing cached yet), the cache written."""
    first = load_generator(str(tiny_models.generator), "cpu", seed=5, int8_root=root,
                           background=True)
    assert isinstance(first, TransformersGenerator) and first.int8
    return first


def test_a_warm_start_loads_the_model_in_the_background_and_plays_the_same(
    tiny_models: TinyModels, tmp_path: Path
) -> None:
    foreground = _warm(tiny_models, tmp_path)
    pending = load_generator(str(tiny_models.generator), "cpu", seed=5, int8_root=tmp_path,
                             background=True)
    assert isinstance(pending, PendingGenerator)
    # What the prompt's budget needs answers from the tokenizer alone.
    assert pending.count_tokens(PROMPT) == foreground.count_tokens(PROMPT)
    assert pending.context_window == foreground.context_window
    assert pending.window_step == foreground.window_step
    pending.prepare(PROMPT)  # possibly before the model is there: done once it is
    text = pending.generate(PROMPT + "You", Settings(max_new_tokens=12))
    assert pending.ready and pending.int8
    assert pending.last_run.cached_tokens > 0  # the prepared prefix was used
    assert text == foreground.generate(PROMPT + "You", Settings(max_new_tokens=12))
    pending.close()


def test_a_cache_found_broken_while_loading_is_made_again_and_the_player_told(
    tiny_models: TinyModels, tmp_path: Path
) -> None:
    _warm(tiny_models, tmp_path)
    weights = next(tmp_path.glob(f"*/{int8_cache.WEIGHTS}"))
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size: only the hashes, checked while loading, see it
    weights.write_bytes(bytes(data))
    pending = load_generator(str(tiny_models.generator), "cpu", seed=5, int8_root=tmp_path,
                             background=True)
    assert isinstance(pending, PendingGenerator)
    heard: list[tuple[str, int]] = []
    pending.set_notice(lambda line: heard.append((line, threading.get_ident())))
    assert pending.generate(PROMPT, Settings(max_new_tokens=4))
    assert len(heard) == 1 and "Готовлю их заново" in heard[0][0]
    assert heard[0][1] == threading.get_ident()  # told from the game's thread, not the loader's
    assert int8_cache.is_cached(tiny_models.generator, tmp_path)
    pending.close()


def test_closing_during_the_load_stops_it_between_two_matrices(
    tiny_models: TinyModels, tmp_path: Path
) -> None:
    _warm(tiny_models, tmp_path)
    stop = threading.Event()
    stop.set()
    with pytest.raises(int8_cache.LoadStopped):
        int8_cache.load_cached_int8(tiny_models.generator, tmp_path, stop=stop)
    pending = load_generator(str(tiny_models.generator), "cpu", int8_root=tmp_path,
                             background=True)
    pending.close()
    assert pending.ready  # the thread has ended: nothing runs on into the interpreter's exit


class Held:
    """A load that waits until released, then returns a generator or raises."""

    def __init__(self, real: Loaded | None = None, error: Exception | None = None) -> None:
        self.release = threading.Event()
        self.real, self.error = real, error
        self.stopped = False

    def __call__(self, notice: object, stop: threading.Event) -> Loaded:
        assert callable(notice)
        notice("загрузка шла")
        while not self.release.wait(0.01):
            if stop.is_set():
                self.stopped = True
                raise ModelUnavailable("остановлено")
        if self.error is not None:
            raise self.error
        assert self.real is not None
        return self.real


def test_ctrl_c_while_waiting_for_the_model_cancels_the_wait(tiny_models: TinyModels) -> None:
    load = Held(error=ModelUnavailable("не загрузилась"))
    pending = PendingGenerator(len, 1024, 8, load)
    cancel = CancelToken()
    threading.Timer(0.2, cancel.cancel).start()
    started = time.perf_counter()
    with pytest.raises(Cancelled):
        pending.generate(PROMPT, Settings(), cancel)
    assert time.perf_counter() - started < 5
    assert pending.count_tokens("abc") == 3 and not pending.ready
    # What the turn asks with a default answers at once, without waiting for the model.
    assert getattr(pending, "extends_history", False) is False
    pending.close()
    assert load.stopped


def test_a_failed_load_is_one_message_on_every_call_and_the_notices_wait_for_a_listener() -> None:
    load = Held(error=ModelUnavailable("Не хватает памяти, чтобы загрузить модель (тест)."))
    pending = PendingGenerator(len, 1024, 8, load)
    load.release.set()
    for _ in range(2):
        with pytest.raises(ModelUnavailable, match="Не хватает памяти"):
            pending.generate(PROMPT, Settings())
    heard: list[str] = []
    pending.set_notice(heard.append)
    with pytest.raises(ModelUnavailable):
        pending.wait_prepared()
    assert heard == ["загрузка шла"]
    pending.close()
