"""A custom world's two questions about the hero, in a terminal; defaults from a pipe."""

from __future__ import annotations

import pytest

from gamio_cli.story import Address, Gender, Hero
from gamio_cli.terminal.launch import PlayOptions, start_story
from gamio_cli.terminal.newgame import ADDRESS_PROMPT, GENDER_PROMPT, choose_world
from tests.scripted import Screen, scripted_runner

OPENING = "Ты рыцарь в старом замке."


@pytest.mark.parametrize(
    ("answers", "hero"),
    [(["", ""], Hero()), (["вы", "ж"], Hero(Address.VY, Gender.FEMALE)),
     (["Ты", "м"], Hero(Address.TY, Gender.MALE)),
     (["на вы", ""], Hero(Address.VY, Gender.UNKNOWN))],
)  # fmt: skip
def test_a_custom_world_asks_about_the_hero(answers: list[str], hero: Hero) -> None:
    screen = Screen(["5", OPENING, *answers], interactive=True)
    choice = choose_world(screen.io)
    assert choice.hero == hero
    assert ADDRESS_PROMPT in screen.text and GENDER_PROMPT in screen.text
    options = PlayOptions(True, None, None, "", "", "", "cpu", None, None, False)
    story = start_story(scripted_runner(), choice, options, screen.io)  # type: ignore[arg-type]
    assert story.hero == hero


def test_a_wrong_answer_is_asked_again() -> None:
    screen = Screen(["5", OPENING, "он", "вы", "оно", "ж"], interactive=True)
    assert choose_world(screen.io).hero == Hero(Address.VY, Gender.FEMALE)
    assert "Ответьте «ты» или «вы»" in screen.errors and "Ответьте «м» или «ж»" in screen.errors


def test_from_a_pipe_the_defaults_are_taken_and_nothing_more_is_read() -> None:
    screen = Screen(["5", OPENING, "открываю дверь"])
    choice = choose_world(screen.io)
    assert choice.hero == Hero()
    assert screen.io.read_line("› ") == "открываю дверь"  # the first action is still there


def test_a_shipped_world_asks_nothing() -> None:
    screen = Screen(["1"], interactive=True)
    assert choose_world(screen.io).key == "fantasy"
    assert ADDRESS_PROMPT not in screen.text
