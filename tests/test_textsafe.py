"""Untrusted text in and out: nothing may drive the player's terminal, nothing may break a save."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gamio_cli.textsafe import MAX_INPUT_CHARS, clean_input, safe_output

HOSTILE = [
    "\x1b[2J\x1b[Hclear screen",
    "\x1b]0;evil title\x07title",
    "\x1b]2;evil title\x1b\\title",
    "\x1bPdevice control\x1b\\dcs",
    "\x9b31mc1 csi",
    "bell\x07 and nul\x00 and del\x7f",
    "\x1bc reset",
]


def test_escape_sequences_never_pass() -> None:
    for text in HOSTILE:
        for cleaned in (clean_input(text)[0], safe_output(text)):
            assert "\x1b" not in cleaned and "\x9b" not in cleaned
            assert not any(ord(c) < 32 and c != "\n" for c in cleaned)
    assert clean_input("\x1b]0;evil title\x07title")[0] == "title"
    assert safe_output("\x1b[31mred\x1b[0m text") == "red text"


def test_russian_emoji_rtl_and_mixed_scripts_survive() -> None:
    for text in ["открываю дверь ёлкой", "👋🏽 привет 👨‍👩‍👧", "שלום עולם", "Hello мир 123"]:
        assert clean_input(text) == (text, [])
        assert safe_output(text) == text


def test_whitespace_is_folded_and_newlines_kept_in_output() -> None:
    assert clean_input("  иду \t на\r\nсевер  ") == ("иду на север", [])
    assert safe_output("Строка.\nЕщё строка.") == "Строка.\nЕщё строка."


def test_long_input_is_cut_with_a_message() -> None:
    text, notes = clean_input("а" * 10_000)
    assert len(text) == MAX_INPUT_CHARS
    assert len(notes) == 1 and str(MAX_INPUT_CHARS) in notes[0]


def test_lone_surrogates_are_dropped() -> None:
    text, _ = clean_input("abc\udcff def")
    text.encode("utf-8")
    safe_output("x\ud800y").encode("utf-8")


@given(st.text())
def test_clean_input_is_safe_for_any_text(raw: str) -> None:
    text, notes = clean_input(raw)
    text.encode("utf-8")
    assert len(text) <= MAX_INPUT_CHARS
    assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in text)
    assert all(isinstance(note, str) for note in notes)


@given(st.text())
def test_safe_output_is_safe_for_any_text(text: str) -> None:
    out = safe_output(text)
    out.encode("utf-8")
    assert not any((ord(c) < 32 and c != "\n") or 0x7F <= ord(c) < 0xA0 for c in out)


def test_os_errors_are_told_in_russian() -> None:
    import errno

    from gamio_cli.errors import os_reason

    assert os_reason(FileNotFoundError(errno.ENOENT, "No such file or directory")) == (
        "нет такого файла или папки"
    )
    assert os_reason(IsADirectoryError(errno.EISDIR, "Is a directory")) == "это папка, а не файл"
    assert os_reason(OSError(errno.ENOSPC, "No space left on device")) == "нет места на диске"
    unknown = os_reason(OSError(errno.ECHILD, "No child processes"))
    assert unknown == "ошибка системы ECHILD"  # its name, never the English text


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc", "Zs"]),
                        min_size=1, max_size=120), max_size=40).map(" ".join))
def test_wrapping_for_a_terminal_keeps_every_word_whole(text: str) -> None:
    from gamio_cli.terminal.oneline import wrapped

    class Tty:
        def isatty(self) -> bool:
            return True

    class Pipe:
        def isatty(self) -> bool:
            return False

    assert wrapped(text, Pipe()) == text  # type: ignore[arg-type]
    lines = wrapped(text, Tty()).split("\n")  # type: ignore[arg-type]
    assert " ".join(" ".join(lines).split()) == " ".join(text.split())
