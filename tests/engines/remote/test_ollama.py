"""Ollama's own API (POST /api/generate, raw, newline-delimited JSON) at the HTTP level only,
against fakes.py: there is no Ollama binary here (it is not on PyPI). What is checked is the
request Ollama documents and the stream it sends back."""

from __future__ import annotations

import json

from gamio_cli.engines.remote.generator import RemoteGenerator
from gamio_cli.settings import Settings
from tests.engines.remote.fakes import Handler, answer, fake_server, stream


def ndjson(*texts: str) -> list[bytes]:
    lines = [{"model": "saiga", "response": text, "done": False} for text in texts]
    lines.append({"model": "saiga", "response": "", "done": True})
    return [json.dumps(line).encode("utf-8") + b"\n" for line in lines]


def tags(handler: Handler) -> None:
    answer(handler, 200, {"models": [{"name": "saiga:8b"}, {"name": "llama3:8b"}]})


def test_ollama_generate_raw_with_options() -> None:
    routes = {"/api/tags": tags, "/api/generate": lambda h: stream(h, ndjson("Дождь", " идёт."))}
    with fake_server(routes) as (url, bodies):
        generator = RemoteGenerator.connect(url, api="ollama", context=8192, seed=7)
        seen: list[str] = []
        assert generator.generate("Зал.\n> Вы ждёте.\n", Settings(), None, seen.append) == \
            "Дождь идёт."
    assert generator.model == "saiga:8b" and generator.context_window == 8192
    sent = bodies[-1]
    assert sent["raw"] is True and sent["stream"] is True and sent["model"] == "saiga:8b"
    options = sent["options"]
    assert options["top_k"] == 40 and options["repeat_penalty"] == 1.2  # kept, unlike its /v1
    assert options["num_predict"] == 55 and options["num_ctx"] == 8192 and options["seed"] == 7
    assert seen == ["Дождь", "Дождь идёт."]


def test_ollama_error_line() -> None:
    error = [b'{"error": "model \\"saiga\\" not found, try pulling it first"}\n']
    routes = {"/api/tags": tags, "/api/generate": lambda h: stream(h, error)}
    with fake_server(routes) as (url, _):
        generator = RemoteGenerator.connect(url, api="ollama")
        try:
            generator.generate("x", Settings())
        except Exception as failure:
            assert "try pulling it first" in str(failure)
        else:
            raise AssertionError("no failure")
