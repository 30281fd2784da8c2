"""The agreement post-edit: the sentence table with its two figures, and its rules one by one."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamio_cli.story import Address, Gender, Hero
from gamio_cli.turn.agreement import agree
from tests.turn.agreement_table import HEROES, read_table, score

CASES = read_table()
TUNED = [case for case in CASES if not case.held_out]
HELD_OUT = [case for case in CASES if case.held_out]


def _report(capsys: pytest.CaptureFixture[str], name: str, cases_count: int, share: float,
            wrong: int, missed: int) -> None:  # fmt: skip
    with capsys.disabled():
        print(
            f"\nсогласование, {name}: {cases_count} предложений × 4 героя, полностью верно "
            f"{share:.1%}, ошибочно изменённых слов {wrong}, пропущенных {missed}"
        )


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 150
    assert len(HELD_OUT) == 30


def test_tuned_table_figures(capsys: pytest.CaptureFixture[str]) -> None:
    result = score(TUNED)
    _report(capsys, "настроечная часть", result.sentences, result.share,
            result.wrongly_changed, result.missed)  # fmt: skip
    assert result.wrongly_changed == 0, result.failures
    assert result.share >= 0.95, result.failures


def test_held_out_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """Reported, and held to what its one run gave (28 of 30, no wrong word): not tuned on.

    An earlier held-out set (28 of 30, 4 wrong words) was tuned on afterwards and is now part
    of the tuned table; these 30 were written after that tuning."""
    result = score(HELD_OUT)
    _report(capsys, "отложенная часть", result.sentences, result.share,
            result.wrongly_changed, result.missed)  # fmt: skip
    assert result.correct >= 28, result.failures
    assert result.wrongly_changed == 0, result.failures


def test_score_notices_a_wrong_change() -> None:
    """The scorer itself can fail: a case whose expectation is wrong counts as wrong."""
    broken = read_table()[0]
    from dataclasses import replace

    result = score([replace(broken, expected="{Вы|Он} {открываете|открывает} дверь.")])
    assert result.correct == 0
    assert result.wrongly_changed == 4  # «Ты»/«открываешь» for both ты heroes


@pytest.mark.parametrize("hero", list(HEROES))
def test_text_without_the_player_is_returned_as_is(hero: str) -> None:
    text = "Стражник вошёл в комнату. Она улыбнулась. "
    assert agree(text, HEROES[hero]) == text


def test_spacing_between_sentences_is_kept() -> None:
    hero = Hero(Address.TY, Gender.FEMALE)
    assert agree("Вы вошли.  Вы устали!", hero) == "Ты вошла.  Ты устала!"


def test_unknown_gender_keeps_the_models_gender_and_defaults_to_masculine() -> None:
    hero = Hero(Address.TY, Gender.UNKNOWN)
    assert agree("Ты вошла в таверну.", hero) == "Ты вошла в таверну."
    assert agree("Вы вошли в таверну.", hero) == "Ты вошёл в таверну."


def test_capital_letters_and_yo_survive() -> None:
    hero = Hero(Address.TY, Gender.MALE)
    assert agree("ВАШ меч. Ваш меч.", hero).endswith("Твой меч.")
    assert agree("Вы шли.", hero) == "Ты шёл."


@pytest.mark.parametrize("hero", list(HEROES))
def test_agreeing_twice_changes_nothing_more(hero: str) -> None:
    for case in CASES:
        once = agree(case.text, HEROES[hero])
        assert agree(once, HEROES[hero]) == once, case.line


@given(st.text(alphabet="вытебяВашоникдлз ,.!?«»—-\"", max_size=60),
       st.sampled_from(list(HEROES.values())))  # fmt: skip
def test_any_text_keeps_its_signs_and_spaces(text: str, hero: Hero) -> None:
    result = agree(text, hero)
    assert re.sub(r"[А-Яа-яЁё]", "", result) == re.sub(r"[А-Яа-яЁё]", "", text)


def test_an_object_that_may_also_read_as_a_past_verb_stays() -> None:
    """«замок» is also the past of «замокнуть»; after «открыть» it is the object."""
    hero = Hero(Address.TY, Gender.FEMALE)
    assert agree("Ты не смог открыть замок.", hero) == "Ты не смогла открыть замок."
