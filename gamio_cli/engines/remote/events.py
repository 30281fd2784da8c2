"""What a streaming server sends, read into text pieces (pure functions, no network).

OpenAI-compatible servers stream server-sent events: `data: {json}` lines, a blank line
between events, `data: [DONE]` at the end. Ollama's /api/generate streams one JSON object a
line instead. A piece of text comes from `choices[0].text` (completions),
`choices[0].delta.content` (chat) or `response` (Ollama).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

APIS = ("completions", "chat", "ollama")


class MalformedEvent(ValueError):
    """A streamed line that is not what the API promises; str(error) says what it was."""


@dataclass(frozen=True)
class Piece:
    """One streamed event: its text (may be empty) and whether the stream says it is done."""

    text: str
    done: bool = False


def _decode(payload: str) -> Any:
    try:
        return json.loads(payload)
    except json.JSONDecodeError:
        raise MalformedEvent(f"not JSON: {payload[:80]!r}") from None


def _error_text(data: Any) -> str | None:
    """The server's own error message inside a stream, if the event is one."""
    if isinstance(data, dict) and "error" in data:
        error = data["error"]
        if isinstance(error, dict):
            return str(error.get("message", error))
        return str(error)
    return None


def _choice_text(data: Any, api: str) -> Piece:
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list):
        raise MalformedEvent("an event without choices")
    if not choices:  # usage-only events (stream_options) carry no choice
        return Piece("")
    choice = choices[0]
    if not isinstance(choice, dict):
        raise MalformedEvent("a choice that is not an object")
    if api == "chat":
        delta = choice.get("delta") or {}
        text = delta.get("content") if isinstance(delta, dict) else None
    else:
        text = choice.get("text")
    if text is not None and not isinstance(text, str):
        raise MalformedEvent("a text that is not a string")
    return Piece(text or "", choice.get("finish_reason") is not None)


class ServerSaidError(Exception):
    """The stream carried the server's own error message (str(error))."""


def read_line(line: str, api: str) -> Piece | None:
    """One streamed line -> a Piece, or None for lines that carry nothing (comments, blanks,
    `event:` names). Raises MalformedEvent or ServerSaidError."""
    line = line.strip()
    if not line:
        return None
    if api == "ollama":
        data = _decode(line)
        if (message := _error_text(data)) is not None:
            raise ServerSaidError(message)
        if not isinstance(data, dict) or not isinstance(data.get("response", ""), str):
            raise MalformedEvent("an Ollama line without a response string")
        return Piece(str(data.get("response", "")), bool(data.get("done")))
    if line.startswith(":") or not line.startswith("data:"):
        return None  # an SSE comment (keep-alive) or a field we do not use
    payload = line[len("data:"):].strip()
    if payload == "[DONE]":
        return Piece("", True)
    data = _decode(payload)
    if (message := _error_text(data)) is not None:
        raise ServerSaidError(message)
    return _choice_text(data, api)
