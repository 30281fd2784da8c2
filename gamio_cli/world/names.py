"""Russian first names for the player's character, each with one fixed English form.

The English form is fixed (not transliterated on the fly) so the game can pin the pair in its
glossary: the model always sees the same spelling, and the player always reads the same name.
Male and female names are mixed in one list: the shipped openings are written so that nothing in
them agrees with the character's gender (present tense, no adjectives or role nouns for «ты»).
"""

from __future__ import annotations

import random

from gamio_cli.story import Gender

# (Russian, English). Spellings follow common English usage of these names.
MALE_NAMES: tuple[tuple[str, str], ...] = (
    ("Всеслав", "Vseslav"),
    ("Ярослав", "Yaroslav"),
    ("Ратибор", "Ratibor"),
    ("Добрыня", "Dobrynya"),
    ("Глеб", "Gleb"),
    ("Мирон", "Miron"),
    ("Тимофей", "Timofey"),
)
FEMALE_NAMES: tuple[tuple[str, str], ...] = (
    ("Мирослава", "Miroslava"),
    ("Василиса", "Vasilisa"),
    ("Милена", "Milena"),
    ("Злата", "Zlata"),
    ("Лада", "Lada"),
    ("Есения", "Yesenia"),
    ("Варвара", "Varvara"),
)
NAMES: tuple[tuple[str, str], ...] = MALE_NAMES + FEMALE_NAMES


def name_gender(name_ru: str) -> Gender:
    """The gender of one of these names; UNKNOWN for any other name."""
    if any(name_ru == ru for ru, _ in MALE_NAMES):
        return Gender.MALE
    if any(name_ru == ru for ru, _ in FEMALE_NAMES):
        return Gender.FEMALE
    return Gender.UNKNOWN


def pick_name(rng: random.Random | None = None) -> tuple[str, str]:
    """A (Russian, English) name pair chosen with rng (a fresh random.Random() when None)."""
    return (random.Random() if rng is None else rng).choice(NAMES)
