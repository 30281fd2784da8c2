"""Commands that shape what the model sees: memory (/remember, /memory, /forget), the author's
note (/note), world info (/world) and the names glossary (/name), plus /settings.

The player's Russian is translated once, when it is entered, and both languages are stored.
Every change is saved at once (autosave). After memory or world info grows, the prompt is
checked: if it no longer leaves room for the latest turns, the player hears which entry to
shorten now, not at the next turn.
"""

from __future__ import annotations

from typing import TypeVar

from gamio_cli.commands.edits import EDIT, REMOVE, edit_memory, edit_world, remove_name
from gamio_cli.commands.settings import settings_command
from gamio_cli.commands.story import parse_number
from gamio_cli.commands.table import Command, Outcome, Session
from gamio_cli.errors import GamioError
from gamio_cli.story import AuthorNote, MemoryEntry, Mode, WorldEntry
from gamio_cli.turn.actions import about_the_hero
from gamio_cli.turn.prompt import Pending, PromptTooLong, build_prompt
from gamio_cli.world.glossary import Glossary, parse_name_command
from gamio_cli.world.nominative import typed_form_note
from gamio_cli.world.worldinfo import parse_world_add

T = TypeVar("T")

# Longest text one memory entry, note or world entry may have, in characters.
MAX_ENTRY_CHARS = 1000


def _text(argument: str, usage: str) -> str:
    text = " ".join(argument.split())
    if not text:
        raise GamioError(f"Нужен текст. Формат: {usage}.")
    if len(text) > MAX_ENTRY_CHARS:
        raise GamioError(f"Слишком длинно: не больше {MAX_ENTRY_CHARS} символов.")
    return text


def _english(session: Session, text_ru: str) -> str:
    english = session.translate(text_ru)
    if not english.strip():
        raise GamioError("Не удалось перевести текст. Попробуйте сказать иначе.")
    return english.strip()


def warn_if_too_long(session: Session) -> None:
    """Tell the player now when memory and world info leave no room for the story."""
    game = session.game
    generator = game.runner.generator
    budget = generator.context_window - game.story.settings.max_new_tokens
    try:
        build_prompt(game.story, Pending(Mode.CONTINUE, ""), generator.count_tokens, budget)
    except PromptTooLong as error:
        session.info(f"Внимание: {error.message}")


# --- memory -----------------------------------------------------------------------------------

_MEMORY_USAGE = "/memory — список; /memory edit N [текст]; /forget N"


def _remember(session: Session, argument: str) -> Outcome:
    text = _text(argument, "/remember факт, например: /remember У меня есть лампа.")
    # What the player writes about the hero reaches the model as actions do: "You …".
    entry = MemoryEntry(text, about_the_hero(_english(session, text)))
    game = session.game
    game.story.memory.append(entry)
    session.info(f"Запомнено (№{len(game.story.memory)}): {text}")
    game.commit()
    warn_if_too_long(session)
    return Outcome.CONTINUE


def _memory(session: Session, argument: str) -> Outcome:
    word, _, rest = argument.strip().partition(" ")
    if word.lower() in EDIT:
        edit_memory(session, rest, lambda text: _english(session, text))
        return Outcome.CONTINUE
    if word.lower() in REMOVE:
        return _forget(session, rest)
    if word:
        raise GamioError(f"Не понимаю «{word}». Формат: {_MEMORY_USAGE}.")
    memory = session.game.story.memory
    if not memory:
        session.info("Память пуста. Добавить факт: /remember текст (или /запомнить).")
        return Outcome.CONTINUE
    session.info("Память истории (модель видит её всегда):")
    for number, entry in enumerate(memory, 1):
        session.info(f"  {number}. {entry.ru}")
    session.info("Изменить запись: /memory edit N; удалить: /forget N.")
    return Outcome.CONTINUE


def _forget(session: Session, argument: str) -> Outcome:
    memory = session.game.story.memory
    entry = _pop_numbered(memory, argument, "/forget N (список: /memory)", "в памяти", "/memory")
    session.info(f"Забыто: {entry.ru}")
    session.game.commit()
    return Outcome.CONTINUE


def _pop_numbered(items: list[T], argument: str, usage: str, where: str, listing: str) -> T:
    """Remove and return entry N (counted from 1) of a numbered list the player was shown."""
    number = parse_number(argument, usage)
    if number > len(items):
        raise GamioError(_missing(number, len(items), where, listing))
    return items.pop(number - 1)


def _missing(number: int, count: int, where: str, listing: str) -> str:
    if not count:
        return f"Записи №{number} нет: {where} пусто."
    return f"Записи №{number} нет: {where} записи с 1 по {count} (список: {listing})."


# --- author's note ----------------------------------------------------------------------------


_CLEAR = {"-", "убрать", "удалить", "remove", "clear"}


