"""Story export: Markdown and one self-contained HTML page, Russian alone or with the English."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamio_cli.storage.export import md_escape, to_html, to_markdown
from gamio_cli.story import Mode, Story, Turn

VOID = {"meta", "br", "hr", "img", "link", "input", "area", "base", "col", "embed", "source", "wbr"}
LOADING = {"script", "link", "img", "iframe", "object", "embed", "audio", "video", "source", "base"}


class Checker(HTMLParser):
    """Records problems: unclosed or mismatched tags, anything that loads or runs something."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        for name, value in attrs:
            if name in ("src", "href", "srcset", "action") or name.startswith("on"):
                self.problems.append(f"{tag} {name}={value}")
        if tag in LOADING:
            self.problems.append(f"<{tag}>")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"</{tag}> closes nothing open")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check(page: str) -> Checker:
    checker = Checker()
    checker.feed(page)
    checker.close()
    assert checker.problems == []
    assert checker.stack == [], "tags left open"
    return checker


def story(turns: list[Turn] | None = None, scenario: str = "fantasy") -> Story:
    made = Story(scenario, "Тебя зовут Всеслав.\nИдёт снег.", "You are Vseslav.\nSnow falls.")
    made.turns = turns if turns is not None else [
        Turn("открываю дверь", Mode.DO, "You open the door.", "The door creaks open.",
             "Дверь со скрипом открывается."),
        Turn("«Привет»", Mode.SAY, 'You say "Hello."', "The old man smiles.", "Старик улыбается."),
        Turn("!Начинается гроза", Mode.STORY, "A storm begins.", "Lightning flashes.",
             "Сверкает молния."),
        Turn("", Mode.CONTINUE, "", "Rain falls.", "Идёт дождь."),
    ]
    return made


RUSSIAN = ["Тебя зовут Всеслав.", "Идёт снег.", "открываю дверь", "Дверь со скрипом открывается.",
           "«Привет»", "Старик улыбается.", "Начинается гроза", "Сверкает молния.", "Идёт дождь."]
ENGLISH = ["You are Vseslav.", "Snow falls.", "You open the door.", "The door creaks open.",
           "The old man smiles.", "A storm begins.", "Lightning flashes.", "Rain falls."]
EVIL = '<script>alert("x")</script> & <img src=x onerror=alert(1)> *жирный* [ссылка](http://x)'


# ---- HTML ----


@pytest.mark.parametrize("bilingual", [False, True])
def test_html_is_one_well_formed_page_with_every_turn(bilingual: bool) -> None:
    page = to_html(story(), bilingual)
    checker = check(page)
    text = "".join(checker.text)
    assert all(part in text for part in RUSSIAN)
    assert all(part in text for part in ENGLISH) is bilingual
    assert ("html", {"lang": "ru"}) in checker.tags
    assert ("meta", {"charset": "utf-8"}) in checker.tags
    assert "<title>Фэнтези</title>" in page
    assert page.startswith("<!DOCTYPE html>")
    assert "url(" not in page and "@import" not in page


def test_html_turn_order_and_actions_set_apart() -> None:
    page = to_html(story(), False)
    positions = [page.index(part) for part in RUSSIAN]
    assert positions == sorted(positions)
    assert '<div class="block do"><div class="ru" lang="ru"><p>открываю дверь</p>' in page
    assert '<div class="block story">' in page and '<div class="block say">' in page


def test_html_bilingual_puts_languages_side_by_side() -> None:
    page = to_html(story(), True)
    assert (
        '<div class="pair"><div class="ru" lang="ru"><p>открываю дверь</p></div>'
        '<div class="en" lang="en"><p>You open the door.</p></div></div>'
    ) in page
    assert "grid-template-columns: 1fr 1fr" in page


