"""What the server tells about itself: its models, its window, whether it counts tokens; and
the report `gamio doctor` shows (plain data, no key in it).

Windows: llama.cpp's /props (n_ctx), vLLM's max_model_len in /v1/models; otherwise the
player's --server-context. Token counts: /tokenize where the server has one (llama.cpp,
vLLM); otherwise an estimate that never undercounts (see estimate_tokens).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gamio_cli.engines.remote.failures import RemoteFailure
from gamio_cli.engines.remote.transport import Refused, Transport

# The window assumed when the server does not say, in tokens.
DEFAULT_CONTEXT = 4096


def estimate_tokens(text: str) -> int:
    """An upper bound on any byte-level or SentencePiece tokenizer's count: each token covers
    at least one byte of the UTF-8 text (plus one for a start token)."""
    return len(text.encode("utf-8")) + 1


def list_models(transport: Transport, api: str) -> list[str]:
    """The model names the server lists ([] when it lists none or refuses to)."""
    try:
        if api == "ollama":
            data = transport.get_json("/api/tags")
            return [str(m.get("name")) for m in _items(data, "models") if m.get("name")]
        data = transport.get_json("/v1/models")
    except Refused as refused:
        if refused.status in (401, 403):
            raise
        return []
    return [str(m.get("id")) for m in _items(data, "data") if m.get("id")]


def _items(data: Any, key: str) -> list[dict[str, Any]]:
    items = data.get(key) if isinstance(data, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def server_window(transport: Transport, model: str) -> int | None:
    """The model's window as the server states it, or None."""
    try:
        data = transport.get_json("/v1/models")
        for item in _items(data, "data"):
            if item.get("id") == model and isinstance(item.get("max_model_len"), int):
                return int(item["max_model_len"])
    except (Refused, RemoteFailure):
        pass
    try:
        props = transport.get_json("/props")
    except (Refused, RemoteFailure):
        return None
    if not isinstance(props, dict):
        return None
    settings = props.get("default_generation_settings")
    for place in (settings if isinstance(settings, dict) else {}, props):
        if isinstance(place.get("n_ctx"), int) and place["n_ctx"] > 0:
            return int(place["n_ctx"])
    return None


def tokenize_count(transport: Transport, model: str, text: str) -> int | None:
    """The server's own count of text's tokens, or None when it has no /tokenize."""
    try:
        # llama.cpp reads "content", vLLM "prompt" (and "model"); each ignores the other's.
        data = transport.post_json("/tokenize", {"content": text, "prompt": text,
                                                 "model": model})
    except (Refused, RemoteFailure):
        return None
    if isinstance(data, dict) and isinstance(data.get("count"), int):
        return int(data["count"])
    if isinstance(data, dict) and isinstance(data.get("tokens"), list):
        return len(data["tokens"])
    return None


@dataclass(frozen=True)
class ServerReport:
    """What `gamio doctor` says about the server."""

    server: str  # scheme://host:port, no key
    api: str
    reachable: bool
    models: tuple[str, ...] = ()
    window: int | None = None  # as the server states it; None: --server-context applies
    counts_tokens: bool = False
    problem: str = ""  # the Russian line of what failed

    def lines(self) -> list[str]:
        """The report in Russian, a line each."""
        if not self.reachable:
            return [f"Сервер {self.server}: недоступен. {self.problem}".rstrip()]
        window = f"{self.window} токенов" if self.window else (
            f"сервер не сообщает (берётся --server-context, по умолчанию {DEFAULT_CONTEXT})")
        return [
            f"Сервер {self.server}: доступен, API {self.api}.",
            f"Модели: {', '.join(self.models) if self.models else 'сервер не перечисляет'}.",
            f"Окно модели: {window}.",
            "Токены считает сервер (/tokenize)." if self.counts_tokens
            else "Токены: оценка с запасом (у сервера нет /tokenize).",
        ]


def server_report(url: str, api: str = "completions", model: str | None = None) -> ServerReport:
    """Ask the server what it is; never raises for the server's failures."""
    transport = Transport(url)
    try:
        models = list_models(transport, api)
        chosen = model or (models[0] if models else "")
        window = server_window(transport, chosen) if api != "ollama" else None
        counts = api != "ollama" and tokenize_count(transport, chosen, "Hello") is not None
        return ServerReport(transport.label, api, True, tuple(models), window, counts)
    except RemoteFailure as failure:
        return ServerReport(transport.label, api, False, problem=failure.message)
    except Refused as refused:
        return ServerReport(transport.label, api, False,
                            problem=f"Сервер ответил HTTP {refused.status}: проверьте ключ.")
    finally:
        transport.close()
