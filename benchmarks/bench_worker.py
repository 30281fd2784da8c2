"""One side of the turn-latency benchmark, in its own process so its memory is its own.

The side loads its models, then plays the scripted turns it is told to through the game's real
TurnRunner, prompt window and sentence streaming, and answers with timings (JSON lines on
stdout prefixed with "@@ ").

- baseline: what the AI Dungeon family does: transformers fp32 and its generate(), the whole
  prompt encoded every turn, a window sliding by one turn, transformers fp32 Marian.
- gamio: the game's CPU default, loaded as the game loads it (GAMIO_ENGINE picks another):
  the generator on transformers with int8 matrices and the prefix cache, the translators on
  CTranslate2 int8, and the generator's window_step.

Both write exactly the same number of tokens: the generator is forced to max_new_tokens (no
early stop) and the translators to round(OUTPUT_RATIO x input tokens). The models' random text
is replaced by the script's (bench_story), one token per generated token.

Peak memory is the process's own (VmHWM): getrusage's ru_maxrss also counts the parent's peak,
because Python starts children with vfork and Linux keeps the larger of the two across exec
(the 6.4 GB "first launch" of issue #14 was the benchmark's own peak from building the models).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import bench_story

from gamio_cli.engine import CancelToken, Generator, Translator
from gamio_cli.settings import Settings
from gamio_cli.story import Story, Turn
from gamio_cli.turn.actions import action_line_en, parse_action
from gamio_cli.turn.runner import TurnRunner

# Translation output per input token in the benchmark, unitless: opus-mt en->ru writes about
# this many (random weights would run to the budget); slack 0 keeps it exact.
OUTPUT_RATIO = 1.25


class ScriptedGenerator:
    """The real generator does the work; the game sees the script, a token per generated token."""

    def __init__(self, real: Any, tokenizer: Any) -> None:
        self.real = real
        self.tokenizer = tokenizer
        self.script_ids: list[int] = []
        self.times: list[float] = []
        self.callback_s = 0.0

    @property
    def context_window(self) -> int:
        return int(self.real.context_window)

    def count_tokens(self, text: str) -> int:
        return int(self.real.count_tokens(text))

    def set_script(self, text: str) -> None:
        self.script_ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def generate(self, prompt: str, settings: Settings, cancel: CancelToken | None = None,
                 on_text: Callable[[str], None] | None = None) -> str:
        self.times, self.callback_s = [], 0.0

        def feed(_random_text: str) -> None:
            self.times.append(time.perf_counter())
            started = time.perf_counter()
            if on_text is not None:
                on_text(self._revealed())
            self.callback_s += time.perf_counter() - started

        self.start = time.perf_counter()
        self.real.generate(prompt, settings, cancel, feed)
        return self._revealed()

    def _revealed(self) -> str:
        return str(self.tokenizer.decode(self.script_ids[: max(1, len(self.times))]))


class ScriptedTranslator:
    """The real ru->en translator does the work; the game gets the script's English action."""

    def __init__(self, real: Translator) -> None:
        self.real = real
        self.english = ""

    def translate(self, text: str, cancel: CancelToken | None = None) -> str:
        self.real.translate(text, cancel)
        return self.english


class Listener:
    def __init__(self) -> None:
        self.first: float | None = None
        self.count = 0

    def sentence(self, text_ru: str) -> None:
        if self.first is None:
            self.first = time.perf_counter()
        self.count += 1

    def restart(self) -> None:
        self.count = 0


