"""Story continuation with any GPT-2-family causal LM (gameGPT, gpt2-xl, gpt2-medium ...).

Reproducibility: with a seed, every generate() call reseeds torch with seed + (number of earlier
calls in this session). A session with the same seed and the same inputs therefore writes the
same story, whatever else used the global RNG in between, and a retry of the same prompt still
gets fresh text. Without a seed, sampling is left to torch's default RNG.
torch/transformers are imported lazily, inside functions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gamio_cli.engine import CancelToken, RunStats
from gamio_cli.engines.background import Background
from gamio_cli.engines.heap import release_free_heap
from gamio_cli.engines.hf.decode import decode
from gamio_cli.engines.hf.kv_cache import new_cache
from gamio_cli.engines.hf.kv_prefix import KvPrefixCache, cache_argument, output_cache
from gamio_cli.settings import Settings
from gamio_cli.turn.prompt import WINDOW_STEP

# The player's next action starts with a newline and ">": the model's turn is over.
ACTION_MARKER = "\n>"
# Window to assume when the config names none, in tokens (GPT-2's).
DEFAULT_WINDOW = 1024
# Tokens prepare() encodes per model call, 1 or more: between calls it can be stopped (GPT-2-XL
# on 2 cores: about 0.5 s a chunk), and a chunk's passing tensors stay small.
PREFIX_CHUNK = 128


def token_ids(tokenizer: Any, text: str) -> list[int]:
    """The token ids of text, as both engines' generators count and feed them."""
    # verbose=False: a story longer than the window is normal here (the caller trims it).
    ids = tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]
    return [int(token) for token in ids]


