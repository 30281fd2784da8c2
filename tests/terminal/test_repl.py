"""The REPL in-process: scripted input lines into the real PlainIO, the real Repl, Game, TurnRunner
and SaveStore, with scripted models at the engine seam. Signals are real: the tests send them
to their own process at the moment under test. The real game with the tiny trained models is
driven the same way in tests/test_pty.py (terminal) and tests/test_piped.py (pipe)."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.input.base import PipeInput
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.output.plain_text import PlainTextOutput
from rich.console import Console

from gamio_cli.commands.core import default_commands
from gamio_cli.errors import GamioError
from gamio_cli.game import Game
from gamio_cli.storage.store import SaveStore
from gamio_cli.story import Mode, Story
from gamio_cli.terminal.launch import start_story
from gamio_cli.terminal.newgame import choose_world, parse_choice
from gamio_cli.terminal.options import PlayOptions
from gamio_cli.terminal.repl import Streamer, run_repl
from gamio_cli.terminal.signals import Presses
from gamio_cli.terminal.tty_io import SlashCompleter, TerminalIO, open_history
from tests.scripted import Screen, ScriptedGenerator, new_game, scripted_runner

Script = list[str | bytes | BaseException | Callable[[], None]]
DOOR_RU = "Дверь со скрипом открывается. Внутри спит дракон."


class Clock:
    """A settable clock for the double-Ctrl-C window."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def run(
    saves: Path,
    script: Script,
    generator: ScriptedGenerator | None = None,
    interactive: bool = False,
    presses: Presses | None = None,
    debug: bool = False,
    game: Game | None = None,
) -> tuple[int, Screen, Game]:
    game = game or new_game(saves, scripted_runner(generator))
    screen = Screen(script, interactive)
    code = run_repl(game, screen.io, presses=presses, debug=debug, greet=False)
    return code, screen, game


def on_disk(saves: Path, name: str = "тест") -> Story:
    return SaveStore(saves).load(name)


def kill_self(signum: int) -> Callable[[], None]:
    return lambda: os.kill(os.getpid(), signum)


# --- turns ------------------------------------------------------------------------------------


def test_turns_are_shown_and_saved(tmp_path: Path) -> None:
    code, screen, game = run(tmp_path, ["открываю дверь", "я беру меч"])
    assert code == 0
    assert DOOR_RU in screen.text and "Меч тяжёлый." in screen.text
    assert "Ваш ход › открываю дверь" in screen.text  # the transcript shows what was played
    assert [t.continuation_ru for t in on_disk(tmp_path).turns] == [DOOR_RU, "Меч тяжёлый."]
    assert "сохранена" in screen.text


