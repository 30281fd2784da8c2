"""The shipped worlds: both languages present, names filled, scripts clean, picks reproducible."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamio_cli.settings import Settings
from gamio_cli.story import Story
from gamio_cli.world.names import FEMALE_NAMES, MALE_NAMES, NAMES, pick_name
from gamio_cli.world.scenarios import (
    CUSTOM_KEY,
    NAME_PLACEHOLDER,
    SCENARIOS,
    Scenario,
    new_story,
)

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
LATIN = re.compile(r"[A-Za-z]")


def test_keys_in_menu_order() -> None:
    assert list(SCENARIOS) == ["fantasy", "mystery", "apocalypse", "zombies"]
    assert CUSTOM_KEY not in SCENARIOS
    for key, scenario in SCENARIOS.items():
        assert scenario.key == key
        assert scenario.title_ru and CYRILLIC.search(scenario.title_ru)


def test_templates_hold_exactly_one_placeholder() -> None:
    for scenario in SCENARIOS.values():
        for text in (scenario.opening_ru, scenario.opening_en):
            assert text.count(NAME_PLACEHOLDER) == 1
            # No other braces: they would mean a typo in the placeholder.
            assert text.replace(NAME_PLACEHOLDER, "").count("{") == 0


def test_russian_is_cyrillic_only() -> None:
    for scenario in SCENARIOS.values():
        for text in (scenario.title_ru, scenario.opening_ru.replace(NAME_PLACEHOLDER, "")):
            assert CYRILLIC.search(text)
            assert not LATIN.search(text), text
            # Russian typography: «ёлочки» and em dashes, never ASCII quotes or hyphen-dashes.
            assert '"' not in text and " - " not in text


def test_english_has_no_cyrillic_and_fits_the_model() -> None:
    for scenario in SCENARIOS.values():
        text = scenario.opening_en
        assert not CYRILLIC.search(text)
        assert len(text) < 1000
        assert len(text.split()) <= 150  # about 200 GPT-2 tokens
        assert text.startswith("You are " + NAME_PLACEHOLDER)


def test_openings_end_on_a_sentence() -> None:
    for scenario in SCENARIOS.values():
        assert scenario.opening_en.rstrip()[-1] in '."'
        assert scenario.opening_ru.rstrip()[-1] in ".»"


def test_names_are_well_formed() -> None:
    assert len(MALE_NAMES) >= 6 and len(FEMALE_NAMES) >= 6 and len(NAMES) >= 12
    assert len({ru for ru, _ in NAMES}) == len(NAMES) == len({en for _, en in NAMES})
    for ru, en in NAMES:
        assert re.fullmatch(r"[А-ЯЁ][а-яё]+", ru), ru
        assert re.fullmatch(r"[A-Z][a-z]+", en), en


@given(st.integers(min_value=0, max_value=2**32), st.sampled_from(list(SCENARIOS)))
def test_same_seed_same_story(seed: int, key: str) -> None:
    first = new_story(SCENARIOS[key], rng=random.Random(seed))
    second = new_story(SCENARIOS[key], rng=random.Random(seed))
    assert first == second
    assert pick_name(random.Random(seed)) == pick_name(random.Random(seed))


@given(st.sampled_from(NAMES), st.sampled_from(list(SCENARIOS)))
def test_name_fills_both_languages(name: tuple[str, str], key: str) -> None:
    story = new_story(SCENARIOS[key], name=name)
    assert isinstance(story, Story)
    assert story.scenario == key
    assert "{" not in story.opening_ru and "{" not in story.opening_en
    ru, en = name
    # The Russian name stands in the nominative right where the text introduces it.
    assert f"Тебя зовут {ru}" in story.opening_ru
    assert f"You are {en}" in story.opening_en
    assert not LATIN.search(story.opening_ru) and not CYRILLIC.search(story.opening_en)
    assert story.turns == [] and story.memory == []


def test_rng_picks_vary_and_pair_up() -> None:
    rng = random.Random(7)
    stories = [new_story(SCENARIOS["fantasy"], rng=rng) for _ in range(50)]
    openings = {s.opening_en for s in stories}
    assert len(openings) > 1  # the name is really drawn, not fixed
    for story in stories:
        matched = [(ru, en) for ru, en in NAMES if f"You are {en}," in story.opening_en]
        assert len(matched) == 1
        assert f"Тебя зовут {matched[0][0]}." in story.opening_ru


def test_default_rng_and_settings() -> None:
    story = new_story(SCENARIOS["zombies"])
    assert story.settings == Settings()
    custom = Settings(temperature=0.8)
    assert new_story(SCENARIOS["zombies"], settings=custom).settings is custom


def test_utf8_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "opening.txt"
    for scenario in SCENARIOS.values():
        text = new_story(scenario, name=("Всеслав", "Vseslav")).opening_ru
        path.write_text(text, encoding="utf-8")
        assert path.read_bytes().decode("utf-8") == text
        assert path.read_text(encoding="utf-8") == text


def test_scenario_is_frozen() -> None:
    scenario: Scenario = SCENARIOS["mystery"]
    with pytest.raises(AttributeError):
        scenario.key = "x"  # type: ignore[misc]
