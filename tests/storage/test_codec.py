"""The story file format: exact round trips, strict checks, clear messages, old files upgraded."""

from __future__ import annotations

import copy
import json
from dataclasses import fields
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gamio_cli import __version__
from gamio_cli.errors import SaveError
from gamio_cli.settings import Settings
from gamio_cli.storage.codec import (
    FORMAT,
    decode,
    parse_json,
    replace_lone_surrogates,
    story_from_dict,
    story_to_dict,
    story_to_json,
)
from gamio_cli.storage.migrations import CURRENT_VERSION, MIGRATIONS, migrate
from gamio_cli.story import (
    Address,
    Alternative,
    AuthorNote,
    Gender,
    GlossaryEntry,
    Hero,
    MemoryEntry,
    Mode,
    Story,
    Turn,
    WorldEntry,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "saves"
SOURCE = "/saves/моя история.json"

# Text that has broken naive savers: NUL, controls, RTL and bidi marks, emoji with joiners,
# combining marks (NFD must stay NFD), JSON-looking text, line separators.
TRICKY = [
    "",
    "\x00",
    "a\x00b\x1b[31m\x7f",
    "שלום עולם مرحبا",
    "\u202eesrever\u202c",
    "👨‍👩‍👧 🐉🔥",
    "и\u0306 ё е\u0308",
    '{"format": "gamio-story"}\\n',
    "line\u2028sep\u2029para\r\n\t",
    "\ufeffbom",
]
texts = st.one_of(st.text(), st.sampled_from(TRICKY))
settings_values = st.builds(
    Settings,
    temperature=st.floats(min_value=0.0, max_value=2.0, exclude_min=True),
    top_p=st.floats(min_value=0.0, max_value=1.0, exclude_min=True),
    top_k=st.integers(0, 1000),
    repetition_penalty=st.floats(min_value=1.0, max_value=2.0),
    max_new_tokens=st.integers(1, 512),
    history_actions=st.integers(1, 100),
)
alternatives = st.lists(st.builds(Alternative, texts, texts), max_size=2).map(tuple)
turns = st.builds(Turn, texts, st.sampled_from(list(Mode)), texts, texts, texts, alternatives,
                  texts, st.sampled_from(["en", "ru"]))
stories = st.builds(
    Story,
    scenario=texts,
    opening_ru=texts,
    opening_en=texts,
    memory=st.lists(st.builds(MemoryEntry, texts, texts), max_size=3),
    turns=st.lists(turns, max_size=4),
    settings=settings_values,
    note=st.none() | st.builds(AuthorNote, texts, texts),
    world=st.lists(
        st.builds(WorldEntry, st.lists(texts, max_size=3).map(tuple), texts, texts), max_size=2
    ),
    glossary=st.lists(st.builds(GlossaryEntry, texts, texts), max_size=2),
    undone=st.lists(turns, max_size=2),
    hero=st.builds(Hero, st.sampled_from(list(Address)), st.sampled_from(list(Gender))),
)


def sample_story() -> Story:
    return Story(
        scenario="fantasy",
        opening_ru="Тебя зовут Злата. Смеркается, и в Пепельном лесу идёт снег.",
        opening_en="You are Zlata. Dusk is falling, and snow is falling in the Ashwood.",
        memory=[MemoryEntry("Ёж — мой друг.", "The hedgehog is my friend.")],
        turns=[
            Turn(
                "открываю дверь",
                Mode.DO,
                "You open the door.",
                "The door creaks open. A dragon sleeps inside.",
                "Дверь со скрипом открывается. Внутри спит дракон.",
            ),  # fmt: skip
            Turn("", Mode.CONTINUE, "", "The sword is heavy.", "Меч тяжёлый."),
        ],
        settings=Settings(temperature=0.7, top_k=0),
    )


def through_json(story: Story) -> Story:
    return story_from_dict(json.loads(story_to_json(story)), SOURCE)


@settings(max_examples=300, deadline=None)
@given(stories)
def test_any_story_round_trips_exactly(story: Story) -> None:
    assert through_json(story) == story


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.characters(categories=["Cs", "Ll", "So", "Cc"], include_characters="ёЖ"))
)
def test_lone_surrogates_are_replaced_not_fatal(text: str) -> None:
    story = Story("custom", text, text, turns=[Turn(text, Mode.DO, text, text, text)])
    loaded = through_json(story)
    assert loaded.opening_ru == replace_lone_surrogates(text)
    loaded.opening_ru.encode("utf-8")  # must not raise
    assert loaded.turns[0].continuation_ru == loaded.opening_ru
    if not any("\ud800" <= c <= "\udfff" for c in text):
        assert loaded == story


