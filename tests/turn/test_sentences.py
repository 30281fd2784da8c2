"""Sentence splitting shared by translation, the continuation cut and streaming."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamio_cli.turn.sentences import complete_part, split_sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("The door opens. A dragon sleeps.", ["The door opens.", "A dragon sleeps."]),
        ('"Hello!" he says. Then he leaves', ['"Hello!" he says.', "Then he leaves"]),
        ("Mr. Smith waves. Dr. Who nods.", ["Mr. Smith waves.", "Dr. Who nods."]),
        ("Дверь открывается. Внутри спит дракон!", ["Дверь открывается.", "Внутри спит дракон!"]),
        ("«Беги!» — кричит он. Ты бежишь…", ["«Беги!» — кричит он.", "Ты бежишь…"]),
        ("What?! No.", ["What?!", "No."]),
        ("", []),
        ("   ", []),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_complete_part() -> None:
    assert complete_part("The door creaks open. A dragon sle") == "The door creaks open."
    assert complete_part("No end") == ""
    assert complete_part("Т.е. всё. Ну и") == "Т.е. всё."


@given(st.text(max_size=200))
def test_split_loses_no_words(text: str) -> None:
    assert " ".join(split_sentences(text)).split() == text.split()
