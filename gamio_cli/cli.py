"""The `gamio` command: options, then everything wired together (the only place that does so).

`gamio` alone is `gamio play`. Wrong options end in ONE line and a non-zero exit (typer's usual
error is a multi-line panel); any other failure is one Russian line with the remedy, and a
traceback only with --debug. `--help` stays fast: nothing here imports torch, and the terminal
and model layers load only when a game starts.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from gamio_cli import __version__
from gamio_cli.engines.device import DEVICE_CHOICES
from gamio_cli.model import DEFAULT_EN_RU, DEFAULT_GENERATOR, DEFAULT_RU_EN, ENGINE_CHOICES
from gamio_cli.terminal.cliwords import (
    USAGE_PREFIX,
    russian_error,
    russian_frame,
    russian_heading,
)
from gamio_cli.terminal.oneline import guard, tell
from gamio_cli.terminal.options import PlayOptions
from gamio_cli.world.scenarios import CUSTOM_KEY, SCENARIOS

# typer vendors click (0.20+) or uses click itself: take its exceptions from wherever they live.
_CLICK: Any = sys.modules[typer.BadParameter.__module__]
_CLICK_CORE: Any = sys.modules[TyperCommand.__mro__[1].__module__]  # Context, HelpFormatter
EXIT_USAGE = 2


def _usage_message(error: Any) -> str:
    """A click usage error in Russian: ours are Russian already, click's are translated."""
    if isinstance(error, _CLICK.NoSuchOption):
        guesses = getattr(error, "possibilities", None) or []
        maybe = f" Может быть, {', '.join(sorted(guesses))}?" if guesses else ""
        return f"неизвестный параметр {error.option_name}.{maybe}"
    if isinstance(error, _CLICK.BadParameter) and not isinstance(error, _CLICK.MissingParameter):
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


