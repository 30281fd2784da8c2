"""Names typed in any case go into the glossary in the nominative: 30 names × 6 cases.

Each row: the six forms (именительный, родительный, дательный, винительный, творительный,
предложный), then what the glossary must keep for each («=» for the nominative itself, «~» for
"kept as typed": no confident reading, which /name reports). Names pymorphy3 does not know are
at the end of each list.
"""

from __future__ import annotations

import pytest

from gamio_cli.world.glossary import candidate_names
from gamio_cli.world.nominative import nominative, typed_form_kept

MALE = """
Пётр Петра Петру Петра Петром Петре
Иван Ивана Ивану Ивана Иваном Иване
Всеслав Всеслава Всеславу Всеслава Всеславом Всеславе
Ратибор Ратибора Ратибору Ратибора Ратибором Ратиборе
Глеб Глеба Глебу Глеба Глебом Глебе
Павел Павла Павлу Павла Павлом Павле
Никита Никиты Никите Никиту Никитой Никите
Илья Ильи Илье Илью Ильёй Илье
Добрыня Добрыни Добрыне Добрыню Добрыней Добрыне
Велимир Велимира Велимиру Велимира Велимиром Велимире
Светозар Светозара Светозару Светозара Светозаром Светозаре
Драгомир Драгомира Драгомиру Драгомира Драгомиром Драгомире
Кхаргул Кхаргула Кхаргулу Кхаргула Кхаргулом Кхаргуле
Тэрвин Тэрвина Тэрвину Тэрвина Тэрвином Тэрвине
Альдеран Альдерана Альдерану Альдерана Альдераном Альдеране
"""
FEMALE = """
Мирослава Мирославы Мирославе Мирославу Мирославой Мирославе
Анна Анны Анне Анну Анной Анне
Ольга Ольги Ольге Ольгу Ольгой Ольге
Мария Марии Марии Марию Марией Марии
Есения Есении Есении Есению Есенией Есении
Злата Златы Злате Злату Златой Злате
Милена Милены Милене Милену Миленой Милене
Радмила Радмилы Радмиле Радмилу Радмилой Радмиле
Варвара Варвары Варваре Варвару Варварой Варваре
Любомира Любомиры Любомире Любомиру Любомирой Любомире
Василиса Василисы Василисе Василису Василисой Василисе
Лада Лады Ладе Ладу Ладой Ладе
Элвина Элвины Элвине Элвину Элвиной Элвине
Зарина Зарины Зарине Зарину Зариной Зарине
Гвендолина Гвендолины Гвендолине Гвендолину Гвендолиной Гвендолине
"""
CASES = ("им", "род", "дат", "вин", "твор", "пред")


def _rows(table: str) -> list[list[str]]:
    return [line.split() for line in table.strip().splitlines()]


ROWS = _rows(MALE) + _rows(FEMALE)


def test_thirty_names_both_genders() -> None:
    assert len(_rows(MALE)) == len(_rows(FEMALE)) == 15
    assert all(len(row) == 6 for row in ROWS)


def _score() -> tuple[int, int, int, list[str]]:
    """Right nominatives, forms kept as typed (no confident reading), wrong names; failures."""
    right = kept = wrong = 0
    failures: list[str] = []
    for row in ROWS:
        for case, form in zip(CASES, row):
            found = nominative(form)
            if found is None or (found == form != row[0]):
                kept += 1
                failures.append(f"{form} ({case}): kept as typed")
            elif found.replace("ё", "е") == row[0].replace("ё", "е"):
                right += 1
            else:
                wrong += 1
                failures.append(f"{form} ({case}): {found}, not {row[0]}")
    return right, kept, wrong, failures


def test_names_in_every_case_go_to_the_nominative(capsys: pytest.CaptureFixture[str]) -> None:
    right, kept, wrong, failures = _score()
    with capsys.disabled():
        print(f"\nимена: {len(ROWS)} × 6 падежей: именительный найден {right}, оставлено как "
              f"введено {kept}, ошибочно {wrong}")  # fmt: skip
    # Measured: 158 right, 14 kept as typed (forms that are also another name's nominative:
    # «Светозара», «Драгомира»), 8 wrong (the dictionary knows «Элвин», so «Элвина» reads as
    # its genitive; «Светозаре» as the dative of «Светозара»). Worse than that fails here.
    assert right >= 158, failures
    assert wrong <= 8, failures


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("Мирославе", "Мирослава"), ("Петра", "Пётр"), ("Всеславом", "Всеслав"),
     ("Ольгой", "Ольга"), ("Кхаргулом", "Кхаргул"), ("Ксандру", None)],
)  # fmt: skip
def test_the_issues_examples(typed: str, expected: str | None) -> None:
    assert nominative(typed) == expected
    assert typed_form_kept(typed) is (expected is None)


@pytest.mark.parametrize(
    ("text", "names"),
    [("Иду к Мирославе.", ["Мирослава"]), ("Спрашиваю Петра о дороге.", ["Пётр"]),
     ("Зову Ксандру.", ["Ксандру"])],
)  # fmt: skip
def test_candidate_names_are_nominative(text: str, names: list[str]) -> None:
    assert candidate_names(text) == names


def test_name_listing_says_when_the_typed_form_was_kept() -> None:
    from gamio_cli.world.nominative import typed_form_note

    assert typed_form_note("Всеслав") == ""
    assert "падеж не распознан" in typed_form_note("Ксандру")