def test_greeting_shows_the_story_so_far(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    game.play("открываю дверь")
    screen = Screen([])
    assert run_repl(game, screen.io) == 0
    assert game.story.opening_ru in screen.text
    assert "> открываю дверь" in screen.text and DOOR_RU in screen.text
    assert "/помощь" in screen.text


def test_empty_line_continues_the_story(tmp_path: Path) -> None:
    code, screen, game = run(tmp_path, ["открываю дверь", ""])
    assert [t.mode for t in game.story.turns] == [Mode.DO, Mode.CONTINUE]


def test_failed_generation_is_one_line_and_changes_nothing(tmp_path: Path) -> None:
    code, screen, game = run(tmp_path, ["открываю дверь"], ScriptedGenerator(queue=["", "", ""]))
    assert code == 0 and game.story.turns == []
    assert "Модель не смогла" in screen.errors and len(screen.errors.strip().splitlines()) == 1


def test_a_bug_is_one_line_and_the_game_goes_on(tmp_path: Path) -> None:
    generator = ScriptedGenerator(error=RuntimeError("boom"))
    code, screen, game = run(tmp_path, ["открываю дверь", "/save"], generator)
    assert code == 0 and game.story.turns == []
    assert "Непредвиденная ошибка (RuntimeError: boom)" in screen.errors
    assert "--debug" in screen.errors and "Traceback" not in screen.errors
    assert "Сохранено" in screen.text


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    generator = ScriptedGenerator(error=RuntimeError("boom"))
    code, screen, game = run(tmp_path, ["открываю дверь"], generator, debug=True)
    assert "Traceback" in screen.errors and "RuntimeError: boom" in screen.errors


def test_streamer_shows_only_what_was_not_streamed(tmp_path: Path) -> None:
    screen = Screen([])
    streamer = Streamer(screen.io)
    with screen.io.working(""):
        streamer.sentence("Раз.")
        streamer.finish("Раз. Два.")
    assert screen.text == "Раз. Два.\n"
    screen = Screen([])
    streamer = Streamer(screen.io)
    with screen.io.working(""):
        streamer.sentence("Раз.")
        streamer.restart()
        streamer.sentence("Три.")
        streamer.finish("Три.")
    assert screen.text == "Раз.\n(…модель переписывает ответ)\nТри.\n"


# --- commands -----------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["/help", "/помощь", "/HELP"])
def test_help_lists_every_command(tmp_path: Path, word: str) -> None:
    code, screen, game = run(tmp_path, [word])
    for name in ["/help", "/помощь", "/save", "/сохранить", "/load", "/загрузить", "/retry",
                 "/заново", "/undo", "/отмена", "/quit", "/выход"]:
        assert name in screen.text


@pytest.mark.parametrize("word", ["/save", "/сохранить"])
def test_save(tmp_path: Path, word: str) -> None:
    code, screen, game = run(tmp_path, ["открываю дверь", word])
    assert "Сохранено: «тест»" in screen.text


@pytest.mark.parametrize("word", ["/save", "/сохранить"])
def test_save_as_name_then_autosave_there(tmp_path: Path, word: str) -> None:
    code, screen, game = run(tmp_path, ["открываю дверь", f"{word} Мой поход", "я беру меч"])
    assert game.name == "Мой поход"
    assert len(on_disk(tmp_path, "Мой поход").turns) == 2
    assert len(on_disk(tmp_path, "тест").turns) == 1


def test_save_refuses_names_outside_and_other_stories(tmp_path: Path) -> None:
    saves = tmp_path / "saves"
    other = new_game(saves, base="чужая")
    other.quit()
    code, screen, game = run(saves, ["/save ../../x", "/save чужая", "/save"])
    assert "Недопустимое имя" in screen.errors and "уже есть" in screen.errors
    assert sorted(p.name for p in tmp_path.iterdir()) == ["saves"]
    assert game.name == "тест"


@pytest.mark.parametrize("word", ["/load", "/загрузить"])
def test_load(tmp_path: Path, word: str) -> None:
    other = new_game(tmp_path, base="другая")
    other.play("иду на север")
    other.quit()
    code, screen, game = run(tmp_path, [word, f"{word} нет такой", f"{word} другая"])
    assert "Укажите имя" in screen.text and "«другая»" in screen.text
    assert "нет" in screen.errors
    assert game.name == "другая"
    assert "> иду на север" in screen.text and "Дорога ведёт на север." in screen.text


def test_load_offers_the_backup_of_a_damaged_save(tmp_path: Path) -> None:
    damaged = new_game(tmp_path, base="битая")
    damaged.play("иду на север")
    damaged.quit()
    path = tmp_path / "битая.json"
    path.write_bytes(b"{")
    code, screen, game = run(tmp_path, ["/load битая", "да"], interactive=True)
    assert "повреждено" in screen.errors
    assert "Открыта резервная копия" in screen.text
    assert game.name not in ("битая", "тест") and path.read_bytes() == b"{"


@pytest.mark.parametrize("word", ["/retry", "/заново"])
def test_retry(tmp_path: Path, word: str) -> None:
    generator = ScriptedGenerator()
    code, screen, game = run(
        tmp_path, ["открываю дверь", lambda: generator.queue.append("The sword is heavy."), word],
        generator,
    )
    assert [t.continuation_ru for t in on_disk(tmp_path).turns] == ["Меч тяжёлый."]
    assert screen.text.count("Меч тяжёлый.") == 1


@pytest.mark.parametrize("word", ["/retry", "/заново", "/undo", "/отмена"])
def test_retry_and_undo_without_turns(tmp_path: Path, word: str) -> None:
    generator = ScriptedGenerator()
    code, screen, game = run(tmp_path, [word], generator)
    assert "нечего" in screen.errors.lower() and generator.prompts == []


@pytest.mark.parametrize("word", ["/undo", "/отмена"])
def test_undo(tmp_path: Path, word: str) -> None:
    code, screen, game = run(tmp_path, ["открываю дверь", "я беру меч", word])
    assert "Последний ход отменён: «я беру меч»" in screen.text
    assert [t.action_ru for t in on_disk(tmp_path).turns] == ["открываю дверь"]


@pytest.mark.parametrize("word", ["/quit", "/выход", " /Выход "])
def test_quit_saves_and_stops_reading(tmp_path: Path, word: str) -> None:
    generator = ScriptedGenerator()
    code, screen, game = run(tmp_path, ["открываю дверь", word, "я беру меч"], generator)
    assert code == 0 and len(generator.prompts) == 1
    assert len(on_disk(tmp_path).turns) == 1
    assert "сохранена" in screen.text
    game_again = Game.open(SaveStore(tmp_path), scripted_runner(), "тест")  # the lock is free
    game_again.close()


@pytest.mark.parametrize("word", ["/фыв", "/sve", "/", "/save_all"])
def test_unknown_command_is_a_hint_not_a_turn(tmp_path: Path, word: str) -> None:
    generator = ScriptedGenerator()
    code, screen, game = run(tmp_path, [word], generator)
    # An error (styled as one), not a dim hint; and never a turn.
    assert "Неизвестная команда" in screen.errors and "/help" in screen.errors
    assert generator.prompts == [] and game.story.turns == []


def test_unknown_command_suggests_the_nearest(tmp_path: Path) -> None:
    code, screen, game = run(tmp_path, ["/sve"])
    assert "Может быть, /save?" in screen.errors


# --- leaving --------------------------------------------------------------------------------


def test_end_of_input_saves_and_exits_0(tmp_path: Path) -> None:
    code, screen, game = run(tmp_path, ["открываю дверь"])
    assert code == 0 and len(on_disk(tmp_path).turns) == 1


def test_failed_save_at_the_end_of_a_pipe_exits_1(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    (tmp_path / "тест.json").unlink()
    (tmp_path / "тест.json").mkdir()
    code, screen, game = run(tmp_path, ["открываю дверь"], game=game)
    assert code == 1 and "не" in screen.errors


def test_failed_quit_in_a_terminal_keeps_the_game_open(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    blocker = tmp_path / "тест.json"
    blocker.unlink()
    blocker.mkdir()
    code, screen, game = run(
        tmp_path, ["открываю дверь", "/quit", blocker.rmdir, "/quit"], game=game, interactive=True
    )
    assert code == 0 and "Игра не закрыта" in screen.errors
    assert len(on_disk(tmp_path).turns) == 1


# --- Ctrl-C and signals ---------------------------------------------------------------------


def test_ctrl_c_at_the_prompt_clears_the_line(tmp_path: Path) -> None:
    clock = Clock()

    def later() -> None:
        clock.now += 5

    code, screen, game = run(
        tmp_path, [KeyboardInterrupt(), later, KeyboardInterrupt(), "открываю дверь"],
        presses=Presses(clock),
    )
    assert code == 0 and screen.text.count("Строка очищена") == 2
    assert len(game.story.turns) == 1


def test_double_ctrl_c_at_the_prompt_saves_and_exits(tmp_path: Path) -> None:
    generator = ScriptedGenerator()
    code, screen, game = run(
        tmp_path, ["открываю дверь", KeyboardInterrupt(), KeyboardInterrupt(), "я беру меч"],
        generator, presses=Presses(Clock()),
    )
    assert code == 130 and len(generator.prompts) == 1
    assert len(on_disk(tmp_path).turns) == 1 and "сохранена" in screen.text


def test_ctrl_c_during_generation_cancels_only_that_turn(tmp_path: Path) -> None:
    """A real SIGINT arrives mid-generation: the handler sets the token, the generator stops
    at its next check, the story and its save stay as they were, and play goes on."""
    sent = []

    def interrupt_once(index: int) -> None:
        if index == 2 and not sent:
            sent.append(index)
            os.kill(os.getpid(), signal.SIGINT)

    generator = ScriptedGenerator(on_token=interrupt_once)
    code, screen, game = run(
        tmp_path, ["открываю дверь", "я беру меч"], generator, presses=Presses(Clock())
    )
    assert code == 0 and sent == [2]
    assert "Ход отменён" in screen.text
    assert [t.action_ru for t in on_disk(tmp_path).turns] == ["я беру меч"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler put back


def test_double_ctrl_c_during_generation_saves_and_exits(tmp_path: Path) -> None:
    generator = ScriptedGenerator()
    code, screen, game = run(tmp_path, ["открываю дверь"], generator)
    generator.on_token = lambda index: index in (1, 2) and os.kill(os.getpid(), signal.SIGINT)
    code, screen, game = run(tmp_path, ["я беру меч", "осматриваюсь"], generator, game=Game.open(
        SaveStore(tmp_path), scripted_runner(generator), "тест"))
    assert code == 130 and "сохранена" in screen.text
    assert [t.action_ru for t in on_disk(tmp_path).turns] == ["открываю дверь"]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_at_the_prompt_save_and_exit(tmp_path: Path, signum: int) -> None:
    before = signal.getsignal(signum)
    code, screen, game = run(tmp_path, ["открываю дверь", kill_self(signum), "я беру меч"])
    assert code == 128 + signum
    assert [t.action_ru for t in on_disk(tmp_path).turns] == ["открываю дверь"]
    assert signal.getsignal(signum) == before


def test_sighup_during_generation_keeps_completed_turns(tmp_path: Path) -> None:
    generator = ScriptedGenerator()
    game = new_game(tmp_path, scripted_runner(generator))
    game.play("открываю дверь")
    generator.on_token = lambda index: index == 2 and os.kill(os.getpid(), signal.SIGHUP)
    code, screen, game = run(tmp_path, ["я беру меч"], game=game)
    assert code == 128 + signal.SIGHUP
    assert [t.action_ru for t in on_disk(tmp_path).turns] == ["открываю дверь"]


# --- hostile input and output -----------------------------------------------------------------

ESCAPES = ["\x1b", "\x07", "\x9b", "\x00"]


def test_control_characters_and_escapes_never_reach_the_screen(tmp_path: Path) -> None:
    hostile = "\x1b]0;pwned\x07откры\x00ваю дверь\x1b[2J"
    code, screen, game = run(tmp_path, [hostile, "/save \x1b[31mимя"])
    assert game.story.turns[0].action_ru == "открываю дверь"
    for char in ESCAPES:
        assert char not in screen.text and char not in screen.errors


def test_model_text_is_not_trusted(tmp_path: Path) -> None:
    generator = ScriptedGenerator(queue=["The door creaks open.\x1b]0;evil\x07 \x1b[2JIt is [b]dark[/b]."])
    code, screen, game = run(tmp_path, ["открываю дверь"], generator)
    assert len(game.story.turns) == 1 and "Дверь со скрипом открывается." in screen.text
    stored = game.story.turns[0].continuation_en + game.story.turns[0].continuation_ru
    for char in ESCAPES:
        assert char not in screen.text and char not in stored


def test_odd_input_never_crashes(tmp_path: Path) -> None:
    script: Script = [
        b"\xff\xfe\xfd\n",  # invalid UTF-8
        "   ",
        "я" * 10_000,
        "🐉 dragon דרקון الت mixed",
        "\u202eоткрываю дверь",
    ]
    code, screen, game = run(tmp_path, script)
    assert code == 0 and "Строка слишком длинная" in screen.text
    assert "Traceback" not in screen.errors and "Непредвиденная" not in screen.errors
    assert on_disk(tmp_path) == game.story


# --- the terminal screen (prompt_toolkit in, rich out), in-process ------------------------------


@pytest.fixture
def keys() -> Iterator[PipeInput]:
    with create_pipe_input() as pipe:
        yield pipe


def terminal(keys: PipeInput, history: Path, tty: bool = True) -> tuple[TerminalIO, StringIO]:
    out = StringIO()
    console = Console(file=out, force_terminal=tty, width=120, color_system="standard")
    session: PromptSession[str] = PromptSession(
        input=keys, output=DummyOutput(), history=FileHistory(str(history)),
        completer=SlashCompleter(default_commands()),
    )
    return TerminalIO(console, session), out


def completions(text: str) -> list[str]:
    found = SlashCompleter(default_commands()).get_completions(Document(text), CompleteEvent())
    return [c.text for c in found]


def test_completion_of_commands_and_russian_aliases() -> None:
    assert completions("/sa") == ["/save"]
    assert completions("/со") == ["/сохранить"]
    assert completions("/с") == ["/сохранить", "/сначала"]
    assert set(completions("/")) == set(default_commands().words())
    assert completions("открываю") == [] and completions("/save им") == []


def test_terminal_game_in_process(tmp_path: Path, keys: PipeInput) -> None:
    io, out = terminal(keys, tmp_path / "history")
    keys.send_text("открываю дверь\r/quit\r")
    game = new_game(tmp_path / "saves")
    assert run_repl(game, io) == 0
    text = out.getvalue()
    assert game.story.opening_ru.split(".")[0] in text and DOOR_RU in text
    assert "открываю дверь" in (tmp_path / "history").read_text(encoding="utf-8")
    assert len(on_disk(tmp_path / "saves").turns) == 1


def test_terminal_keys_ctrl_c_and_ctrl_d(tmp_path: Path, keys: PipeInput) -> None:
    io, out = terminal(keys, tmp_path / "history")
    keys.send_text("полстроки\x03")
    with pytest.raises(KeyboardInterrupt):
        io.read_line("› ")
    keys.send_text("\x04")
    with pytest.raises(EOFError):
        io.read_line("› ")


def test_terminal_never_prints_hostile_sequences(tmp_path: Path, keys: PipeInput) -> None:
    io, out = terminal(keys, tmp_path / "history")
    hostile = "Текст\x1b]0;pwned\x07 и \x1b[2J[bold]не разметка[/bold]\x9b31m"
    io.show_action(hostile)
    io.show_narration(hostile)
    io.info(hostile)
    io.error(hostile)
    with io.working(hostile):
        io.show_narration(hostile)
    text = out.getvalue()
    assert "\x1b]" not in text and "\x07" not in text and "\x1b[2J" not in text and "\x9b" not in text
    assert text.count("[bold]не разметка[/bold]") >= 5  # shown as text, never as markup


def test_terminal_streaming_is_dropped_when_the_turn_fails(tmp_path: Path, keys: PipeInput) -> None:
    """The live view is transient; only a completed turn's text is printed for good. (A console
    that is not a terminal shows exactly what stays.)"""
    io, out = terminal(keys, tmp_path / "history", tty=False)
    with pytest.raises(RuntimeError):
        with io.working("пишу"):
            io.show_narration("Сгоревшая фраза.")
            raise RuntimeError
    with io.working("пишу"):
        io.show_narration("Раз.")
        io.discard_narration()
        io.show_narration("Два.")
    text = out.getvalue()
    assert "Сгоревшая фраза." not in text and "Раз." not in text and text.count("Два.") == 1


def test_history_in_an_unwritable_place_falls_back(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    history, note = open_history(blocker / "sub" / "history")
    assert note is not None and "не будет сохранена" in note


def test_terminal_prompt_ends_cleanly_on_sigterm(tmp_path: Path, keys: PipeInput) -> None:
    """SIGTERM while prompt_toolkit runs a key handler (a key binding sends it): the prompt
    exits with Shutdown, the game saves and exits 143, and prompt_toolkit reports nothing.

    The terminal UI hands the shutdown to the prompt (app.exit) instead of raising it inside
    the event loop, where a raise can land in a task and end in "Unhandled exception … Press
    ENTER" (seen in a real pty). That race is not reproducible on demand; this test checks
    the hand-over itself."""
    bindings = KeyBindings()

    @bindings.add("c-t")
    async def send_sigterm(event: object) -> None:  # runs as a task inside the event loop
        os.kill(os.getpid(), signal.SIGTERM)

    out, toolkit_out = StringIO(), StringIO()
    session: PromptSession[str] = PromptSession(
        input=keys, output=PlainTextOutput(toolkit_out), key_bindings=bindings
    )
    io = TerminalIO(Console(file=out, width=120), session)
    game = new_game(tmp_path / "saves")
    keys.send_text("открываю дверь\r\x14")
    # If the signal were lost, this would end the game normally (status 0) a bit later.
    fallback = threading.Timer(3.0, keys.send_text, ("\r/quit\r",))
    fallback.start()
    try:
        code = run_repl(game, io)
    finally:
        fallback.cancel()
    assert code == 128 + signal.SIGTERM
    assert "Unhandled" not in toolkit_out.getvalue() and "Press ENTER" not in toolkit_out.getvalue()
    assert "сохранена" in out.getvalue()
    assert len(on_disk(tmp_path / "saves").turns) == 1


def test_terminal_signal_wins_over_a_line_accepted_at_once(tmp_path: Path, keys: PipeInput) -> None:
    """SIGTERM, then Enter on "/quit" in the same batch of keys: the prompt returns the line
    before it sees the exit request, and the shutdown must still happen (not be lost)."""
    bindings = KeyBindings()
    bindings.add("c-t")(lambda event: os.kill(os.getpid(), signal.SIGTERM))
    out = StringIO()
    session: PromptSession[str] = PromptSession(
        input=keys, output=DummyOutput(), key_bindings=bindings
    )
    io = TerminalIO(Console(file=out, width=120), session)
    game = new_game(tmp_path / "saves")
    keys.send_text("открываю дверь\r\x14/quit\r")
    assert run_repl(game, io) == 128 + signal.SIGTERM
    assert "сохранена" in out.getvalue() and len(on_disk(tmp_path / "saves").turns) == 1


# --- choosing the world of a new story ------------------------------------------------------------


@pytest.mark.parametrize(
    "answer, key",
    [("1", "fantasy"), (" 2. ", "mystery"), ("apocalypse", "apocalypse"), ("ЗОМБИ", "zombies"),
     ("Фэнтези", "fantasy"), ("5", "custom"), ("свой мир", "custom"), ("custom", "custom"),
     ("0", None), ("6", None), ("", None), ("фэнтези и зомби", None)],
)
def test_menu_answers(answer: str, key: str | None) -> None:
    assert parse_choice(answer) == key


@given(st.text())
def test_menu_parsing_never_raises(answer: str) -> None:
    assert parse_choice(answer) in (None, "fantasy", "mystery", "apocalypse", "zombies", "custom")


def test_menu_asks_again_in_a_terminal() -> None:
    screen = Screen(["0", "космос", "3"], interactive=True)
    choice = choose_world(screen.io)
    assert choice.key == "apocalypse"
    assert screen.errors.count("Не понял выбор") == 2
    assert "1. Фэнтези" in screen.text and "5. Свой мир" in screen.text


def test_menu_from_a_pipe_does_not_guess() -> None:
    with pytest.raises(GamioError, match="Не понял выбор «космос»"):
        choose_world(Screen(["космос", "открываю дверь"]).io)


def test_scenario_option_skips_the_menu() -> None:
    screen = Screen([])
    assert choose_world(screen.io, "zombies").key == "zombies"
    assert screen.text == ""


def test_custom_world_is_translated_once(tmp_path: Path) -> None:
    screen = Screen(["5", "коротко", "Ты рыцарь в старом замке.", "", ""], interactive=True)
    choice = choose_world(screen.io)
    assert choice.custom_ru == "Ты рыцарь в старом замке." and "Слишком короткое" in screen.errors
    runner = scripted_runner()
    options = PlayOptions(True, None, None, "", "", "", "cpu", None, None, False)
    story = start_story(runner, choice, options, screen.io)  # type: ignore[arg-type]
    assert story.scenario == "custom" and story.opening_en == "You are a knight in an old castle."
    assert runner.ru_en.calls == ["Ты рыцарь в старом замке."]  # type: ignore[union-attr]
