"""The hero's form of address and gender in words: what the player types and what is shown.

Used by the new-game questions (terminal/newgame.py) and by /hero (commands/hero.py), so both
accept the same answers.
"""

from __future__ import annotations

from gamio_cli.story import Address, Gender, Hero

_ADDRESS_WORDS = {
    Address.TY: {"ты", "т", "на ты", "ty"},
    Address.VY: {"вы", "в", "на вы", "vy"},
}
_GENDER_WORDS = {
    Gender.MALE: {"м", "муж", "мужской", "мужчина", "он", "герой", "m", "male"},
    Gender.FEMALE: {"ж", "жен", "женский", "женщина", "она", "героиня", "f", "female"},
    Gender.UNKNOWN: {"?", "-", "не важно", "неважно", "любой", "не знаю", "unknown"},
}
ADDRESS_NAMES = {Address.TY: "«ты»", Address.VY: "«вы»"}
GENDER_NAMES = {
    Gender.MALE: "мужской",
    Gender.FEMALE: "женский",
    Gender.UNKNOWN: "не задан (формы модели не меняются, где она их выбрала)",
}


def _normal(text: str) -> str:
    return " ".join(text.strip().lower().rstrip(".!").replace("«", "").replace("»", "").split())


def parse_address(text: str) -> Address | None:
    """«ты», «вы» (or «т», «в», «на вы») -> the address; None when it is neither."""
    word = _normal(text)
    return next((a for a, words in _ADDRESS_WORDS.items() if word in words), None)


def parse_gender(text: str) -> Gender | None:
    """«м», «ж», «не важно» and the like -> the gender; None when it is none of them."""
    word = _normal(text)
    return next((g for g, words in _GENDER_WORDS.items() if word in words), None)


def parse_hero(words: str, hero: Hero) -> Hero | None:
    """The hero after `/hero` words such as «вы», «ж», «ты м»; None when a word is unknown."""
    address, gender = hero.address, hero.gender
    for word in words.split():
        new_address, new_gender = parse_address(word), parse_gender(word)
        if new_address is not None:
            address = new_address
        elif new_gender is not None:
            gender = new_gender
        else:
            return None
    return Hero(address, gender)


def describe_hero(hero: Hero) -> str:
    """One Russian line: how the narrator speaks to the hero and the hero's gender."""
    return f"Обращение: {ADDRESS_NAMES[hero.address]}; пол героя: {GENDER_NAMES[hero.gender]}."
