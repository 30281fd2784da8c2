"""The command line's frame in Russian: the words typer and click print around our own help
texts and their usage errors, replaced in one place (cli.py's help formatter and error line
call these; no typer or click here, only their strings).

click and typer write their frame in English with no translation catalogue to hook into, so
their strings are matched here. tests/test_cli.py scans `--help` of every command and a set of
wrong command lines for English left over, so a new typer that words things differently shows
up as a failing test, not as English on the player's screen.
"""

from __future__ import annotations

import re

USAGE_PREFIX = "Использование: "

HEADINGS = {
    "Options": "Параметры",
    "Commands": "Команды",
    "Arguments": "Аргументы",
}

# Whole phrases of the frame, longest first where one contains another.
_PHRASES = (
    ("Show this message and exit.", "Показать эту справку и выйти."),
    ("[OPTIONS]", "[ПАРАМЕТРЫ]"),
    ("COMMAND [ARGS]...", "КОМАНДА [АРГУМЕНТЫ]..."),
    ("[ARGS]...", "[АРГУМЕНТЫ]..."),
    ("[required]", "[обязательно]"),
    ("env var: ", "переменная окружения: "),
    ("default: ", "по умолчанию: "),
)
# typer's type labels after a metavar ("ИМЯ <str>") and braces around a choice-less argument.
_TYPE_LABEL = re.compile(r"\s<(?:list\[)?(?:str|int|float|bool|path|text)\]?>")
_BRACED = re.compile(r"\{([^{}|,]+)\}")
# click's ranges: "[x>=0]", "[1<=x<=5]".
_RANGES = (
    (re.compile(r"\[x>=(-?[\d.]+)\]"), r"[не меньше \1]"),
    (re.compile(r"\[x<=(-?[\d.]+)\]"), r"[не больше \1]"),
    (re.compile(r"\[(-?[\d.]+)<=x<=(-?[\d.]+)\]"), r"[от \1 до \2]"),
)


def russian_frame(text: str) -> str:
    """One piece of help (a usage line, an option's name or help) with the frame in Russian."""
    for english, russian in _PHRASES:
        text = text.replace(english, russian)
    text = _TYPE_LABEL.sub("", text)
    for pattern, replacement in _RANGES:
        text = pattern.sub(replacement, text)
    return _BRACED.sub(r"\1", text)


def russian_heading(heading: str) -> str:
    return HEADINGS.get(heading, heading)


# click's and typer's (pydantic's) error messages -> Russian; \1 etc. keep the details.
_ERRORS = (
    (r"Missing argument '(.+)'\.?", r"не хватает аргумента \1."),
    (r"Missing option '(.+)'\.?", r"не хватает параметра \1."),
    (r"Missing parameter: (.+)", r"не хватает \1."),
    (r"Option '(.+)' does not take a value\.", r"параметру \1 значение не нужно."),
    (r"Option '(.+)' requires an argument\.", r"параметру \1 нужно значение."),
    (r"Input should be greater than or equal to (-?\d+)\.?", r"нужно целое число не меньше \1."),
    (r"Input should be less than or equal to (-?\d+)\.?", r"нужно целое число не больше \1."),
    (r"Input should be a valid integer.*", r"нужно целое число."),
    (r"Input should be a valid number.*", r"нужно число."),
    (r"'(.+)' is not a valid integer( range)?\.?", r"«\1» — не целое число."),
    (r"(-?\d+) is not in the range (.+)\.", r"\1 вне допустимого диапазона \2."),
    (r"Got unexpected extra argument(?:\(s\)|s)? \((.*)\)\.?", r"лишнее в командной строке: \1."),
    (r"No such command '(.*)'\.?", r"нет команды «\1»."),
)


def russian_error(message: str) -> str:
    """A click/typer usage message in Russian where it is one we know, else as it is."""
    text = message.strip()
    for pattern, replacement in _ERRORS:
        if re.fullmatch(pattern, text, flags=re.DOTALL):
            return re.sub(pattern, replacement, text, flags=re.DOTALL)
    return text
