"""`gamio play`'s options (and the saves folder every command takes), declared once.

Each is a typer Annotated type; cli.py's commands only gather them into PlayOptions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gamio_cli.commandline.frame import choice
from gamio_cli.engines.device import DEVICE_CHOICES
from gamio_cli.engines.remote.events import APIS
from gamio_cli.model import ENGINE_CHOICES, NARRATOR_LANGUAGES
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
Server = Annotated[
    str | None,
    typer.Option(
        "--server", envvar="GAMIO_SERVER", metavar="URL",
        help="Рассказчик на сервере с API OpenAI (llama.cpp, vLLM, Ollama, KoboldCpp…), "
        "например http://127.0.0.1:8080. Ключ — только в переменной GAMIO_API_KEY.",
    ),
]
ServerModel = Annotated[
    str | None,
    typer.Option(
        "--server-model", envvar="GAMIO_SERVER_MODEL", metavar="ИМЯ",
        help="Модель на сервере (по умолчанию — первая в его списке /v1/models).",
    ),
]
ServerApi = Annotated[
    str,
    typer.Option(
        "--server-api", envvar="GAMIO_SERVER_API", metavar="completions|chat|ollama",
        callback=choice("неизвестный API", APIS, "GAMIO_SERVER_API", "--server-api"),
        help="completions — продолжение текста; chat — для чат-моделей; ollama — "
        "собственный API Ollama.",
    ),
]
ServerContext = Annotated[
    int | None,
    typer.Option(
        "--server-context", envvar="GAMIO_SERVER_CONTEXT", metavar="N",
        help="Окно модели в токенах, если сервер его не сообщает (по умолчанию 4096).",
    ),
]
ServerStall = Annotated[
    float,
    typer.Option(
        "--server-stall", envvar="GAMIO_SERVER_STALL", metavar="СЕКУНДЫ",
        help="Сколько секунд ждать, пока сервер молчит, прежде чем отменить ход.",
    ),
]
NarratorLanguage = Annotated[
    str,
    typer.Option(
        "--narrator-language", envvar="GAMIO_NARRATOR_LANGUAGE", metavar="auto|en|ru",
        callback=choice("неизвестный язык", NARRATOR_LANGUAGES, "GAMIO_NARRATOR_LANGUAGE",
                        "--narrator-language"),
        help="На каком языке пишет рассказчик: ru — без переводчиков; auto — ru для известных "
        "русских моделей, иначе en.",
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
