"""The state of one playing session: the story, its save name, the saves and the turn runner.

Every change to the story goes through here, and each one is saved at once (autosave), so a
completed turn is on disk before the player sees the next prompt. The runner never mutates the
story; a turn is appended only after it completed, so a cancelled or failed turn leaves the
story exactly as it was. While a story is open its save is locked, so a second gamio process
cannot write over it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from gamio_cli.engine import CancelToken
from gamio_cli.errors import Cancelled, GamioError, SaveError
from gamio_cli.storage.filelock import FileLock
from gamio_cli.storage.savename import check_name
from gamio_cli.storage.store import SaveStore
from gamio_cli.story import Alternative, Story, Turn
from gamio_cli.turn.runner import TurnListener, TurnRunner, names_introduced


@dataclass(frozen=True)
class Played:
    """A completed turn; save_error is set when the autosave failed (the turn stays in memory
    and the next save tries again)."""

    turn: Turn
    save_error: SaveError | None = None


class Game:
    """One open story. Use open() or create(); quit() or close() when done."""

    def __init__(
        self, store: SaveStore, runner: TurnRunner, story: Story, name: str, lock: FileLock
    ) -> None:
        self.store = store
        self.runner = runner
        self.story = story
        self.name = name
        self._lock: FileLock | None = lock
        self.unsaved = False
        runner.prepare(story)

    @classmethod
    def open(cls, store: SaveStore, runner: TurnRunner, name: str) -> Game:
        """Lock and load the save NAME."""
        story, lock = open_save(store, name)
        return cls(store, runner, story, name, lock)

    @classmethod
    def create(cls, store: SaveStore, runner: TurnRunner, story: Story, base: str) -> Game:
        """Start a new story under a fresh name made from base (never an existing save's)."""
        name, lock = save_new(store, story, base)
        return cls(store, runner, story, name, lock)

    def play(
        self, raw: str, cancel: CancelToken | None = None, listener: TurnListener | None = None
    ) -> Played:
        """Play one turn from the player's input; the completed turn is appended and saved."""
        turn = self.runner.play(self.story, raw, cancel, listener)
        _check_not_cancelled(cancel)
        # Names the player brought in keep their English form from now on.
        self.story.glossary.extend(names_introduced(raw, self.story))
        self.story.turns.append(turn)
        self.story.undone.clear()  # a new turn starts a new branch: nothing left to redo
        return Played(turn, self._autosave())

    def retry(
        self, cancel: CancelToken | None = None, listener: TurnListener | None = None
    ) -> Played:
        """Replace the last turn's continuation with a new one."""
        if not self.story.turns:
            raise GamioError("Повторять нечего: в истории ещё нет ходов. Напишите действие.")
        turn = self.runner.retry(self.story, cancel, listener)
        _check_not_cancelled(cancel)
        self.story.turns[-1] = turn
        self.story.undone.clear()  # what was undone followed the old continuation
        return Played(turn, self._autosave())

    def undo(self) -> Turn:
        """Remove the last turn (kept in story.undone) and save; returns the removed turn."""
        if not self.story.turns:
            raise GamioError("Отменять нечего: в истории ещё нет ходов.")
        turn = self.story.turns.pop()
        self.story.undone.append(turn)  # kept for a /redo
        self.unsaved = True
        self.save()
        return turn

    def redo(self) -> Turn:
        """Put back the turn /undo removed last, and save; returns it."""
        if not self.story.undone:
            raise GamioError("Возвращать нечего: /redo возвращает ход, отменённый командой /undo.")
        turn = self.story.undone.pop()
        self.story.turns.append(turn)
        self.commit()
        return turn

    def choose_variant(self, number: int) -> Turn:
        """Make the last turn's earlier continuation NUMBER (1 = oldest) the current one; the
        current one is kept among the alternatives, so nothing is lost."""
        last = self._last_turn("Вариантов нет: в истории ещё нет ходов.")
        kept = list(last.alternatives)
        if not 1 <= number <= len(kept):
            raise GamioError(_no_variant(number, len(kept)))
        chosen = kept.pop(number - 1)
        kept.append(Alternative(last.continuation_en, last.continuation_ru))
        turn = replace(
            last, continuation_en=chosen.en, continuation_ru=chosen.ru, alternatives=tuple(kept)
        )
        self._replace_last(turn)
        return turn

    def alter(self, continuation_ru: str, continuation_en: str) -> Turn:
        """Replace the last continuation with the player's edit (both languages) and save."""
        last = self._last_turn("Исправлять нечего: в истории ещё нет ходов.")
        turn = replace(last, continuation_ru=continuation_ru, continuation_en=continuation_en)
        self._replace_last(turn)
        return turn

    def restart(self, story: Story) -> None:
        """Save this story, then go on with `story` under a new name (the old save stays)."""
        self.save()
        name, lock = save_new(self.store, story, self.name)
        self._switch(name, lock)
        self.story = story
        self.unsaved = False

    def commit(self) -> None:
        """Save a change a command made to the story (SaveError if that fails; the change
        stays in memory and the next save tries again)."""
        self.unsaved = True
        self.save()

    def _last_turn(self, none_message: str) -> Turn:
        if not self.story.turns:
            raise GamioError(none_message)
        return self.story.turns[-1]

    def _replace_last(self, turn: Turn) -> None:
        self.story.turns[-1] = turn
        self.story.undone.clear()  # what was undone followed the old continuation
        self.commit()

    def save(self, prepare: bool = True) -> Path:
        """Save under the current name (SaveError if that fails; the story stays in memory)."""
        path = self.store.save(self.story, self.name)
        self.unsaved = False
        if prepare:
            # Every change of the story ends here: get the model ready for the next turn
            # while the player reads and types.
            self.runner.prepare(self.story)
        return path

    def save_as(self, name: str) -> Path:
        """Save under NAME; later autosaves go there. Never overwrites another story's save."""
        name = check_name(name)
        if name == self.name:
            return self.save()
        if self.store.exists(name):
            raise SaveError(
                f"Сохранение «{name}» уже есть, и это другая история: выберите другое имя."
            )
        lock = self.store.lock(name)
        try:
            path = self.store.save(self.story, name)
        except BaseException:
            lock.release()
            raise
        self._switch(name, lock)
        self.unsaved = False
        return path

    def load(self, name: str) -> None:
        """Save the current story, then switch to the save NAME."""
        name = check_name(name)
        if name == self.name:
            raise GamioError(f"История «{name}» уже открыта.")
        if not self.store.exists(name):
            raise SaveError(f"Сохранения «{name}» нет. Список сохранений: gamio saves.")
        lock = self.store.lock(name)
        try:
            story = self.store.load(name)
            self.save()
        except BaseException:
            lock.release()
            raise
        self._switch(name, lock)
        self.story = story
        self.unsaved = False

    def open_backup(self, name: str) -> None:
        """Switch to the backup of the damaged save NAME, kept under a new name so the damaged
        file stays as it is for the player to inspect."""
        story = self.store.load_backup(name)
        self.save()
        new_name, lock = save_new(self.store, story, name)
        self._switch(new_name, lock)
        self.story = story
        self.unsaved = False

    def quit(self) -> Path:
        """Save and let the lock go (SaveError leaves the game open, so the player can retry)."""
        path = self.save(prepare=False)  # there is no next turn to prepare
        self.close()
        return path

    def close(self) -> None:
        """Let the lock go without saving."""
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()

    def _switch(self, name: str, lock: FileLock) -> None:
        self.close()
        self.name = name
        self._lock = lock

    def _autosave(self) -> SaveError | None:
        try:
            self.save()
        except SaveError as error:
            self.unsaved = True
            return error
        return None


def _no_variant(number: int, count: int) -> str:
    if not count:
        return "Других вариантов нет: их оставляет /retry, когда переписывает ответ."
    return f"Варианта №{number} нет: есть варианты с 1 по {count} (список: /variants)."


def _check_not_cancelled(cancel: CancelToken | None) -> None:
    # Ctrl-C that came after the generator's last check still cancels: the player asked for it.
    if cancel is not None and cancel.cancelled:
        raise Cancelled()


def open_save(store: SaveStore, name: str) -> tuple[Story, FileLock]:
    """Lock the save NAME, then load it (the lock is let go again if loading fails)."""
    lock = store.lock(name)
    try:
        return store.load(name), lock
    except BaseException:
        lock.release()
        raise


def save_new(store: SaveStore, story: Story, base: str) -> tuple[str, FileLock]:
    """Save story under a fresh name made from base (never an existing save's), locked."""
    while True:
        name = store.new_name(base)
        lock = store.lock(name)
        # Another gamio may have created NAME between new_name and lock: never write over it.
        if not store.exists(name):
            break
        lock.release()
    try:
        store.save(story, name)
    except BaseException:
        lock.release()
        raise
    return name, lock


def open_backup(store: SaveStore, name: str) -> tuple[Story, str, FileLock]:
    """The backup of the damaged save NAME, saved and locked under a new name."""
    story = store.load_backup(name)
    new_name, lock = save_new(store, story, name)
    return story, new_name, lock