def load_tokenizer(path: Path) -> Any:
    """The tokenizer of a model folder."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(path))


def window_of(path: Path) -> int:
    """The context window in tokens that the model folder's config.json names (the config's
    own reader, without the weights)."""
    from transformers import AutoConfig

    return config_window(AutoConfig.from_pretrained(str(path)))


def config_window(config: Any) -> int:
    """The context window a model config names, in tokens."""
    window = getattr(config, "n_positions", None) or getattr(config, "max_position_embeddings", None)
    return int(window or DEFAULT_WINDOW)


def fit_prompt(ids: list[int], window: int, wanted_new: int, eos: int) -> tuple[int, list[int]]:
    """(new tokens to write, the prompt's tokens to give) for a model of `window` tokens.

    At least one new token and at most window - 1; the prompt keeps its last tokens (an
    overlong prompt is the caller's bug, not a crash). GPT-2 cannot start from nothing: an
    empty prompt becomes its end-of-text token, which is also its start token.
    """
    max_new = max(1, min(wanted_new, window - 1))
    return max_new, ids[-(window - max_new):] or [eos]


class TransformersGenerator:
    """Implements engine.Generator with AutoTokenizer + AutoModelForCausalLM, and the game's
    own decode loop (decode.py) rather than transformers' generate().

    Each run re-uses the keys and values of the tokens its prompt shares with the previous
    run's (kv_prefix), and prepare() encodes the next prompt's beginning while the player reads
    and types, as Ct2Generator does with CTranslate2's prompt cache (the cache: kv_cache).
    """

    def __init__(self, tokenizer: Any, model: Any, device: str, seed: int | None = None) -> None:
        self.tokenizer = tokenizer
        self.model = model
        self.device = device
        self.seed = seed
        self.prefix_cache = True  # False: encode every prompt in full (the benchmark's baseline)
        self.force_length = False  # benchmarks: always write max_new_tokens tokens
        # True: transformers' generate() writes the tokens (the benchmark's baseline), not decode.py.
        self.library_generate = False
        self.last_run = RunStats()
        self._calls = 0
        self._kv = KvPrefixCache()
        self._background = Background(self._kv.clear)
        self._window = config_window(model.config)

    @classmethod
    def from_dir(
        cls, path: Path, device: str, dtype: Any, seed: int | None, int8: bool = False,
        int8_root: Path | None = None, on_notice: Callable[[str], None] | None = None,
    ) -> TransformersGenerator:
        """Load tokenizer and model from a directory written by save_pretrained.

        int8 (CPU only): the matrices in int8, quantized on the first start and kept on disk in
        int8_root (default: the user cache; see int8_cache); on_notice hears of a cache found
        broken and made again.
        """
        return cls.from_tokenizer(load_tokenizer(path), path, device, dtype, seed, int8,
                                  int8_root, on_notice)

    @classmethod
    def from_tokenizer(
        cls, tokenizer: Any, path: Path, device: str, dtype: Any, seed: int | None,
        int8: bool = False, int8_root: Path | None = None,
        on_notice: Callable[[str], None] | None = None, stop: threading.Event | None = None,
    ) -> TransformersGenerator:
        """from_dir with the tokenizer already loaded (the model may load in another thread:
        stop set there ends the reading of a cached int8 model early, with LoadStopped)."""
        import torch
        from transformers import AutoModelForCausalLM

        from gamio_cli.engines.device import dtype_keyword
        from gamio_cli.engines.hf.int8_cache import load_cached_int8
        from gamio_cli.engines.threads import set_torch_threads

        set_torch_threads(torch)
        if int8:
            model: Any = load_cached_int8(path, int8_root, on_notice, stop)
        else:
            model = AutoModelForCausalLM.from_pretrained(str(path), **{dtype_keyword(): dtype})
            model.to(device)
        model.eval()
        return cls(tokenizer, model, device, seed)

    @property
    def context_window(self) -> int:
        return self._window

    @property
    def int8(self) -> bool:
        """Whether the model's matrices are int8 (loaded by int8_weights)."""
        from torch.ao.nn.quantized import dynamic

        return any(isinstance(module, dynamic.Linear) for module in self.model.modules())

    @property
    def window_step(self) -> int:
        """The TurnRunner window_step the prefix cache is made for (see turn.prompt.WINDOW_STEP)."""
        return WINDOW_STEP if self.prefix_cache else 1

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
        import torch

        self.wait_prepared(cancel)
        max_new, ids = fit_prompt(self._encode(prompt), self._window, settings.max_new_tokens,
                                  self._eos_id())
        if cancel is not None:
            cancel.check()  # the first step (reading the prompt) is the slowest one
        self._reseed(torch)
        try:
            # The cache's tensors are inference tensors: even cutting it must happen in this mode.
            with torch.inference_mode():
                past, reused = self._kv.take(ids) if self.prefix_cache else (None, 0)
                self.last_run = RunStats(len(ids), reused)
                watcher = _Watcher(self.tokenizer, cancel, on_text, not self.force_length,
                                   self.last_run.token_times)
                run = self._library_run if self.library_generate else self._own_run
                sequence, cache = run(ids, past, reused, settings, max_new, watcher)
        except BaseException:
            self._kv.clear()  # a run cut short leaves the cache in an unknown state
            raise
        if self.prefix_cache:
            self._kv.keep(sequence, cache)
        release_free_heap()  # what encoding the prompt freed (see heap.py)
        return str(self.tokenizer.decode(sequence[len(ids):], skip_special_tokens=True))

    def _own_run(self, ids: list[int], past: Any, reused: int, settings: Settings,
                 max_new: int, watcher: _Watcher) -> tuple[list[int], Any]:
        """(prompt and new tokens, the cache) from the game's own decode loop (decode.py)."""
        cache = past if past is not None or not self.prefix_cache else self._new_cache()
        run = decode(self.model, ids, cache, reused, settings, max_new, watcher.step,
                     self._eos_id(), max_new if self.force_length else 0)
        return ids + run.tokens, run.cache

    def _library_run(self, ids: list[int], past: Any, reused: int, settings: Settings,
                     max_new: int, watcher: _Watcher) -> tuple[list[int], Any]:
        """The same from transformers' generate() (the benchmark's AI Dungeon baseline)."""
        import torch

        input_ids = torch.tensor([ids], dtype=torch.long, device=self.device)
        output = self.model.generate(
            input_ids,
            attention_mask=torch.ones_like(input_ids),
            **self._generate_options(settings, max_new, watcher.library_criterion(len(ids)), past),
        )
        return [int(token) for token in output.sequences[0].tolist()], output_cache(output)

    def _generate_options(
        self, settings: Settings, max_new: int, criterion: Any, past: Any
    ) -> dict[str, Any]:
        """generate()'s keywords: the sampling knobs (see Settings), the cache, the stop rules."""
        from transformers import StoppingCriteriaList

        options: dict[str, Any] = dict(
            do_sample=True,
            temperature=settings.temperature,
            top_p=settings.top_p,
            top_k=settings.top_k,
            repetition_penalty=settings.repetition_penalty,
            max_new_tokens=max_new,
            pad_token_id=self._eos_id(),
            stopping_criteria=StoppingCriteriaList([criterion]),
            return_dict_in_generate=True,
        )
        if self.force_length:
            options["min_new_tokens"] = max_new
        cache = past if past is not None or not self.prefix_cache else self._new_cache()
        if cache is not None:
            options.update(cache_argument(cache))
        return options

    def prepare(self, text: str) -> None:
        """Extend the prefix cache to text while the player reads and types (as
        Ct2Generator.prepare does); returns at once, generate() waits for it."""
        self.wait_prepared()
        ids = self._encode(text)[: self._window - 1]
        if len(ids) < 2 or not self.prefix_cache:
            return
        self._background.start(lambda: self._encode_prefix(ids))

    def wait_prepared(self, cancel: CancelToken | None = None) -> None:
        """Wait until a prepare() in progress finished (Ctrl-C still cancels the wait)."""
        self._background.wait(cancel)

    def close(self) -> None:
        """Stop encoding ahead (within one chunk) before the game exits."""
        self._background.stop()

    def _encode_prefix(self, ids: list[int]) -> None:
        """Encode ids into the prefix cache, PREFIX_CHUNK tokens at a time, so that close()
        can stop it between chunks; whatever was encoded stays usable."""
        import torch

        with torch.inference_mode():
            past, done = self._kv.take(ids)
            cache = past if past is not None else self._new_cache()
            while done < len(ids) and not self._background.stopping:
                end = min(len(ids), done + PREFIX_CHUNK)
                output = self.model(
                    torch.tensor([ids[done:end]], dtype=torch.long, device=self.device),
                    cache_position=torch.arange(done, end, device=self.device),
                    use_cache=True,
                    **cache_argument(cache),
                )
                cache = cache if cache is not None else output_cache(output)
                done = end
        self._kv.keep(ids[:done], cache)
        release_free_heap()

    def _new_cache(self) -> Any:
        return new_cache(self.model, self._window, self.device)

    def _eos_id(self) -> int:
        eos = self.tokenizer.eos_token_id
        if eos is None:
            eos = getattr(self.model.config, "eos_token_id", None) or 0
        return int(eos)

    def _reseed(self, torch: Any) -> None:
        if self.seed is not None:
            torch.manual_seed(self.seed + self._calls)
        self._calls += 1


class _Watcher:
    """Called after every new token: cancels, streams and stops at the action marker.

    Raising Cancelled here unwinds the run cleanly; no thread is ever killed. Decoding all new
    tokens each step is O(n²) in the turn length, but a turn is at most 512 tokens, so it stays
    far below the cost of one forward pass of the model.
    """

    def __init__(
        self,
        tokenizer: Any,
        cancel: CancelToken | None,
        on_text: Callable[[str], None] | None,
        stop_at_marker: bool = True,
        times: list[float] | None = None,
    ) -> None:
        self.tokenizer = tokenizer
        self.cancel = cancel
        self.on_text = on_text
        self.stop_at_marker = stop_at_marker
        self.times = times if times is not None else []
        self.text = ""

    def step(self, new_tokens: Any) -> bool:
        """The run's new tokens so far -> whether it is over (the player's turn has come)."""
        import time

        self.times.append(time.perf_counter())
        if self.cancel is not None:
            self.cancel.check()
        text = self.tokenizer.decode(new_tokens, skip_special_tokens=True)
        # A multi-byte character split across tokens decodes as U+FFFD until it completes.
        text = text.rstrip("\ufffd")
        if text != self.text:
            self.text = text
            if self.on_text is not None:
                self.on_text(text)
        return self.stop_at_marker and ACTION_MARKER in text

    def library_criterion(self, prompt_len: int) -> Any:
        """step() as a transformers StoppingCriteria (duck-typed: subclassing would import
        transformers at module import)."""
        import torch

        def criterion(input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            done = self.step(input_ids[0, prompt_len:])
            return torch.full((input_ids.shape[0],), done, dtype=torch.bool,
                              device=input_ids.device)

        return criterion