class RussianHelp(_CLICK_CORE.HelpFormatter):  # type: ignore[misc]
    """click's help layout with its frame words in Russian (terminal.cliwords has the words)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, russian_frame(args), prefix or USAGE_PREFIX)

    def write_heading(self, heading: str) -> None:
        super().write_heading(russian_heading(heading))

    def write_dl(self, rows: Sequence[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        russian = [(russian_frame(first), russian_frame(second)) for first, second in rows]
        super().write_dl(russian, *args, **kwargs)


class RussianContext(_CLICK_CORE.Context):  # type: ignore[misc]
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
        except _CLICK.ClickException as error:
            tell(f"gamio: ошибка: {_usage_message(error)} Справка: gamio --help.")
            code = error.exit_code
        except getattr(_CLICK, "Abort", typer.Abort):
            code = 130
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


app = typer.Typer(
    cls=OneLineErrors,
    rich_markup_mode=None,
    add_completion=False,
    pretty_exceptions_enable=False,
    help=(
        "gamio — текстовое приключение на русском с нейросетью прямо в терминале. "
        "Без команды — то же, что gamio play."
    ),
    context_settings={"help_option_names": ["--help", "-h"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gamio {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Версия gamio."),
    ] = False,
) -> None:
    """gamio — текстовое приключение на русском. Без команды: gamio play."""


def _from_env(ctx: typer.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "ENVIRONMENT"


def _choice(unknown_ru: str, choices: tuple[str, ...], env: str | None, option: str) -> Any:
    """A typer callback that accepts one of choices (any case) and names its source if not."""

    def check(ctx: typer.Context, param: Any, value: str | None) -> str | None:
        picked = None if value is None else value.strip().lower()
        if picked is not None and picked not in choices:
            where = f"в {env}" if env and _from_env(ctx, param.name) else f"в {option}"
            raise _CLICK.UsageError(
                f"{unknown_ru} «{value}» {where}: выберите {', '.join(choices)}."
            )
        return picked

    return check


# `gamio play`'s options, declared once; the command below only gathers them.
NewGame = Annotated[
    bool, typer.Option("--new", help="Начать новую историю, даже если есть сохранённая.")
]
LoadName = Annotated[
    str | None, typer.Option("--load", metavar="ИМЯ", help="Продолжить сохранённую историю.")
]
Scenario = Annotated[
    str | None,
    typer.Option(
        "--scenario",
        metavar="МИР",
        callback=_choice("неизвестный мир", (*SCENARIOS, CUSTOM_KEY), None, "--scenario"),
        help="Мир новой истории без меню: fantasy, mystery, apocalypse, zombies или custom.",
    ),
]
GeneratorModel = Annotated[
    str,
    typer.Option(
        "--generator", envvar="GAMIO_GENERATOR", metavar="ID|ПАПКА",
        help="Модель-рассказчик: id на Hugging Face или локальная папка.",
    ),
]
RuEnModel = Annotated[
    str,
    typer.Option("--ru-en", envvar="GAMIO_RU_EN", metavar="ID|ПАПКА", help="Переводчик с русского."),
]
EnRuModel = Annotated[
    str,
    typer.Option("--en-ru", envvar="GAMIO_EN_RU", metavar="ID|ПАПКА", help="Переводчик на русский."),
]
Device = Annotated[
    str,
    typer.Option(
        "--device", envvar="GAMIO_DEVICE", metavar="auto|cpu|cuda|mps",
        callback=_choice("неизвестное устройство", DEVICE_CHOICES, "GAMIO_DEVICE", "--device"),
        help="Где считать модели.",
    ),
]
Engine = Annotated[
    str,
    typer.Option(
        "--engine", envvar="GAMIO_ENGINE",
        callback=_choice("неизвестный движок", ENGINE_CHOICES, "GAMIO_ENGINE", "--engine"),
        metavar="auto|ctranslate2|transformers",
        help="Движок: auto — на процессоре рассказчик на transformers int8, переводчики на "
        "CTranslate2 int8; на видеокарте всё на transformers.",
    ),
]
SavesDir = Annotated[
    Path | None,
    typer.Option(
        "--saves-dir",
        envvar="GAMIO_SAVES_DIR",
        metavar="ПАПКА",
        show_envvar=True,
        help="Папка сохранений (по умолчанию — папка данных пользователя, …/gamio/saves).",
    ),
]
Seed = Annotated[
    int | None,
    typer.Option("--seed", min=0, metavar="N", help="Зерно случайности: та же игра заново."),
]
Debug = Annotated[bool, typer.Option("--debug", help="Показывать технические подробности ошибок.")]


@app.command(cls=RussianCommand)
def play(
    new: NewGame = False,
    load: LoadName = None,
    scenario: Scenario = None,
    generator: GeneratorModel = DEFAULT_GENERATOR,
    ru_en: RuEnModel = DEFAULT_RU_EN,
    en_ru: EnRuModel = DEFAULT_EN_RU,
    device: Device = "auto",
    engine: Engine = "auto",
    saves_dir: SavesDir = None,
    seed: Seed = None,
    debug: Debug = False,
) -> None:
    """Играть (по умолчанию продолжает последнюю историю)."""
    options = PlayOptions(
        new, load, scenario, generator, ru_en, en_ru, device, saves_dir, seed, debug, engine
    )
    _check_play(options)
    code = guard(lambda: _launch(options), debug)
    if code:
        raise typer.Exit(code)


def _check_play(options: PlayOptions) -> None:
    """Options that make sense alone but not together."""
    if options.load is not None and not options.load.strip():
        raise _CLICK.UsageError("--load без имени: укажите имя истории (список: gamio saves).")
    if options.new and options.load:
        raise _CLICK.UsageError("--new и --load вместе не используются: выберите одно.")
    if options.load and options.scenario:
        raise _CLICK.UsageError("--scenario выбирает мир новой истории, а --load открывает старую.")


def _launch(options: PlayOptions) -> int:
    # The game's imports (the terminal, the models' facade) load only when a game starts.
    from gamio_cli.terminal.launch import launch

    return launch(options)


saves_app = typer.Typer(
    cls=OneLineGroup,
    add_completion=False,
    rich_markup_mode=None,
    invoke_without_command=True,
    context_settings={"help_option_names": ["--help", "-h"]},
    help="Сохранённые истории: без команды — список; rm — удалить, mv — переименовать.",
    short_help="Список историй; rm — удалить, mv — переименовать.",
)
app.add_typer(saves_app, name="saves")
SaveName = Annotated[str, typer.Argument(metavar="ИМЯ", help="Имя сохранённой истории.")]


def _store(ctx: typer.Context, saves_dir: Path | None) -> Any:
    from gamio_cli.storage.paths import default_saves_dir
    from gamio_cli.storage.store import SaveStore

    parent = ctx.obj if isinstance(ctx.obj, Path) else None
    return SaveStore(saves_dir or parent or default_saves_dir())


@saves_app.callback()
def saves(ctx: typer.Context, saves_dir: SavesDir = None) -> None:
    """Показать сохранённые истории (с миром и числом ходов) и файлы, которые не открываются."""
    ctx.obj = saves_dir
    if ctx.invoked_subcommand is None:
        from gamio_cli.terminal.shell import list_saves

        _shell(lambda: list_saves(_store(ctx, None), sys.stdout))


@saves_app.command("rm", cls=RussianCommand)
def saves_rm(
    ctx: typer.Context,
    name: SaveName,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Не спрашивать подтверждения.")] = False,
    saves_dir: SavesDir = None,
) -> None:
    """Удалить историю (спросит подтверждение; открытую в игре не удалит)."""
    from gamio_cli.terminal.shell import remove_save

    _shell(lambda: remove_save(_store(ctx, saves_dir), name, yes, sys.stdin, sys.stdout))


@saves_app.command("mv", cls=RussianCommand)
def saves_mv(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(metavar="ИМЯ", help="Нынешнее имя истории.")],
    new: Annotated[str, typer.Argument(metavar="НОВОЕ", help="Новое имя.")],
    saves_dir: SavesDir = None,
) -> None:
    """Переименовать историю (вместе с её резервной копией)."""
    from gamio_cli.terminal.shell import rename_save

    _shell(lambda: rename_save(_store(ctx, saves_dir), old, new, sys.stdout))


def _shell(run: Callable[[], int]) -> None:
    """Run a shell command's body under guard; its status becomes the exit status."""
    code = guard(run, debug=False)
    if code:
        raise typer.Exit(code)


EXPORT_FORMATS = ("md", "html")


def _check_format(value: str) -> str:
    key = value.strip().lower()
    if key not in EXPORT_FORMATS:
        raise _CLICK.UsageError(f"неизвестный формат «{value}» в --format: выберите md или html.")
    return key


@app.command(cls=RussianCommand)
def export(
    ctx: typer.Context,
    name: SaveName,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", callback=_check_format, metavar="md|html",
            help="Markdown или одна HTML-страница.",
        ),
    ] = "md",
    bilingual: Annotated[
        bool, typer.Option("--bilingual", help="Рядом с русским — английский текст модели.")
    ] = False,
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", metavar="ФАЙЛ",
            help="Куда записать (по умолчанию ИМЯ.md/ИМЯ.html; «-» — на экран).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Перезаписать файл, если он уже есть.")
    ] = False,
    saves_dir: SavesDir = None,
) -> None:
    """Записать историю в читаемый файл (Markdown или HTML)."""
    from gamio_cli.terminal.shell import export_story

    store = _store(ctx, saves_dir)
    _shell(lambda: export_story(store, name, fmt, bilingual, output, force, sys.stdout))


def main() -> None:
    """The console script."""
    app()
