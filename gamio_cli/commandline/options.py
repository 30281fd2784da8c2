"""`gamio play`'s options (and the saves folder every command takes), declared once.

Each is a typer Annotated type; cli.py's commands only gather them into PlayOptions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gamio_cli.commandline.frame import choice
from gamio_cli.engines.device import DEVICE_CHOICES
from gamio_cli.model import ENGINE_CHOICES
from gamio_cli.world.scenarios import CUSTOM_KEY, SCENARIOS

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
        callback=choice("неизвестный мир", (*SCENARIOS, CUSTOM_KEY), None, "--scenario"),
        help="Мир новой истории без меню: fantasy, mystery, apocalypse, zombies или custom.",
    ),
]
GeneratorModel = Annotated[
    str,
    typer.Option(
        "--generator", envvar="GAMIO_GENERATOR", metavar="ID|ПАПКА",
        help="Модель-рассказчик: имя из каталога (gamio models: aid2, gpt2-xl…), id на "
        "Hugging Face или локальная папка.",
    ),
]
RuEnModel = Annotated[
    str,
    typer.Option("--ru-en", envvar="GAMIO_RU_EN", metavar="ID|ПАПКА",
                 help="Переводчик с русского: opus, opus-tc-big, id или папка."),
]
EnRuModel = Annotated[
    str,
    typer.Option("--en-ru", envvar="GAMIO_EN_RU", metavar="ID|ПАПКА",
                 help="Переводчик на русский: opus, opus-tc-big, id или папка."),
]
Device = Annotated[
    str,
    typer.Option(
        "--device", envvar="GAMIO_DEVICE", metavar="auto|cpu|cuda|mps",
        callback=choice("неизвестное устройство", DEVICE_CHOICES, "GAMIO_DEVICE", "--device"),
        help="Где считать модели.",
    ),
]
Engine = Annotated[
    str,
    typer.Option(
        "--engine", envvar="GAMIO_ENGINE",
        callback=choice("неизвестный движок", ENGINE_CHOICES, "GAMIO_ENGINE", "--engine"),
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
SaveName = Annotated[str, typer.Argument(metavar="ИМЯ", help="Имя сохранённой истории.")]