def test_surrogate_policy_pairs_joined_lone_replaced() -> None:
    assert replace_lone_surrogates("a\ud800b") == "a\ufffdb"
    assert replace_lone_surrogates("x\udfff") == "x\ufffd"
    assert replace_lone_surrogates("\ud83d\ude00") == "😀"  # a correct pair is the emoji
    assert replace_lone_surrogates("\ude00\ud83d") == "\ufffd\ufffd"  # reversed: not a pair
    # JSON may spell a lone surrogate as an escape; it is cleaned on the way in too.
    data = story_to_dict(sample_story())
    text = json.dumps(data, ensure_ascii=False).replace("Злата", "\\ud800")
    assert story_from_dict(json.loads(text), SOURCE).opening_ru.startswith("Тебя зовут \ufffd.")


def test_file_text_is_readable_russian_and_exact_bytes() -> None:
    story = sample_story()
    text = story_to_json(story)
    assert "Тебя зовут Злата." in text  # Cyrillic as is, not \u0422 escapes
    assert "\\u04" not in text
    assert text.endswith("}\n") and '\n  "turns": [\n' in text  # indented, one field a line
    assert "Ёж — мой друг.".encode() in text.encode("utf-8")
    # NFD stays NFD: the content is never normalised, only stored.
    nfd = Story("custom", "и\u0306ди", "go")
    assert through_json(nfd).opening_ru.encode("utf-8") == "и\u0306ди".encode("utf-8")


def test_dict_holds_every_documented_field() -> None:
    when = datetime(2025, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=3)))
    data = story_to_dict(sample_story(), saved_at=when)
    assert list(data) == ["format", "version", "saved_at", "gamio_version", "scenario",
                          "opening_ru", "opening_en", "memory", "turns", "settings",
                          "note", "world", "glossary", "undone", "hero"]  # fmt: skip
    assert data["format"] == FORMAT == "gamio-story"
    assert data["version"] == CURRENT_VERSION == 5
    assert data["saved_at"] == "2025-03-01T09:30:00.000+00:00"  # stored in UTC
    assert data["gamio_version"] == __version__
    assert data["turns"][1] == {"action_ru": "", "mode": "continue", "action_en": "",
                                "continuation_en": "The sword is heavy.",
                                "continuation_ru": "Меч тяжёлый.",
                                "alternatives": [], "narrator": "", "language": "en"}  # fmt: skip
    assert set(data["settings"]) == {f.name for f in fields(Settings)}
    assert decode(data, SOURCE).saved_at == when


def test_saved_at_defaults_to_now_in_utc() -> None:
    before = datetime.now(timezone.utc)
    saved = decode(story_to_dict(sample_story()), SOURCE).saved_at
    assert saved.tzinfo is not None and saved.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= saved <= datetime.now(timezone.utc)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2024-11-02T21:15:00Z", datetime(2024, 11, 2, 21, 15, tzinfo=timezone.utc)),
     ("2024-11-02T21:15:00", datetime(2024, 11, 2, 21, 15, tzinfo=timezone.utc)),
     ("2024-11-03T00:15:00+03:00", datetime(2024, 11, 2, 21, 15, tzinfo=timezone.utc))],
)  # fmt: skip
def test_saved_at_written_by_hand_is_read(text: str, expected: datetime) -> None:
    data = story_to_dict(sample_story())
    data["saved_at"] = text
    assert decode(data, SOURCE).saved_at == expected


def good() -> dict[str, Any]:
    return story_to_dict(sample_story())


def edited(path: tuple[Any, ...], value: Any = None, delete: bool = False) -> dict[str, Any]:
    data = good()
    target = data
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


