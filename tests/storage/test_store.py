"""The saves directory: round trips, atomic writes, backups, damaged files, locks, failures."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from gamio_cli import __version__
from gamio_cli.errors import SaveError
from gamio_cli.storage import store as saves_module
from gamio_cli.storage.codec import decode, story_to_json
from gamio_cli.storage.store import BackupAvailable, SaveInfo, SaveStore
from gamio_cli.story import Mode, Story, Turn
from tests.storage.test_codec import sample_story, stories

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "saves"
DAMAGED = {
    "empty": "файл пуст",
    "truncated": "обрывается на середине",
    "truncated_mid_char": "обрывается на середине",
    "not_json": "это не JSON",
    "not_utf8": "не в кодировке UTF-8",
    "json_array": "не сохранение gamio",
    "foreign": "не сохранение gamio",
    "newer_version": "создан более новой версией gamio, обновите gamio",
    "unknown_mode": "неизвестный режим хода «shout»",
    "wrong_type": "«settings.top_k» должно быть целым числом",
    "missing_field": "нет поля «turns[0].action_en»",
}


def longer(story: Story, text: str = "Идёт снег.") -> Story:
    return story.with_turns([*story.turns, Turn("жду", Mode.DO, "You wait.", "Snow falls.", text)])


def hidden_files(directory: Path) -> list[str]:
    return sorted(name for name in os.listdir(directory) if name.startswith("."))


def write_at(store: SaveStore, name: str, story: Story, when: datetime) -> None:
    store.directory.mkdir(parents=True, exist_ok=True)
    store.path_of(name).write_text(story_to_json(story, saved_at=when), encoding="utf-8")


# --- round trips ----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(stories)
def test_any_story_saved_loads_back_the_same(story: Story) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = SaveStore(Path(tmp))
        path = store.save(story, "моя история")
        assert path == Path(tmp) / "моя история.json"
        assert store.load("моя история") == story
        assert hidden_files(Path(tmp)) == []  # no temp file left behind


def test_russian_survives_byte_for_byte(tmp_path: Path) -> None:
    story = sample_story()
    path = SaveStore(tmp_path).save(story, "ёлка")
    raw = path.read_bytes()
    assert raw == story_to_json(story, saved_at=decode(json.loads(raw), "x").saved_at).encode()
    assert "Дверь со скрипом открывается. Внутри спит дракон.".encode() in raw
    again = SaveStore(tmp_path).load("ёлка")
    assert again.turns[0].continuation_ru.encode("utf-8") == story.turns[0].continuation_ru.encode()


def test_lone_surrogates_are_replaced_when_saved(tmp_path: Path) -> None:
    story = Story("custom", "из терминала: \udcd0\udcb0", "x\ud83d\ude00")
    store = SaveStore(tmp_path)
    store.save(story, "s")
    loaded = store.load("s")
    assert loaded.opening_ru == "из терминала: \ufffd\ufffd" and loaded.opening_en == "x😀"


def test_sample_story_in_the_repo_is_current_and_canonical() -> None:
    store = SaveStore(ROOT / "saves")
    story = store.load("sample")
    assert story.scenario == "fantasy" and 2 <= len(story.turns) <= 3
    assert all(
        turn.action_ru and turn.continuation_ru and turn.continuation_en for turn in story.turns
    )
    raw = store.path_of("sample").read_bytes()
    decoded = decode(json.loads(raw), "sample")
    written = story_to_json(story, saved_at=decoded.saved_at).replace(
        f'"gamio_version": "{__version__}"', f'"gamio_version": "{decoded.gamio_version}"', 1
    )
    # Exactly what this gamio writes: a format change must come with a migration and a new
    # sample: save the loaded sample again with SaveStore, then delete saves/sample.json.bak.
    assert raw == written.encode("utf-8")


def test_old_version_fixture_loads_from_a_directory(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "v1_fantasy.json", tmp_path / "старая.json")
    before = (tmp_path / "старая.json").read_bytes()
    store = SaveStore(tmp_path)
    story = store.load("старая")
    assert len(story.turns) == 2 and story.settings.top_k == 40
    assert (tmp_path / "старая.json").read_bytes() == before  # upgraded in memory only
    store.save(story, "старая")
    assert json.loads(store.path_of("старая").read_text(encoding="utf-8"))["version"] == 5
    assert store.load_backup("старая") == story  # the v1 file is the backup, still readable


# --- atomic saves and backups ---------------------------------------------------------------------


def test_backup_keeps_the_previous_version(tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    first, second = sample_story(), longer(sample_story())
    store.save(first, "x")
    assert not store.backup_path_of("x").exists()
    first_bytes = store.path_of("x").read_bytes()
    store.save(second, "x")
    assert store.backup_path_of("x").read_bytes() == first_bytes
    assert store.load("x") == second and store.load_backup("x") == first
    store.save(longer(second), "x")
    assert store.load_backup("x") == second


def test_backup_is_copied_where_hard_links_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*args: Any) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    store = SaveStore(tmp_path)
    store.save(sample_story(), "x")
    monkeypatch.setattr(os, "link", no_links)
    store.save(longer(sample_story()), "x")
    assert store.load_backup("x") == sample_story()
    assert hidden_files(tmp_path) == []


def test_a_damaged_file_does_not_replace_a_whole_backup(tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    store.save(sample_story(), "x")
    store.save(longer(sample_story()), "x")
    store.path_of("x").write_bytes(b"{broken")
    store.save(longer(longer(sample_story())), "x")
    assert store.load_backup("x") == sample_story()  # not the broken file


@pytest.mark.parametrize("failing_call", [1, 2])
def test_failure_before_replace_keeps_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing_call: int
) -> None:
    """os.replace runs twice in a save: the backup, then the new file. Either may fail."""
    store = SaveStore(tmp_path)
    store.save(sample_story(), "x")
    old = store.path_of("x").read_bytes()
    real_replace, calls = os.replace, []

    def replace(src: Any, dst: Any) -> None:
        calls.append(dst)
        if len(calls) == failing_call:
            raise OSError(errno.EIO, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(SaveError) as caught:
        store.save(longer(sample_story()), "x")
    assert "Прежнее сохранение цело" in caught.value.message
    assert store.path_of("x").read_bytes() == old
    assert hidden_files(tmp_path) == []


def test_fsync_failing_for_lack_of_space(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SaveStore(tmp_path)
    store.save(sample_story(), "x")
    old = store.path_of("x").read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(SaveError, match="^Нет места на диске: история «x» не сохранена"):
        store.save(longer(sample_story()), "x")
    assert store.path_of("x").read_bytes() == old and hidden_files(tmp_path) == []


# A child process saves bigger and bigger stories in a loop until it is killed mid-write.
SAVER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from gamio_cli.storage.store import SaveStore
    from gamio_cli.story import Mode, Story, Turn
    store = SaveStore(Path(sys.argv[1]))
    text = "Снег валит всё сильнее. " * 400
    n = 0
    while True:
        n += 1
        turns = [Turn("жду", Mode.DO, "You wait.", "Snow.", text)] * n
        store.save(Story("fantasy", "Начало", "Start", turns=turns), "x")
        if n == 1:
            print("saved", flush=True)
    """
)


