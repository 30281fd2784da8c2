"""The frame on an app of its own: one-line Russian usage errors, checked choices that name
where a bad value came from, and help whose frame words are Russian (real click underneath)."""

from __future__ import annotations

from typing import Annotated

import typer
from typer.testing import CliRunner

from gamio_cli.commandline.frame import OneLineErrors, RussianCommand, choice


def _app() -> typer.Typer:
    app = typer.Typer(cls=OneLineErrors, rich_markup_mode=None, add_completion=False)

    @app.command(cls=RussianCommand)
    def play(
        colour: Annotated[
            str,
            typer.Option("--colour", envvar="X_COLOUR",
                         callback=choice("неизвестный цвет", ("red", "blue"), "X_COLOUR",
                                         "--colour")),
        ] = "red",
    ) -> None:
        typer.echo(f"colour={colour}")

    @app.command(cls=RussianCommand)
    def other() -> None:
        """Другая."""

    return app


def _run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(_app(), args, env=env, prog_name="x")
    return result.exit_code, result.output


def test_a_choice_is_taken_in_any_case() -> None:
    assert _run(["play", "--colour", "BLUE"]) == (0, "colour=blue\n")


def test_a_bad_choice_names_the_option_or_the_variable() -> None:
    code, out = _run(["play", "--colour", "green"])
    assert code == 2 and out.count("\n") == 1
    assert "неизвестный цвет «green» в --colour: выберите red, blue." in out
    code, out = _run(["play"], env={"X_COLOUR": "green"})
    assert code == 2 and "в X_COLOUR" in out


def test_an_unknown_option_is_one_russian_line_with_a_guess() -> None:
    code, out = _run(["play", "--colou", "red"])
    assert code == 2 and out.count("\n") == 1
    assert out.startswith("gamio: ошибка: неизвестный параметр --colou. Может быть, --colour?")


def test_options_first_mean_play_and_help_is_russian() -> None:
    assert _run(["--colour", "blue"]) == (0, "colour=blue\n")
    code, out = _run(["play", "--help"])
    assert code == 0 and "Usage" not in out and "Options" not in out
