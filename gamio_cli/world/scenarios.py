"""The shipped worlds: an opening in English for the model and a hand-made Russian one for the player.

The English openings follow AI Dungeon 2's prompts: second person, present tense, a few sentences
that end on a moment asking for the player's first action. The Russian texts are translated by
hand, not by the model, because the opening is the first thing the player reads.
Both are templates with NAME_PLACEHOLDER; in Russian the name always stands in the nominative
(«Тебя зовут …») and nothing agrees with the character's gender, so any name from names.py fits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from gamio_cli.settings import Settings
from gamio_cli.story import Address, GlossaryEntry, Hero, Story
from gamio_cli.world.names import name_gender, pick_name

CUSTOM_KEY = "custom"  # Story.scenario of a world the player wrote
NAME_PLACEHOLDER = "{name}"


@dataclass(frozen=True)
class Scenario:
    """A shipped world; the openings are templates holding NAME_PLACEHOLDER."""

    key: str
    title_ru: str
    opening_ru: str
    opening_en: str


_FANTASY = Scenario(
    key="fantasy",
    title_ru="Фэнтези",
    opening_en=(
        "You are {name}, a wanderer in the northern kingdom of Larn, selling your sword to whoever "
        "pays the most. You carry a notched longsword, a flint and a letter sealed with black wax. "
        "The letter promised you a hundred gold crowns to guide a stranger through the Ashwood "
        "before the first snow. Now dusk is falling, the snow has begun, and the stranger has not "
        "come. Somewhere among the pines a horse snorts, and you hear footsteps behind you."
    ),
    opening_ru=(
        "Тебя зовут {name}. Ты скитаешься по северному королевству Ларн и продаёшь свой клинок "
        "тому, кто больше заплатит. При тебе — длинный меч в зазубринах, огниво и письмо под "
        "чёрной сургучной печатью. В письме тебе обещали сто золотых крон за то, чтобы провести "
        "незнакомца через Пепельный лес до первого снега. Смеркается, снег уже идёт, а незнакомца "
        "всё нет. Где-то среди сосен фыркает лошадь, и ты слышишь за спиной шаги."
    ),
)

_MYSTERY = Scenario(
    key="mystery",
    title_ru="Детектив",
    opening_en=(
        "You are {name}, and you make your living as a private detective in a port city where "
        "the rain never stops. At midnight a telegram summons you to the Hotel Meridian: the guest "
        "in room 314 has been found dead, and the police want it kept quiet. The door of the "
        "room is locked from the inside, the window is painted shut, and the tea in the cup on "
        "the desk is still warm. The night clerk swears that nobody went up the stairs. Then the "
        "telephone on the nightstand begins to ring."
    ),
    opening_ru=(
        "Тебя зовут {name}, и ты зарабатываешь на жизнь частным сыском в портовом городе, где "
        "дождь не кончается никогда. В полночь телеграмма вызывает тебя в гостиницу «Меридиан»: "
        "постояльца из номера 314 нашли мёртвым, и полиция просит обойтись без шума. Дверь "
        "номера заперта изнутри, окно наглухо закрашено, а чай в чашке на столе ещё не остыл. "
        "Ночной портье клянётся, что по лестнице никто не поднимался. И тут на тумбочке у "
        "кровати звонит телефон."
    ),
)

_APOCALYPSE = Scenario(
    key="apocalypse",
    title_ru="Апокалипсис",
    opening_en=(
        "You are {name}. Eleven years have passed since the bombs fell, and few people are left "
        "alive in the ruins of the old city. You have a gas mask with a single spare filter, a "
        "crowbar and a Geiger counter that clicks louder every day. The water barrels at your "
        "shelter are almost dry, so tonight you climb down into the subway in search of clean "
        "water. Your flashlight picks out fresh footprints in the dust of the platform. "
        "Somewhere deep in the tunnel, someone is singing."
    ),
    opening_ru=(
        "Тебя зовут {name}. Одиннадцать лет прошло с тех пор, как упали бомбы, и в руинах "
        "старого города почти не осталось живых. У тебя есть противогаз с единственным запасным "
        "фильтром, монтировка и счётчик Гейгера, который с каждым днём трещит всё громче. Бочки "
        "с водой в твоём убежище почти опустели, и этой ночью ты спускаешься в метро на поиски "
        "чистой воды. Луч фонаря выхватывает на пыльной платформе свежие следы. Где-то в "
        "глубине тоннеля кто-то поёт."
    ),
)

_ZOMBIES = Scenario(
    key="zombies",
    title_ru="Зомби",
    opening_en=(
        'You are {name}, and for three days the radio has said only one thing: "Stay indoors." '
        "This morning the food ran out, so you slip out of your apartment and make your way to "
        "the supermarket two blocks away. The street is empty except for abandoned cars and a "
        "bus lying on its side. The doors of the supermarket are smashed, and the aisles are dark "
        "and silent. From behind the shelves comes a slow, dragging shuffle, and then a low moan."
    ),
    opening_ru=(
        "Тебя зовут {name}. Вот уже три дня радио повторяет одно и то же: «Оставайтесь дома». "
        "Сегодня утром кончилась еда, так что ты тихо выходишь из квартиры и пробираешься к "
        "супермаркету в двух кварталах от дома. На улице ни души — только брошенные машины да "
        "автобус, лежащий на боку. Двери супермаркета разбиты, между стеллажами темно и тихо. "
        "Из-за полок доносится медленное шарканье, а следом — глухой стон."
    ),
)

# Menu order.
SCENARIOS: dict[str, Scenario] = {s.key: s for s in (_FANTASY, _MYSTERY, _APOCALYPSE, _ZOMBIES)}


def new_story(
    scenario: Scenario,
    settings: Settings | None = None,
    rng: random.Random | None = None,
    name: tuple[str, str] | None = None,
) -> Story:
    """A fresh story in this world; the character is `name` (Russian, English) or one picked with rng.

    The name goes into the story's glossary, so translation keeps its fixed English form, and
    the hero is addressed as «ты» (as the openings are) in the name's gender.
    """
    name_ru, name_en = pick_name(rng) if name is None else name
    return Story(
        scenario=scenario.key,
        opening_ru=scenario.opening_ru.replace(NAME_PLACEHOLDER, name_ru),
        opening_en=scenario.opening_en.replace(NAME_PLACEHOLDER, name_en),
        settings=Settings() if settings is None else settings,
        glossary=[GlossaryEntry(name_ru, name_en)],
        hero=Hero(Address.TY, name_gender(name_ru)),
    )