def test_killed_mid_save_leaves_a_whole_file(tmp_path: Path) -> None:
    for delay in (0.05, 0.13, 0.31):
        child = subprocess.Popen(
            [sys.executable, "-c", SAVER, str(tmp_path)], stdout=subprocess.PIPE
        )
        assert child.stdout is not None and child.stdout.readline() == b"saved\n"
        try:
            child.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            pass
        child.send_signal(signal.SIGKILL)
        child.wait()
        store = SaveStore(tmp_path)
        assert store.load("x").turns  # the whole old or the whole new story
        assert [info.name for info in store.list()] == ["x"]


# --- damaged files --------------------------------------------------------------------------------


@pytest.mark.parametrize(("fixture", "expected"), sorted(DAMAGED.items()))
def test_damaged_file_is_reported_and_untouched(
    tmp_path: Path, fixture: str, expected: str
) -> None:
    shutil.copy(FIXTURES / f"{fixture}.json", tmp_path / "x.json")
    path = tmp_path / "x.json"
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    with pytest.raises(SaveError) as caught:
        SaveStore(tmp_path).load("x")
    assert not isinstance(caught.value, BackupAvailable)
    assert f"«{path}»" in caught.value.message and expected in caught.value.message
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime
    assert os.listdir(tmp_path) == ["x.json"]


