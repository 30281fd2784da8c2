"""TransformersGenerator on the tiny real GPT-2: continuations, the stop marker, seed, cancel, streaming."""

from __future__ import annotations

from typing import Any

import pytest

from gamio_cli.engine import CancelToken
from gamio_cli.engines.hf.generator import (
    ACTION_MARKER,
    TransformersGenerator,
    fit_prompt,
)
from gamio_cli.errors import Cancelled
from gamio_cli.model import load_generator
from gamio_cli.settings import Settings
from tests.tiny.build import TinyModels
from tests.tiny.tables import CONTINUATIONS, NARRATION

STORY = "You are a knight in an old castle. You have a lamp."
# Flat sampling: the text varies from seed to seed, so seed tests can fail.
WILD = Settings(temperature=2.0, top_p=1.0, top_k=0, repetition_penalty=1.0, max_new_tokens=12)


# Only the most likely token: cached and uncached runs must then write the same text.
GREEDY = Settings(top_k=1, repetition_penalty=1.0)


@pytest.fixture(scope="module", params=["int8", "float32"])
def generator(request: pytest.FixtureRequest, tiny_models: TinyModels) -> TransformersGenerator:
    """The CPU's int8 generator (what load_generator gives) and the float32 one (a GPU's path)."""
    import torch

    if request.param == "int8":
        return load_generator(str(tiny_models.generator), "cpu", seed=1)
    return TransformersGenerator.from_dir(tiny_models.generator, "cpu", torch.float32, 1)


def _prompt(line: str) -> str:
    return f"{STORY}\n{line}\n" if line in NARRATION else f"{STORY}\n> {line}\n"


@pytest.mark.parametrize(("line", "continuation"), sorted(CONTINUATIONS.items()))
def test_writes_the_continuation_and_stops_at_the_next_action(
    generator: TransformersGenerator, line: str, continuation: str
) -> None:
    text = generator.generate(_prompt(line), Settings())
    assert continuation in text
    assert ACTION_MARKER in text
    # Stopped right at the marker: at most a token or two of text after it.
    after = text[text.index(ACTION_MARKER) + len(ACTION_MARKER):]
    assert len(after) <= 6
    assert not text.startswith(STORY)


def test_stops_well_before_max_new_tokens(generator: TransformersGenerator) -> None:
    lengths: list[int] = []
    text = generator.generate(_prompt("You dance."), Settings(max_new_tokens=200),
                              on_text=lambda t: lengths.append(len(t)))
    assert text.rstrip().endswith(">")
    assert len(lengths) < 40


def test_max_new_tokens_is_respected(generator: TransformersGenerator) -> None:
    steps: list[str] = []
    generator.generate(_prompt("You open the door."), Settings(max_new_tokens=3), on_text=steps.append)
    assert 1 <= len(steps) <= 3


def test_on_text_receives_growing_text(generator: TransformersGenerator) -> None:
    seen: list[str] = []
    text = generator.generate(_prompt("You open the door."), Settings(), on_text=seen.append)
    assert len(seen) >= 3
    for shorter, longer in zip(seen, seen[1:]):
        assert longer.startswith(shorter) and len(longer) > len(shorter)
    assert seen[-1] == text


def test_same_seed_same_session(tiny_models: TinyModels) -> None:
    import torch

    def session(seed: int) -> list[str]:
        gen = load_generator(str(tiny_models.generator), "cpu", seed=seed)
        torch.rand(7)  # other users of the global RNG must not change the story
        return [gen.generate(STORY, WILD), gen.generate(STORY, WILD)]

    first = session(5)
    assert first[0] != first[1], "a retry of the same prompt must get fresh text"
    assert session(5) == first
    assert session(6) != first


def test_cancel_mid_generation(generator: TransformersGenerator) -> None:
    cancel = CancelToken()
    seen: list[str] = []

    def on_text(text: str) -> None:
        seen.append(text)
        if len(seen) == 2:
            cancel.cancel()

    with pytest.raises(Cancelled):
        generator.generate(_prompt("You open the door."), Settings(max_new_tokens=50), cancel, on_text)
    assert len(seen) == 2
    cancel.reset()
    assert CONTINUATIONS["You open the door."] in generator.generate(
        _prompt("You open the door."), Settings(), cancel
    )


def test_cancel_before_the_first_token(generator: TransformersGenerator) -> None:
    cancel = CancelToken()
    cancel.cancel()
    seen: list[str] = []
    with pytest.raises(Cancelled):
        generator.generate(_prompt("You open the door."), Settings(), cancel, seen.append)
    assert seen == []


def test_context_window_and_token_count(generator: TransformersGenerator) -> None:
    assert generator.context_window == generator.model.config.n_positions
    assert generator.count_tokens("") == 0
    assert 0 < generator.count_tokens(STORY) <= len(STORY)
    assert generator.count_tokens(STORY + " " + STORY) > generator.count_tokens(STORY)


