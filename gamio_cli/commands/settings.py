"""/settings: show the story's generation settings and change one, by its English or Russian
name. The new value is checked with Settings.validate and saved with the story."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from gamio_cli.commands.table import Command, Outcome, Session
from gamio_cli.errors import GamioError
from gamio_cli.settings import Settings


@dataclass(frozen=True)
class Knob:
    field: str  # the Settings field
    names_ru: tuple[str, ...]  # Russian names the player may type, the first one shown
    meaning_ru: str


KNOBS: tuple[Knob, ...] = (
    Knob("temperature", ("температура",), "смелость выбора слов, от 0 до 2"),
    Knob("top_p", ("порог",), "доля самых вероятных слов, от 0 до 1"),
    Knob("top_k", ("выбор",), "из скольких лучших слов выбирать, 0 — без ограничения"),
    Knob(
        "repetition_penalty", ("повторы", "штраф"),
        "штраф за повторы, от 1 (нет) до 2",
    ),
    Knob("max_new_tokens", ("длина",), "длина ответа в токенах, от 1 до 512"),
    Knob("history_actions", ("ходы",), "сколько последних действий видит модель, от 1 до 100"),
)
_USAGE = "/settings имя значение, например: /settings температура 0.7"


def find_knob(name: str) -> Knob | None:
    """The knob called `name` in English or Russian (any case; '-' may stand for '_')."""
    key = name.strip().lower().replace("-", "_").replace("ё", "е")
    for knob in KNOBS:
        if key == knob.field or key in knob.names_ru:
            return knob
    return None


def parse_value(knob: Knob, text: str) -> float | int:
    """The typed value as the knob's type; a decimal comma is accepted («0,7»)."""
    kind = type(getattr(Settings(), knob.field))
    cleaned = text.strip().replace(",", ".")
    try:
        return int(cleaned) if kind is int else float(cleaned)
    except ValueError:
        what = "целое число" if kind is int else "число"
        raise GamioError(f"Для «{knob.names_ru[0]}» нужно {what}, а не «{text}».") from None


def changed(settings: Settings, knob: Knob, value: float | int) -> Settings:
    """Settings with one knob changed; GamioError (Russian) when the value is out of range."""
    change: dict[str, Any] = {knob.field: value}
    new = dataclasses.replace(settings, **change)
    try:
        new.validate()
    except ValueError:
        # validate() names the file's field (temperature); the player typed a Russian name.
        raise GamioError(
            f"Недопустимое значение «{knob.names_ru[0]}» = {value}: {knob.meaning_ru}. "
            f"Сейчас: {getattr(settings, knob.field)}."
        ) from None
    return new


def settings_lines(settings: Settings) -> list[str]:
    lines = ["Настройки рассказчика (сохраняются с историей):"]
    for knob in KNOBS:
        value = getattr(settings, knob.field)
        lines.append(f"  {knob.names_ru[0]} ({knob.field}) = {value} — {knob.meaning_ru}")
    lines.append(f"Изменить: {_USAGE}.")
    return lines


def _settings(session: Session, argument: str) -> Outcome:
    story = session.game.story
    if not argument.strip():
        for line in settings_lines(story.settings):
            session.info(line)
        return Outcome.CONTINUE
    parts = argument.split()
    if len(parts) != 2:
        raise GamioError(f"Нужны имя и значение. Формат: {_USAGE}.")
    knob = find_knob(parts[0])
    if knob is None:
        known = ", ".join(knob.names_ru[0] for knob in KNOBS)
        raise GamioError(f"Нет настройки «{parts[0]}». Есть: {known}. Формат: {_USAGE}.")
    story.settings = changed(story.settings, knob, parse_value(knob, parts[1]))
    session.info(f"{knob.names_ru[0]} = {getattr(story.settings, knob.field)}")
    session.game.commit()
    return Outcome.CONTINUE


def settings_command() -> Command:
    return Command(
        "/settings", ("/настройки",), "/settings [имя значение]",
        "показать или изменить настройки рассказчика", _settings,
    )
