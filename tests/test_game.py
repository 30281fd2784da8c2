"""Game: every change saved at once, a failed or cancelled turn changes nothing, locks move with
the story. Real SaveStore on disk; scripted models at the engine seam (tests/scripted.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gamio_cli.engine import CancelToken
from gamio_cli.errors import Cancelled, GamioError, GenerationFailed, SaveError
from gamio_cli.game import Game, open_save
from gamio_cli.storage.filelock import FileLock, LockBusy
from gamio_cli.storage.store import BackupAvailable, SaveStore
from gamio_cli.story import Story
from gamio_cli.turn.runner import names_introduced
from tests.scripted import ScriptedGenerator, fantasy_story, new_game, scripted_runner


def saved(saves: Path, name: str) -> Story:
    return SaveStore(saves).load(name)


def lock_is_free(saves: Path, name: str) -> bool:
    lock = FileLock(saves / f".{name}.json.lock")
    try:
        lock.acquire()
    except LockBusy:
        return False
    lock.release()
    return True


def test_create_saves_at_once_under_a_fresh_name(tmp_path: Path) -> None:
    first = new_game(tmp_path)
    second = new_game(tmp_path)
    assert first.name == "тест" and second.name != first.name
    assert saved(tmp_path, first.name) == first.story
    assert saved(tmp_path, second.name) == second.story


def test_play_appends_and_autosaves(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    played = game.play("открываю дверь")
    assert played.save_error is None
    assert played.turn.continuation_ru == "Дверь со скрипом открывается. Внутри спит дракон."
    assert played.turn.action_en == "You open the door."
    game.play("я беру меч")
    on_disk = saved(tmp_path, game.name)
    assert [t.continuation_ru for t in on_disk.turns] == [
        "Дверь со скрипом открывается. Внутри спит дракон.",
        "Меч тяжёлый.",
    ]
    assert on_disk == game.story


def test_cancelled_turn_changes_nothing(tmp_path: Path) -> None:
    cancel = CancelToken()
    game = new_game(tmp_path, scripted_runner(ScriptedGenerator(on_token=lambda i: i == 3 and cancel.cancel())))
    before = saved(tmp_path, game.name)
    with pytest.raises(Cancelled):
        game.play("открываю дверь", cancel)
    assert game.story.turns == [] and saved(tmp_path, game.name) == before


def test_cancel_after_the_last_check_still_cancels(tmp_path: Path) -> None:
    """Ctrl-C while the last sentence is translated: the player asked, the turn is dropped."""
    cancel = CancelToken()

    class CancelOnSentence:
        def sentence(self, text_ru: str) -> None:
            if text_ru == "Внутри спит дракон.":
                cancel.cancel()

        def restart(self) -> None: ...

    game = new_game(tmp_path)
    with pytest.raises(Cancelled):
        game.play("открываю дверь", cancel, CancelOnSentence())
    assert game.story.turns == [] and saved(tmp_path, game.name).turns == []


def test_failed_generation_changes_nothing(tmp_path: Path) -> None:
    game = new_game(tmp_path, scripted_runner(ScriptedGenerator(queue=["", "", ""])))
    with pytest.raises(GenerationFailed):
        game.play("открываю дверь")
    assert game.story.turns == [] and saved(tmp_path, game.name).turns == []


def test_retry_replaces_the_last_turn(tmp_path: Path) -> None:
    generator = ScriptedGenerator()
    game = new_game(tmp_path, scripted_runner(generator))
    game.play("открываю дверь")
    generator.queue.append("The sword is heavy.")
    played = game.retry()
    assert len(game.story.turns) == 1
    assert played.turn.continuation_ru == "Меч тяжёлый."
    assert played.turn.action_ru == "открываю дверь"
    assert saved(tmp_path, game.name).turns == game.story.turns


def test_retry_and_undo_need_a_turn(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    with pytest.raises(GamioError):
        game.retry()
    with pytest.raises(GamioError):
        game.undo()


def test_undo_removes_and_saves(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    game.play("открываю дверь")
    game.play("я беру меч")
    removed = game.undo()
    assert removed.action_ru == "я беру меч"
    assert [t.action_ru for t in saved(tmp_path, game.name).turns] == ["открываю дверь"]


def test_save_as_moves_autosaves_and_the_lock(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    game.play("открываю дверь")
    game.save_as("Мой поход")
    assert game.name == "Мой поход"
    game.play("я беру меч")
    assert len(saved(tmp_path, "Мой поход").turns) == 2
    assert len(saved(tmp_path, "тест").turns) == 1
    assert lock_is_free(tmp_path, "тест") and not lock_is_free(tmp_path, "Мой поход")


def test_save_as_never_overwrites_another_story(tmp_path: Path) -> None:
    other = new_game(tmp_path, base="чужая")
    other.play("иду на север")
    other.quit()
    game = new_game(tmp_path)
    with pytest.raises(SaveError, match="уже есть"):
        game.save_as("чужая")
    assert saved(tmp_path, "чужая").turns[0].action_ru == "иду на север"
    assert game.name == "тест"


@pytest.mark.parametrize("name", ["../../x", "/tmp/x", "CON", "", "a" * 300])
def test_bad_names_stay_inside(tmp_path: Path, name: str) -> None:
    saves = tmp_path / "saves"
    game = new_game(saves)
    with pytest.raises(SaveError):
        game.save_as(name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["saves"]


def test_load_switches_story_and_lock(tmp_path: Path) -> None:
    other = new_game(tmp_path, base="другая")
    other.play("иду на север")
    other.quit()
    game = new_game(tmp_path)
    game.play("открываю дверь")
    game.load("другая")
    assert game.name == "другая" and game.story.turns[0].action_ru == "иду на север"
    assert lock_is_free(tmp_path, "тест") and not lock_is_free(tmp_path, "другая")
    assert len(saved(tmp_path, "тест").turns) == 1


def test_load_refuses_a_story_open_elsewhere(tmp_path: Path) -> None:
    elsewhere = new_game(tmp_path, base="занята")
    game = new_game(tmp_path)
    with pytest.raises(SaveError, match="уже открыта"):
        game.load("занята")
    assert game.name == "тест"
    elsewhere.close()
    game.load("занята")


def test_load_missing_and_damaged(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    with pytest.raises(SaveError, match="нет"):
        game.load("нет такой")
    damaged = new_game(tmp_path, base="битая")
    damaged.play("иду на север")
    damaged.play("осматриваюсь")
    damaged.quit()
    path = tmp_path / "битая.json"
    broken = path.read_bytes()[:50]
    path.write_bytes(broken)
    with pytest.raises(BackupAvailable) as error:
        game.load("битая")
    # quit() saved again, so the backup is the save before it: both turns.
    assert game.name == "тест" and error.value.backup_turns == 2
    game.open_backup("битая")
    assert game.name not in ("тест", "битая")
    assert [t.action_ru for t in game.story.turns] == ["иду на север", "осматриваюсь"]
    assert path.read_bytes() == broken  # the damaged file is left as it was


class PreparingGenerator(ScriptedGenerator):
    """Records what the game asks it to encode ahead, and whether it was closed."""

    def __init__(self) -> None:
        super().__init__()
        self.prepared: list[str] = []
        self.closed = False

    def prepare(self, text: str) -> None:
        self.prepared.append(text)

    def close(self) -> None:
        self.closed = True


def test_each_save_prepares_the_next_turn_but_quitting_does_not(tmp_path: Path) -> None:
    generator = PreparingGenerator()
    runner = scripted_runner(generator)
    game = new_game(tmp_path, runner)
    game.play("открываю дверь")
    count = len(generator.prepared)
    assert count >= 1 and "open the door" in generator.prepared[-1]
    game.quit()
    assert len(generator.prepared) == count
    runner.close()
    assert generator.closed


def test_quit_saves_and_lets_go(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    game.play("открываю дверь")
    game.quit()
    assert lock_is_free(tmp_path, "тест")
    story, lock = open_save(SaveStore(tmp_path), "тест")
    lock.release()
    assert story == game.story


def test_autosave_failure_keeps_the_turn(tmp_path: Path) -> None:
    """A save that cannot be written: the turn stays in memory and the next save retries."""
    saves = tmp_path / "saves"
    game = new_game(saves)
    blocker = saves / "тест.json"
    blocker.unlink()
    blocker.mkdir()  # a directory where the file should go: os.replace fails for real
    played = game.play("открываю дверь")
    assert played.save_error is not None and game.unsaved
    assert len(game.story.turns) == 1
    blocker.rmdir()
    game.save()
    assert len(saved(saves, "тест").turns) == 1 and not game.unsaved


def test_open_uses_the_save(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    game.play("открываю дверь")
    game.quit()
    again = Game.open(SaveStore(tmp_path), scripted_runner(), "тест")
    assert again.story == game.story
    assert again.story.opening_ru == fantasy_story().opening_ru
    again.close()


def test_undo_keeps_the_turn_for_redo_until_a_new_turn(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    game.play("открываю дверь")
    game.play("я беру меч")
    removed = game.undo()
    assert game.story.undone == [removed] and saved(tmp_path, "тест").undone == [removed]
    game.play("иду на север")
    assert game.story.undone == [] and saved(tmp_path, "тест").undone == []


def test_retry_keeps_the_earlier_continuation(tmp_path: Path) -> None:
    generator = ScriptedGenerator()
    game = new_game(tmp_path, scripted_runner(generator))
    game.play("открываю дверь")
    generator.queue.append("The sword is heavy.")
    game.retry()
    turn = saved(tmp_path, "тест").turns[-1]
    assert turn.continuation_ru == "Меч тяжёлый."
    assert [a.ru for a in turn.alternatives] == ["Дверь со скрипом открывается. Внутри спит дракон."]


def test_names_the_player_brings_in_join_the_glossary(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    hero = list(game.story.glossary)  # the shipped world's character, entered at the start
    expected = hero + names_introduced("я иду к Ратмиру", game.story)
    assert len(expected) == len(hero) + 1  # the pipeline finds a name here
    game.play("я иду к Ратмиру")
    assert game.story.glossary == expected
    assert saved(tmp_path, "тест").glossary == expected
    with pytest.raises(Cancelled):  # a cancelled turn adds nothing
        cancel = CancelToken()
        cancel.cancel()
        game.play("я зову Всемила", cancel)
    assert game.story.glossary == expected