def test_overlong_prompt_keeps_its_end(tiny_models: TinyModels) -> None:
    """The caller should have trimmed it; the model still sees the latest tokens, not a crash."""
    generator = load_generator(str(tiny_models.generator), "cpu", seed=1)
    seen: list[list[int]] = []
    forward = generator.model.forward

    def recording(input_ids: Any, **kwargs: Any) -> Any:
        seen.append(input_ids[0].tolist())
        return forward(input_ids, **kwargs)

    generator.model.forward = recording
    turns = [f"\n> {line}\n{text}" for line, text in CONTINUATIONS.items() if line not in NARRATION]
    prompt = STORY + "".join(turns * (generator.context_window // 10)) + "\n> You open the door.\n"
    ids = generator.tokenizer(prompt)["input_ids"]
    assert len(ids) > 3 * generator.context_window
    settings = Settings(max_new_tokens=40)
    text = generator.generate(prompt, settings)
    assert seen[0] == ids[-(generator.context_window - 40):]  # the prompt, read at once
    assert all(len(step) == 1 for step in seen[1:])  # then one new token a step
    assert isinstance(text, str) and text


def test_fit_prompt_keeps_the_newest_tokens_and_room_to_write() -> None:
    assert fit_prompt([1, 2, 3, 4, 5], window=4, wanted_new=2, eos=0) == (2, [4, 5])
    assert fit_prompt([1, 2, 3], window=4, wanted_new=9, eos=0) == (3, [3])
    assert fit_prompt([1, 2], window=8, wanted_new=0, eos=0) == (1, [1, 2])
    assert fit_prompt([], window=8, wanted_new=3, eos=7) == (3, [7])


@pytest.mark.parametrize("max_new", [1, 512])
def test_window_edges_do_not_crash(generator: TransformersGenerator, max_new: int) -> None:
    assert isinstance(generator.generate("", Settings(max_new_tokens=max_new)), str)


# --- the prefix cache ---------------------------------------------------------------------------


def _second_prompt() -> str:
    line = "You open the door."
    return f"{_prompt(line)}{CONTINUATIONS[line]}\n> You take the sword.\n"


def test_prefix_is_reused_and_writes_the_same_text(generator: TransformersGenerator) -> None:
    generator.generate("Something else entirely.", GREEDY)  # a cache that shares nothing
    generator.generate(_prompt("You open the door."), GREEDY)
    assert generator.last_run.cached_tokens <= 1
    text = generator.generate(_second_prompt(), GREEDY)
    assert generator.last_run.cached_tokens >= generator.count_tokens(_prompt("You open the door."))
    assert generator.last_run.prompt_tokens == generator.count_tokens(_second_prompt())
    assert generator.window_step > 1
    generator.prefix_cache = False
    try:
        assert generator.generate(_second_prompt(), GREEDY) == text
        assert generator.last_run.cached_tokens == 0 and generator.window_step == 1
    finally:
        generator.prefix_cache = True
    assert CONTINUATIONS["You take the sword."] in text


def test_prepare_encodes_the_next_prompt_while_the_player_types(
    generator: TransformersGenerator,
) -> None:
    start = _prompt("You open the door.") + CONTINUATIONS["You open the door."] + "\n"
    generator.prepare(start)
    generator.wait_prepared()
    text = generator.generate(_second_prompt(), GREEDY)
    # The last token of the prepared text may merge with the action's first one.
    assert generator.last_run.cached_tokens >= generator.count_tokens(start) - 1
    assert CONTINUATIONS["You take the sword."] in text


def test_a_failed_prepare_costs_only_the_cache(
    generator: TransformersGenerator, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("out of memory for the cache")

    generator.generate(_prompt("You open the door."), GREEDY)
    monkeypatch.setattr(generator.model, "forward", broken)
    generator.prepare(_prompt("You open the door.") + CONTINUATIONS["You open the door."] + "\n")
    generator.wait_prepared()
    monkeypatch.undo()
    text = generator.generate(_second_prompt(), GREEDY)
    assert generator.last_run.cached_tokens == 0
    assert CONTINUATIONS["You take the sword."] in text


def test_a_cancelled_run_leaves_no_cache_behind(generator: TransformersGenerator) -> None:
    cancel = CancelToken()
    generator.generate(_prompt("You open the door."), GREEDY)
    seen: list[str] = []

    def on_text(text: str) -> None:
        seen.append(text)
        cancel.cancel()

    with pytest.raises(Cancelled):
        generator.generate(_second_prompt(), GREEDY, cancel, on_text)
    assert len(seen) == 1
    text = generator.generate(_second_prompt(), GREEDY)
    assert generator.last_run.cached_tokens == 0
    assert CONTINUATIONS["You take the sword."] in text


def test_forced_length_writes_exactly_max_new_tokens(generator: TransformersGenerator) -> None:
    generator.force_length = True
    try:
        generator.generate(_prompt("You open the door."), Settings(max_new_tokens=20))
    finally:
        generator.force_length = False
    assert len(generator.last_run.token_times) == 20


def test_close_stops_encoding_ahead_between_chunks(
    generator: TransformersGenerator, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    from gamio_cli.engines.hf import generator as module

    forward = generator.model.forward
    chunks: list[int] = []
    encoding = threading.Event()

    def slow(*args: Any, **kwargs: Any) -> Any:
        chunks.append(1)
        if len(chunks) == 2:
            encoding.set()
        time.sleep(0.05)
        return forward(*args, **kwargs)

    monkeypatch.setattr(module, "PREFIX_CHUNK", 1)
    monkeypatch.setattr(generator.model, "forward", slow)
    generator.generate("Something else entirely.", GREEDY)  # a cache that shares nothing
    chunks.clear()
    encoding.clear()
    start = _second_prompt()
    generator.prepare(start)  # about 40 chunks of 0.05 s
    # Counted in chunks, not seconds: a busy machine may run the thread late or slowly.
    assert encoding.wait(30)
    asked = len(chunks)
    generator.close()
    # The chunk in progress finishes, at most one more had begun as close() was asked.
    assert len(chunks) <= asked + 1
    monkeypatch.undo()
    generator.generate(start + "> You wait.\n", GREEDY)
    assert 0 < generator.last_run.cached_tokens < generator.count_tokens(start) - 1
