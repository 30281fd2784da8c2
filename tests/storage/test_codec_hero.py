"""The hero in the story file (version 4): saved, read back, checked, and added to old files."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from gamio_cli.errors import SaveError
from gamio_cli.storage.codec import story_from_dict, story_to_dict, story_to_json
from gamio_cli.story import Address, Gender, Hero, Story

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "saves"


def v3_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (FIXTURES / "v3_heroine.json").read_text(encoding="utf-8")
    )
    return data


def test_v3_fixture_loads_with_the_default_hero() -> None:
    data = v3_data()
    assert data["version"] == 3 and "hero" not in data
    story = story_from_dict(data, "v3_heroine.json")
    assert story.hero == Hero(Address.TY, Gender.UNKNOWN)
    assert story.opening_ru.startswith("Тебя зовут Мирослава.")
    assert story.turns[0].alternatives[0].ru == "Воет ветер."
    assert story.note is not None and story.note.ru == "Мрачно и тихо."


def test_v3_migration_does_not_touch_its_input() -> None:
    data = v3_data()
    before = copy.deepcopy(data)
    story_from_dict(data, "v3.json")
    assert data == before


@pytest.mark.parametrize("address", list(Address))
@pytest.mark.parametrize("gender", list(Gender))
def test_hero_round_trips(address: Address, gender: Gender) -> None:
    story = story_from_dict(v3_data(), "v3.json")
    story.hero = Hero(address, gender)
    again = story_from_dict(json.loads(story_to_json(story)), "again.json")
    assert again.hero == Hero(address, gender)
    assert again == story


def test_hero_is_written_as_plain_words() -> None:
    story = Story("custom", "Начало.", "The start.", hero=Hero(Address.VY, Gender.FEMALE))
    assert story_to_dict(story)["hero"] == {"address": "vy", "gender": "female"}


@pytest.mark.parametrize(
    ("hero", "expected"),
    [({"address": "you", "gender": "male"}, "«hero.address» должно быть «ty» или «vy»"),
     ({"address": "ty", "gender": "f"}, "«hero.gender» должно быть «male», «female»"),
     ({"address": "ty"}, "нет поля «hero.gender»"),
     ({"address": "ty", "gender": "male", "age": 30}, "неизвестное поле «hero.age»"),
     ("ты", "«hero» должно быть объектом")],
)  # fmt: skip
def test_a_broken_hero_is_refused(hero: object, expected: str) -> None:
    data = story_to_dict(Story("custom", "Начало.", "The start."))
    data["hero"] = hero
    with pytest.raises(SaveError) as caught:
        story_from_dict(data, "bad.json")
    assert expected in caught.value.message

