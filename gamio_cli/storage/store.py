"""The saves directory: one `<name>.json` per story, written so that no crash can lose a story.

A save never writes over the old file in place. The new text goes to a hidden temporary file in
the same directory and is fsync'ed; the old file is hard-linked (or copied) to `<name>.json.bak`;
then os.replace swaps the new file in, which is atomic, and the directory is fsync'ed so the swap
itself survives a power cut. At any instant `<name>.json` is either the whole old story or the
whole new one. Reading never changes a file: a damaged one is reported, naming it, and left for
the player to inspect, with its backup offered when that one is whole.
"""

from __future__ import annotations

import builtins
import errno
import os
import secrets
import shutil
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from gamio_cli.durable import fsync_directory
from gamio_cli.errors import SaveError, os_reason
from gamio_cli.storage.codec import Decoded, decode, parse_json, story_to_json
from gamio_cli.storage.filelock import FileLock, LockBusy
from gamio_cli.storage.leftovers import clean_leftovers, lock_path
from gamio_cli.storage.savename import (
    MAX_NAME_BYTES,
    MAX_NAME_CHARS,
    check_name,
    fit_name,
    make_name,
)
from gamio_cli.story import Story

SUFFIX = ".json"
BACKUP_SUFFIX = ".json.bak"
# A story of thousands of turns is a few MiB; anything far larger is not a story, and reading it
# whole (list() reads every file) would stall the game.
MAX_FILE_BYTES = 64 * 1024 * 1024
_NO_SPACE = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
_REMEDY = "Укажите другую папку: gamio --saves-dir ПАПКА или переменная окружения GAMIO_SAVES_DIR."


@dataclass(frozen=True)
class SaveInfo:
    """What the list of saves shows about one story."""

    name: str
    turns: int
    last_played: datetime  # when it was saved, timezone-aware UTC
    path: Path
    scenario: str


class BackupAvailable(SaveError):
    """The save cannot be read but its backup can: the caller may offer load_backup(name)."""

    def __init__(self, message: str, name: str, backup_path: Path, backup_turns: int) -> None:
        super().__init__(message)
        self.name = name
        self.backup_path = backup_path
        self.backup_turns = backup_turns


def _dir_reason(error: OSError) -> str:
    if error.errno in (errno.EACCES, errno.EPERM):
        return "нет прав на запись"
    if error.errno == errno.EROFS:
        return "файловая система доступна только для чтения"
    if error.errno in (errno.ENOTDIR, errno.EEXIST):
        return "на этом месте или выше по пути лежит обычный файл, а не папка"
    return os_reason(error)


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # a leftover hidden temp file is harmless; the error that matters is already raised


