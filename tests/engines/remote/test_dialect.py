"""Request bodies of the three APIs, and the fields a server refused."""

from __future__ import annotations

from gamio_cli.engines.remote.dialect import OPTIONAL, Dialect
from gamio_cli.settings import Settings

PROMPT = "A hall.\n> You open the door.\nIt creaks.\n> You wait.\n"


def test_learns_from_transformers_serve_and_openai_refusals() -> None:
    dialect = Dialect()
    assert dialect.learn("Unexpected fields in the request: {'top_k'}") == ["top_k"]
    assert dialect.learn("Unexpected fields in the request: {'top_k'}") == []  # known already
    assert dialect.learn("Unrecognized request argument supplied: repetition_penalty") == [
        "repetition_penalty"]
    assert dialect.learn("model is required") == []  # names nothing optional: not a dialect
    body = dialect.body("completions", "m", PROMPT, Settings(), 3, 4096, "en")
    assert "top_k" not in body and "repetition_penalty" not in body
    assert body["repeat_penalty"] == 1.2 and body["seed"] == 3


def test_only_optional_fields_are_ever_dropped() -> None:
    dialect = Dialect()
    dialect.learn(" ".join(["model", "prompt", "max_tokens", "stream", *OPTIONAL]))
    body = dialect.body("completions", "m", PROMPT, Settings(), 1, 4096, "en")
    assert set(body) == {"model", "prompt", "max_tokens", "temperature", "stream"}


def test_chat_body_is_a_conversation() -> None:
    body = Dialect().body("chat", "m", PROMPT, Settings(), None, 4096, "ru")
    roles = [message["role"] for message in body["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    assert "prompt" not in body and "seed" not in body and body["stop"] == ["\n>"]


def test_ollama_body_keeps_its_options() -> None:
    dialect = Dialect()
    dialect.learn("top_k")  # a refusal learned on another API does not touch its own options
    body = dialect.body("ollama", "saiga", PROMPT, Settings(), None, 2048, "en")
    assert body["raw"] is True and body["prompt"] == PROMPT
    assert body["options"]["num_ctx"] == 2048 and "seed" not in body["options"]
