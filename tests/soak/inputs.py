"""Random input lines, from a grammar of the game's real commands mixed with arbitrary Unicode,
bytes that are not UTF-8, control characters, escape sequences and very long lines, fed to the
real REPL in-process, with the tiny trained models or (for counts those cannot play in
minutes) the scripted models at the engine seam.

In-process rather than through a pipe: run_repl takes its game and GameIO as arguments, so the
lines go through the real PlainIO (bytes, line limit, decoding), Repl, command table, Game,
SaveStore and TurnRunner with the tiny trained models loaded once by the real load_models;
only the process boundary is skipped (a start costs seconds; test_piped.py covers it). Each
batch of 100 lines is one session that ends with the end of input (which saves); then every
save in the folder must load.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from io import StringIO
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from gamio_cli.commands.core import default_commands
from gamio_cli.commands.settings import KNOBS
from gamio_cli.errors import SaveError
from gamio_cli.game import Game
from gamio_cli.model import ModelConfig, load_models
from gamio_cli.settings import Settings
from gamio_cli.storage.store import SaveStore
from gamio_cli.terminal.pipe_io import PlainIO
from gamio_cli.terminal.repl import run_repl
from gamio_cli.turn.runner import TurnRunner
from tests.scripted import ScriptedStdin, fantasy_story, scripted_runner
from tests.terminal.test_pty import ANSWERS
from tests.tiny.build import TinyModels

BATCH = 100
MAX_NEW_TOKENS = 8
BUG = "Непредвиденная ошибка"


def _command_names() -> list[str]:
    return sorted({name for command in default_commands()
                   for name in (command.name, *command.aliases)})


def _arguments() -> st.SearchStrategy[str]:
    knobs = [name for knob in KNOBS for name in (knob.field, *knob.names_ru)]
    values = st.one_of(st.integers(-5, 600).map(str), st.floats(allow_nan=True).map(str),
                       st.sampled_from(["0,7", "1.5", "", "много", "-0", "1e9"]))
    return st.one_of(
        st.just(""),
        st.integers(-3, 40).map(str),
        st.builds(lambda k, v: f"{k} {v}", st.sampled_from(knobs), values),
        st.sampled_from(["add", "edit", "remove", "edit 1", "edit 99", "-", "Иван = Ivan",
                         "remove Иван", "../../x", "CON", "a" * 300, "«цитата»"]),
        st.text(max_size=40),
    )


def _junk() -> st.SearchStrategy[bytes]:
    escapes = ["\x1b[2J", "\x1b]0;title\x07", "\x1b[31mкрасный\x1b[0m", "\x1bP1;2q\x1b\\",
               "\x00", "\r", "\x7f", "\x08\x08", "\u202e", "\ufeff", "\u200b", "\x1b"]
    text = st.one_of(
        st.text(max_size=120),
        st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=40),
        st.lists(st.sampled_from(escapes), max_size=6).map("".join),
        st.integers(400, 70_000).map(lambda n: "ж" * n),  # past 500 chars, past 64 KiB
    )
    encoded = text.map(lambda t: t.encode("utf-8", "surrogatepass"))
    return st.one_of(encoded, st.binary(max_size=200))


def input_lines() -> st.SearchStrategy[bytes]:
    command = st.builds(lambda name, argument: f"{name} {argument}".encode("utf-8", "replace"),
                        st.sampled_from(_command_names()), _arguments())
    action = st.sampled_from(list(ANSWERS)).map(lambda a: a.encode("utf-8"))
    return st.one_of(command, command, action, _junk()).map(lambda b: b.replace(b"\n", b" "))


@dataclass
class InputFigures:
    inputs: int = 0
    batches: int = 0
    tracebacks: int = 0  # "Traceback" or the REPL's unexpected-error line in the output
    crashes: int = 0  # an exception out of run_repl
    bad_exits: int = 0
    unloadable: int = 0  # saves that did not load after a batch
    examples: list[str] = field(default_factory=list)


class InputSoak:
    """real: the tiny trained models (about a second a turn on two shared cores); else the
    scripted models of tests/scripted.py at the engine seam, everything above it real."""

    def __init__(self, saves: Path, models: TinyModels, real: bool) -> None:
        self.runner = _real_runner(models) if real else scripted_runner()
        self.store = SaveStore(saves)
        # Short answers: the inputs are soaked here, not the model (a /restart story has the
        # usual length, and /settings lines change it as the grammar says).
        story = replace(fantasy_story(), settings=Settings(max_new_tokens=MAX_NEW_TOKENS))
        first = Game.create(self.store, self.runner, story, "фаззинг")
        self.name = first.name
        first.close()
        self.figures = InputFigures()

    def batch(self, lines: list[bytes]) -> None:
        """Every line through sessions (a /quit ends one; the rest goes to the next)."""
        figures = self.figures
        figures.batches += 1
        script: list[str | bytes | BaseException | Callable[[], None]] = list(lines)
        while script:
            stdin = ScriptedStdin(script)
            out, err = StringIO(), StringIO()
            io = PlainIO(stdin, out, err)  # type: ignore[arg-type]
            try:
                game = Game.open(self.store, self.runner, self.name)
                code = run_repl(game, io, greet=False)
            except Exception as error:  # noqa: BLE001 - counted: the game must never do this
                figures.crashes += 1
                figures.examples.append(f"crash: {type(error).__name__}: {error}"[:300])
                return
            figures.inputs += len(script) - len(stdin.script)
            figures.bad_exits += code != 0 and "не сохранена" not in err.getvalue()
            shown = out.getvalue() + err.getvalue()
            if "Traceback" in shown or BUG in shown:
                figures.tracebacks += 1
                figures.examples.append(shown[shown.find(BUG) if BUG in shown else 0:][:300])
            script = stdin.script
            self.name = game.name
        self._check_saves()

    def _check_saves(self) -> None:
        """Every save in the folder loads (the current one, /save copies, /restart stories)."""
        for path in sorted(self.store.directory.glob("*.json")):
            try:
                self.store.load(path.stem)
            except SaveError as error:
                self.figures.unloadable += 1
                self.figures.examples.append(f"unloadable: {error.message}"[:300])


def _real_runner(models: TinyModels) -> TurnRunner:
    config = ModelConfig(str(models.generator), str(models.ru_en), str(models.en_ru),
                         device="cpu", seed=1)
    loaded = load_models(config)
    step = getattr(loaded.generator, "window_step", 1)
    return TurnRunner(loaded.generator, loaded.ru_en, loaded.en_ru, window_step=step)


def soak_inputs(
    saves: Path, models: TinyModels, count: int, seed_value: int, real: bool = True
) -> InputFigures:
    soak = InputSoak(saves, models, real)

    @seed(seed_value)
    @settings(max_examples=max(1, count // BATCH), database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(st.lists(input_lines(), min_size=BATCH, max_size=BATCH))
    def run(lines: list[bytes]) -> None:
        soak.batch(lines)

    run()
    return soak.figures
