"""The commands around the game: `gamio config path|show` (the settings file), `gamio models`
(the catalogue, downloads, removal) and `gamio doctor` (what a bug report needs). Declared
here; their bodies live in configfile (the file), engines/ (models, checks) and terminal/shell
(printing), and import only when the command runs.
"""

from __future__ import annotations

import sys

import typer

from gamio_cli.commandline import configfile
from gamio_cli.commandline.frame import OneLineGroup, RussianCommand
from gamio_cli.storage.paths import config_file
from gamio_cli.terminal.shell import say

config_app = typer.Typer(
    cls=OneLineGroup,
    add_completion=False,
    rich_markup_mode=None,
    no_args_is_help=True,
    context_settings={"help_option_names": ["--help", "-h"]},
    help="Файл настроек: path — где он, show — действующие настройки и откуда каждая.",
    short_help="Файл настроек: path — где он, show — что действует.",
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
