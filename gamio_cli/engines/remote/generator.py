"""RemoteGenerator: engine.Generator on a server, over one of three APIs.

completions (POST /v1/completions, the raw AI Dungeon prompt, server-sent events), chat (POST
/v1/chat/completions, the story as a conversation) and ollama (POST /api/generate with raw:
true, newline-delimited JSON). Each turn streams into the same sentence streamer as local
generation; Ctrl-C closes the connection (transport.py). Reproducibility follows the local
generator: with a seed, call n of the session sends seed + n.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gamio_cli.engine import CancelToken, RunStats
from gamio_cli.engines.remote.dialect import PATHS, STOP, Dialect
from gamio_cli.engines.remote.discovery import (
    DEFAULT_CONTEXT,
    estimate_tokens,
    list_models,
    server_window,
    tokenize_count,
)
from gamio_cli.engines.remote.events import APIS, MalformedEvent, ServerSaidError, read_line
from gamio_cli.engines.remote.failures import (
    RemoteFailure,
    malformed_failure,
    server_error_failure,
    status_failure,
)
from gamio_cli.engines.remote.transport import STALL_S, Refused, Transport
from gamio_cli.settings import Settings

# Russian names of the settings a server may ignore, for the one notice the player gets.
SETTING_RU = {"top_k": "top_k", "repetition_penalty": "repetition_penalty",
              "repeat_penalty": "repetition_penalty", "seed": "зерно (--seed)",
              "top_p": "top_p", "stop": "остановка перед действием игрока"}  # fmt: skip
# Token counts kept per session (prompt building counts the same blocks every turn).
COUNT_CACHE = 4096
# Extra tokens a chat template adds around each message, at most (role names, separators).
CHAT_OVERHEAD = 64


class RemoteGenerator:
    """Implements engine.Generator against a server; language: what its narrator writes."""

    # The runner puts more than the latest-actions setting into a big window (prompt.py).
    extends_history = True

    def __init__(self, transport: Transport, model: str, api: str, window: int,
                 counts_tokens: bool, seed: int | None = None, language: str = "en") -> None:
        self.transport = transport
        self.model = model
        self.api = api
        self.language = language
        self.seed = seed
        self.dialect = Dialect()
        self.last_run = RunStats()
        self._window = window
        self._counts_tokens = counts_tokens
        self._counts: dict[str, int] = {}
        self._calls = 0

    @classmethod
    def connect(cls, url: str, model: str | None = None, api: str = "completions",
                context: int | None = None, stall_s: float = STALL_S, seed: int | None = None,
                language: str = "en") -> RemoteGenerator:
        """Ask the server for its models and window; RemoteFailure when it cannot be used."""
        if api not in APIS:
            raise RemoteFailure(f"Неизвестный API «{api}»: выберите completions, chat или ollama.")
        transport = Transport(url, stall_s)
        try:
            models = list_models(transport, api)
        except Refused as refused:
            raise status_failure(refused.status, transport.label, "", []) from None
        chosen = model or (models[0] if models else None)
        if chosen is None:
            raise RemoteFailure(f"Сервер {transport.label} не назвал ни одной модели: укажите "
                                "её в --server-model.")
        if models and chosen not in models:
            raise status_failure(404, transport.label, "", models)
        told = server_window(transport, chosen) if api != "ollama" else None
        counts = api != "ollama" and tokenize_count(transport, chosen, "Hello") is not None
        window = told or context or DEFAULT_CONTEXT
        return cls(transport, chosen, api, window, counts, seed, language)

    @property
    def context_window(self) -> int:
        return self._window

    def count_tokens(self, text: str) -> int:
        if text in self._counts:
            return self._counts[text]
        counted = tokenize_count(self.transport, self.model, text) if self._counts_tokens else None
        count = counted if counted is not None else estimate_tokens(text)
        if self.api == "chat":
            count += text.count("\n>") * CHAT_OVERHEAD // 4  # each action is a message of its own
        if len(self._counts) >= COUNT_CACHE:
            self._counts.clear()
        self._counts[text] = count
        return count

    def set_notice(self, on_notice: Callable[[str], None]) -> None:
        """Where the player's notices go (the 429 wait, the ignored settings)."""
        self.transport.on_notice = on_notice

    def close(self) -> None:
        self.transport.close()

    def generate(self, prompt: str, settings: Settings, cancel: CancelToken | None = None,
                 on_text: Callable[[str], None] | None = None) -> str:
        """The raw continuation; RemoteFailure names what went wrong, Cancelled on Ctrl-C."""
        seed = None if self.seed is None else self.seed + self._calls
        self._calls += 1
        self.last_run = RunStats(prompt_tokens=self.count_tokens(prompt))
        for _ in range(len(SETTING_RU) + 1):
            body = self.dialect.body(self.api, self.model, prompt, settings, seed,
                                     self._window, self.language)
            try:
                return self._stream(body, cancel, on_text)
            except Refused as refused:
                self._judge(refused)
        raise status_failure(422, self.transport.label, "", [])

    def _judge(self, refused: Refused) -> None:
        """A refusal that names optional fields drops them (told once); anything else fails."""
        if refused.status in (400, 422):
            dropped = self.dialect.learn(refused.body)
            if dropped:
                names = sorted({SETTING_RU[name] for name in dropped})
                self.transport.on_notice(f"Этот сервер не принимает настройки: {', '.join(names)}"
                                         " — они не действуют, пока он рассказывает.")
                return
        models = list_models(self.transport, self.api) if refused.status == 404 else []
        raise status_failure(refused.status, self.transport.label, _detail(refused.body), models)

    def _stream(self, body: dict[str, Any], cancel: CancelToken | None,
                on_text: Callable[[str], None] | None) -> str:
        text, done = "", False
        try:
            for line in self.transport.stream_lines(PATHS[self.api], body, cancel):
                piece = read_line(line, self.api)
                if piece is None:
                    continue
                if piece.text:
                    text += piece.text
                    self.last_run.token_times.append(_now())
                    if on_text is not None:
                        on_text(text)
                if piece.done or STOP in text:
                    done = True
                    break
        except MalformedEvent as error:
            raise malformed_failure(self.transport.label, str(error)) from None
        except ServerSaidError as error:
            raise server_error_failure(self.transport.label, str(error)) from None
        if not done:  # the stream ended without the API's end mark: cut mid-turn
            raise RemoteFailure(f"Связь с сервером {self.transport.label} оборвалась посреди "
                                "ответа. Ход отменён; попробуйте ещё раз.")
        return text


def _detail(body: str) -> str:
    """The server's own message from an error body (JSON {"error": ...} or {"detail": ...})."""
    import json

    try:
        data = json.loads(body)
    except ValueError:
        return body[:160]
    if isinstance(data, dict):
        error = data.get("error", data.get("detail", ""))
        if isinstance(error, dict):
            error = error.get("message", "")
        return str(error)[:160]
    return ""


def _now() -> float:
    import time

    return time.perf_counter()
