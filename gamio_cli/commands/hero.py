"""/hero (/герой): how the narrator addresses the hero («ты» or «вы») and the hero's gender.

The Russian of every later turn agrees with it (turn/agreement.py) and the model is told the
gender (turn/prompt.py); turns already played stay as the player read them.
"""

from __future__ import annotations

import re

from gamio_cli.commands.table import Command, Outcome, Session
from gamio_cli.errors import GamioError
from gamio_cli.world.heroes import describe_hero, parse_hero

USAGE = "/hero [ты|вы] [м|ж|не важно], например: /hero вы ж"


def _hero(session: Session, argument: str) -> Outcome:
    game = session.game
    words = argument.strip()
    if not words:
        session.info(describe_hero(game.story.hero))
        session.info(f"Изменить: {USAGE}.")
        return Outcome.CONTINUE
    # «не важно» is two words: the gender answer that means "unknown".
    words = re.sub(r"\bне\s+важно\b", "неважно", words, flags=re.IGNORECASE)
    hero = parse_hero(words, game.story.hero)
    if hero is None:
        raise GamioError(f"Не понимаю «{argument.strip()}». Формат: {USAGE}.")
    if hero == game.story.hero:
        session.info(f"Без изменений. {describe_hero(hero)}")
        return Outcome.CONTINUE
    game.story.hero = hero
    game.commit()
    session.info(f"{describe_hero(hero)} Так будут написаны следующие ходы; прежние не меняются.")
    return Outcome.CONTINUE


def hero_commands() -> list[Command]:
    return [
        Command(
            "/hero", ("/герой",), "/hero [ты|вы] [м|ж]",
            "обращение к герою и его пол (без слов — показать)", _hero,
        ),
    ]
