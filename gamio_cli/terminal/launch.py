"""Starting a game from the command line's options: which story, which models, which screen.

Called by cli.play only (the typer layer stays in cli.py). Order matters for the player: the
save is checked and locked, the models and the device are found (check_models: seconds, or a
first download), and only then is the world chosen, before the models load (a minute on a
CPU). So a typo, a busy save or a missing model fails before the player types anything, and
nobody waits to be asked a question. If loading still fails after the player wrote their own
opening, the opening is saved as a story without turns.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Protocol

from gamio_cli.engine import CancelToken
from gamio_cli.errors import Cancelled, GamioError, SaveError
from gamio_cli.game import Game, open_backup, open_save, save_new
from gamio_cli.model import (
    ModelConfig,
    Models,
    ServerConfig,
    check_models,
    close_generator,
    load_models,
    settle,
)
from gamio_cli.storage.filelock import FileLock
from gamio_cli.storage.paths import default_saves_dir, history_file
from gamio_cli.storage.store import BackupAvailable, SaveStore
from gamio_cli.story import Story
from gamio_cli.terminal.newgame import (
    WorldChoice,
    choose_world,
    custom_story,
    save_base,
    shipped_story,
)
from gamio_cli.terminal.opening import narrated_opening
from gamio_cli.terminal.options import PlayOptions
from gamio_cli.terminal.repl import GameIO, confirm, run_repl
from gamio_cli.terminal.signals import EXIT_INTERRUPTED, Presses, cancel_on_interrupt
from gamio_cli.turn.actions import about_the_hero
from gamio_cli.turn.runner import TurnRunner


class LaunchIO(GameIO, Protocol):
    def progress(self, text: str) -> None:
        """A progress line while starting up (loading models)."""
        ...


@dataclass
class Opened:
    """A saved story, loaded and locked."""

    story: Story
    name: str
    lock: FileLock


def make_io() -> LaunchIO:
    """The terminal UI when both ends are a terminal, plain lines otherwise."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        from gamio_cli.commands.core import default_commands
        from gamio_cli.terminal.tty_io import TerminalIO

        _reconfigure(encoding=None)
        return TerminalIO.create(default_commands(), history_file())
    from gamio_cli.terminal.pipe_io import PlainIO

    _reconfigure(encoding="utf-8")
    return PlainIO(sys.stdin.buffer, sys.stdout, sys.stderr)


