"""click's frame in Russian: help layout, one-line usage errors, checked choices.

typer builds on click, and click's own words (Usage, Options, "No such option") are English:
the formatter and the error printer here swap them for terminal.cliwords' Russian ones.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from gamio_cli.terminal.cliwords import (
    USAGE_PREFIX,
    russian_error,
    russian_frame,
    russian_heading,
)
from gamio_cli.terminal.oneline import tell

# typer vendors click (0.20+) or uses click itself: take its exceptions from wherever they live.
CLICK: Any = sys.modules[typer.BadParameter.__module__]
CLICK_CORE: Any = sys.modules[TyperCommand.__mro__[1].__module__]  # Context, HelpFormatter
EXIT_USAGE = 2
# Where a checked option's callback keeps its allowed values.
CHOICES_ATTRIBUTE = "choices"


def _usage_message(error: Any) -> str:
    """A click usage error in Russian: ours are Russian already, click's are translated."""
    if isinstance(error, CLICK.NoSuchOption):
        guesses = getattr(error, "possibilities", None) or []
        maybe = f" Может быть, {', '.join(sorted(guesses))}?" if guesses else ""
        return f"неизвестный параметр {error.option_name}.{maybe}"
    if isinstance(error, CLICK.BadParameter) and not isinstance(error, CLICK.MissingParameter):
        hint = error.param_hint or (error.param.opts[0] if error.param else "")
        return f"недопустимое значение {hint}: {_sentence(russian_error(error.message))}"
    message = russian_error(str(error.format_message()))
    if message.startswith("нет команды") and error.ctx is not None:
        known = error.ctx.command.list_commands(error.ctx)
        return f"{message[:-1]}: есть {', '.join(known[:-1])} и {known[-1]}."
    return _sentence(message)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


class RussianHelp(CLICK_CORE.HelpFormatter):  # type: ignore[misc]
    """click's help layout with its frame words in Russian (terminal.cliwords has the words)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, russian_frame(args), prefix or USAGE_PREFIX)

    def write_heading(self, heading: str) -> None:
        super().write_heading(russian_heading(heading))

    def write_dl(self, rows: Sequence[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        russian = [(russian_frame(first), russian_frame(second)) for first, second in rows]
        super().write_dl(russian, *args, **kwargs)


class RussianContext(CLICK_CORE.Context):  # type: ignore[misc]
    formatter_class = RussianHelp


class RussianCommand(TyperCommand):
    context_class = RussianContext


class OneLineGroup(TyperGroup):
    """A command group whose help speaks Russian."""

    context_class = RussianContext


class OneLineErrors(OneLineGroup):
    """Prints usage errors as one line; `gamio` and `gamio --new …` mean `gamio play …`."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        if not argv or (argv[0].startswith("-") and argv[0] not in ("--help", "-h", "--version")):
            argv.insert(0, "play")
        try:
            code = super().main(argv, prog_name or "gamio", complete_var, False, **extra)
        except CLICK.ClickException as error:
            tell(f"gamio: ошибка: {_usage_message(error)} Справка: gamio --help.")
            code = error.exit_code
        except getattr(CLICK, "Abort", typer.Abort):
            code = 130
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


def from_env(ctx: typer.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "ENVIRONMENT"


def choice(unknown_ru: str, choices: tuple[str, ...], env: str | None, option: str) -> Any:
    """A typer callback that accepts one of choices (any case) and names its source if not.

    The callback carries its choices (`.choices`): the settings file checks its values
    against the same ones.
    """

    def check(ctx: typer.Context, param: Any, value: str | None) -> str | None:
        picked = None if value is None else value.strip().lower()
        if picked is not None and picked not in choices:
            where = f"в {env}" if env and from_env(ctx, param.name) else f"в {option}"
            raise CLICK.UsageError(
                f"{unknown_ru} «{value}» {where}: выберите {', '.join(choices)}."
            )
        return picked

    setattr(check, CHOICES_ATTRIBUTE, choices)
    return check


def sub_app(help_ru: str, short_help_ru: str, *, bare_is_help: bool = False) -> typer.Typer:
    """A command group under `gamio` with Russian help: bare, it shows its help
    (bare_is_help) or runs its own callback (a listing)."""
    return typer.Typer(
        cls=OneLineGroup,
        add_completion=False,
        rich_markup_mode=None,
        no_args_is_help=bare_is_help,
        invoke_without_command=not bare_is_help,
        context_settings={"help_option_names": ["--help", "-h"]},
        help=help_ru,
        short_help=short_help_ru,
    )
