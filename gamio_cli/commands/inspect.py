"""/prompt (/подсказка): exactly what the model will see next turn, and how much of its window
that takes, with the Russian of every part the player wrote beside its English.

The prompt is built by the same build_prompt the turn uses, for an empty action (the story
goes on); a typed action adds its one line at the end.
"""

from __future__ import annotations

from gamio_cli.commands.table import Command, Outcome, Session
from gamio_cli.story import Mode, Story
from gamio_cli.turn.prompt import Pending, build_prompt
from gamio_cli.world.worldinfo import active_entries, recent_texts


def _prompt(session: Session, argument: str) -> Outcome:
    game = session.game
    story, generator = game.story, game.runner.generator
    window = generator.context_window
    budget = window - story.settings.max_new_tokens
    # PromptTooLong is a GamioError: the player hears which entry to shorten.
    prompt = build_prompt(
        story, Pending(Mode.CONTINUE, ""), generator.count_tokens, budget, game.runner.window_step
    )
    tokens = generator.count_tokens(prompt)
    session.info(
        f"Подсказка модели к следующему ходу: {tokens} токенов из {budget} "
        f"(окно {window}, ещё {story.settings.max_new_tokens} — на ответ; "
        "ваше новое действие добавится последней строкой):"
    )
    for line in prompt.split("\n"):
        session.info(f"  | {line}")
    parts = player_parts(story)
    if parts:
        session.info("Что в ней написали вы (по-русски → как видит модель):")
        for line in parts:
            session.info(f"  {line}")
    return Outcome.CONTINUE


def player_parts(story: Story) -> list[str]:
    """Memory, the world info the next turn calls up, and the note: Russian → English."""
    lines = [f"память №{i}: {entry.ru} → {entry.en}" for i, entry in enumerate(story.memory, 1)]
    for entry in active_entries(story.world, recent_texts(story.turns)):
        number = story.world.index(entry) + 1
        lines.append(f"мир №{number} [{', '.join(entry.keys)}]: {entry.text_ru} → {entry.text_en}")
    if story.note is not None:
        lines.append(f"заметка автора: {story.note.ru} → {story.note.en}")
    return lines


def inspect_commands() -> list[Command]:
    return [
        Command(
            "/prompt", ("/подсказка",), "/prompt",
            "что модель увидит в следующем ходу (по-английски) и сколько это токенов", _prompt,
        ),
    ]
