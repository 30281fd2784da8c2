"""The Russian action line for a narrator that writes Russian, table-tested on real
pymorphy3 dictionaries: first person, imperatives, reflexive verbs, negation, verbs of motion,
past tense, pronouns and possessives, quoted speech, and inputs that are not actions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamio_cli.story import Mode
from gamio_cli.turn.russian_action import action_line_ru, to_second_person_ru

TABLE = [
    # first person, present
    ("открываю дверь", "Вы открываете дверь."),
    ("я беру меч", "Вы берёте меч."),
    ("Я беру лампу.", "Вы берёте лампу."),
    ("снимаю шлем", "Вы снимаете шлем."),
    ("жду", "Вы ждёте."),
    ("хочу пить", "Вы хотите пить."),
    ("готовлю еду", "Вы готовите еду."),  # «еду» after a verb is the noun
    ("читаю письмо", "Вы читаете письмо."),
    ("зажигаю факел", "Вы зажигаете факел."),
    ("слушаю шаги", "Вы слушаете шаги."),
    ("пью воду из ручья", "Вы пьёте воду из ручья."),
    ("пишу записку", "Вы пишете записку."),
    ("сплю", "Вы спите."),
    ("кричу", "Вы кричите."),
    ("ищу ключ", "Вы ищете ключ."),
    ("стучу в дверь", "Вы стучите в дверь."),
    # imperatives
    ("открой дверь", "Вы открываете дверь."),
    ("Открой дверь", "Вы открываете дверь."),
    ("подними камень", "Вы поднимаете камень."),
    ("посмотри вокруг", "Вы смотрите вокруг."),
    ("закрой окно", "Вы закрываете окно."),
    ("возьми меч", "Вы возьмёте меч."),  # no partner found: the perfective future
    ("ляг спать", "Вы ляжете спать."),
    ("оденься", "Вы оденетесь."),
    ("читай книгу", "Вы читаете книгу."),
    ("жди здесь", "Вы ждёте здесь."),
    # reflexive
    ("одеваюсь", "Вы одеваетесь."),
    ("осматриваюсь", "Вы осматриваетесь."),
    ("прячусь за деревом", "Вы прячетесь за деревом."),
    ("улыбаюсь старику", "Вы улыбаетесь старику."),
    ("сажусь у костра", "Вы садитесь у костра."),
    ("умываюсь в реке", "Вы умываетесь в реке."),
    # negation
    ("не открываю дверь", "Вы не открываете дверь."),
    ("я не сплю", "Вы не спите."),
    ("не двигаюсь", "Вы не двигаетесь."),
    # verbs of motion
    ("иду на север", "Вы идёте на север."),
    ("бегу к реке", "Вы бежите к реке."),
    ("еду домой", "Вы едете домой."),
    ("плыву к острову", "Вы плывёте к острову."),
    ("лечу на драконе", "Вы летите на драконе."),
    ("ухожу прочь", "Вы уходите прочь."),
    ("вхожу в пещеру", "Вы входите в пещеру."),
    ("поднимаюсь по лестнице", "Вы поднимаетесь по лестнице."),
    # past tense, either gender
    ("открыл сундук", "Вы открыли сундук."),
    ("я вернулась домой", "Вы вернулись домой."),
    # several verbs, pronouns, possessives
    ("сажусь у костра и ем хлеб", "Вы садитесь у костра и едите хлеб."),
    ("иду к старику и спрашиваю дорогу", "Вы идёте к старику и спрашиваете дорогу."),
    ("кладу меч в мой мешок", "Вы кладёте меч в ваш мешок."),
    ("смотрю на мою карту", "Вы смотрите на вашу карту."),
    ("зову пса со мной", "Вы зовёте пса с вами."),
    ("могу ли я пройти?", "Можете ли вы пройти?"),
    ("даю мне минуту", "Вы даёте вам минуту."),
    # quoted speech keeps its persons
    ("говорю «я устал»", "Вы говорите «я устал.»"),
    # not actions: kept as written, capitalised, with a stop
    ("дверь", "Дверь."),
    ("привет", "Привет."),
    ("а что там?", "А что там?"),
    ("север", "Север."),
    ("123", "123."),
]  # fmt: skip


@pytest.mark.parametrize("action, line", TABLE, ids=[a for a, _ in TABLE])
def test_table(action: str, line: str) -> None:
    assert to_second_person_ru(action) == line


def test_the_table_is_big_enough() -> None:
    assert len(TABLE) >= 50


def test_modes() -> None:
    assert action_line_ru(Mode.SAY, "Привет") == "Вы говорите: «Привет.»"
    assert action_line_ru(Mode.STORY, "начинается гроза") == "Начинается гроза."
    assert action_line_ru(Mode.CONTINUE, "") == ""
    assert action_line_ru(Mode.DO, "   ") == ""


@given(st.text(max_size=40))
def test_never_crashes_and_never_adds_a_line_break(text: str) -> None:
    line = to_second_person_ru(text)
    assert line.count("\n") <= text.count("\n")