@pytest.mark.parametrize("bilingual", [False, True])
def test_html_escapes_every_piece_of_story_text(bilingual: bool) -> None:
    evil_turn = Turn(EVIL, Mode.DO, EVIL, EVIL, EVIL)
    evil = story([evil_turn], scenario="<b>custom</b>")
    evil.opening_ru = evil.opening_en = EVIL
    checker = check(to_html(evil, bilingual))
    assert [tag for tag, _ in checker.tags if tag in ("script", "img", "b")] == []
    assert EVIL in "".join(checker.text)


@given(st.text(max_size=80))
def test_html_keeps_any_text_as_text(text: str) -> None:
    turn = Turn(text, Mode.DO, text, text, text)
    checker = check(to_html(story([turn]), True))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    joined = "".join(checker.text)
    assert all(line in joined for line in lines)


def test_custom_world_title() -> None:
    assert "<title>Своя история</title>" in to_html(story([], scenario="custom"), False)
    assert to_markdown(story([], scenario="custom"), False).startswith("# Своя история\n")


# ---- Markdown ----


def test_markdown_layout() -> None:
    assert to_markdown(story(), False) == (
        "# Фэнтези\n\n"
        "Тебя зовут Всеслав.\n\nИдёт снег.\n\n"
        "> **открываю дверь**\n\nДверь со скрипом открывается.\n\n"
        "> **«Привет»**\n\nСтарик улыбается.\n\n"
        "> *Начинается гроза*\n\nСверкает молния.\n\n"
        "Идёт дождь.\n"
    )


def test_markdown_bilingual_alternates_blocks() -> None:
    text = to_markdown(story(), True)
    assert "> **открываю дверь**\n>\n> *EN: You open the door.*\n\n" in text
    assert "Сверкает молния.\n\n*EN: Lightning flashes.*\n\n" in text
    assert all(part in text for part in ENGLISH)


def test_markdown_without_english_has_none() -> None:
    text = to_markdown(story(), False)
    assert not any(part in text for part in ENGLISH)


def test_markdown_has_every_turn_in_order() -> None:
    text = to_markdown(story(), False)
    positions = [text.index(md_escape(part)) for part in RUSSIAN]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    ("line", "escaped"),
    [
        ("# не заголовок", "\\# не заголовок"),
        ("- не список", "\\- не список"),
        ("1. не список", "1\\. не список"),
        ("> не цитата", "\\> не цитата"),
        ("*жирный* _курсив_ `код`", "\\*жирный\\* \\_курсив\\_ \\`код\\`"),
        ("<script>", "\\<script\\>"),
        ("a | b & c", "a \\| b \\& c"),
        ("Обычный текст — с тире.", "Обычный текст — с тире."),
    ],
)
def test_md_escape(line: str, escaped: str) -> None:
    assert md_escape(line) == escaped


def test_markdown_escapes_story_text() -> None:
    evil = story([Turn(EVIL, Mode.DO, EVIL, EVIL, EVIL)])
    text = to_markdown(evil, True)
    contents = [re.sub(r"^(> )?(\*\*|\*EN: |\*)?(.*?)(\*\*|\*)?$", r"\3", line)
                for line in text.splitlines()[1:] if line not in ("", ">")]
    assert [c for c in contents if re.search(r"(?<!\\)[<>\[\]&*`]", c)] == []
    assert text.count("\\<script\\>") == 4  # action and continuation, Russian and English


def test_markdown_round_trips_the_text_when_unescaped() -> None:
    # Undoing the backslashes gives the story text back, byte for byte.
    turn = Turn("ход", Mode.DO, "x", "y", EVIL + "\n1) пункт")
    text = to_markdown(story([turn]), False)
    unescaped = text.replace("\\", "")
    assert EVIL in unescaped and "1) пункт" in unescaped


@given(st.text(max_size=60).map(lambda t: t.replace("\n", " ").replace("\r", " ")))
def test_md_escape_is_undone_by_commonmark_unescaping(line: str) -> None:
    # CommonMark reads "\\X" as a literal X for any ASCII punctuation X.
    assert re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", md_escape(line)) == line
