"""The hero: shipped worlds set it from the name, and the words for it parse both ways."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamio_cli.story import Address, Gender, Hero
from gamio_cli.world.heroes import describe_hero, parse_address, parse_gender, parse_hero
from gamio_cli.world.morph import analyzer
from gamio_cli.world.names import FEMALE_NAMES, MALE_NAMES, name_gender
from gamio_cli.world.scenarios import SCENARIOS, Scenario, new_story


@pytest.mark.parametrize(("name", "gender"), [(ru, "masc") for ru, _ in MALE_NAMES]
                         + [(ru, "femn") for ru, _ in FEMALE_NAMES])  # fmt: skip
def test_the_name_lists_agree_with_the_dictionary(name: str, gender: str) -> None:
    readings = [p for p in analyzer().parse(name) if "Name" in p.tag and p.tag.case == "nomn"]
    assert readings and readings[0].tag.gender == gender


@pytest.mark.parametrize("scenario", list(SCENARIOS.values()))
@pytest.mark.parametrize("name", MALE_NAMES + FEMALE_NAMES)
def test_a_shipped_story_has_its_names_gender_and_ty(
    scenario: Scenario, name: tuple[str, str]
) -> None:
    story = new_story(scenario, name=name)
    expected = Gender.MALE if name in MALE_NAMES else Gender.FEMALE
    assert story.hero == Hero(Address.TY, expected)
    assert "Ты " in story.opening_ru or "ты " in story.opening_ru


def test_other_names_have_no_known_gender() -> None:
    assert name_gender("Пётр") is Gender.UNKNOWN
    assert name_gender("Злата") is Gender.FEMALE


@pytest.mark.parametrize(
    ("words", "expected"),
    [("вы", Hero(Address.VY, Gender.UNKNOWN)), ("ж", Hero(Address.TY, Gender.FEMALE)),
     ("вы м", Hero(Address.VY, Gender.MALE)), ("«Ты» Женский.", Hero(Address.TY, Gender.FEMALE)),
     ("не важно", None), ("неважно", Hero(Address.TY, Gender.UNKNOWN)), ("", Hero()),
     ("он", Hero(Address.TY, Gender.MALE)), ("оно", None),
     ("вы ж ты", Hero(Address.TY, Gender.FEMALE))],
)  # fmt: skip
def test_hero_words(words: str, expected: Hero | None) -> None:
    assert parse_hero(words, Hero()) == expected


def test_single_answers() -> None:
    assert parse_address("На вы") is Address.VY
    assert parse_address("оно") is None
    assert parse_gender("Не важно") is Gender.UNKNOWN
    assert parse_gender("да") is None


@given(st.text(max_size=20))
def test_any_input_parses_or_is_refused(text: str) -> None:
    result = parse_hero(text, Hero())
    assert result is None or isinstance(result, Hero)


def test_description_is_russian_and_complete() -> None:
    line = describe_hero(Hero(Address.VY, Gender.FEMALE))
    assert line == "Обращение: «вы»; пол героя: женский."
