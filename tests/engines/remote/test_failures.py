"""Failures no real server shows on cue, each one Russian line with the remedy: 429 waits,
5xx, a malformed event, the server's own error in the stream, a stall, a stream cut short;
and the network's own: refused, unknown host, TLS. The scripted server is fakes.py; the same
paths run against the real server in test_served.py."""

from __future__ import annotations

import socket
import time

import pytest

from gamio_cli.engines.remote.failures import RemoteFailure
from gamio_cli.engines.remote.generator import RemoteGenerator
from gamio_cli.engines.remote.transport import base_url, retry_after, server_label
from gamio_cli.settings import Settings
from tests.engines.remote.fakes import Handler, answer, fake_server, sse, stream

PROMPT = "A hall.\n> You wait.\n"


def play(url: str, notices: list[str] | None = None, stall_s: float = 60.0) -> str:
    generator = RemoteGenerator.connect(url, stall_s=stall_s)
    generator.set_notice((notices if notices is not None else []).append)
    return generator.generate(PROMPT, Settings(), None, None)


def failure_of(url: str, stall_s: float = 60.0) -> str:
    with pytest.raises(RemoteFailure) as failure:
        play(url, stall_s=stall_s)
    message = failure.value.message
    assert "\n" not in message and "Traceback" not in message
    return message


def test_a_good_stream_and_what_was_sent() -> None:
    with fake_server({"/v1/completions": lambda h: stream(h, sse("Rain", " falls."))}) as (
            url, bodies):
        assert play(url) == "Rain falls."
    sent = bodies[-1]
    assert sent["prompt"] == PROMPT and sent["stream"] is True and sent["stop"] == ["\n>"]
    assert sent["repetition_penalty"] == sent["repeat_penalty"] == Settings().repetition_penalty
    assert sent["top_k"] == 40 and "seed" not in sent  # no --seed, no seed


def test_429_waits_as_told_then_goes_on() -> None:
    calls: list[float] = []

    def busy_once(handler: Handler) -> None:
        calls.append(time.monotonic())
        if len(calls) == 1:
            answer(handler, 429, {"error": "slow down"}, {"Retry-After": "0.3"})
        else:
            stream(handler, sse("Rain falls."))

    notices: list[str] = []
    with fake_server({"/v1/completions": busy_once}) as (url, _):
        assert play(url, notices) == "Rain falls."
    assert calls[1] - calls[0] >= 0.3 and len(notices) == 1 and "429" in notices[0]


def test_429_gives_up_after_two_waits() -> None:
    calls: list[int] = []

    def always_busy(handler: Handler) -> None:
        calls.append(1)
        answer(handler, 429, {"error": "slow down"}, {"Retry-After": "0"})

    with fake_server({"/v1/completions": always_busy}) as (url, _):
        assert "HTTP 429" in failure_of(url)
    assert len(calls) == 3  # the first try and two waits, never forever


def test_5xx_names_the_servers_message() -> None:
    with fake_server({"/v1/completions": lambda h: answer(h, 503, {"error": {"message":
                                                                            "overloaded"}})}
                     ) as (url, _):
        message = failure_of(url)
    assert "HTTP 503" in message and "overloaded" in message


def test_malformed_event_and_error_event() -> None:
    with fake_server({"/v1/completions": lambda h: stream(h, [b"data: {not json\n\n"])}) as (
            url, _):
        assert "непонятный ответ" in failure_of(url)
    error_event = [b'data: {"error": {"message": "CUDA out of memory"}}\n\n']
    with fake_server({"/v1/completions": lambda h: stream(h, error_event)}) as (url, _):
        assert "CUDA out of memory" in failure_of(url)


def test_stream_cut_short() -> None:
    with fake_server({"/v1/completions": lambda h: stream(h, sse("Rain", done=False),
                                                          end=False)}) as (url, _):
        assert "оборвалась посреди ответа" in failure_of(url)


def test_a_stall_fails_after_the_limit() -> None:
    def silent(handler: Handler) -> None:
        stream(handler, [b": keep\n\n"], end=False)  # headers and one byte, then nothing
        time.sleep(3)

    with fake_server({"/v1/completions": silent}) as (url, _):
        started = time.monotonic()
        message = failure_of(url, stall_s=1.0)
    assert "1 с без единого байта" in message and "--server-stall" in message
    assert time.monotonic() - started < 2.5


def test_refused_unknown_host_and_tls() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert "не принимает соединение" in connect_failure(f"http://127.0.0.1:{port}")
    assert "Неизвестный адрес" in connect_failure("http://no-such-host.invalid:8080")
    with fake_server({}) as (url, _):  # plain HTTP spoken to with TLS
        assert "TLS" in connect_failure(url.replace("http://", "https://"))


def connect_failure(url: str) -> str:
    with pytest.raises(RemoteFailure) as failure:
        RemoteGenerator.connect(url)
    return failure.value.message


def test_messages_name_the_server_without_credentials() -> None:
    assert server_label("https://user:secret@example.org:8443/v1?key=k") == \
        "https://example.org:8443"
    assert retry_after("2") == 2.0 and retry_after(None) == 1.0 and retry_after("soon") == 1.0
    assert retry_after("86400") == 30.0  # never waits for long


def test_an_address_ending_in_v1_and_a_gateway_path() -> None:
    assert base_url("http://127.0.0.1:8080/v1/") == "http://127.0.0.1:8080"
    assert base_url("https://openrouter.ai/api/v1") == "https://openrouter.ai/api"
    with fake_server({"/v1/completions": lambda h: stream(h, sse("Rain falls."))}) as (url, _):
        assert play(url + "/v1") == "Rain falls."
