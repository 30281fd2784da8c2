"""The commands a player runs from the shell, outside a game: `gamio saves` (list, rm, mv) and
`gamio export`. cli.py parses their options and calls these; each writes to the streams it is
given and returns the exit status, so tests run them in-process as well as through the CLI.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import TextIO

from gamio_cli.errors import GamioError, SaveError, os_reason
from gamio_cli.storage import manage
from gamio_cli.storage.export import to_html, to_markdown, world_title
from gamio_cli.storage.savename import check_name
from gamio_cli.storage.store import SaveStore, write_synced
from gamio_cli.terminal.oneline import wrapped
from gamio_cli.textsafe import safe_output

STDOUT_TARGET = "-"
YES = {"да", "д", "yes", "y"}


def say(text: str, stream: TextIO) -> None:
    stream.write(wrapped(safe_output(text), stream) + "\n")
    stream.flush()


def list_saves(store: SaveStore, out: TextIO) -> int:
    """The stories (name, world, turns, last played) and, apart, the files that do not open."""
    found = manage.listing(store)
    say(f"Папка сохранений: {store.directory}", out)
    if not found.stories and not found.unreadable:
        say("Сохранённых историй пока нет. Новая игра: gamio play --new", out)
        return 0
    width = max((len(info.name) for info in found.stories), default=0)
    worlds = {info.name: world_title(info.scenario) for info in found.stories}
    world_width = max((len(world) for world in worlds.values()), default=0)
    for info in found.stories:
        when = info.last_played.astimezone().strftime("%Y-%m-%d %H:%M")
        line = (f"  {info.name.ljust(width)}  {worlds[info.name].ljust(world_width)}  "
                f"ходов: {info.turns:<5} последняя игра: {when}")
        out.write(safe_output(line) + "\n")
    if found.unreadable:
        say("Не открываются (файлы не тронуты):", out)
        for bad in found.unreadable:
            say(f"  {bad.path.name} — {bad.problem}", out)
    out.flush()
    return 0


def remove_save(store: SaveStore, name: str, yes: bool, stdin: TextIO, out: TextIO) -> int:
    """Delete a story after the player confirms (or with --yes)."""
    name = check_name(name)
    if not store.exists(name):
        raise SaveError(f"Сохранения «{name}» нет. Список сохранений: gamio saves.")
    if not yes:
        turns = len(store.load(name).turns)
        out.write(safe_output(f"Удалить историю «{name}» (ходов: {turns}) насовсем? (да/нет) › "))
        out.flush()
        if stdin.readline().strip().lower() not in YES:
            say("Ничего не удалено.", out)
            return 1
    path = manage.remove(store, name)
    say(f"История «{name}» удалена ({path}).", out)
    return 0


def rename_save(store: SaveStore, old: str, new: str, out: TextIO) -> int:
    path = manage.rename(store, old, new)
    say(f"История «{check_name(old)}» теперь называется «{check_name(new)}» ({path}).", out)
    return 0


def export_story(
    store: SaveStore, name: str, fmt: str, bilingual: bool, target: str | None, force: bool,
    out: TextIO,
) -> int:
    """Write a story as Markdown or HTML to a file (never over one without force) or stdout."""
    name = check_name(name)
    if not store.exists(name):
        raise SaveError(f"Сохранения «{name}» нет. Список сохранений: gamio saves.")
    story = store.load(name)
    text = to_html(story, bilingual, name) if fmt == "html" else to_markdown(story, bilingual, name)
    if target == STDOUT_TARGET:
        _write_stdout(text)
        return 0
    path = Path(target) if target else Path(f"{name}.{fmt}")
    write_new_file(path, text, force)
    say(f"История «{name}» записана в {path}.", out)
    return 0


def _write_stdout(text: str) -> None:
    """UTF-8 bytes whatever the locale: the export's contract, as for a file."""
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()


def write_new_file(path: Path, text: str, force: bool) -> None:
    """Write text to path atomically; an existing file is replaced only with force."""
    shown = safe_output(str(path))
    if path.is_dir():
        raise GamioError(f"«{shown}» — папка. Укажите файл: --output ФАЙЛ.")
    if path.exists() and not force:
        raise GamioError(
            f"Файл «{shown}» уже есть и не тронут. Перезаписать: добавьте --force; "
            "или укажите другой файл: --output ФАЙЛ."
        )
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        write_synced(temp, text.encode("utf-8"))
        _put_in_place(temp, path, force)
    except FileExistsError:
        raise GamioError(f"Файл «{shown}» появился во время записи и не тронут.") from None
    except OSError as error:
        raise GamioError(
            f"Не удалось записать «{shown}»: {os_reason(error)}. Укажите другой файл: --output ФАЙЛ."
        ) from None
    finally:
        temp.unlink(missing_ok=True)


def _put_in_place(temp: Path, path: Path, force: bool) -> None:
    if force:
        os.replace(temp, path)
        return
    try:
        os.link(temp, path)  # fails instead of replacing a file that appeared meanwhile
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: the check above has to do
        os.replace(temp, path)