def peak_rss_mb() -> int:
    """This process's own peak resident memory in MiB (VmHWM; ru_maxrss where there is none)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def load_side(side: str, models: dict[str, Path], ct2_root: Path) -> tuple[Generator, Translator, Translator, int]:
    """The real generator and translators of one side, and its window step."""
    from gamio_cli.engines.hf import translator as marian

    marian.OUTPUT_PER_INPUT_TOKEN, marian.OUTPUT_SLACK_TOKENS = OUTPUT_RATIO, 0
    if side == "baseline":
        import torch

        from gamio_cli.engines.hf.generator import TransformersGenerator
        from gamio_cli.engines.hf.translator import MarianTranslator

        gen = TransformersGenerator.from_dir(models["generator"], "cpu", torch.float32, 1)
        gen.prefix_cache = False  # the whole prompt encoded every turn
        gen.library_generate = True  # by transformers' generate()
        gen.force_length = True
        ru_en, en_ru = (MarianTranslator.from_dir(models[key], "cpu", torch.float32)
                        for key in ("ru_en", "en_ru"))
        for translator in (ru_en, en_ru):
            translator.model.generation_config.min_new_tokens = 10**4  # up to the budget
        return gen, ru_en, en_ru, 1
    from gamio_cli.model import ModelConfig, load_models

    # The game's own loading: --engine auto unless GAMIO_ENGINE says otherwise.
    config = ModelConfig(str(models["generator"]), str(models["ru_en"]), str(models["en_ru"]),
                         device="cpu", seed=1, engine=os.environ.get("GAMIO_ENGINE", "auto"))
    loaded = load_models(config, ct2_root=ct2_root, int8_root=ct2_root.parent / "int8",
                         background=True)
    if loaded.notice:
        raise RuntimeError(loaded.notice)
    for model in (loaded.ru_en, loaded.en_ru):
        model.force_length = True  # type: ignore[union-attr]
    step = int(getattr(loaded.generator, "window_step", 1))
    return loaded.generator, loaded.ru_en, loaded.en_ru, step  # type: ignore[return-value]


def narrator_loaded(gen: Generator) -> Generator:
    """The generator once its model is there (the game's own one may load in the background)."""
    loaded = getattr(gen, "loaded", None)
    return loaded() if callable(loaded) else gen


def opening_story() -> Story:
    """The story so far: the opening and the earlier turns, written as the game writes them."""
    turns = []
    for earlier in bench_story.EARLIER:
        mode, _ = parse_action(earlier.action_ru)
        line = action_line_en(mode, earlier.action_en)
        turns.append(Turn(earlier.action_ru, mode, line, earlier.continuation_en, "…"))
    return Story("custom", bench_story.OPENING_RU, bench_story.OPENING_EN, turns=turns,
                 settings=Settings())


def play_turn(runner: TurnRunner, story: Story, scripted: ScriptedGenerator,
              ru_en: ScriptedTranslator, number: int) -> tuple[Turn, dict[str, Any]]:
    script = bench_story.SESSION[number % len(bench_story.SESSION)]
    ru_en.english = script.action_en
    scripted.set_script(script.continuation_en)
    listener = Listener()
    started = time.perf_counter()
    turn = runner.play(story, script.action_ru, CancelToken(), listener)
    ended = time.perf_counter()
    times = scripted.times
    decode = (times[-1] - times[0] - scripted.callback_s) / max(1, len(times) - 1)
    stats = getattr(runner.generator, "real", None)
    run = getattr(stats, "last_run", None)
    return turn, {
        "turn_s": ended - started,
        "first_sentence_s": (listener.first or ended) - started,
        "first_token_s": times[0] - scripted.start,
        "decode_s": decode,
        "tokens": len(times),
        "prompt_tokens": run.prompt_tokens if run else None,
        "cached_tokens": run.cached_tokens if run else 0,
        "reloaded": run.reloaded if run else False,
        "peak_rss_mb": peak_rss_mb(),
    }


def prepare_next(gen: Any, story: Story, step: int) -> float:
    """Encode the next prompt's beginning, as the game does while the player types; seconds."""
    from gamio_cli.turn.prompt import next_prompt_prefix

    started = time.perf_counter()
    gen.prepare(next_prompt_prefix(story, gen.count_tokens, gen.context_window, step))
    gen.wait_prepared()
    return time.perf_counter() - started


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("side", choices=("baseline", "gamio"))
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("ct2_root", type=Path)
    parser.add_argument("--window-step", type=int, default=0)
    parser.add_argument("--overlap", action="store_true")
    parser.add_argument("--no-prepare", action="store_true")
    parser.add_argument("--started", type=float, default=time.time(),
                        help="when the parent started this process (time.time())")
    parser.add_argument("--load-only", action="store_true", help="answer once loaded, then exit")
    args = parser.parse_args(argv)
    root = args.model_dir.parent
    models = {"generator": args.model_dir, "ru_en": root / "opus-mt-ru-en",
              "en_ru": root / "opus-mt-en-ru"}
    started = time.perf_counter()
    gen, ru_en, en_ru, step = load_side(args.side, models, args.ct2_root)
    # From the process's start (Python, imports) to where the game shows its first prompt: the
    # generator's model may still be loading behind it (engines/pending.py).
    launch_s = time.time() - args.started
    gen = narrator_loaded(gen)
    ready_s = time.time() - args.started  # the narrator could answer the first action now
    if args.side == "gamio":
        step = args.window_step or step
        gen.force_length = True  # type: ignore[attr-defined]
        gen.pause_for_text = not args.overlap  # type: ignore[attr-defined]
    scripted = ScriptedGenerator(gen, getattr(gen, "tokenizer"))
    scripted_ru_en = ScriptedTranslator(ru_en)
    runner = TurnRunner(scripted, scripted_ru_en, en_ru, window_step=step)
    story = opening_story()
    prepare = args.side == "gamio" and not args.no_prepare
    load_s = time.perf_counter() - started
    ready = {"ready": True, "load_s": load_s, "launch_s": launch_s, "narrator_ready_s": ready_s,
             "window_step": step, "prepare": prepare}
    if args.load_only:
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
        answer(dict(ready, peak_rss_mb=peak_rss_mb(), children_peak_rss_mb=children))
        return
    # The game prepares turn 1 the same way, while the player reads the opening (Game()).
    ready["prepare_s"] = prepare_next(gen, story, step) if prepare else 0.0
    answer(dict(ready, peak_rss_mb=peak_rss_mb()))
    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "quit":
            break
        turn, stats = play_turn(runner, story, scripted, scripted_ru_en, int(command[1]))
        story.turns.append(replace(turn))
        # What the game does while the player reads and types (untimed: the player's time).
        stats["prepare_s"] = prepare_next(gen, story, step) if prepare else 0.0
        stats["peak_rss_mb"] = peak_rss_mb()
        answer(stats)


def answer(data: dict[str, Any]) -> None:
    print("@@ " + json.dumps(data), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
