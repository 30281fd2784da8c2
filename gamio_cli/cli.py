"""The `gamio` command: every command wired together (the only place that does so).

`gamio` alone is `gamio play`. Wrong options end in ONE line and a non-zero exit (typer's usual
error is a multi-line panel; commandline/frame.py prints ours); any other failure is one Russian
line with the remedy, and a traceback only with --debug. `--help` stays fast: nothing here
imports torch, and the terminal and model layers load only when a game starts. The options
themselves are declared in commandline/options.py.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from gamio_cli import __version__
from gamio_cli.commandline import admin, configfile
from gamio_cli.commandline.frame import (
    CLICK,
    OneLineErrors,
    RussianCommand,
    sub_app,
)
from gamio_cli.commandline.options import (
    Debug,
    Device,
    Engine,
    EnRuModel,
    GeneratorModel,
    LoadName,
    NarratorLanguage,
    NewGame,
    RuEnModel,
    SaveName,
    SavesDir,
    Scenario,
    Seed,
    Server,
    ServerApi,
    ServerContext,
    ServerModel,
    ServerStall,
)
from gamio_cli.engines.catalogue import by_id, expand
from gamio_cli.model import DEFAULT_EN_RU, DEFAULT_GENERATOR, DEFAULT_RU_EN
from gamio_cli.storage.paths import config_file
from gamio_cli.terminal.oneline import guard
from gamio_cli.terminal.options import PlayOptions

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
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Версия gamio."),
    ] = False,
) -> None:
    """gamio — текстовое приключение на русском. Без команды: gamio play."""
    # The settings file's values become click's default_map before a command parses its
    # options (click then ranks them: command line > environment > file > default).
    if ctx.invoked_subcommand not in configfile.UNCONFIGURED:
        found = configfile.read(configfile.play_of(ctx), config_file())
        ctx.default_map = found.default_map()
        ctx.meta[configfile.META_KEY] = found


@app.command(cls=RussianCommand)
def play(
    ctx: typer.Context,
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
    server: Server = None,
    server_model: ServerModel = None,
    server_api: ServerApi = "completions",
    server_context: ServerContext = None,
    server_stall: ServerStall = 60.0,
    narrator_language: NarratorLanguage = "auto",
) -> None:
    """Играть (по умолчанию продолжает последнюю историю)."""
    found = ctx.meta.get(configfile.META_KEY) or configfile.FileSettings(config_file())
    generator = expand(generator, "generator")
    entry = by_id(generator)
    options = PlayOptions(
        new, load, scenario, generator, expand(ru_en, "ru-en"), expand(en_ru, "en-ru"), device,
        saves_dir, seed, debug, engine,
        settings=found.settings(entry.sampler if entry is not None else None),
        fallback_options=_fallback_options(ctx),
        server=server or None, server_model=server_model, server_api=server_api,
        server_context=server_context, server_stall=server_stall,
        narrator_language=narrator_language,
    )
    _check_play(options)
    code = guard(lambda: _launch(options), debug)
    if code:
        raise typer.Exit(code)


def _fallback_options(ctx: typer.Context) -> tuple[str, ...]:
    """The model options the player left to gamio: the built-in default or a catalogue short
    name may fall back to an equivalent; an id or a folder typed out never does."""
    allowed = []
    for name, option, role in (("generator", "--generator", "generator"),
                               ("ru_en", "--ru-en", "ru-en"), ("en_ru", "--en-ru", "en-ru")):
        source = ctx.get_parameter_source(name)
        value = str(ctx.params.get(name, ""))
        if (source is not None and source.name == "DEFAULT") or expand(value, role) != value:
            allowed.append(option)
    return tuple(allowed)


def _check_play(options: PlayOptions) -> None:
    """Options that make sense alone but not together."""
    if options.load is not None and not options.load.strip():
        raise CLICK.UsageError("--load без имени: укажите имя истории (список: gamio saves).")
    if options.new and options.load:
        raise CLICK.UsageError("--new и --load вместе не используются: выберите одно.")
    if options.load and options.scenario:
        raise CLICK.UsageError("--scenario выбирает мир новой истории, а --load открывает старую.")
    if options.server_context is not None and options.server_context < 256:
        raise CLICK.UsageError("--server-context: окно модели — не меньше 256 токенов.")
    if not options.server_stall > 0:
        raise CLICK.UsageError("--server-stall: число секунд больше нуля.")


def _launch(options: PlayOptions) -> int:
    # The game's imports (the terminal, the models' facade) load only when a game starts.
    from gamio_cli.terminal.launch import launch

    return launch(options)


saves_app = sub_app(
    "Сохранённые истории: без команды — список; rm — удалить, mv — переименовать.",
    "Список историй; rm — удалить, mv — переименовать.",
)
app.add_typer(saves_app, name="saves")
app.add_typer(admin.config_app, name="config")
app.add_typer(admin.models_app, name="models")
app.command(cls=RussianCommand,
            short_help="Проверка для отчёта об ошибке: версии, железо, модели.")(admin.doctor)


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
        raise CLICK.UsageError(f"неизвестный формат «{value}» в --format: выберите md или html.")
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
