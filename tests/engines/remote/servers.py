"""Real servers for the --server tests: `transformers serve` on a tiny model, and the proxy.

Each runs as a child process on a free port of 127.0.0.1 and is waited for until it answers;
the caller kills it (the session fixture at the end, a test mid-stream).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

# A chat template that writes the conversation back as an AI Dungeon prompt, so the tiny
# model (trained on such prompts) answers a chat request with the story it knows.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'user' %}> {{ message['content'] }}\n"
    "{% else %}{{ message['content'] }}\n{% endif %}"
    "{% endfor %}"
)
START_S = 120.0  # a cold start imports torch on two shared cores


@dataclass
class Served:
    """A server process and its base URL."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def with_chat_template(model_dir: Path, out: Path) -> Path:
    """A copy of a tiny model whose tokenizer has CHAT_TEMPLATE."""
    shutil.copytree(model_dir, out)
    config_path = out / "tokenizer_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["chat_template"] = CHAT_TEMPLATE
    config_path.write_text(json.dumps(config), encoding="utf-8")
    return out


def wait_ready(served: Served, path: str = "/v1/models", limit_s: float = START_S) -> Served:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{served.tail()}")
        try:
            if httpx.get(served.url + path, timeout=1.0).status_code < 500:
                return served
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    served.kill()
    raise RuntimeError(f"the server did not answer in {limit_s:.0f} s:\n{served.tail()}")


def spawn(command: list[str], log: Path, port: int) -> Served:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1",
           "TRANSFORMERS_VERBOSITY": "error"}
    with open(log, "wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env,
                                   stdin=subprocess.DEVNULL)
    return Served(f"http://127.0.0.1:{port}", process, log)


def transformers_serve(model_dir: Path, log: Path) -> Served:
    """`transformers serve` on model_dir (a local directory, offline), ready."""
    port = free_port()
    code = "import sys; from transformers.cli.transformers import main; sys.exit(main())"
    command = [sys.executable, "-c", code, "serve", str(model_dir), "--host", "127.0.0.1",
               "--port", str(port), "--device", "cpu"]
    return wait_ready(spawn(command, log, port))


def proxy(upstream: str, log: Path, key: str | None = None, delay_s: float = 0.0) -> Served:
    """tests/engines/remote/proxy.py in front of upstream, ready."""
    port = free_port()
    command = [sys.executable, "-m", "tests.engines.remote.proxy", upstream, str(port),
               "--delay", str(delay_s)]
    if key is not None:
        command += ["--key", key]
    return wait_ready(spawn(command, log, port), path="/health")
