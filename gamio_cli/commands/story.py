"""Commands that steer the turns themselves: /redo, /alter, /variants, /variant, /story,
/original and /restart. Each change goes through Game, which saves it at once (autosave).
"""

from __future__ import annotations

from gamio_cli.commands.table import Command, Outcome, Session
from gamio_cli.errors import GamioError
from gamio_cli.story import Story
from gamio_cli.turn.prompt import action_text

# What /original shows for a turn whose narrator wrote Russian itself.
RUSSIAN_NARRATOR_NOTE = ("(этот ход рассказчик написал сам по-русски: перевода не было, "
                         "оригинал — русский текст)")
# How many of the latest turns /original shows when no number is given.
ORIGINAL_TURNS = 3
# At most this many turns for /original N: the screen is not a file (export is).
MAX_ORIGINAL_TURNS = 50


def _redo(session: Session, argument: str) -> Outcome:
    turn = session.game.redo()
    action = f": «{turn.action_ru}»" if turn.action_ru.strip() else ""
    session.info(f"Ход возвращён{action}.")
    session.show_turn(turn)
    return Outcome.CONTINUE


def _alter(session: Session, argument: str) -> Outcome:
    """Edit the last continuation in Russian; the edit is translated once for the model."""
    story = session.game.story
    if not story.turns:
        raise GamioError("Исправлять нечего: в истории ещё нет ходов.")
    old = story.turns[-1].continuation_ru
    edited = argument or session.edit("Исправьте текст (Enter — готово) › ", old)
    if edited is None:
        session.info("Исправление отменено: текст прежний.")
        return Outcome.CONTINUE
    edited = " ".join(edited.split())
    if not edited:
        session.info("Пустой текст не ставлю: ответ остался прежним. Убрать весь ход: /undo.")
        return Outcome.CONTINUE
    if edited == " ".join(old.split()):
        session.info("Текст не изменился.")
        return Outcome.CONTINUE
    english = session.translate(edited)
    if not english:
        raise GamioError("Не удалось перевести исправленный текст. Попробуйте сказать иначе.")
    session.info("Исправлено. Модель будет продолжать от нового текста.")
    session.game.alter(edited, english)
    return Outcome.CONTINUE


def _variants(session: Session, argument: str) -> Outcome:
    story = session.game.story
    if not story.turns:
        raise GamioError("Вариантов нет: в истории ещё нет ходов.")
    last = story.turns[-1]
    if not last.alternatives:
        session.info("Других вариантов нет: их оставляет /retry, когда переписывает ответ.")
        return Outcome.CONTINUE
    session.info("Прежние варианты ответа на последнее действие:")
    for number, alternative in enumerate(last.alternatives, 1):
        session.info(f"  {number}. {alternative.ru}")
    session.info(f"Сейчас: {last.continuation_ru}")
    session.info("Вернуть вариант: /variant N (нынешний тоже сохранится среди вариантов).")
    return Outcome.CONTINUE


def _variant(session: Session, argument: str) -> Outcome:
    number = parse_number(argument, "/variant N (список вариантов: /variants)")
    turn = session.game.choose_variant(number)
    session.info(f"Вариант №{number} снова в истории:")
    session.show_turn(turn)
    return Outcome.CONTINUE


def _story(session: Session, argument: str) -> Outcome:
    session.show_story(last_turns=len(session.game.story.turns))
    return Outcome.CONTINUE


def _original(session: Session, argument: str) -> Outcome:
    """The English the model saw and wrote for the last turns (the bilingual record)."""
    count = parse_number(argument, "/original [N]") if argument else ORIGINAL_TURNS
    count = min(count, MAX_ORIGINAL_TURNS)
    for line in original_lines(session.game.story, count):
        session.info(line)
    return Outcome.CONTINUE


def original_lines(story: Story, count: int) -> list[str]:
    """The English of the last `count` turns (the opening when there are none yet)."""
    turns = story.turns[-count:]
    if not turns:
        return ["Ходов ещё нет. Начало истории по-английски:", story.opening_en]
    lines = [f"Последние ходы по-английски ({len(turns)}):"]
    for turn in turns:
        if turn.language == "ru":  # nothing was translated: the Russian is the original
            lines += [RUSSIAN_NARRATOR_NOTE, ""]
            continue
        action = action_text(turn.mode, turn.action_en)
        lines += ([action] if action else []) + [turn.continuation_en, ""]
    return lines[:-1]


def _restart(session: Session, argument: str) -> Outcome:
    game = session.game
    if not session.confirm(
        f"Начать этот мир заново? Ходы начнутся с начала мира; память, сведения о мире, "
        f"заметка автора, словарь имён и настройки останутся. Нынешняя история останется "
        f"в сохранении «{game.name}»."
    ):
        session.info("Продолжаем нынешнюю историю.")
        return Outcome.CONTINUE
    old_name = game.name
    game.restart(restarted(game.story))
    session.info(
        f"Новая история — «{game.name}»; прежняя сохранена как «{old_name}» "
        f"(вернуться: /load {old_name})."
    )
    session.show_story()
    return Outcome.CONTINUE


def restarted(story: Story) -> Story:
    """The same world from its opening: what the player set up for it (memory, world info,
    the note, names, settings) stays; the turns go."""
    fresh = story.copy()
    fresh.turns = []
    fresh.undone = []
    return fresh


def parse_number(argument: str, usage: str) -> int:
    """A positive whole number typed by the player; GamioError with the usage otherwise."""
    text = argument.strip().lstrip("№#").strip()
    if not text.isdigit() or not text.isascii() or int(text) < 1:
        raise GamioError(f"Нужен номер — целое число от 1. Формат: {usage}.")
    return int(text)


def story_commands() -> list[Command]:
    return [
        Command("/redo", ("/вернуть",), "/redo", "вернуть ход, отменённый /undo", _redo),
        Command(
            "/alter", ("/исправить",), "/alter [текст]",
            "исправить последний ответ рассказчика", _alter,
        ),
        Command(
            "/variants", ("/варианты",), "/variants",
            "прежние варианты ответа (их оставляет /retry)", _variants,
        ),
        Command(
            "/variant", ("/вариант",), "/variant N", "вернуть прежний вариант ответа", _variant
        ),
        Command("/story", ("/история",), "/story", "вся история по-русски", _story),
        Command(
            "/original", ("/оригинал",), "/original [N]",
            "английский текст последних ходов, который видит модель", _original,
        ),
        Command(
            "/restart", ("/сначала",), "/restart",
            "начать этот мир заново (старая история останется)", _restart,
        ),
    ]
