"""The commands around the game: `gamio config path|show` (the settings file), `gamio models`
(the catalogue, downloads, removal) and `gamio doctor` (what a bug report needs). Declared
here; their bodies live in configfile (the file), engines/ (models, checks) and terminal/shell
(printing), and import only when the command runs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from gamio_cli.commandline import configfile
from gamio_cli.commandline.frame import RussianCommand, sub_app
from gamio_cli.storage.paths import config_file
from gamio_cli.terminal.oneline import guard
from gamio_cli.terminal.shell import YES, say

config_app = sub_app(
    "Файл настроек: path — где он, show — действующие настройки и откуда каждая.",
    "Файл настроек: path — где он, show — что действует.",
    bare_is_help=True,
)


@config_app.command("path", cls=RussianCommand)
def config_path() -> None:
    """Показать путь к файлу настроек (есть он или нет)."""
    path = config_file()
    typer.echo(str(path))
    if not path.exists():
        say("Файла пока нет: создайте его (формат TOML, ключи — gamio config show).", sys.stderr)


@config_app.command("show", cls=RussianCommand)
def config_show(ctx: typer.Context) -> None:
    """Показать действующие настройки игры и откуда каждая взялась."""
    play = configfile.play_of(ctx)
    found = configfile.read(play, config_file())
    state = "есть" if found.path.exists() else "нет, всё по умолчанию"
    say(f"Файл настроек: {found.path} ({state})", sys.stdout)
    rows = configfile.effective(play, found)
    width = max(len(key) for key, _, _ in rows)
    for key, value, where in rows:
        sys.stdout.write(f"  {key.ljust(width)} = {value}  ({where})\n")
    sys.stdout.flush()


models_app = sub_app(
    "Модели: без команды — каталог (что скачано, где и сколько места занимает); "
    "download — скачать, remove — удалить.",
    "Каталог моделей; download — скачать, remove — удалить.",
)


def _roots() -> list[Path]:
    """Where gamio keeps its own copies of models (converted, int8 weights, repaired)."""
    from gamio_cli.engines.ct2.convert import cache_root
    from gamio_cli.engines.hf import int8_cache
    from gamio_cli.engines.repair import repair_root

    return [cache_root(), int8_cache.cache_root(), repair_root()]


def _used(ctx: typer.Context) -> dict[str, str]:
    return configfile.current_models(configfile.play_of(ctx), _settings(ctx))


def _settings(ctx: typer.Context) -> configfile.FileSettings:
    found = ctx.meta.get(configfile.META_KEY)
    return found if found is not None else configfile.read(configfile.play_of(ctx), config_file())


def _print(lines: list[str]) -> int:
    for line in lines:
        say(line, sys.stdout)
    return 0


@models_app.callback()
def models(ctx: typer.Context) -> None:
    """Показать каталог моделей: роль, имя, id, размер, скачана ли и где."""
    if ctx.invoked_subcommand is None:
        from gamio_cli.engines import modelstore

        run(lambda: _print(modelstore.listing(_used(ctx), _roots())))


@models_app.command("download", cls=RussianCommand)
def models_download(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None,
        typer.Argument(metavar="ИМЯ…",
                       help="Имена из каталога или id; без имён — модели настроек."),
    ] = None,
) -> None:
    """Скачать модели (сначала скажет размер и проверит место на диске)."""
    from gamio_cli.engines import modelstore

    run(lambda: modelstore.download(modelstore.entries_for(names or [], _used(ctx)),
                                    lambda line: say(line, sys.stdout)))


@models_app.command("remove", cls=RussianCommand)
def models_remove(
    name: Annotated[str, typer.Argument(metavar="ИМЯ", help="Имя из каталога или id.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Не спрашивать подтверждения.")] = False,
) -> None:
    """Удалить скачанную модель и её копии в кеше gamio (спросит подтверждение)."""
    from gamio_cli.engines import modelstore

    def body() -> int:
        found = modelstore.find_one(name)
        model_id = found if isinstance(found, str) else found.id
        if not yes:
            sys.stdout.write(f"Удалить модель «{model_id}» с диска? (да/нет) › ")
            sys.stdout.flush()
            if sys.stdin.readline().strip().lower() not in YES:
                say("Ничего не удалено.", sys.stdout)
                return 1
        return _print(modelstore.remove(model_id, _roots()))

    run(body)


def run(body: Callable[[], int]) -> None:
    """A command's body under guard: one Russian line for a failure; its status is the exit."""
    code = guard(body, debug=False)
    if code:
        raise typer.Exit(code)


def doctor(
    ctx: typer.Context,
    check: Annotated[
        bool,
        typer.Option("--check", help="Ещё и загрузить модели: по фразе в каждую сторону и "
                     "20 токенов рассказчика, с временем."),
    ] = False,
) -> None:
    """Проверить, заработает ли игра здесь: версии, устройства, память, диск, сеть, модели."""
    from gamio_cli.engines import doctor as checks
    from gamio_cli.engines.hf.int8_weights import int8_available
    from gamio_cli.storage.paths import default_saves_dir

    found = _settings(ctx)
    saves = found.play.get("saves_dir")
    machine = checks.Machine(_used(ctx), Path(saves) if saves else default_saves_dir(),
                             _roots(), int8_available)
    sections = list(checks.SECTIONS)
    params = configfile.current_params(configfile.play_of(ctx), found)
    if params.get("server"):
        sections.append(lambda _machine: _server(params, checks.Section))
    if check:
        sections.append(lambda _machine: _checked_models(ctx, checks.Section))

    def body() -> int:
        lines, code = checks.report(machine, sections)
        _print(lines)
        return code

    run(body)


def _server(params: dict[str, Any], section: Any) -> Any:
    """The narrator's server (--server, GAMIO_SERVER or the file): reachable, models, window."""
    from gamio_cli.model import ModelConfig, ServerConfig, server_report

    server = ServerConfig(params["server"], params.get("server_model"),
                          params.get("server_api") or "completions", params.get("server_context"))
    lines, answered = server_report(ModelConfig(server=server))
    problems = [] if answered else lines[:1]
    return section("Сервер рассказчика", lines, problems)


def _checked_models(ctx: typer.Context, section: Any) -> Any:
    from gamio_cli.model import ModelConfig, timed_check

    used = _used(ctx)
    config = ModelConfig(generator=used["generator"], ru_en=used.get("ru-en"),
                         en_ru=used.get("en-ru"))
    return section("Проверка моделей (--check)", timed_check(config))