def _note(session: Session, argument: str) -> Outcome:
    """Without text: show the note. `/note -` (or «убрать»): clear it. Else: set it."""
    story = session.game.story
    if not argument.strip():
        if story.note is None:
            session.info(
                "Заметки автора нет. Задать: /note текст, например: "
                "/note история мрачная и напряжённая."
            )
        else:
            session.info(f"Заметка автора: {story.note.ru}")
            session.info("Заменить: /note текст; убрать: /note -.")
        return Outcome.CONTINUE
    if argument.strip().lower() in _CLEAR:
        if story.note is None:
            session.info("Заметки автора и так нет.")
            return Outcome.CONTINUE
        story.note = None
        session.info("Заметка автора убрана.")
        session.game.commit()
        return Outcome.CONTINUE
    text = _text(argument, "/note текст (без текста — показать, /note - — убрать)")
    story.note = AuthorNote(text, _english(session, text))
    session.info(f"Заметка автора: {text}")
    session.game.commit()
    warn_if_too_long(session)
    return Outcome.CONTINUE


# --- world info -------------------------------------------------------------------------------

_WORLD_USAGE = "/world add ключи = описание; /world — список; /world edit N; /world remove N"
_ADD = {"add", "добавить", "+"}


def _world(session: Session, argument: str) -> Outcome:
    word, _, rest = argument.strip().partition(" ")
    if not word:
        _world_list(session)
    elif word.lower() in _ADD:
        _world_add(session, rest)
    elif word.lower() in REMOVE:
        _world_remove(session, rest)
    elif word.lower() in EDIT:
        edit_world(session, rest, lambda text: _english(session, text))
    else:
        raise GamioError(f"Не понимаю «{word}». Формат: {_WORLD_USAGE}.")
    return Outcome.CONTINUE


def _world_list(session: Session) -> None:
    world = session.game.story.world
    if not world:
        session.info(f"Сведений о мире нет. {_WORLD_USAGE}.")
        return
    session.info("Сведения о мире (модель видит их, когда ключ встречается в последних ходах):")
    for number, entry in enumerate(world, 1):
        session.info(f"  {number}. [{', '.join(entry.keys)}] {entry.text_ru}")
    session.info("Изменить запись: /world edit N; удалить: /world remove N.")


def _world_add(session: Session, rest: str) -> None:
    try:
        keys, text = parse_world_add(rest)
    except ValueError as error:
        raise GamioError(str(error)) from None
    text = _text(text, _WORLD_USAGE)
    entry = WorldEntry(keys, text, _english(session, text))
    world = session.game.story.world
    world.append(entry)
    session.info(f"Сведения о мире №{len(world)} добавлены: [{', '.join(keys)}] {text}")
    session.game.commit()
    warn_if_too_long(session)


def _world_remove(session: Session, rest: str) -> None:
    usage = "/world remove N (список: /world)"
    entry = _pop_numbered(session.game.story.world, rest, usage, "в сведениях о мире", "/world")
    session.info(f"Сведения о мире удалены: {entry.text_ru}")
    session.game.commit()


# --- names ------------------------------------------------------------------------------------


def _name(session: Session, argument: str) -> Outcome:
    story = session.game.story
    word, _, rest = argument.strip().partition(" ")
    if word.lower() in REMOVE and "=" not in argument:
        remove_name(session, rest)
        return Outcome.CONTINUE
    if not argument.strip():
        if not story.glossary:
            session.info("Словарь имён пуст. Добавить: /name Всеслав = Vseslav.")
            return Outcome.CONTINUE
        session.info("Словарь имён (так они переводятся всегда):")
        for entry in story.glossary:
            session.info(f"  {entry.ru} = {entry.en}{typed_form_note(entry.ru)}")
        session.info("Убрать имя: /name remove Имя.")
        return Outcome.CONTINUE
    try:
        entry = parse_name_command(argument)
        glossary = Glossary(story.glossary)
        glossary.add(entry)
    except ValueError as error:
        raise GamioError(str(error)) from None
    story.glossary = list(glossary.entries)
    session.info(f"В словаре имён: {entry.ru} = {entry.en}")
    session.game.commit()
    return Outcome.CONTINUE


def toolkit_commands() -> list[Command]:
    return [
        Command(
            "/remember", ("/запомнить",), "/remember текст",
            "закрепить факт в памяти истории", _remember,
        ),
        Command(
            "/memory", ("/память",), "/memory [edit N]",
            "показать память истории; edit N — исправить запись", _memory,
        ),
        Command("/forget", ("/забыть",), "/forget N", "убрать запись N из памяти", _forget),
        Command(
            "/note", ("/заметка",), "/note [текст|-]",
            "заметка автора о стиле (без текста — показать, «-» — убрать)", _note,
        ),
        Command(
            "/world", ("/мир",), "/world [add|edit|remove]",
            "сведения о мире: add ключи = текст, edit N, remove N", _world,
        ),
        Command(
            "/name", ("/имя",), "/name [имя = Name|remove имя]",
            "как переводить имя (без текста — словарь)", _name,
        ),
        settings_command(),
    ]