def _reconfigure(encoding: str | None) -> None:
    """Never crash on a character the output cannot encode; pipes get UTF-8 (our contract)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding=encoding or stream.encoding, errors="replace")


def launch(options: PlayOptions) -> int:
    """Play according to options; returns the exit status."""
    store = SaveStore(options.saves_dir or default_saves_dir())
    io = make_io()
    try:
        opened = _pick_save(store, options, io)
        config = _check(io, options, opened)
        choice = None if opened else choose_world(io, options.scenario)
    except EOFError:
        io.info("Игра не начата.")  # the input ended at the world menu
        return 0
    except KeyboardInterrupt:  # _check lets a picked save go; the menu runs without one
        io.info("Запуск прерван (Ctrl-C). Ничего не изменилось.")
        return EXIT_INTERRUPTED
    models: Models | None = None
    try:
        models = _load_keeping_opening(io, config, store, choice)
        for notice in (*models.cache_notices, models.notice):
            if notice:
                io.info(notice)
        set_notice = getattr(models.generator, "set_notice", None)
        if set_notice is not None:  # a server's notices (a 429 wait, settings it ignores)
            set_notice(io.info)
        # Both generators drop old turns in jumps, so their prompt caches are re-used.
        step = getattr(models.generator, "window_step", 1)
        runner = TurnRunner(models.generator, models.ru_en, models.en_ru, window_step=step,
                            language=models.language, narrator=models.narrator)
        game = _open_game(store, runner, opened, choice, options, io)
    except KeyboardInterrupt:
        _abandon(opened, models)
        io.info("Запуск прерван (Ctrl-C). Ничего не изменилось.")
        return EXIT_INTERRUPTED
    except BaseException:
        _abandon(opened, models)
        raise
    try:
        return run_repl(game, io, debug=options.debug)
    finally:
        runner.close()
        game.close()


def _abandon(opened: Opened | None, models: Models | None) -> None:
    """A start that will not play: the save is let go, a load in the background stopped."""
    _release(opened)
    if models is not None:
        close_generator(models.generator)


def _release(opened: Opened | None) -> None:
    if opened is not None:
        opened.lock.release()


def _pick_save(store: SaveStore, options: PlayOptions, io: LaunchIO) -> Opened | None:
    """The save to continue (locked), or None for a new story."""
    if options.load:
        if not store.exists(options.load):
            raise SaveError(
                f"Сохранения «{options.load}» нет в папке {store.directory}. "
                "Список историй: gamio saves; новая история: gamio play --new."
            )
        return _open(store, options.load, io)
    if options.new or options.scenario:
        return None
    latest = store.latest()
    if latest is None:
        return None
    io.info(f"Продолжаем историю «{latest}». Новая история: gamio play --new.")
    return _open(store, latest, io)


def _open(store: SaveStore, name: str, io: LaunchIO) -> Opened:
    try:
        story, lock = open_save(store, name)
        return Opened(story, name, lock)
    except BackupAvailable as damaged:
        if not io.interactive:
            raise
        io.error(damaged.message)
        if not confirm(io, "Открыть резервную копию?"):
            raise GamioError("Игра не начата: повреждённое сохранение не тронуто.") from None
        story, new_name, lock = open_backup(store, name)
        io.info(f"Открыта резервная копия; история продолжится под именем «{new_name}».")
        return Opened(story, new_name, lock)


def _check(io: LaunchIO, options: PlayOptions, opened: Opened | None) -> ModelConfig:
    """Models and device found before the player is asked anything (or the save is let go);
    a model replaced by its catalogue equivalent is named."""
    try:
        with io.working("Проверяю модели… (Ctrl-C — отмена)"):
            config, notices = settle(_config(options))  # the spinner says what it does
            check_models(config)
    except BaseException:
        _release(opened)
        raise
    for notice in notices:
        io.info(notice)
    return config


def _load_keeping_opening(
    io: LaunchIO, config: ModelConfig, store: SaveStore, choice: WorldChoice | None
) -> Models:
    """Load the models; when that fails after the player wrote an opening, the opening is
    saved (a story without turns, translated when it is next opened) and the player told."""
    try:
        return _load(io, config)
    except GamioError:
        if choice is not None and choice.custom_ru is not None:
            name, lock = save_new(
                store, custom_story(choice.custom_ru, "", hero=choice.hero), save_base(choice)
            )
            lock.release()
            io.info(f"Ваше начало истории сохранено как «{name}»; когда модели заработают, "
                    f"продолжите его: gamio play --load {name}")
        raise


def _config(options: PlayOptions) -> ModelConfig:
    return ModelConfig(
        generator=options.generator,
        ru_en=options.ru_en,
        en_ru=options.en_ru,
        device=options.device,
        seed=options.seed,
        engine=options.engine,
        fallback_options=options.fallback_options,
        server=_server(options),
        narrator_language=options.narrator_language,
    )


def _server(options: PlayOptions) -> ServerConfig | None:
    if not options.server:
        return None
    return ServerConfig(options.server, options.server_model, options.server_api,
                        options.server_context, options.server_stall)


def _load(io: LaunchIO, config: ModelConfig) -> Models:
    with io.working("Загружаю модели… (Ctrl-C — отмена)"):
        # The generator's model may go on loading while the player reads the story.
        return load_models(config, on_status=io.progress, background=True)


def _open_game(
    store: SaveStore,
    runner: TurnRunner,
    opened: Opened | None,
    choice: WorldChoice | None,
    options: PlayOptions,
    io: LaunchIO,
) -> Game:
    if opened is not None:
        if opened.story.opening_ru and not opened.story.opening_en and runner.language == "en":
            # An opening kept when the models failed at its first start: translated now.
            opened.story.opening_en = translated_opening(runner, opened.story.opening_ru, io)
        return Game(store, runner, opened.story, opened.name, opened.lock)
    assert choice is not None
    story = start_story(runner, choice, options, io)
    name, lock = save_new(store, story, save_base(choice))
    return Game(store, runner, story, name, lock)


def start_story(
    runner: TurnRunner, choice: WorldChoice, options: PlayOptions, io: LaunchIO
) -> Story:
    """The new story of the chosen world: a shipped one, or the player's own opening,
    translated once for the model (Ctrl-C raises KeyboardInterrupt)."""
    if choice.scenario is not None:
        return shipped_story(choice.scenario, options.seed, options.settings)
    assert choice.custom_ru is not None
    opening_en = translated_opening(runner, choice.custom_ru, io)
    story = custom_story(choice.custom_ru, opening_en, options.settings, hero=choice.hero)
    return narrated_opening(runner, story, io)


def translated_opening(runner: TurnRunner, opening_ru: str, io: LaunchIO) -> str:
    """The player's opening in English, once (Ctrl-C raises KeyboardInterrupt); "" for a
    narrator that writes Russian (it reads the Russian opening)."""
    if runner.language == "ru":
        return ""
    cancel = CancelToken()
    try:
        with cancel_on_interrupt(cancel, Presses()):
            with io.working("Перевожу начало истории для модели…"):
                # The player writes about the hero as "I"; the model reads "You", as in actions.
                return about_the_hero(runner.to_english(opening_ru, cancel))
    except Cancelled:
        raise KeyboardInterrupt from None