BROKEN = [
    ([1, 2], "не сохранение gamio"),
    ("text", "не сохранение gamio"),
    (None, "не сохранение gamio"),
    ({"name": "package", "version": "1.0"}, "не сохранение gamio"),
    (edited(("format",), "gamio-settings"), "не сохранение gamio"),
    (edited(("version",), delete=True), "«version» должно быть целым числом"),
    (edited(("version",), "2"), "«version» должно быть целым числом"),
    (edited(("version",), True), "«version» должно быть целым числом"),
    (edited(("version",), 0), "«version» должно быть целым числом"),
    (edited(("turns",), delete=True), "нет поля «turns»"),
    (edited(("opening_ru",), delete=True), "нет поля «opening_ru»"),
    (edited(("saved_at",), delete=True), "нет поля «saved_at»"),
    (edited(("settings", "top_k"), delete=True), "нет поля «settings.top_k»"),
    (edited(("turns", 0, "continuation_ru"), delete=True), "нет поля «turns[0].continuation_ru»"),
    (edited(("scenario",), 7), "поле «scenario» должно быть строкой, а в файле целое число"),
    (edited(("turns",), {}), "поле «turns» должно быть списком, а в файле объект"),
    (edited(("turns", 1), "ход"), "поле «turns[1]» должно быть объектом, а в файле строка"),
    (edited(("memory", 0), ["ru", "en"]), "поле «memory[0]» должно быть объектом"),
    (edited(("memory", 0, "en"), None), "поле «memory[0].en» должно быть строкой, а в файле null"),
    (edited(("settings", "top_k"), 40.0), "«settings.top_k» должно быть целым числом"),
    (edited(("settings", "top_k"), True), "«settings.top_k» должно быть целым числом"),
    (edited(("settings", "temperature"), "0.4"), "«settings.temperature» должно быть числом"),
    (edited(("settings", "temperature"), 1e400), "«settings.temperature» должно быть числом"),
    (edited(("settings", "temperature"), 5.0), "в настройках недопустимое значение temperature"),
    (
        edited(("turns", 1, "mode"), "shout"),
        "неизвестный режим хода «shout» в поле «turns[1].mode»",
    ),
    (edited(("turns", 0, "mode"), "DO"), "допустимы: do, say, story, continue"),
    (edited(("glosary",), []), "неизвестное поле «glosary»"),
    (edited(("glossary",), None), "«glossary» должно быть списком"),
    (edited(("settings", "temprature"), 0.5), "неизвестное поле «settings.temprature»"),
    (edited(("turns", 0, "undone"), False), "неизвестное поле «turns[0].undone»"),
    (edited(("saved_at",), "вчера"), "«saved_at» должно быть датой в формате ISO 8601"),
]


@pytest.mark.parametrize(("data", "expected"), BROKEN)
def test_broken_data_is_refused_naming_file_and_field(data: object, expected: str) -> None:
    before = copy.deepcopy(data)
    with pytest.raises(SaveError) as caught:
        story_from_dict(data, SOURCE)
    assert f"«{SOURCE}»" in caught.value.message
    assert expected in caught.value.message
    assert data == before  # the data is only read


def test_newer_version_asks_to_update_gamio() -> None:
    with pytest.raises(SaveError) as caught:
        story_from_dict(edited(("version",), CURRENT_VERSION + 1), SOURCE)
    message = caught.value.message
    assert f"«{SOURCE}» создан более новой версией gamio" in message
    assert "обновите gamio" in message and "Файл не изменён" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "файл пуст"), ("  \n", "файл пуст"), ('{"format": "gamio-story", "vers', "обрывается"),
     ("просто текст", "это не JSON: ошибка в строке 1, столбце 1"),
     ('{"a": NaN}', "это не JSON"), ('{"a": Infinity}', "это не JSON")],
)  # fmt: skip
def test_parse_json_names_the_problem(text: str, expected: str) -> None:
    with pytest.raises(SaveError) as caught:
        parse_json(text, SOURCE)
    assert expected in caught.value.message and SOURCE in caught.value.message


def test_parse_json_accepts_a_byte_order_mark() -> None:
    text = "\ufeff" + story_to_json(sample_story())
    assert story_from_dict(parse_json(text, SOURCE), SOURCE) == sample_story()


def test_nan_settings_are_refused_before_writing() -> None:
    story = Story("custom", "а", "a", settings=Settings(temperature=float("nan")))
    with pytest.raises(SaveError, match="недопустимое число"):
        story_to_json(story)


# --- migrations -------------------------------------------------------------------------------


def v1_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "v1_fantasy.json").read_text(encoding="utf-8"))
    return data


def test_chain_is_ordered_and_current_is_five() -> None:
    assert CURRENT_VERSION == len(MIGRATIONS) + 1 == 5
    current = good()
    assert migrate(current, CURRENT_VERSION) == current  # nothing to do
    upgraded = migrate(v1_data(), 1)
    assert upgraded["version"] == CURRENT_VERSION


