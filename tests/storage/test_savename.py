"""Save names typed by the player can never point outside the saves directory."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gamio_cli.errors import SaveError
from gamio_cli.storage.savename import (
    MAX_NAME_BYTES,
    MAX_NAME_CHARS,
    RULES,
    check_name,
    fit_name,
    make_name,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("моя история", "моя история"),
     ("  моя   история  ", "моя история"),
     ("моя\u00a0история", "моя история"),  # a no-break space is a plain space
     ("и\u0306ожик", "йожик"),  # NFD from macOS becomes NFC
     ("поход.json", "поход"),  # the extension is ours to add
     ("Глава 2. Дракон", "Глава 2. Дракон"),
     ("..история", None), ("история..", None),
     ("дракон 🐉", "дракон 🐉"),
     ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),  # emoji joined by ZWJ
     ("مرحبا", "مرحبا"),
     ("CONSOLE", "CONSOLE"), ("com10", "com10"), ("my con", "my con"),
     ("я" * MAX_NAME_CHARS, "я" * MAX_NAME_CHARS)],
)  # fmt: skip
def test_good_names_are_normalized(typed: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(SaveError):
            check_name(typed)
    else:
        assert check_name(typed) == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("", "пустое"), ("   ", "пустое"), (".json", "пустое"),
     ("../../x", "недопустимый знак «/»"), ("/etc/passwd", "«/»"), ("a/b", "«/»"),
     ("..\\..\\x", "«\\»"), ("C:\\Windows", "«:»"), ("C:x", "«:»"), ("что?", "«?»"),
     ('"цитата"', '«"»'), ("a|b", "«|»"), ("a*", "«*»"), ("<a>", "«<»"),
     ("x\x00y", "U+0000"), ("a\nb", "U+000A"), ("a\tb", "U+0009"), ("\x1b[31mred", "U+001B"),
     ("a\x7fb", "U+007F"), ("a\u0085b", "U+0085"), ("exe\u202etxt", "U+202E"),
     ("a\u2028b", "U+2028"), ("a\ufeffb", "U+FEFF"), ("a\ud800b", "U+D800"),
     (".", "начинаться с «.»"), ("..", "начинаться с «.»"), (".bashrc", "начинаться с «.»"),
     ("-rf", "начинаться с «-»"), ("история.", "заканчиваться точкой"),
     ("история. . .", "заканчиваться точкой"),
     ("CON", "зарезервировано"), ("con", "зарезервировано"), ("Nul", "зарезервировано"),
     ("PRN", "зарезервировано"), ("aux", "зарезервировано"), ("COM1", "зарезервировано"),
     ("lpt9", "зарезервировано"), ("COM¹", "зарезервировано"), ("con.txt", "зарезервировано"),
     ("nul .tar", "зарезервировано"), ("CONIN$", "зарезервировано"),
     ("я" * (MAX_NAME_CHARS + 1), "слишком длинное"),
     ("😀" * (MAX_NAME_BYTES // 4 + 1), "слишком длинное")],
)  # fmt: skip
def test_bad_names_are_refused_with_the_rules(typed: str, reason: str) -> None:
    with pytest.raises(SaveError) as caught:
        check_name(typed)
    message = caught.value.message
    assert reason in message
    assert message.startswith("Недопустимое имя сохранения «") and RULES in message
    message.encode("utf-8")  # printable: a lone surrogate in the name is not echoed back


def test_rules_are_russian_and_give_an_example() -> None:
    assert "букв" in RULES and "«моя история»" in RULES and str(MAX_NAME_CHARS) in RULES


def test_limits_leave_room_for_every_derived_file_name() -> None:
    longest = "я" * MAX_NAME_CHARS
    assert len(check_name(longest).encode("utf-8")) == MAX_NAME_BYTES
    derived = f".{longest}.json.bak.{'f' * 8}.tmp"  # the longest name storage/store.py builds
    assert len(derived.encode("utf-8")) <= 255


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(st.text(), st.text(alphabet=st.characters()), st.text(alphabet="./\\:cCoOnN \x00"))
)
@example("../../x")
@example("/etc/passwd")
@example("..")
@example("моя история")
def test_any_text_is_refused_or_stays_inside_the_directory(typed: str) -> None:
    try:
        name = check_name(typed)
    except SaveError as error:
        error.message.encode("utf-8")
        return
    assert check_name(name) == name  # normalisation is stable
    assert len(name) <= MAX_NAME_CHARS and len(name.encode("utf-8")) <= MAX_NAME_BYTES
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        path = directory / f"{name}.json"
        assert path.resolve().parent == directory.resolve()
        # Real proof: the file is created, and it is the one entry in the directory.
        path.write_text("{}", encoding="utf-8")
        assert os.listdir(directory) == [f"{name}.json"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters()))
@example("Фэнтези: мир/драконов?")
@example("...")
@example("CON")
@example("-" * 300)
def test_make_name_always_gives_a_valid_name(text: str) -> None:
    name = make_name(text)
    assert check_name(name) == name


def test_make_name_keeps_what_it_can() -> None:
    assert make_name("Фэнтези: мир/драконов?") == "Фэнтези мир драконов"
    assert make_name("  .скрытая.  ") == "скрытая"
    assert make_name("") == "история"
    assert make_name("CON") == "история"
    assert make_name("я" * 300) == "я" * MAX_NAME_CHARS


def test_fit_name_cuts_by_characters_and_bytes() -> None:
    assert fit_name("абвгд", 3, 100) == "абв"
    assert fit_name("абвгд", 100, 5) == "аб"  # 2 bytes a letter: never half a letter
    assert fit_name("аб. ", 4, 100) == "аб"