def test_damaged_file_with_whole_backup_offers_it(tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    store.save(sample_story(), "x")
    store.save(longer(sample_story()), "x")
    store.path_of("x").write_bytes((FIXTURES / "truncated.json").read_bytes())
    with pytest.raises(BackupAvailable) as caught:
        store.load("x")
    offer = caught.value
    assert str(store.path_of("x")) in offer.message and "обрывается" in offer.message
    assert "резервная копия" in offer.message and str(store.backup_path_of("x")) in offer.message
    assert offer.backup_path == store.backup_path_of("x") and offer.backup_turns == 2
    assert store.load_backup("x") == sample_story()


def test_damaged_backup_is_not_offered(tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    store.path_of("x").write_bytes(b"")
    store.backup_path_of("x").write_bytes(b"{")
    with pytest.raises(SaveError) as caught:
        store.load("x")
    assert not isinstance(caught.value, BackupAvailable) and "файл пуст" in caught.value.message
    with pytest.raises(SaveError, match="x.json.bak"):
        store.load_backup("x")


def test_missing_save_and_bad_names(tmp_path: Path) -> None:
    store = SaveStore(tmp_path / "нет такой")
    with pytest.raises(SaveError, match="Сохранение «x» не найдено"):
        store.load("x")
    for bad in ("../../etc/passwd", "/tmp/x", "CON", ""):
        with pytest.raises(SaveError, match="Недопустимое имя сохранения"):
            store.save(sample_story(), bad)
        with pytest.raises(SaveError, match="Недопустимое имя сохранения"):
            store.load(bad)
    assert not (tmp_path / "нет такой").exists()


def test_a_directory_in_place_of_a_save(tmp_path: Path) -> None:
    (tmp_path / "x.json").mkdir()
    with pytest.raises(SaveError, match="не файл сохранения"):
        SaveStore(tmp_path).load("x")


# --- listing and names ----------------------------------------------------------------------------


def test_list_is_newest_first_and_skips_what_it_cannot_read(tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    day = datetime(2025, 1, 1, tzinfo=timezone.utc)
    write_at(store, "старая", sample_story(), day)
    write_at(store, "новая", longer(sample_story()), day + timedelta(days=2))
    write_at(store, "средняя", Story("mystery", "а", "a"), day + timedelta(days=1))
    for fixture in DAMAGED:
        shutil.copy(FIXTURES / f"{fixture}.json", tmp_path / f"{fixture}.json")
    (tmp_path / "новая.json.bak").write_text("{}", encoding="utf-8")
    (tmp_path / ".скрытая.json").write_text(story_to_json(sample_story()), encoding="utf-8")
    (tmp_path / "CON.json").write_text(story_to_json(sample_story()), encoding="utf-8")
    (tmp_path / "папка.json").mkdir()
    (tmp_path / "заметки.txt").write_text("x", encoding="utf-8")
    infos = store.list()
    assert [info.name for info in infos] == ["новая", "средняя", "старая"]
    assert infos[0] == SaveInfo(
        "новая", 3, day + timedelta(days=2), tmp_path / "новая.json", "fantasy"
    )
    assert infos[1].scenario == "mystery" and infos[1].turns == 0
    assert store.latest() == "новая"


def test_list_of_a_missing_directory_is_empty(tmp_path: Path) -> None:
    store = SaveStore(tmp_path / "нет")
    assert store.list() == [] and store.latest() is None
    assert not (tmp_path / "нет").exists()  # reading creates nothing


def test_list_of_a_file_instead_of_a_directory(tmp_path: Path) -> None:
    (tmp_path / "файл").write_text("x", encoding="utf-8")
    with pytest.raises(SaveError, match="GAMIO_SAVES_DIR"):
        SaveStore(tmp_path / "файл").list()


def test_list_finds_names_written_in_nfd(tmp_path: Path) -> None:
    nfd = "и\u0306од"  # how macOS may hand a name back
    (tmp_path / f"{nfd}.json").write_text(story_to_json(sample_story()), encoding="utf-8")
    assert [info.name for info in SaveStore(tmp_path).list()] == ["йод"]


def test_exists_and_new_name(tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    assert store.new_name("моя история") == "моя история"
    store.save(sample_story(), "моя история")
    assert store.exists("моя история") and not store.exists("другая")
    assert store.new_name("моя история") == "моя история-2"
    store.save(sample_story(), "моя история-2")
    (tmp_path / "моя история-3.json.bak").write_text("{}", encoding="utf-8")  # a backup counts
    assert store.new_name("  моя  история ") == "моя история-4"
    assert store.new_name("Фэнтези: мир/драконов?") == "Фэнтези мир драконов"
    assert store.new_name("") == "история"


def test_new_name_stays_within_the_limits(tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    base = "я" * 300
    first = store.new_name(base)
    store.save(sample_story(), first)
    second = store.new_name(base)
    assert second.endswith("-2") and len(second) <= 100 and len(second.encode()) <= 200
    store.save(sample_story(), second)  # a valid, writable name
    assert {info.name for info in store.list()} == {first, second}


# --- the directory and real failures --------------------------------------------------------------


def test_missing_directories_are_created(tmp_path: Path) -> None:
    store = SaveStore(tmp_path / "a" / "б" / "saves")
    store.save(sample_story(), "x")
    assert store.load("x") == sample_story()


def test_a_regular_file_in_the_path(tmp_path: Path) -> None:
    (tmp_path / "файл").write_text("x", encoding="utf-8")
    store = SaveStore(tmp_path / "файл" / "saves")
    with pytest.raises(SaveError) as caught:
        store.save(sample_story(), "x")
    message = caught.value.message
    assert "обычный файл, а не папка" in message
    assert "--saves-dir" in message and "GAMIO_SAVES_DIR" in message
    with pytest.raises(SaveError, match="GAMIO_SAVES_DIR"):
        store.lock("x")


def _forbid_writes(directory: Path) -> Callable[[], None]:
    """Make directory unwritable for real, even for root (who ignores permission bits: then
    the immutable attribute is used); returns what undoes it."""
    directory.chmod(0o555)
    if not os.access(directory, os.W_OK):
        return lambda: directory.chmod(0o755)
    directory.chmod(0o755)
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: see test_a_directory_the_player_cannot_write")
    made = subprocess.run(["chattr", "+i", str(directory)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"this file system has no immutable attribute: {made.stderr!r}")
    return lambda: subprocess.run(["chattr", "-i", str(directory)], check=True)


def test_a_read_only_directory(tmp_path: Path) -> None:
    directory = tmp_path / "ro"
    directory.mkdir()
    store = SaveStore(directory)
    store.save(sample_story(), "x")
    old = store.path_of("x").read_bytes()
    undo = _forbid_writes(directory)
    try:
        with pytest.raises(SaveError) as caught:
            store.save(longer(sample_story()), "x")
        assert (
            "нет прав на запись" in caught.value.message and "--saves-dir" in caught.value.message
        )
        assert store.path_of("x").read_bytes() == old
    finally:
        undo()


# The child may write at most LIMIT bytes to any file, as on a disk about to fill up.
# SIGXFSZ is ignored so that the write fails with EFBIG instead of killing the process.
FULL_DISK = textwrap.dedent(
    """
    import resource, signal, sys
    from pathlib import Path
    from gamio_cli.errors import SaveError
    from gamio_cli.storage.store import SaveStore
    from gamio_cli.story import Mode, Story, Turn
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), int(sys.argv[2])))
    turns = [Turn("жду", Mode.DO, "You wait.", "Snow.", "Снег валит всё сильнее. " * 50)] * 20
    try:
        SaveStore(Path(sys.argv[1])).save(Story("fantasy", "Начало", "Start", turns=turns), "x")
    except SaveError as error:
        print(error.message)
        sys.exit(3)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_no_space_left_keeps_the_previous_save(tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    store.save(sample_story(), "x")
    old = store.path_of("x").read_bytes()
    limit = str(len(old) + 1000)
    done = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(tmp_path), limit],
        capture_output=True, text=True, encoding="utf-8", timeout=60,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert done.stdout.startswith("Нет места на диске: история «x» не сохранена")
    assert "прежнее сохранение цело" in done.stdout
    assert store.path_of("x").read_bytes() == old
    assert hidden_files(tmp_path) == []
    assert store.load("x") == sample_story()


# --- locks ----------------------------------------------------------------------------------------

LOCKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from gamio_cli.storage.store import SaveStore
    lock = SaveStore(Path(sys.argv[1])).lock(sys.argv[2])
    print("locked", flush=True)
    sys.stdin.read()
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")
def test_story_open_in_another_process_is_refused(tmp_path: Path) -> None:
    store = SaveStore(tmp_path / "saves")
    child = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(store.directory), "моя история"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
    )  # fmt: skip
    try:
        assert child.stdout is not None and child.stdout.readline() == "locked\n"
        with pytest.raises(SaveError) as caught:
            store.lock("моя история")
        message = caught.value.message
        assert "эта история уже открыта в другом окне gamio" in message
        assert f"(процесс {child.pid})" in message
        with store.lock("другая"):  # other stories are free
            pass
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    with store.lock("моя история") as lock:  # a crashed window does not keep it locked
        assert lock.held
    assert hidden_files(store.directory) == []


def test_lock_is_held_until_released(tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    lock = store.lock("x")
    with pytest.raises(SaveError, match="уже открыта в другом окне gamio"):
        store.lock("x")
    store.save(sample_story(), "x")  # saving does not need the lock again
    lock.release()
    store.lock("x").release()
    assert os.listdir(tmp_path) == ["x.json"]
    with pytest.raises(SaveError, match="Недопустимое имя"):
        store.lock("../x")


def test_module_documents_the_atomic_recipe() -> None:
    doc = saves_module.__doc__ or ""
    assert "os.replace" in doc and "fsync" in doc and ".bak" in doc


# Run as another user: root ignores permission bits, so the test drops to "nobody".
UNWRITABLE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from gamio_cli.errors import SaveError
    from gamio_cli.storage.store import SaveStore
    from gamio_cli.story import Story
    try:
        SaveStore(Path(sys.argv[1])).save(Story("fantasy", "Начало", "Start"), "x")
    except SaveError as error:
        print(error.message)
        sys.exit(3)
    """
)


def as_nobody(*args: str) -> subprocess.CompletedProcess[str]:
    command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, encoding="utf-8", cwd="/", check=False
    )


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="needs root and setpriv to become another user",
)
def test_a_directory_the_player_cannot_write(tmp_path: Path) -> None:
    if as_nobody("-c", "import gamio_cli").returncode != 0:
        pytest.skip("the user nobody cannot reach this checkout")
    base = Path(tempfile.mkdtemp())
    try:
        base.chmod(0o755)
        directory = base / "saves"
        directory.mkdir(mode=0o755)
        store = SaveStore(directory)
        store.save(sample_story(), "x")
        old = store.path_of("x").read_bytes()
        result = as_nobody("-c", UNWRITABLE, str(directory))
        assert result.returncode == 3, result.stderr
        assert "нет прав на запись" in result.stdout and "--saves-dir" in result.stdout
        assert store.path_of("x").read_bytes() == old
        assert sorted(p.name for p in directory.iterdir()) == ["x.json"]
    finally:
        shutil.rmtree(base)


def test_a_file_changed_behind_the_stores_back_is_checked_again(tmp_path: Path) -> None:
    """The store skips re-reading a file it wrote itself, but only while the file is exactly
    as it left it: damage done after its last save still keeps the whole backup."""
    store = SaveStore(tmp_path)
    story = sample_story()
    store.save(story, "x")
    store.save(longer(story), "x")  # the backup is the first version, whole
    store.path_of("x").write_text("{ broken", encoding="utf-8")
    store.save(longer(longer(story)), "x")
    assert store.load_backup("x") == story  # the whole backup was not replaced by the damage
