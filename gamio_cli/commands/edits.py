"""Changing an entry the player made earlier, in place: `/memory edit N`, `/world edit N` and
`/name remove ИМЯ`. Without new text the entry is put in the input line to edit; the edit is
translated once, as a new entry would be, and saved at once.
"""

from __future__ import annotations

from collections.abc import Callable

from gamio_cli.commands.story import parse_number
from gamio_cli.commands.table import Session
from gamio_cli.errors import GamioError
from gamio_cli.story import MemoryEntry, WorldEntry
from gamio_cli.turn.actions import about_the_hero
from gamio_cli.world.glossary import Glossary
from gamio_cli.world.worldinfo import parse_world_add

EDIT_PROMPT = "Исправьте (Enter — готово) › "
# The words after /memory, /world and /name that pick what to do.
EDIT = {"edit", "изменить", "исправить"}
REMOVE = {"remove", "удалить", "убрать", "-", "del"}


def number_and_rest(rest: str, usage: str) -> tuple[int, str]:
    """"3 new text" -> (3, "new text"); GamioError with the usage when no number comes first."""
    word, _, text = rest.strip().partition(" ")
    return parse_number(word, usage), text.strip()


def edited_text(session: Session, given: str, current: str) -> str | None:
    """The new text: typed after the number, or edited in place from the current one; None
    when the player gave up or changed nothing."""
    text = given or session.edit(EDIT_PROMPT, current)
    text = " ".join((text or "").split())
    if not text:
        session.info("Текст пустой — запись не изменена (удалить её можно отдельной командой).")
        return None
    if text == " ".join(current.split()):
        session.info("Текст не изменился.")
        return None
    return text


def _entry_number(rest: str, count: int, usage: str, listing: str) -> tuple[int, str]:
    number, text = number_and_rest(rest, usage)
    if number > count:
        where = f"есть записи с 1 по {count}" if count else "записей нет"
        raise GamioError(f"Записи №{number} нет: {where} (список: {listing}).")
    return number, text


def edit_memory(session: Session, rest: str, english: Callable[[str], str]) -> None:
    memory = session.game.story.memory
    usage = "/memory edit N [новый текст]"
    number, given = _entry_number(rest, len(memory), usage, "/memory")
    text = edited_text(session, given, memory[number - 1].ru)
    if text is None:
        return
    memory[number - 1] = MemoryEntry(text, about_the_hero(english(text)))
    session.info(f"Память №{number}: {text}")
    session.game.commit()


def edit_world(session: Session, rest: str, english: Callable[[str], str]) -> None:
    world = session.game.story.world
    usage = "/world edit N [ключи = описание]"
    number, given = _entry_number(rest, len(world), usage, "/world")
    old = world[number - 1]
    current = f"{', '.join(old.keys)} = {old.text_ru}"
    text = edited_text(session, given, current)
    if text is None:
        return
    try:
        keys, description = parse_world_add(text)
    except ValueError as error:
        raise GamioError(str(error)) from None
    world[number - 1] = WorldEntry(keys, description, english(description))
    session.info(f"Сведения о мире №{number}: [{', '.join(keys)}] {description}")
    session.game.commit()


def remove_name(session: Session, rest: str) -> None:
    story = session.game.story
    if not rest.strip():
        raise GamioError("Какое имя убрать? Формат: /name remove Имя (словарь: /name).")
    glossary = Glossary(story.glossary)
    try:
        entry = glossary.remove(rest.strip())
    except ValueError as error:
        raise GamioError(f"{error} Словарь: /name.") from None
    story.glossary = list(glossary.entries)
    session.info(f"Из словаря имён убрано: {entry.ru} = {entry.en}")
    session.game.commit()
