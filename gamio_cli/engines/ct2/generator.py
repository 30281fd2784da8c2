"""Story continuation with CTranslate2 (int8 on the CPU), streamed token by token.

Implements engine.Generator like generator.TransformersGenerator, with the same tokenizer (the
Hugging Face one in the model's directory) and the same stop rules. What differs:

- Most of each prompt comes from CTranslate2's prompt cache (see prompt_cache.py).
- Generation runs in CTranslate2's worker thread; this thread receives each token through a
  queue it polls, so a Ctrl-C handler (which runs only in the main thread) sets the cancel
  token even while the prompt is being encoded, and the run stops within one token after.
- The worker waits while on_text runs: the streamed Russian sentence is translated on the same
  cores, and two thread pools working at once on them make both slower.
- prepare() encodes the next prompt's beginning in the background while the player reads and
  types, so the turn itself encodes only the action line.

Sampling is seeded with ctranslate2.set_random_seed, but CTranslate2's sampling is not
reproducible across runs even so (upstream issue #1757).
ctranslate2 and transformers are imported lazily, inside functions.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gamio_cli.engine import CancelToken, RunStats
from gamio_cli.engines.background import POLL_S, Background
from gamio_cli.engines.ct2.prompt_cache import PromptCache
from gamio_cli.engines.hf.generator import (
    ACTION_MARKER,
    DEFAULT_WINDOW,
    fit_prompt,
    token_ids,
)
from gamio_cli.settings import Settings
from gamio_cli.turn.prompt import WINDOW_STEP

# Seconds the worker waits for on_text before going on regardless (a consumer that went away).
HANDOFF_TIMEOUT_S = 60.0


def sampling_options(settings: Settings, max_new: int, force_length: bool) -> dict[str, Any]:
    """CTranslate2's generate options for the game's sampling knobs.

    top_k 0 means "no filter" in Settings and in CTranslate2 alike. force_length (benchmarks
    only) writes exactly max_new tokens: no end token, and min_length = max_length.
    """
    options: dict[str, Any] = {
        "max_length": max_new,
        "sampling_temperature": settings.temperature,
        "sampling_topp": settings.top_p,
        "sampling_topk": settings.top_k,
        "repetition_penalty": settings.repetition_penalty,
    }
    if force_length:
        options.update(min_length=max_new, end_token=[])
    return options


class Ct2Generator:
    """Implements engine.Generator with a ctranslate2.Generator and a Hugging Face tokenizer."""

    def __init__(
        self,
        generator: Any,
        tokenizer: Any,
        window: int = DEFAULT_WINDOW,
        seed: int | None = None,
        cache: PromptCache | None = None,
    ) -> None:
        self.generator = generator
        self.tokenizer = tokenizer
        self.seed = seed
        self.cache = cache if cache is not None else PromptCache()
        self.force_length = False  # benchmarks: always write max_new_tokens tokens
        # Pause the worker while on_text runs (see the module docstring). Letting the two
        # overlap measured no faster per turn on two cores and later for the first sentence.
        self.pause_for_text = True
        self.last_run = RunStats()
        self._window = window
        self._calls = 0
        self._background = Background(self.cache.clear)

    @classmethod
    def from_dirs(cls, hf_dir: Path, ct2_dir: Path, seed: int | None = None) -> Ct2Generator:
        """Tokenizer and window from the Hugging Face directory, weights from the converted one."""
        import ctranslate2

        from gamio_cli.engines.ct2.convert import open_converted
        from gamio_cli.engines.threads import ct2_thread_options

        generator = open_converted(ctranslate2.Generator, ct2_dir, **ct2_thread_options())
        config = read_json(hf_dir / "config.json")
        window = config.get("n_positions") or config.get("max_position_embeddings")
        return cls(generator, load_tokenizer(hf_dir), int(window or DEFAULT_WINDOW), seed)

    @property
    def context_window(self) -> int:
        return self._window

    @property
    def window_step(self) -> int:
        """The TurnRunner window_step this generator's prompt cache is made for."""
        return WINDOW_STEP

    def count_tokens(self, text: str) -> int:
        return len(self._encode(text))

    def _encode(self, text: str) -> list[int]:
        return token_ids(self.tokenizer, text)

    def generate(
        self,
        prompt: str,
        settings: Settings,
        cancel: CancelToken | None = None,
        on_text: Callable[[str], None] | None = None,
    ) -> str:
        """The raw continuation of prompt (without it), ending at most a token past "\\n>"."""
        self.wait_prepared(cancel)
        max_new, ids = fit_prompt(self._encode(prompt), self._window, settings.max_new_tokens,
                                  self._eos_id())
        plan = self.cache.plan(ids)
        self.last_run = RunStats(len(ids), plan.static_len if plan.reuse else 0, plan.drop_old)
        if plan.drop_old:
            self._reload()
        tokens = self.tokenizer.convert_ids_to_tokens(ids)
        static, dynamic = tokens[: plan.static_len], tokens[plan.static_len :]
        self._reseed()
        run = _TokenRun(cancel, self.last_run.token_times, self.pause_for_text)
        options = sampling_options(settings, max_new, self.force_length)
        new_ids: list[int] = []
        text = ""
        for token_id in run.tokens(self.generator, dynamic, static, options):
            new_ids.append(token_id)
            decoded = self._decode(new_ids)
            if decoded != text:
                text = decoded
                if on_text is not None:
                    on_text(text)
            if ACTION_MARKER in text and not self.force_length:
                break
        return text

    def prepare(self, text: str) -> None:
        """Encode text into the prompt cache in the background; returns at once.

        For the time the player reads and types: the next prompt starts with text (see
        turn.prompt.next_prompt_prefix), so the next turn encodes only what follows.
        The next generate() waits for it first (it would have to encode the same anyway).
        """
        self.wait_prepared()
        ids = self._encode(text)[: self._window - 1]
        drop_old = self.cache.hold(ids[:-1])
        if drop_old is None:
            return
        tokens = self.tokenizer.convert_ids_to_tokens(ids)

        def encode() -> None:
            if drop_old:
                self._reload()
            # One new token: CTranslate2 needs a start token after the static prompt.
            self.generator.generate_batch([tokens[-1:]], static_prompt=tokens[:-1], max_length=1,
                                          beam_size=1, include_prompt_in_result=False)

        self._background.start(encode)

    def close(self) -> None:
        """Wait for encoding ahead to end before the game exits (CTranslate2 cannot stop it)."""
        self._background.stop()

    def wait_prepared(self, cancel: CancelToken | None = None) -> None:
        """Wait until a prepare() in progress finished (Ctrl-C still cancels the wait)."""
        self._background.wait(cancel)

    def _decode(self, ids: list[int]) -> str:
        text = str(self.tokenizer.decode(ids, skip_special_tokens=True))
        # A multi-byte character split across tokens decodes as U+FFFD until it completes.
        return text.rstrip("\ufffd")

    def _eos_id(self) -> int:
        eos = self.tokenizer.eos_token_id
        return int(eos) if eos is not None else 0

    def _reseed(self) -> None:
        if self.seed is not None:
            import ctranslate2

            ctranslate2.set_random_seed(self.seed + self._calls)
        self._calls += 1

    def _reload(self) -> None:
        """Free CTranslate2's cached prompt states: they live as long as the loaded model."""
        self.generator.unload_model()
        self.generator.load_model()


