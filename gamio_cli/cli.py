"""The `gamio` command: options, then everything wired together (the only place that does so).

`gamio` alone is `gamio play`. Wrong options end in ONE line and a non-zero exit (typer's usual
error is a multi-line panel); any other failure is one Russian line with the remedy, and a
traceback only with --debug. `--help` stays fast: nothing here imports torch, and the terminal
and model layers load only when a game starts.
"""

from __future__ import annotations

import re
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from gamio_cli import __version__
from gamio_cli.engines.device import DEVICE_CHOICES
from gamio_cli.errors import GamioError
from gamio_cli.model import DEFAULT_EN_RU, DEFAULT_GENERATOR, DEFAULT_RU_EN, ENGINE_CHOICES
from gamio_cli.terminal.options import PlayOptions
from gamio_cli.world.scenarios import CUSTOM_KEY, SCENARIOS

# typer vendors click (0.20+) or uses click itself: take its exceptions from wherever they live.
_CLICK: Any = sys.modules[typer.BadParameter.__module__]
EXIT_USAGE = 2
EXIT_FAILED = 1


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _usage_message(error: Any) -> str:
    """A click usage error in Russian where we know it, click's own words otherwise."""
    if isinstance(error, _CLICK.NoSuchOption):
        guesses = getattr(error, "possibilities", None) or []
        maybe = f" Может быть, {', '.join(sorted(guesses))}?" if guesses else ""
        return f"неизвестный параметр {error.option_name}.{maybe}"
    if isinstance(error, _CLICK.BadOptionUsage) and "requires an argument" in error.message:
        return f"параметру {error.option_name} нужно значение."
    if isinstance(error, _CLICK.BadParameter) and not isinstance(error, _CLICK.MissingParameter):
        hint = error.param_hint or (error.param.opts[0] if error.param else "")
        return f"недопустимое значение {hint}: {_sentence(error.message)}"
    message = str(error.format_message())
    command = re.match(r"No such command '(.*)'", message)
    if command:
        return f"нет команды «{command.group(1)}»: есть play, saves и export."
    extra = re.match(r"Got unexpected extra argument(?:\(s\)|s)? \((.*)\)", message)
    if extra:
        return f"лишнее в командной строке: {extra.group(1)}."
    return _sentence(message)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


class OneLineErrors(TyperGroup):
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
            detail = _usage_message(error)
            typer.echo(_one_line(f"gamio: ошибка: {detail} Справка: gamio --help."), err=True)
            code = error.exit_code
        except getattr(_CLICK, "Abort", typer.Abort):
            code = 130
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


