"""World info: "/world add" parsing, Russian keys by word form, English by plural, activation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamio_cli.story import Mode, Turn
from gamio_cli.world.stemming import KeyWord, Phrase, english_forms, russian_stems
from gamio_cli.world.worldinfo import (
    MAX_KEYS,
    WorldEntry,
    active_entries,
    entry_matches,
    parse_world_add,
    recent_texts,
)

# Key -> its forms: six cases, singular and plural (nominative, genitive, dative, accusative,
# instrumental, prepositional).
FORMS = {
    "дракон": "дракон дракона дракону дракона драконом драконе "
    "драконы драконов драконам драконов драконами драконах",
    "кошка": "кошка кошки кошке кошку кошкой кошке кошки кошек кошкам кошек кошками кошках",
    "огниво": "огниво огнива огниву огниво огнивом огниве "
    "огнива огнив огнивам огнива огнивами огнивах",
    "ель": "ель ели ели ель елью ели ели елей елям ели елями елях",
    "отец": "отец отца отцу отца отцом отце отцы отцов отцам отцов отцами отцах",
    "замок": "замок замка замку замок замком замке замки замков замкам замки замками замках",
    "башня": "башня башни башне башню башней башне башни башен башням башни башнями башнях",
    "время": "время времени времени время временем времени времена времён временам временами",
    "меч": "меч меча мечу меч мечом мече мечи мечей мечам мечи мечами мечах",
    "Всеслав": "Всеслав Всеслава Всеславу Всеслава Всеславом Всеславе",
    "Мирослава": "Мирослава Мирославы Мирославе Мирославу Мирославой Мирославою",
    "Юлия": "Юлия Юлии Юлии Юлию Юлией",
    "Щукин": "Щукин Щукина Щукину Щукиным Щукине Щукины Щукиных",
    # An adjective: all genders, cases and the plural.
    "пепельный": "пепельный пепельного пепельному пепельным пепельном пепельная пепельной "
    "пепельную пепельною пепельное пепельные пепельных пепельными",
    # A key typed in another form than the nominative still finds the rest.
    "драконами": "дракон дракона драконы драконах",
    "Ёлкин": "Ёлкин Елкина Ёлкиным",
}

# Key -> words that only look alike: no form of the key.
NOT_FORMS = {
    "кот": "который которого которому кто котлета котёл котик скот",
    "лес": "лестница лесной лесть слес",
    "мир": "мирный Мирон Мирослава смирный",
    "дракон": "драконовый дракончик",
    "Мирон": "мирно мирный Мирослав",
    "кошка": "кош кошмар",
    "меч": "мечта мечтаю мечется",
    "Всеслав": "Всеславович всеславовы",
    "Юлия": "юла юлу юлой",  # a 2-letter stem «юл» would catch the toy
}


@pytest.mark.parametrize(("key", "word"), [(k, w) for k, ws in FORMS.items() for w in ws.split()])
def test_russian_key_matches_its_forms(key: str, word: str) -> None:
    assert KeyWord(key).matches(word)
    assert KeyWord(key).matches(word.upper())


@pytest.mark.parametrize(
    ("key", "word"), [(k, w) for k, ws in NOT_FORMS.items() for w in ws.split()]
)
def test_russian_key_does_not_match_lookalikes(key: str, word: str) -> None:
    assert not KeyWord(key).matches(word)


def test_stems_are_not_cut_like_verbs() -> None:
    # Snowball cuts «Всеслав» to «всесла» (a gerund ending): here the name stays whole.
    assert russian_stems("Всеслав") == {"всеслав"}
    assert russian_stems("кот") == {"кот"}


@pytest.mark.parametrize(
    ("key", "word", "expected"),
    [
        ("dragon", "dragon", True),
        ("dragon", "Dragons", True),
        ("dragon", "dragon's", True),
        ("dragon", "DRAGON’S", True),
        ("dragons", "dragon", True),
        ("witch", "witches", True),
        ("city", "cities", True),
        ("wolf", "wolves", True),
        ("knife", "knives", True),
        ("dragon", "dragonfly", False),
        ("dragon", "snapdragon", False),
        ("cat", "category", False),
        ("glass", "glas", False),
    ],
)
def test_english_key_words(key: str, word: str, expected: bool) -> None:
    assert KeyWord(key).matches(word) is expected


def test_english_forms_table() -> None:
    assert {"dragon", "dragons"} <= english_forms("Dragon's")


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("кот", "Который час? Кот спит.", True),
        ("кот", "Который час? Который день?", False),
        ("дракон", "Ты видишь дракона.", True),
        ("дракон", "Ты видишь дракончика.", False),
        ("Пепельный лес", "Ты входишь в Пепельный лес.", True),
        ("Пепельный лес", "Ты идёшь по Пепельному лесу.", True),
        ("Пепельный лес", "Пепельный, лес и горы.", False),
        ("Пепельный лес", "Лес пепельный.", False),
        ("old king", "The Old Kings' tombs", True),
        ("dragon", "A red-dragon banner.", True),
    ],
)
def test_phrases_in_text(key: str, text: str, expected: bool) -> None:
    assert Phrase(key).occurs_in(text) is expected


def test_phrase_spans_leave_out_the_possessive() -> None:
    text = "Take Vseslav's sword."
    (span,) = Phrase("Vseslav").spans(text)
    assert text[span[0] : span[1]] == "Vseslav"


# ---- parse_world_add ----


def test_parse_keys_and_text() -> None:
    keys, text = parse_world_add("дракон, Змей Горыныч ,dragon = Дракон спит под горой.")
    assert keys == ("дракон", "Змей Горыныч", "dragon")
    assert text == "Дракон спит под горой."


def test_parse_keeps_equals_signs_in_the_text() -> None:
    assert parse_world_add("руна = знак = сила") == (("руна",), "знак = сила")


def test_parse_drops_repeated_keys() -> None:
    assert parse_world_add("Дракон, дракон, DRAGON, dragon = текст")[0] == ("Дракон", "DRAGON")


@pytest.mark.parametrize(
    ("arg", "fragment"),
    [
        ("дракон спит под горой", "«=»"),
        (" = текст", "Перед «=»"),
        ("дракон = ", "После «=»"),
        ("дракон,, змей = текст", "пустой ключ"),
        ("дракон, = текст", "пустой ключ"),
        ("123 = текст", "нет ни одного слова"),
        (", ".join(f"ключ{i}" for i in range(MAX_KEYS + 1)) + " = текст", "Слишком много"),
        ("о" * 41 + " = текст", "слишком длинный"),
    ],
)
def test_parse_errors_are_russian(arg: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_world_add(arg)


_LETTERS = "абвгдежзийклмнопрстуфхцчшщъыьэюяabcxyzАБВ"
_WORD = st.text(st.sampled_from(_LETTERS), min_size=1, max_size=8)


@given(
    st.lists(st.lists(_WORD, min_size=1, max_size=3).map(" ".join), min_size=1, max_size=5),
    st.text(min_size=1, max_size=60).filter(lambda t: t.strip()),
)
def test_parse_round_trip(keys: list[str], text: str) -> None:
    parsed_keys, parsed_text = parse_world_add(", ".join(keys) + " = " + text)
    assert parsed_text == text.strip()
    assert [k.lower() for k in parsed_keys] == list(dict.fromkeys(k.lower() for k in keys))


# ---- activation ----

DRAGON = WorldEntry(("дракон", "dragon"), "Дракон Смауг спит.", "The dragon Smaug sleeps.")
ASHWOOD = WorldEntry(("Пепельный лес",), "Лес мёртвых деревьев.", "A wood of dead trees.")
CAT = WorldEntry(("кот",), "Чёрный кот.", "A black cat.")


def test_entry_matches_either_language() -> None:
    assert entry_matches(DRAGON, "Ты бросаешь камень в драконов.")
    assert entry_matches(DRAGON, "You throw a stone at the dragons.")
    assert not entry_matches(DRAGON, "Ты бросаешь камень в змея.")


def test_active_entries_keep_stored_order() -> None:
    texts = ["Кот смотрит на тебя.", "Who sleeps in the dragon's cave?"]
    assert active_entries([ASHWOOD, DRAGON, CAT], texts) == [DRAGON, CAT]
    assert active_entries([ASHWOOD, DRAGON, CAT], ["Который час?"]) == []
    assert active_entries([DRAGON], []) == []


def test_two_word_key_does_not_span_two_texts() -> None:
    assert active_entries([ASHWOOD], ["Всё пепельный", "лес шумит"]) == []


def test_recent_texts_take_both_languages_of_the_latest_turns() -> None:
    turns = [
        Turn(f"ход {i}", Mode.DO, f"You act {i}.", f"Thing {i}.", f"Случилось {i}.")
        for i in range(5)
    ]
    turns.append(Turn("", Mode.CONTINUE, "", "Rain.", "Дождь."))
    texts = recent_texts(turns, 2)
    assert texts == ["ход 4", "You act 4.", "Случилось 4.", "Thing 4.", "Дождь.", "Rain."]
    assert recent_texts(turns, 0) == []
    assert "ход 3" in recent_texts(turns)  # the default looks 3 turns back
