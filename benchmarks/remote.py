"""gamio's own overhead when the story is written on a server (`gamio play --server`).

    .venv/bin/python benchmarks/remote.py                    # tiny model, transformers serve
    .venv/bin/python benchmarks/remote.py --server URL --model NAME --turns 20

Without --server it builds the tests' tiny story model (tests/tiny, ~40 s) and starts
`transformers serve` on it (offline, 127.0.0.1). Then, turn by turn and interleaved (the order
rotating, so a change in the machine's load hits every side):
- raw: a minimal client (httpx) posts the very body gamio sends and reads the event stream
  to its end: the server's own time to the last token;
- gamio: the game's TurnRunner plays the same action on the same story through
  RemoteGenerator (prompt built and counted, body built, stream read on its helper thread,
  each sentence cleaned, agreed with the hero and handed to a listener), with a narrator that
  writes Russian, so no translator's time is in it.
Both sides send the same seed, so the server writes the same tokens; a third side times
gamio's client alone (RemoteGenerator.generate on the same prompt). Printed: the median time
to the last token of each side and the ratio (target: gamio adds under 5 %). The tiny model
writes a whole turn in ~20-30 ms, far faster than any real one; --delay 0.03 puts the tests'
proxy in front, holding each streamed chunk 30 ms, as a real model's tokens come. Not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from gamio_cli.engines.remote.dialect import PATHS, STOP  # noqa: E402
from gamio_cli.engines.remote.events import read_line  # noqa: E402
from gamio_cli.engines.remote.generator import RemoteGenerator  # noqa: E402
from gamio_cli.settings import Settings  # noqa: E402
from gamio_cli.turn.runner import TurnRunner  # noqa: E402
from gamio_cli.world.scenarios import SCENARIOS, new_story  # noqa: E402

TARGET = 0.05
ACTION = "открываю дверь"


class Recorder:
    """The generator as gamio uses it, keeping the last body it sent (for the raw side)."""

    def __init__(self, generator: RemoteGenerator) -> None:
        self.generator = generator
        self.bodies: list[dict[str, Any]] = []
        original = generator.dialect.body

        def body(*args: Any) -> dict[str, Any]:
            sent = original(*args)
            self.bodies.append(sent)
            return sent

        generator.dialect.body = body  # type: ignore[method-assign]


def raw_turn(client: httpx.Client, url: str, api: str, body: dict[str, Any]) -> float:
    """Seconds from the request to the last token (the end event, or the stop string that
    gamio stops reading at), read by a minimal client on a kept connection."""
    started, text = time.perf_counter(), ""
    with client.stream("POST", url + PATHS[api], json=body) as response:
        for line in response.iter_lines():
            piece = read_line(line, api)
            if piece is None:
                continue
            text += piece.text
            if piece.done or STOP in text:
                break
    return time.perf_counter() - started


def client_turn(generator: RemoteGenerator, prompt: str) -> float:
    """Only gamio's client: the same prompt through RemoteGenerator.generate, streamed."""
    started = time.perf_counter()
    generator.generate(prompt, Settings(max_new_tokens=55), None, lambda _text: None)
    return time.perf_counter() - started


def gamio_turn(runner: TurnRunner, story: Any) -> float:
    started = time.perf_counter()
    runner.play(story, ACTION)
    return time.perf_counter() - started


def serve_tiny() -> tuple[str, Any]:
    from tests.engines.remote.servers import transformers_serve
    from tests.tiny.gpt2 import build_generator

    root = Path(tempfile.mkdtemp(prefix="gamio-remote-bench-"))
    print("building the tiny story model and starting transformers serve…", flush=True)
    served = transformers_serve(build_generator(root / "generator", seed=10), root / "serve.log")
    return served.url, served


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server")
    parser.add_argument("--model")
    parser.add_argument("--api", default="completions")
    parser.add_argument("--context", type=int, default=512)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.0,
                        help="seconds the tests' proxy holds each streamed chunk: a slower "
                        "server, as a real model's tokens come (both sides go through it)")
    args = parser.parse_args()
    served = None
    url = args.server
    if url is None:
        url, served = serve_tiny()
    front = None
    if args.delay:
        from tests.engines.remote.servers import proxy

        front = proxy(url, Path(tempfile.mkdtemp()) / "proxy.log", delay_s=args.delay)
        url = front.url
    try:
        generator = RemoteGenerator.connect(url, args.model, args.api, args.context, seed=1,
                                            language="ru")
        recorder = Recorder(generator)
        runner = TurnRunner(generator, None, None, language="ru")
        story = new_story(SCENARIOS["fantasy"], Settings(max_new_tokens=55))
        runner.play(story, ACTION)  # warm-up: the dialect is learned, the server is warm
        times: dict[str, list[float]] = {"gamio": [], "client": [], "raw": []}
        prompt = recorder.bodies[-1]["prompt"] if args.api != "chat" else ""
        client = httpx.Client(timeout=120, headers=generator.transport.client().headers)
        raw_turn(client, url, args.api, recorder.bodies[-1])  # its connection is warm too
        body = dict(recorder.bodies[-1])
        for turn in range(args.turns):
            sides = [("gamio", lambda: gamio_turn(runner, story)),
                     ("client", lambda: client_turn(generator, prompt)),
                     ("raw", lambda: raw_turn(client, url, args.api, body))]
            shift = turn % len(sides)  # each side goes first, second and last equally often
            for name, run in sides[shift:] + sides[:shift]:
                times[name].append(run())
        medians = {name: statistics.median(values) for name, values in times.items()}
        raw = medians["raw"]
        print(f"turns: {args.turns} per side, server {generator.model} at "
              f"{generator.transport.label}, API {args.api}")
        print(f"raw stream, time to the last token: median {raw * 1000:.1f} ms")
        for name, what in (("client", "gamio's client alone (RemoteGenerator)"),
                           ("gamio", "a whole gamio turn (prompt, stream, clean, agree)")):
            ratio = medians[name] / raw - 1
            print(f"{what}: median {medians[name] * 1000:.1f} ms, adds {ratio * 100:+.1f} % "
                  f"({(medians[name] - raw) * 1000:+.1f} ms a turn); target under "
                  f"{TARGET * 100:.0f} %: {'met' if ratio < TARGET else 'NOT met'}")
    finally:
        for process in (front, served):
            if process is not None:
                process.kill()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