app = typer.Typer(
    cls=OneLineErrors,
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


def _choice(unknown_ru: str, choices: tuple[str, ...], env: str, option: str) -> Any:
    """A typer callback that accepts one of choices (any case) and names its source if not."""

    def check(ctx: typer.Context, param: Any, value: str) -> str:
        picked = value.strip().lower()
        if picked not in choices:
            where = f"в {env}" if _from_env(ctx, param.name) else f"в {option}"
            raise _CLICK.UsageError(
                f"{unknown_ru} «{value}» {where}: выберите {', '.join(choices)}."
            )
        return picked

    return check


def _check_scenario(value: str | None) -> str | None:
    if value is None:
        return None
    key = value.strip().lower()
    if key not in SCENARIOS and key != CUSTOM_KEY:
        keys = ", ".join([*SCENARIOS, CUSTOM_KEY])
        raise _CLICK.UsageError(f"неизвестный мир «{value}» в --scenario: выберите {keys}.")
    return key


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
        callback=_check_scenario,
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


@app.command()
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
    if options.new and options.load:
        raise _CLICK.UsageError("--new и --load вместе не используются: выберите одно.")
    if options.load and options.scenario:
        raise _CLICK.UsageError("--scenario выбирает мир новой истории, а --load открывает старую.")


def _launch(options: PlayOptions) -> int:
    # The game's imports (the terminal, the models' facade) load only when a game starts.
    from gamio_cli.terminal.launch import launch

    return launch(options)


@app.command()
def saves(saves_dir: SavesDir = None) -> None:
    """Показать сохранённые истории и где они лежат."""
    code = guard(lambda: _list_saves(saves_dir), debug=False)
    if code:
        raise typer.Exit(code)


def _list_saves(saves_dir: Path | None) -> int:
    from gamio_cli.storage.paths import default_saves_dir
    from gamio_cli.storage.store import SaveStore
    from gamio_cli.textsafe import safe_output

    store = SaveStore(saves_dir or default_saves_dir())
    infos = store.list()
    typer.echo(f"Папка сохранений: {safe_output(str(store.directory))}")
    if not infos:
        typer.echo("Сохранённых историй пока нет. Новая игра: gamio play --new")
        return 0
    width = max(len(info.name) for info in infos)
    for info in infos:
        when = info.last_played.astimezone().strftime("%Y-%m-%d %H:%M")
        name = safe_output(info.name).ljust(width)
        typer.echo(f"  {name}  ходов: {info.turns:<5} последняя игра: {when}")
    return 0


EXPORT_FORMATS = ("md", "html")


def _check_format(value: str) -> str:
    key = value.strip().lower()
    if key not in EXPORT_FORMATS:
        raise _CLICK.UsageError(f"неизвестный формат «{value}» в --format: выберите md или html.")
    return key


@app.command()
def export(
    name: Annotated[str, typer.Argument(metavar="ИМЯ", help="Имя сохранённой истории.")],
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
        Path | None,
        typer.Option(
            "--output", "-o", metavar="ФАЙЛ", help="Куда записать (по умолчанию ИМЯ.md/ИМЯ.html)."
        ),
    ] = None,
    saves_dir: SavesDir = None,
) -> None:
    """Записать историю в читаемый файл (Markdown или HTML)."""
    code = guard(lambda: _export(name, fmt, bilingual, output, saves_dir), debug=False)
    if code:
        raise typer.Exit(code)


def _export(name: str, fmt: str, bilingual: bool, output: Path | None, saves_dir: Path | None) -> int:
    from gamio_cli.errors import SaveError
    from gamio_cli.storage.export import to_html, to_markdown
    from gamio_cli.storage.paths import default_saves_dir
    from gamio_cli.storage.savename import check_name
    from gamio_cli.storage.store import SaveStore
    from gamio_cli.textsafe import safe_output

    store = SaveStore(saves_dir or default_saves_dir())
    name = check_name(name)
    if not store.exists(name):
        raise SaveError(f"Сохранения «{name}» нет. Список сохранений: gamio saves.")
    story = store.load(name)
    text = to_html(story, bilingual) if fmt == "html" else to_markdown(story, bilingual)
    target = output or Path(f"{name}.{fmt}")
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise GamioError(
            f"Не удалось записать «{safe_output(str(target))}»: {error.strerror or error}. Укажите другой --output."
        ) from None
    typer.echo(f"История «{safe_output(name)}» записана в {safe_output(str(target))}.")
    return 0


def guard(run: Callable[[], int], debug: bool) -> int:
    """Run; a GamioError is one line, another failure one line too (traceback with --debug)."""
    try:
        return int(run())
    except GamioError as error:
        typer.echo(_one_line(error.message), err=True)
    except KeyboardInterrupt:
        typer.echo("Прервано (Ctrl-C).", err=True)
        return 130
    except Exception as error:  # noqa: BLE001 - the player gets one line, not a traceback
        if debug:
            traceback.print_exc()
        typer.echo(
            _one_line(f"Непредвиденная ошибка ({type(error).__name__}: {error}).")
            + ("" if debug else " Подробности: запустите с --debug."),
            err=True,
        )
    return EXIT_FAILED


def main() -> None:
    """The console script."""
    app()
