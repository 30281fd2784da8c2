"""Each turn's narrator and language in the story file (version 5), and the upgrade of a
version-4 file (tests/fixtures/saves/v4_vy_two_turns.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gamio_cli.errors import SaveError
from gamio_cli.storage.codec import story_from_dict, story_to_dict

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "saves"



def test_v4_fixture_gets_each_turns_narrator_and_language() -> None:
    """Version 5 records which narrator wrote each turn, and in which language: every turn of
    a version-4 file (and every undone one) was written in English by an unnamed narrator."""
    data = json.loads((FIXTURES / "v4_vy_two_turns.json").read_text(encoding="utf-8"))
    assert data["version"] == 4
    story = story_from_dict(data, "v4_vy_two_turns.json")
    assert [(t.narrator, t.language) for t in story.turns + story.undone] == [("", "en")] * 3
    assert story.turns[0].alternatives[0].ru == "Ничего не происходит."
    assert story.hero.address.value == "vy"
    again = story_from_dict(story_to_dict(story), "again")
    assert again.turns == story.turns and again.undone == story.undone


def test_a_turns_language_is_checked() -> None:
    data = story_to_dict(story_from_dict(json.loads(
        (FIXTURES / "v4_vy_two_turns.json").read_text(encoding="utf-8")), "v4"))
    data["turns"][0]["language"] = "de"
    with pytest.raises(SaveError, match="language"):
        story_from_dict(data, "bad")
