"""The model facade's narrator choices: which language it writes, which models then run here,
and the server's report for `gamio doctor` (against the scripted server of the remote tests;
the real server: tests/engines/remote/)."""

from __future__ import annotations

import socket

from gamio_cli.model import ModelConfig, ServerConfig, server_report
from tests.engines.remote.fakes import fake_server


def test_the_catalogue_says_which_narrators_write_russian() -> None:
    assert ModelConfig(generator="0x7194633/gameGPT-medium").language() == "ru"
    assert ModelConfig(generator="gamegpt-large").language() == "ru"  # a short name too
    assert ModelConfig(generator="openai-community/gpt2-xl").language() == "en"
    assert ModelConfig(generator="someone/unknown-model").language() == "en"  # not listed


def test_language_and_the_local_models() -> None:
    local = ModelConfig()
    assert local.language() == "en" and len(local.local_specs()) == 3
    russian = ModelConfig(generator="0x7194633/gameGPT-small")
    assert russian.language() == "ru"  # auto: a known Russian model
    assert [spec.model_id for spec in russian.local_specs()] == ["0x7194633/gameGPT-small"]
    assert ModelConfig(generator="0x7194633/gameGPT-small", narrator_language="en").language() \
        == "en"
    server = ModelConfig(server=ServerConfig("http://x"))
    assert server.language() == "en" and len(server.local_specs()) == 2  # translators only
    assert server.language("0x7194633/gameGPT-large") == "ru"  # the server's model, once known
    ru_server = ModelConfig(server=ServerConfig("http://x"), narrator_language="ru")
    assert ru_server.local_specs() == []  # nothing downloaded or loaded here


def test_server_report_lines() -> None:
    assert server_report(ModelConfig()) == ([], True)
    with fake_server({}) as (url, _):
        lines, answered = server_report(ModelConfig(server=ServerConfig(url)))
    assert answered
    assert lines[0].endswith("доступен, API completions.") and "fake-model" in lines[1]
    assert "4096" in lines[2] and "оценка" in lines[3]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead, answered = server_report(ModelConfig(server=ServerConfig(f"http://127.0.0.1:{port}")))
    assert not answered and len(dead) == 1 and "недоступен" in dead[0]
