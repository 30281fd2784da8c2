"""Cleaning the generator's raw text: table tests for each rule, and loop detection."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamio_cli.turn.postprocess import (
    clean_continuation,
    cut_at_action,
    fix_quotes,
    is_loop,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("The door creaks open. A dragon sleeps inside.\n> You take", "The door creaks open. A dragon sleeps inside."),
        (" The door opens. The dra", "The door opens."),
        ("It is dark.\n\nVery dark.", "It is dark. Very dark."),
        ("> You go north.\nThe road.", ""),
        ("no sentence end here", ""),
        ('He says "Run now. The', 'He says "Run now."'),
        ('He says "Run now!', 'He says "Run now!"'),
        ('He nods. He says "Run', "He nods."),
        ('"Hello," he says. "Come in."', '"Hello," he says. "Come in."'),
        ("<|endoftext|>The end. [note] It is **dark**.", "The end. It is dark."),
        ("<b>Bold</b> move.", "Bold move."),
        ("Mr. Smith waves. He le", "Mr. Smith waves."),
        ("What? Who is there…", "What? Who is there…"),
        ("The \x1b[2Jdoor \x1b]0;pwned\x07opens.\x07", "The door opens."),
    ],
)
def test_clean_continuation(raw: str, clean: str) -> None:
    assert clean_continuation(raw) == clean


@pytest.mark.parametrize(
    ("raw", "cut"),
    [
        ("A.\n> B", "A."),
        ("A.\n  > B", "A."),
        ("A > B.", "A > B."),
        ("> B", ""),
        ("A.", "A."),
    ],
)
def test_cut_at_action(raw: str, cut: str) -> None:
    assert cut_at_action(raw) == cut


def test_fix_quotes_russian() -> None:
    assert fix_quotes("Он говорит: «Беги.") == "Он говорит: «Беги.»"
    assert fix_quotes("Он кивает. Он говорит: «Беги") == "Он кивает."


def test_loops_are_detected() -> None:
    assert is_loop("The door creaks open.", ["The door creaks open!"])
    assert is_loop("the door creaks open", ["A cat.", "The door creaks open."])
    assert not is_loop("A cat sleeps.", ["The door creaks open."])
    assert not is_loop("Anything.", [])
    assert not is_loop("Anything.", [""])


@given(st.text(max_size=300))
def test_clean_never_raises_and_never_keeps_an_action_line(raw: str) -> None:
    clean = clean_continuation(raw)
    assert "\n" not in clean and "\x1b" not in clean
    assert clean == clean.strip()
    assert clean.count('"') % 2 == 0
