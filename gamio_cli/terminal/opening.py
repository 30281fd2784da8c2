"""A custom world's opening written on by the narrator: the player's one line becomes an opening
paragraph like the shipped worlds have, if the player wants it (they may keep their own text).

Asked only in a terminal: from a pipe the next lines are actions, not answers.
"""

from __future__ import annotations

from dataclasses import replace

from gamio_cli.engine import CancelToken
from gamio_cli.errors import Cancelled, GamioError
from gamio_cli.story import Story
from gamio_cli.terminal.repl import GameIO, confirm
from gamio_cli.terminal.signals import Presses, cancel_on_interrupt
from gamio_cli.turn.runner import TurnRunner

OFFER = "Пусть рассказчик допишет начало истории одним абзацем?"
KEEP = "Оставить это начало?"


def narrated_opening(runner: TurnRunner, story: Story, io: GameIO) -> Story:
    """story with the narrator's paragraph after the player's opening, when the player asks
    for it and keeps it; else story as it was. A failure or Ctrl-C keeps the player's text."""
    if not io.interactive or not confirm(io, OFFER):
        return story
    cancel = CancelToken()
    try:
        with cancel_on_interrupt(cancel, Presses()):
            with io.working("Рассказчик пишет начало… (Ctrl-C — оставить своё)"):
                turn = runner.play(story, "", cancel)  # the story goes on from the opening
    except Cancelled:
        io.info("Отменено: начало остаётся вашим.")
        return story
    except GamioError:  # the turn's own advice (/retry) does not apply to an opening
        io.info("Рассказчик не смог дописать начало: оно остаётся вашим.")
        return story
    if cancel.cancelled:
        return story
    io.show_narration(f"{story.opening_ru} {turn.continuation_ru}")
    if not confirm(io, KEEP):
        io.info("Хорошо: начало — только ваш текст.")
        return story
    return replace(
        story,
        opening_ru=f"{story.opening_ru} {turn.continuation_ru}",
        opening_en=f"{story.opening_en} {turn.continuation_en}".strip(),
    )