def test_v1_fixture_is_upgraded_and_loaded() -> None:
    story = story_from_dict(v1_data(), "v1_fantasy.json")
    assert story.scenario == "fantasy"
    assert story.opening_ru.startswith("Тебя зовут Ярослав.")
    assert story.opening_en.startswith("You are Yaroslav.")
    assert story.memory == [
        MemoryEntry(
            "В крепости спрятан серебряный ключ.", "A silver key is hidden in the fortress."
        )
    ]
    assert story.turns == [
        Turn("открываю ворота", Mode.DO, "You open the gate.",
             "The gate creaks open. A raven watches you from the wall.",
             "Ворота со скрипом открываются. Со стены за тобой следит ворон."),
        Turn("", Mode.CONTINUE, "", "The raven caws twice and flies into the tower.",
             "Ворон дважды каркает и улетает в башню."),
    ]  # fmt: skip
    # Renamed knobs keep their values; top_k, which version 1 did not store, is its fixed 40.
    assert story.settings == Settings(
        temperature=0.7,
        top_p=0.95,
        top_k=40,
        repetition_penalty=1.1,
        max_new_tokens=60,
        history_actions=8,
    )
    # Saved again, it is a current-version file that reads back the same.
    assert through_json(story) == story


def test_migration_does_not_touch_its_input() -> None:
    data = v1_data()
    before = copy.deepcopy(data)
    story_from_dict(data, "v1.json")
    assert data == before


def v1_edited(key: str, value: Any) -> dict[str, Any]:
    data = v1_data()
    data[key] = value
    return data


@pytest.mark.parametrize(
    ("data", "expected"),
    [(v1_edited("opening", "text"), "нет объекта «opening»"),
     (v1_edited("history", {}), "«history» должно быть списком"),
     (v1_edited("history", v1_data()["history"][:3]), "последний ход не закончен"),
     (v1_edited("history", v1_data()["history"][::-1]), "history[0] должна быть действием игрока"),
     (v1_edited("memory", [["только ru"]]), "memory[0] должна быть парой"),
     (v1_edited("settings", {"temp": 0.5, "beam": 4}), "неизвестная настройка «beam»"),
     (v1_edited("settings", None), "«settings» должно быть объектом")],
)  # fmt: skip
def test_broken_v1_file_is_refused_with_reason(data: dict[str, Any], expected: str) -> None:
    with pytest.raises(SaveError) as caught:
        story_from_dict(data, "old.json")
    assert "«old.json» (старый формат, версия 1) не удалось обновить" in caught.value.message
    assert expected in caught.value.message


def test_v1_values_are_still_type_checked_after_upgrade() -> None:
    data = v1_data()
    data["history"][0]["mode"] = "jump"
    with pytest.raises(SaveError, match="неизвестный режим хода «jump»"):
        story_from_dict(data, "old.json")


def test_v2_fixture_gains_empty_toolkit_fields() -> None:
    data = json.loads((FIXTURES / "v2_fantasy.json").read_text(encoding="utf-8"))
    assert data["version"] == 2
    story = story_from_dict(data, "v2_fantasy.json")
    assert len(story.turns) == 3 and story.turns[0].alternatives == ()
    assert (story.note, story.world, story.glossary, story.undone) == (None, [], [], [])
    assert story.opening_ru == data["opening_ru"]
    assert [t.continuation_ru for t in story.turns] == [t["continuation_ru"] for t in data["turns"]]
    assert through_json(story) == story


def test_toolkit_fields_are_checked_strictly() -> None:
    data = story_to_dict(sample_story())
    data["world"] = [{"keys": ["дракон", 5], "ru": "Дракон.", "en": "A dragon."}]
    with pytest.raises(SaveError, match=r"world\[0\]\.keys\[1\]"):
        story_from_dict(data, SOURCE)
    data = story_to_dict(sample_story())
    data["note"] = "мрачно"
    with pytest.raises(SaveError, match="«note» должно быть объектом"):
        story_from_dict(data, SOURCE)


@settings(max_examples=80, deadline=None)
@given(stories, st.lists(st.integers(0, 5), max_size=4))
def test_cached_turn_text_is_exactly_the_plain_encoding(story: Story, edits: list[int]) -> None:
    """story_to_json re-uses each turn's encoded text (a long story's autosave encodes only its
    new turns); the file must still be byte for byte what json.dumps writes, after any turns
    were encoded before, changed, dropped or added."""
    when = datetime(2025, 1, 31, 18, 4, 5, tzinfo=timezone.utc)
    for edit in edits:
        story_to_json(story, saved_at=when)  # fills the cache with these turns
        turns = list(story.turns)
        if turns and edit % 3 == 0:
            turns[-1] = Turn("иначе", Mode.DO, "Other.", "New.", "Новое.")
        elif turns and edit % 3 == 1:
            turns.pop()
        else:
            turns.append(Turn(f"ход {edit}", Mode.SAY, '"Hi."', "Ok.", "Ладно."))
        story = story.with_turns(turns)
    plain = json.dumps(story_to_dict(story, saved_at=when), ensure_ascii=False, indent=2) + "\n"
    assert story_to_json(story, saved_at=when) == plain
