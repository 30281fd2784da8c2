"""Every way a server can fail, as one Russian line with the remedy (the story is untouched).

The API key never appears in a message: messages name the server by its address only.
"""

from __future__ import annotations

import ssl
from typing import Any

from gamio_cli.errors import GamioError

# Environment variables the key is read from, the first one set wins.
KEY_VARIABLES = ("GAMIO_API_KEY", "OPENAI_API_KEY")


class RemoteFailure(GamioError):
    """The server could not write this turn; the message says why and what to do."""


def _reason(error: BaseException) -> str:
    """The innermost cause's text, for telling refused from unknown host."""
    texts = []
    current: BaseException | None = error
    while current is not None:
        texts.append(str(current).lower())
        current = current.__cause__ or current.__context__
    return " ".join(texts)


def transport_failure(error: Any, server: str, stall_s: float) -> RemoteFailure:
    """An httpx.TransportError (or an OSError under it) as the player's line."""
    import httpx

    reason = _reason(error)
    if isinstance(error, httpx.ConnectTimeout):
        return RemoteFailure(f"Сервер {server} не ответил за 5 с. Проверьте адрес и сеть "
                             "(--server).")
    if isinstance(error, httpx.ReadTimeout):
        return RemoteFailure(
            f"Сервер {server} замолчал: {stall_s:g} с без единого байта. Ход отменён; "
            "проверьте, не перегружен ли сервер, или увеличьте --server-stall."
        )
    if isinstance(error, httpx.ConnectError):
        if isinstance(error.__cause__, ssl.SSLError) or "ssl" in reason or "certificate" in reason:
            return RemoteFailure(f"Ошибка TLS при связи с {server}: сертификат не принят. "
                                 "Проверьте адрес (http или https) и сертификат сервера.")
        if "name or service" in reason or "nodename" in reason or "getaddrinfo" in reason \
                or "name resolution" in reason:
            return RemoteFailure(f"Неизвестный адрес сервера {server}: такого имени нет. "
                                 "Проверьте --server.")
        return RemoteFailure(f"Сервер {server} не принимает соединение. Запустите сервер "
                             "или проверьте адрес и порт в --server.")
    if isinstance(error, (httpx.RemoteProtocolError, httpx.ReadError)):
        return RemoteFailure(f"Связь с сервером {server} оборвалась посреди ответа. Ход "
                             "отменён; попробуйте ещё раз.")
    return RemoteFailure(f"Не удалось связаться с сервером {server}. Проверьте адрес и сеть.")


def status_failure(status: int, server: str, detail: str, models: list[str]) -> RemoteFailure:
    """An HTTP error status as the player's line; models: what the server lists (for 404)."""
    if status in (401, 403):
        return RemoteFailure(
            f"Сервер {server} не принял ключ (HTTP {status}). Задайте верный ключ в переменной "
            "окружения GAMIO_API_KEY (или OPENAI_API_KEY)."
        )
    if status == 404:
        listed = ", ".join(models[:8]) if models else "сервер не перечисляет моделей"
        return RemoteFailure(f"Сервер {server} не знает этой модели или адреса (HTTP 404). "
                             f"Модели сервера: {listed}. Укажите одну в --server-model.")
    if status == 429:
        return RemoteFailure(f"Сервер {server} просит подождать (HTTP 429), и ожидание не "
                             "помогло. Попробуйте позже.")
    if status >= 500:
        return RemoteFailure(f"Ошибка на сервере {server} (HTTP {status}){_said(detail)}. "
                             "Ход отменён; попробуйте ещё раз или загляните в журнал сервера.")
    return RemoteFailure(f"Сервер {server} отклонил запрос (HTTP {status}){_said(detail)}. "
                         "Проверьте --server-api и --server-model.")


def _said(detail: str) -> str:
    detail = " ".join(detail.split())[:160]
    return f": «{detail}»" if detail else ""


def malformed_failure(server: str, what: str) -> RemoteFailure:
    return RemoteFailure(f"Сервер {server} прислал непонятный ответ ({what}). Проверьте "
                         "--server-api: completions, chat или ollama.")


def server_error_failure(server: str, message: str) -> RemoteFailure:
    return RemoteFailure(f"Сервер {server} сообщил об ошибке{_said(message)}. Ход отменён.")