def write_synced(path: Path, data: bytes) -> None:
    """Create `path` (it must not exist) holding `data`, flushed to the disk."""
    with open(path, "xb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


class SaveStore:
    """The stories in one directory, addressed by save name (see savename.py)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        # path -> (inode, size, mtime) of the files this store wrote or read whole: a save
        # need not read such a file again to know it may become the backup (a long story's
        # autosave would spend half its time on that; benchmarks/long_story.py).
        self._whole: dict[Path, tuple[int, int, int]] = {}

    def _remember_whole(self, path: Path) -> None:
        try:
            stat = path.stat()
        except OSError:
            return
        self._whole[path] = (stat.st_ino, stat.st_size, stat.st_mtime_ns)

    def _known_whole(self, path: Path) -> bool:
        try:
            stat = path.stat()
        except OSError:
            return False
        return self._whole.get(path) == (stat.st_ino, stat.st_size, stat.st_mtime_ns)

    def path_of(self, name: str) -> Path:
        return self.directory / f"{check_name(name)}{SUFFIX}"

    def backup_path_of(self, name: str) -> Path:
        return self.directory / f"{check_name(name)}{BACKUP_SUFFIX}"

    def _temp_path(self, name: str, kind: str) -> Path:
        return self.directory / f".{name}{kind}.{secrets.token_hex(4)}.tmp"

    def _dir_error(self, error: OSError) -> SaveError:
        return SaveError(
            f"Не удаётся записать в папку сохранений «{self.directory}»: {_dir_reason(error)}. "
            + _REMEDY
        )

    def _ensure_directory(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise self._dir_error(error) from error

    # --- writing -----------------------------------------------------------------------------

    def save(self, story: Story, name: str) -> Path:
        """Write `story` as `name`, atomically, keeping the previous file as <name>.json.bak."""
        name = check_name(name)
        data = self._encode(story, name)
        self._ensure_directory()
        target = self.path_of(name)
        temp = self._temp_path(name, SUFFIX)
        try:
            write_synced(temp, data)
            self._keep_backup(name, target)
            os.replace(temp, target)
        except OSError as error:
            raise self._write_error(error, name, target) from error
        finally:
            _remove_quietly(temp)  # already gone after a successful replace
        fsync_directory(self.directory)
        self._remember_whole(target)
        return target

    def _encode(self, story: Story, name: str) -> bytes:
        """The file's bytes, checked to load back before anything on disk is touched."""
        text = story_to_json(story)
        try:
            decode(parse_json(text, name), name)
        except SaveError as error:
            raise SaveError(
                f"История «{name}» не сохранена: данные не прошли проверку ({error.message}) "
                "Прежнее сохранение не тронуто."
            ) from error
        return text.encode("utf-8")

    def _keep_backup(self, name: str, target: Path) -> None:
        """Make the current file the backup, unless it is damaged and the backup is whole."""
        if not target.exists():
            return
        backup = self.backup_path_of(name)
        if not self._known_whole(target) and not self._loads(target) and self._loads(backup):
            return
        temp = self._temp_path(name, BACKUP_SUFFIX)
        try:
            try:
                os.link(target, temp)  # no data written: cheap, and works on a full disk
            except OSError as error:
                if error.errno in _NO_SPACE:
                    raise
                shutil.copyfile(target, temp)  # a file system without hard links
            os.replace(temp, backup)
        finally:
            _remove_quietly(temp)

    def _write_error(self, error: OSError, name: str, target: Path) -> SaveError:
        if error.errno in _NO_SPACE:
            return SaveError(
                f"Нет места на диске: история «{name}» не сохранена, прежнее сохранение цело. "
                f"Освободите место и сохраните снова. {_REMEDY}"
            )
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return self._dir_error(error)
        return SaveError(
            f"Не удалось сохранить историю «{name}» в «{target}»: {os_reason(error)}. "
            "Прежнее сохранение цело."
        )

    # --- reading -----------------------------------------------------------------------------

    def _read(self, path: Path) -> Decoded:
        """The story in `path`; SaveError naming the file for any problem. Never writes."""
        source = str(path)
        try:
            size = path.stat().st_size
            if not path.is_file():
                raise SaveError(f"«{source}» — не файл сохранения, а папка или устройство.")
            if size > MAX_FILE_BYTES:
                raise SaveError(
                    f"Файл «{source}» слишком большой для сохранения gamio "
                    f"({size // (1024 * 1024)} МиБ). Файл не изменён."
                )
            raw = path.read_bytes()
        except FileNotFoundError:
            raise SaveError(f"Сохранение «{path.stem}» не найдено: нет файла «{source}».") from None
        except OSError as error:
            raise SaveError(
                f"Не удалось прочитать «{source}»: {os_reason(error)}."
            ) from error
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.reason == "unexpected end of data":  # cut in the middle of a letter
                problem = "файл обрывается на середине — похоже, запись не завершилась"
            else:
                problem = f"файл не в кодировке UTF-8 (испорчен байт {error.start})"
            raise SaveError(
                f"Сохранение «{source}» повреждено: {problem}. Файл не изменён."
            ) from None
        return decode(parse_json(text, source), source)

    def _loads(self, path: Path) -> bool:
        try:
            self._read(path)
        except SaveError:
            return False
        return True

    def load(self, name: str) -> Story:
        """The story saved as `name`; a damaged file raises SaveError (BackupAvailable when the
        backup is whole) and is left as it is."""
        name = check_name(name)
        try:
            story = self._read(self.path_of(name)).story
            self._remember_whole(self.path_of(name))
            return story
        except SaveError as error:
            backup = self.backup_path_of(name)
            if not backup.exists():
                raise
            try:
                whole = self._read(backup)
            except SaveError:
                raise error from None
            turns = len(whole.story.turns)
            raise BackupAvailable(
                f"{error.message} Есть целая резервная копия этой истории — предыдущее сохранение "
                f"(ходов: {turns}): «{backup}». Её можно открыть вместо повреждённого файла.",
                name,
                backup,
                turns,
            ) from error

    def load_backup(self, name: str) -> Story:
        """The story in `<name>.json.bak`, the file as it was before the last save."""
        return self._read(self.backup_path_of(name)).story

    def exists(self, name: str) -> bool:
        """Whether a save called `name` exists (SaveError for a name that is not allowed)."""
        return self.path_of(name).is_file()

    def _taken(self, name: str) -> bool:
        return self.path_of(name).exists() or self.backup_path_of(name).exists()

    def new_name(self, base: str) -> str:
        """A valid name not used by any save (or backup): `base` made valid, then -2, -3…"""
        stem = make_name(base)
        if not self._taken(stem):
            return stem
        number = 2
        while True:
            suffix = f"-{number}"
            short = fit_name(stem, MAX_NAME_CHARS - len(suffix), MAX_NAME_BYTES - len(suffix))
            candidate = (short or make_name("")) + suffix
            if not self._taken(candidate):
                return candidate
            number += 1

    def lock(self, name: str) -> FileLock:
        """Hold `name` for this process until release() (or the end of a with block), and
        remove the temporary files killed saves left in the folder (leftovers.py)."""
        name = check_name(name)
        self._ensure_directory()
        lock = FileLock(lock_path(self.directory, name))
        try:
            lock.acquire()
        except LockBusy as busy:
            owner = f" (процесс {busy.owner_pid})" if busy.owner_pid else ""
            raise SaveError(
                f"Не удалось открыть «{name}»: эта история уже открыта в другом окне gamio{owner}. "
                "Закройте её там или откройте другую историю."
            ) from None
        except OSError as error:
            raise self._dir_error(error) from error
        clean_leftovers(self.directory)  # a story is opened: what killed saves left goes
        return lock

    # --- listing -----------------------------------------------------------------------------

    def _names_on_disk(self) -> builtins.list[tuple[str, Path]]:
        try:
            entries = os.listdir(self.directory)
        except FileNotFoundError:
            return []
        except OSError as error:
            raise SaveError(
                f"Не удаётся прочитать папку сохранений «{self.directory}»: {_dir_reason(error)}. "
                + _REMEDY
            ) from error
        found = []
        for entry in entries:
            if entry.startswith(".") or not entry.endswith(SUFFIX):
                continue
            stem = unicodedata.normalize("NFC", entry[: -len(SUFFIX)])  # macOS may give NFD
            try:
                if check_name(stem) == stem:
                    found.append((stem, self.directory / entry))
            except SaveError:
                continue  # not a name a player could open, e.g. "CON.json" made by hand
        return found

    def list(self) -> builtins.list[SaveInfo]:
        """Every readable save, newest first; damaged files are skipped."""
        infos = []
        for name, path in self._names_on_disk():
            try:
                decoded = self._read(path)
            except SaveError:
                continue
            infos.append(
                SaveInfo(
                    name, len(decoded.story.turns), decoded.saved_at, path, decoded.story.scenario
                )
            )
        infos.sort(key=lambda info: (info.last_played, info.name), reverse=True)
        return infos

    def latest(self) -> str | None:
        """The name of the most recently saved story, or None when there is none."""
        infos = self.list()
        return infos[0].name if infos else None
