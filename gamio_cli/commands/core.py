"""The commands every game has (/help, /save, /load, /retry, /undo, /quit) and the default
table: these, then the story and toolkit groups, /quit last."""

from __future__ import annotations

from gamio_cli.commands.hero import hero_commands
from gamio_cli.commands.inspect import inspect_commands
from gamio_cli.commands.story import story_commands
from gamio_cli.commands.table import Command, CommandTable, Outcome, Session, help_lines
from gamio_cli.commands.toolkit import toolkit_commands


def _help(session: Session, argument: str) -> Outcome:
    for line in help_lines(session.commands):
        session.info(line)
    return Outcome.CONTINUE


def _save(session: Session, argument: str) -> Outcome:
    game = session.game
    path = game.save_as(argument) if argument else game.save()
    session.info(f"Сохранено: «{game.name}» ({path}).")
    return Outcome.CONTINUE


def _load(session: Session, argument: str) -> Outcome:
    game = session.game
    if not argument:
        names = [info.name for info in game.store.list() if info.name != game.name]
        known = ", ".join(f"«{name}»" for name in names[:10]) or "других сохранений нет"
        session.info(f"Укажите имя: /load ИМЯ. Сохранения: {known}.")
        return Outcome.CONTINUE
    game.load(argument)
    session.info(f"Загружена история «{game.name}».")
    session.show_story()
    return Outcome.CONTINUE


def _retry(session: Session, argument: str) -> Outcome:
    session.retry()  # the action that just failed, else the last turn's
    return Outcome.CONTINUE


def _undo(session: Session, argument: str) -> Outcome:
    turn = session.game.undo()
    action = f": «{turn.action_ru}»" if turn.action_ru.strip() else ""
    story = session.game.story
    now = "Теперь последний ход такой:" if story.turns else "Ходов не осталось; начало истории:"
    session.info(f"Последний ход отменён{action} (вернуть: /redo). {now}")
    session.show_turn(story.turns[-1] if story.turns else None)
    return Outcome.CONTINUE


def _quit(session: Session, argument: str) -> Outcome:
    return Outcome.QUIT if session.request_quit() else Outcome.CONTINUE


def default_commands() -> CommandTable:
    """The commands every game has, the story toolkit included, /quit last."""
    table = CommandTable(
        [
            Command("/help", ("/помощь",), "/help", "эта справка", _help, russian_words=False),
            Command(
                "/save", ("/сохранить",), "/save [имя]",
                "сохранить историю (с именем — под этим именем)", _save,
            ),
            Command("/load", ("/загрузить",), "/load имя", "открыть сохранённую историю", _load),
            Command(
                "/retry", ("/заново",), "/retry",
                "переписать ответ на последнее действие (или повторить несработавшее)", _retry,
            ),
            Command("/undo", ("/отмена",), "/undo", "отменить последний ход", _undo),
        ]
    )
    for command in story_commands() + toolkit_commands() + hero_commands() + inspect_commands():
        table.add(command)
    table.add(Command("/quit", ("/выход",), "/quit", "сохранить и выйти", _quit))
    return table