def read_json(path: Path) -> dict[str, Any]:
    """A model's JSON config as a dict ({} when the file is absent)."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def load_tokenizer(hf_dir: Path) -> Any:
    """The model's tokenizer, without importing torch where that can be helped.

    transformers' AutoTokenizer and AutoConfig import torch (190 MB of memory, 1.3 s); the
    GPT-2 tokenizer class itself does not, and the GPT-2 family uses it.
    """
    declared = read_json(hf_dir / "tokenizer_config.json").get("tokenizer_class")
    if declared in (None, "GPT2Tokenizer", "GPT2TokenizerFast"):
        from transformers.models.gpt2.tokenization_gpt2 import GPT2Tokenizer

        return GPT2Tokenizer.from_pretrained(str(hf_dir))
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(hf_dir))


class _TokenRun:
    """One asynchronous generate_batch whose tokens this thread consumes one at a time."""

    def __init__(self, cancel: CancelToken | None, times: list[float], pause: bool) -> None:
        self._cancel = cancel
        self._times = times
        self._pause = pause
        self._steps: queue.Queue[Any] = queue.Queue()
        self._stop = threading.Event()
        self._handed = threading.Semaphore(0)  # released once this thread took a token

    def _callback(self, step: Any) -> bool:
        """Runs in CTranslate2's worker thread for every token; True stops the generation."""
        if self._stop.is_set():
            return True
        self._steps.put(step)
        if self._pause:
            self._handed.acquire(timeout=HANDOFF_TIMEOUT_S)
        return self._stop.is_set()

    def tokens(
        self, generator: Any, dynamic: list[str], static: list[str], options: dict[str, Any]
    ) -> Any:
        """Yield the new token ids; stops the worker however the consumer leaves."""
        import time

        results = generator.generate_batch(
            [dynamic], static_prompt=static or None, asynchronous=True, beam_size=1,
            include_prompt_in_result=False, callback=self._callback, **options,
        )
        result = results[0]
        try:
            while True:
                step = self._next(result)
                if step is None:
                    break
                self._times.append(time.perf_counter())
                yield int(step.token_id)
                if step.is_last:
                    break
                self._handed.release()
        finally:
            self._stop.set()
            self._handed.release()
            while not result.done():  # polled: a blocking wait would defer Ctrl-C handling
                time.sleep(POLL_S / 5)
        result.result()  # raises what the worker raised, if anything

    def _next(self, result: Any) -> Any:
        """The next step result, or None once the worker finished without one."""
        while True:
            if self._cancel is not None:
                self._cancel.check()
            try:
                return self._steps.get(timeout=POLL_S)
            except queue.Empty:
                if result.done() and self._steps.empty():
                    return None
