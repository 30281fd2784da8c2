"""Mode parsing and the English action line: table tests plus properties of the parser."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamio_cli.story import Mode
from gamio_cli.turn.actions import (
    action_line_en,
    ensure_final_stop,
    parse_action,
    to_second_person,
)


@pytest.mark.parametrize(
    ("raw", "mode", "text"),
    [
        ("открываю дверь", Mode.DO, "открываю дверь"),
        ("  Открой дверь  ", Mode.DO, "Открой дверь"),
        ("я беру меч", Mode.DO, "я беру меч"),
        ("«Привет»", Mode.SAY, "Привет"),
        ('"Привет"', Mode.SAY, "Привет"),
        ("— Привет", Mode.SAY, "Привет"),
        ("- Привет!", Mode.SAY, "Привет!"),
        ("„Кто здесь?“", Mode.SAY, "Кто здесь?"),
        ("!Начинается гроза.", Mode.STORY, "Начинается гроза."),
        ("! Начинается гроза", Mode.STORY, "Начинается гроза"),
        ("", Mode.CONTINUE, ""),
        ("   \t ", Mode.CONTINUE, ""),
        ("!", Mode.CONTINUE, ""),
        ("«»", Mode.CONTINUE, ""),
    ],
)
def test_parse_action(raw: str, mode: Mode, text: str) -> None:
    assert parse_action(raw) == (mode, text)


@pytest.mark.parametrize(
    ("english", "line"),
    [
        ("I open the door.", "You open the door."),
        ("I open the door", "You open the door."),
        ("Open the door.", "You open the door."),
        ("I take the sword.", "You take the sword."),
        ("I'm tired.", "You're tired."),
        ("I've got a lamp", "You've got a lamp."),
        ("I'll wait here.", "You'll wait here."),
        ("Then I open my bag.", "Then you open your bag."),
        ("I was there. I go home.", "You were there. You go home."),
        ("I look at myself in the mirror.", "You look at yourself in the mirror."),
        ("You open the door.", "You open the door."),
        ("You you go.", "You go."),
        ("you run!", "You run!"),
        ('I say "I am here"', 'You say "I am here."'),
        ('I shout "Give me my sword!"', 'You shout "Give me my sword!"'),
        ("Go north?", "You go north?"),
        ("", ""),
    ],
)
def test_to_second_person(english: str, line: str) -> None:
    assert to_second_person(english) == line


@pytest.mark.parametrize(
    ("mode", "translated", "line"),
    [
        (Mode.DO, "I open the door.", "You open the door."),
        (Mode.SAY, "Hello.", 'You say "Hello."'),
        (Mode.SAY, "Hello", 'You say "Hello."'),
        (Mode.SAY, "Who's there?", 'You say "Who\'s there?"'),
        (Mode.STORY, "A storm begins", "A storm begins."),
        (Mode.STORY, "I am a storm.", "I am a storm."),
        (Mode.CONTINUE, "", ""),
    ],
)
def test_action_line_en(mode: Mode, translated: str, line: str) -> None:
    assert action_line_en(mode, translated) == line


@pytest.mark.parametrize(
    ("text", "stopped"),
    [("Go", "Go."), ("Go.", "Go."), ("Go!", "Go!"), ("Go…", "Go…"), ('"Go"', '"Go."'), ("", "")],
)
def test_ensure_final_stop(text: str, stopped: str) -> None:
    assert ensure_final_stop(text) == stopped


@given(st.text())
def test_parser_never_raises_and_keeps_text(raw: str) -> None:
    mode, text = parse_action(raw)
    assert isinstance(mode, Mode)
    assert (mode is Mode.CONTINUE) == (text == "")
    assert text in raw


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_second_person_never_raises_and_never_doubles_you(english: str) -> None:
    line = to_second_person(english)
    assert not line.lower().startswith("you you ")
    if english.strip():
        assert line.strip() != ""
