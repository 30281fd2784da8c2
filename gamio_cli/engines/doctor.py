"""`gamio doctor`: one screen a player can paste into a bug report, and whether play can work.

The report is a list of sections, each a function of the Machine returning a Section (a
Russian heading, its lines, and the problems that stop a game): adding a check is one more
function in SECTIONS (or in the list the caller passes). Secrets are never printed: of a
token only whether it is set. ML libraries are imported inside the functions.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path

from gamio_cli.engines import catalogue, disk, hub
from gamio_cli.engines.catalogue import ROLE_RU


@dataclass(frozen=True)
class Machine:
    """What the sections look at: the configured models (role -> hub id or folder), the
    folders gamio writes, and the int8 check of the transformers engine (handed in: engines/hf
    is a room this one may not import)."""

    models: dict[str, str]
    saves_dir: Path
    copy_roots: list[Path]
    int8_available: Callable[[], bool]


@dataclass(frozen=True)
class Section:
    heading: str
    lines: list[str]
    problems: list[str] = field(default_factory=list)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "не установлен"


def versions(machine: Machine) -> Section:
    import torch

    build = f"CUDA {torch.version.cuda}" if torch.version.cuda else "только процессор"
    return Section("Версии", [
        f"gamio {_version('gamio')}, Python {platform.python_version()} ({sys.platform})",
        f"torch {torch.__version__} ({build}), transformers {_version('transformers')}, "
        f"ctranslate2 {_version('ctranslate2')}, huggingface_hub {_version('huggingface_hub')}",
    ])


def devices(machine: Machine) -> Section:
    import torch

    lines = []
    for index in range(torch.cuda.device_count() if torch.cuda.is_available() else 0):
        props = torch.cuda.get_device_properties(index)
        lines.append(f"CUDA {index}: {props.name}, {disk.size_ru(props.total_memory)}")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        lines.append("Apple MPS: есть")
    return Section("Устройства", lines or ["видеокарт нет: модели считает процессор"])


def cpu(machine: Machine) -> Section:
    import torch

    capability = torch.backends.cpu.get_cpu_capability()
    int8 = machine.int8_available()
    path = ("рассказчик — transformers int8 (fbgemm), переводчики — CTranslate2 int8" if int8
            else "всё на CTranslate2 int8 (в этом torch нет int8-ядер fbgemm)")
    return Section("Процессор", [
        f"{platform.machine()}, ядер: {os.cpu_count()}, набор команд для torch: {capability}",
        f"--engine auto на процессоре: {path}",
    ])


def memory(machine: Machine) -> Section:
    import psutil

    mem = psutil.virtual_memory()
    need = sum(entry.ram_mb for entry in _entries(machine)) * 10**6
    # On a CPU the matrices are int8: about a third of float32's memory, plus the runtime.
    need_int8 = need // 3 + 10**9
    lines = [f"всего {disk.size_ru(mem.total)}, доступно {disk.size_ru(mem.available)}",
             f"моделям настроек нужно ≈ {disk.size_ru(need)} в float32, ≈ "
             f"{disk.size_ru(need_int8)} в int8 на процессоре"]
    problems = [] if mem.available >= need_int8 else [
        "памяти меньше, чем нужно моделям даже в int8: возьмите модель поменьше (gamio models)"]
    return Section("Память", lines, problems)


def disks(machine: Machine) -> Section:
    from gamio_cli.engines.repair import repair_root

    folders = [("кеш моделей", hub.hub_cache_dir()), ("кеш gamio", repair_root().parent),
               ("сохранения", machine.saves_dir)]
    lines = [f"{name}: {path} — свободно {disk.size_ru(disk.free_disk_bytes(path))}"
             for name, path in folders]
    problems = [f"на диске «{name}» почти нет места" for name, path in folders
                if disk.free_disk_bytes(path) < disk.MARGIN_BYTES // 10]
    return Section("Диск", lines, problems)


@cache
def _reachable(endpoint: str) -> bool:
    """Probed once a run (an unreachable hub costs ~1.5 s a probe)."""
    return hub.endpoint_reachable(endpoint)


def _online() -> bool:
    return not hub.offline_mode() and _reachable(hub.hub_endpoint())


def hub_state(machine: Machine) -> Section:
    token = "задан" if os.environ.get("HF_TOKEN") else "не задан"
    if hub.offline_mode():
        state = "выключен (HF_HUB_OFFLINE или TRANSFORMERS_OFFLINE)"
    elif _online():
        state = "доступен"
    else:
        state = "недоступен"
    return Section("Hugging Face", [f"{hub.hub_endpoint()}: {state}; HF_TOKEN {token}"])


def models(machine: Machine) -> Section:
    lines, problems = [], []
    online = _online()
    for role, value in machine.models.items():
        entry = catalogue.find(value, role)
        size = f", {disk.size_ru(entry.size_mb * 10**6)}" if entry else ""
        if not hub.is_hub_id(value):
            missing = hub.missing_parts(Path(value)) if Path(value).is_dir() else ["папки"]
            state = "своя папка" + (f", не хватает {', '.join(missing)}" if missing else "")
            problems += [f"{ROLE_RU[role]}: {state}"] if missing else []
        elif (folder := hub.cached_model_dir(value)) is not None:
            state = f"скачана: {folder}"
        else:
            state = "не скачана" + (" (скачается при первом запуске)" if online else "")
            problems += [] if online else [f"{ROLE_RU[role]}: «{value}» не скачана, а сети нет"]
        lines.append(f"{ROLE_RU[role]}: {value}{size} — {state}")
    return Section("Модели настроек", lines, problems)


def _entries(machine: Machine) -> list[catalogue.Entry]:
    found = [catalogue.find(value, role) for role, value in machine.models.items()]
    return [entry for entry in found if entry is not None]


SECTIONS: list[Callable[[Machine], Section]] = [versions, devices, cpu, memory, disks, hub_state,
                                                models]


def report(machine: Machine, sections: list[Callable[[Machine], Section]]) -> tuple[list[str], int]:
    """The report's lines and the exit status: 0 when nothing stops a game, else 1."""
    lines: list[str] = []
    problems: list[str] = []
    for section in sections:
        try:
            found = section(machine)
        except Exception as error:  # noqa: BLE001 - a broken check is reported, not fatal
            found = Section(section.__name__, [f"проверка не удалась: {type(error).__name__}: "
                                               f"{error}"])
        lines += [f"{found.heading}:", *(f"  {line}" for line in found.lines)]
        problems += found.problems
    if problems:
        lines += ["Играть не получится:", *(f"  {problem}" for problem in problems)]
    else:
        lines.append("Всё готово к игре.")
    return lines, 1 if problems else 0
