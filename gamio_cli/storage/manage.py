"""The saves folder as the player manages it from the shell: the list with the files that cannot
be opened (and why), removing a story and renaming one (`gamio saves`, `saves rm`, `saves mv`).

A story that is open in a running game is locked; removing or renaming it then fails with the
lock's message, so a game never writes its autosave into a name that was just taken from it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from gamio_cli.errors import SaveError, os_reason
from gamio_cli.storage.savename import check_name
from gamio_cli.storage.store import SUFFIX, SaveInfo, SaveStore


@dataclass(frozen=True)
class Unreadable:
    """A file in the saves folder that looks like a save but cannot be opened."""

    path: Path
    problem: str  # the Russian reason, naming the file and the remedy where there is one


@dataclass(frozen=True)
class Listing:
    stories: list[SaveInfo]
    unreadable: list[Unreadable]


def listing(store: SaveStore) -> Listing:
    """The saves that open and the *.json files that do not, each with its reason."""
    readable = store.list()
    known = {info.path.name for info in readable}
    unreadable = []
    for path in sorted(_json_files(store.directory)):
        if path.name in known:
            continue
        unreadable.append(Unreadable(path, _problem(store, path)))
    return Listing(readable, unreadable)


def _json_files(directory: Path) -> list[Path]:
    try:
        names = os.listdir(directory)
    except OSError:
        return []  # store.list() already raised for a folder that cannot be read
    return [
        directory / name
        for name in names
        if name.endswith(SUFFIX) and not name.startswith(".") and (directory / name).is_file()
    ]


def _problem(store: SaveStore, path: Path) -> str:
    stem = path.name[: -len(SUFFIX)]
    try:
        name = check_name(stem)
    except SaveError:
        return "имя файла не годится для сохранения gamio: переименуйте файл."
    try:
        store.load(name)
    except SaveError as error:
        return error.message
    return "файл читается, но не попал в список: откройте его через gamio play --load."


def remove(store: SaveStore, name: str) -> Path:
    """Delete the save NAME and its backup (SaveError when it is open elsewhere or missing)."""
    name = check_name(name)
    target = store.path_of(name)
    with store.lock(name):
        if not target.is_file():
            raise SaveError(f"Сохранения «{name}» нет. Список сохранений: gamio saves.")
        try:
            target.unlink()
            store.backup_path_of(name).unlink(missing_ok=True)
        except OSError as error:
            raise SaveError(f"Не удалось удалить «{target}»: {os_reason(error)}.") from error
    return target


def rename(store: SaveStore, old: str, new: str) -> Path:
    """Give the save OLD (and its backup) the name NEW; never writes over another save."""
    old, new = check_name(old), check_name(new)
    if old == new:
        raise SaveError(f"История уже называется «{old}».")
    with store.lock(old), store.lock(new):
        if not store.path_of(old).is_file():
            raise SaveError(f"Сохранения «{old}» нет. Список сохранений: gamio saves.")
        if store.path_of(new).exists() or store.backup_path_of(new).exists():
            raise SaveError(f"Имя «{new}» уже занято другой историей: выберите другое.")
        try:
            # The story first: a crash in between leaves at most a stray backup, never a
            # story without its file.
            os.rename(store.path_of(old), store.path_of(new))
            _move(store.backup_path_of(old), store.backup_path_of(new))
        except OSError as error:
            raise SaveError(
                f"Не удалось переименовать «{old}»: {os_reason(error)}. Файл не изменён."
            ) from error
    return store.path_of(new)


def _move(source: Path, target: Path) -> None:
    if source.exists():
        os.rename(source, target)

