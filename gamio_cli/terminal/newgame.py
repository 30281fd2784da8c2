"""Choosing the world of a new story: a shipped one, or a custom one the player writes in Russian.

The choice is made before the models load (the player is not kept waiting to choose); a custom
opening is translated once, later, with the runner (runner.to_english).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from gamio_cli.errors import GamioError
from gamio_cli.settings import Settings
from gamio_cli.story import Address, Gender, Hero, Story
from gamio_cli.terminal.repl import GameIO
from gamio_cli.textsafe import clean_input
from gamio_cli.world.heroes import parse_address, parse_gender
from gamio_cli.world.scenarios import CUSTOM_KEY, SCENARIOS, Scenario, new_story

T = TypeVar("T")

CUSTOM_TITLE_RU = "Свой мир"
CHOICE_PROMPT = f"Выберите мир (1–{len(SCENARIOS) + 1}) › "
CUSTOM_PROMPT = "Начало истории › "
ADDRESS_PROMPT = "Как обращаться к герою — «ты» или «вы»? (Enter — «ты») › "
GENDER_PROMPT = "Пол героя — м или ж? (Enter — не важно) › "
# A custom opening shorter than this (in characters) gives the model too little to go on.
MIN_CUSTOM_CHARS = 10


@dataclass(frozen=True)
class WorldChoice:
    """A shipped world (scenario set) or a custom opening in Russian (custom_ru set)."""

    scenario: Scenario | None = None
    custom_ru: str | None = None
    hero: Hero = field(default_factory=Hero)  # a custom world's; a shipped one sets its own

    @property
    def key(self) -> str:
        return self.scenario.key if self.scenario else CUSTOM_KEY


def menu_lines() -> list[str]:
    lines = ["Новая история. Выберите мир:"]
    for number, scenario in enumerate(SCENARIOS.values(), start=1):
        lines.append(f"  {number}. {scenario.title_ru} ({scenario.key})")
    lines.append(f"  {len(SCENARIOS) + 1}. {CUSTOM_TITLE_RU} — опишите начало сами ({CUSTOM_KEY})")
    return lines


def parse_choice(text: str) -> str | None:
    """A menu answer (number, key or Russian title, any case) -> scenario key or CUSTOM_KEY."""
    answer = text.strip().lower().rstrip(".")
    keys = [*SCENARIOS, CUSTOM_KEY]
    if answer.isascii() and answer.isdigit() and 1 <= int(answer) <= len(keys):
        return keys[int(answer) - 1]
    titles = {s.title_ru.lower(): s.key for s in SCENARIOS.values()}
    titles[CUSTOM_TITLE_RU.lower()] = CUSTOM_KEY
    if answer in keys:
        return answer
    return titles.get(answer)


def choose_world(io: GameIO, key: str | None = None) -> WorldChoice:
    """Ask for the world (unless key is given) and, for a custom world, its opening.

    In a terminal a wrong answer is asked again; from a pipe it is an error (the next lines
    are actions, guessing would play them in the wrong world). EOFError/KeyboardInterrupt pass.
    """
    if key is None:
        for line in menu_lines():
            io.info(line)
        key = _ask(io, CHOICE_PROMPT, parse_choice, _bad_choice)
    if key != CUSTOM_KEY:
        return WorldChoice(scenario=SCENARIOS[key])
    io.info("Опишите по-русски, кто вы и где начинается история (одной строкой).")
    opening = _ask(io, CUSTOM_PROMPT, _custom_opening, _bad_opening)
    return WorldChoice(custom_ru=opening, hero=ask_hero(io))


def ask_hero(io: GameIO) -> Hero:
    """A custom world's address and gender, asked in a terminal; from a pipe the defaults
    («ты», gender unknown), since the next lines are actions. /hero changes them later."""
    if not io.interactive:
        return Hero()
    address = _ask(io, ADDRESS_PROMPT, _or_default(parse_address, Address.TY), _bad_address)
    gender = _ask(io, GENDER_PROMPT, _or_default(parse_gender, Gender.UNKNOWN), _bad_gender)
    return Hero(address, gender)


def _or_default(parse: Callable[[str], T | None], default: T) -> Callable[[str], T | None]:
    return lambda text: default if not text.strip() else parse(text)


def _bad_address(text: str) -> str:
    return "Ответьте «ты» или «вы» (или просто Enter — будет «ты»)."


def _bad_gender(text: str) -> str:
    return "Ответьте «м» или «ж» (или просто Enter — пол не важен)."


def _ask(
    io: GameIO, prompt: str, parse: Callable[[str], T | None], problem: Callable[[str], str]
) -> T:
    while True:
        text, notes = clean_input(io.read_line(prompt))
        for note in notes:
            io.info(note)
        value = parse(text)
        if value is not None:
            return value
        if not io.interactive:
            raise GamioError(problem(text))
        io.error(problem(text))


def _custom_opening(text: str) -> str | None:
    return text if len(text) >= MIN_CUSTOM_CHARS else None


def _bad_choice(text: str) -> str:
    keys = ", ".join([*SCENARIOS, CUSTOM_KEY])
    shown = text if len(text) <= 30 else text[:30] + "…"
    return (
        f"Не понял выбор «{shown}»: ответьте номером от 1 до {len(SCENARIOS) + 1} "
        f"или названием мира ({keys})."
    )


def _bad_opening(text: str) -> str:
    return f"Слишком короткое начало: напишите хотя бы {MIN_CUSTOM_CHARS} символов."


def custom_story(
    opening_ru: str, opening_en: str, settings: Settings | None = None, hero: Hero | None = None
) -> Story:
    return Story(
        scenario=CUSTOM_KEY,
        opening_ru=opening_ru,
        opening_en=opening_en,
        settings=settings or Settings(),
        hero=hero or Hero(),
    )


def shipped_story(
    scenario: Scenario, seed: int | None, settings: Settings | None = None
) -> Story:
    """A story in a shipped world; with a seed the character's name is reproducible."""
    rng = random.Random(seed) if seed is not None else None
    return new_story(scenario, settings=settings, rng=rng)


def save_base(choice: WorldChoice) -> str:
    """What a new story's save is called (made unique by the store)."""
    return choice.scenario.title_ru.lower() if choice.scenario else CUSTOM_TITLE_RU.lower()

