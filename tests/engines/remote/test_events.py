"""Streamed lines read into text pieces: every API's shape, what carries nothing, what is
malformed; any text survives being sent as an event (property test)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamio_cli.engines.remote.events import MalformedEvent, Piece, ServerSaidError, read_line


def event(data: object) -> str:
    return "data: " + json.dumps(data, ensure_ascii=False)


@given(st.text())
def test_any_text_round_trips_in_each_api(text: str) -> None:
    completion = event({"choices": [{"index": 0, "text": text}]})
    chat = event({"choices": [{"index": 0, "delta": {"content": text}}]})
    ollama = json.dumps({"response": text, "done": False})
    assert read_line(completion, "completions") == Piece(text)
    assert read_line(chat, "chat") == Piece(text)
    assert read_line(ollama, "ollama") == Piece(text)


def test_ends_and_lines_that_carry_nothing() -> None:
    assert read_line("data: [DONE]", "completions") == Piece("", True)
    finished = event({"choices": [{"text": "", "finish_reason": "stop"}]})
    assert read_line(finished, "completions") == Piece("", True)
    assert read_line('{"response": "", "done": true}', "ollama") == Piece("", True)
    for nothing in ("", "   ", ": keep-alive", "event: message", "id: 3"):
        assert read_line(nothing, "completions") is None
    assert read_line(event({"choices": []}), "chat") == Piece("")  # a usage-only event
    role_only = event({"choices": [{"delta": {"role": "assistant"}}]})
    assert read_line(role_only, "chat") == Piece("")


@pytest.mark.parametrize("line, api", [
    ("data: {not json", "completions"),
    (event({"object": "text_completion"}), "completions"),
    (event({"choices": ["text"]}), "completions"),
    (event({"choices": [{"text": 5}]}), "completions"),
    ("not json", "ollama"),
    ('{"response": 5}', "ollama"),
])  # fmt: skip
def test_malformed(line: str, api: str) -> None:
    with pytest.raises(MalformedEvent):
        read_line(line, api)


def test_the_servers_own_error_in_the_stream() -> None:
    with pytest.raises(ServerSaidError, match="out of memory"):
        read_line(event({"error": {"message": "out of memory"}}), "chat")
    with pytest.raises(ServerSaidError, match="not found"):
        read_line('{"error": "model not found"}', "ollama")
