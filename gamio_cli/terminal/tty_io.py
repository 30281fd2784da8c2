"""GameIO for a terminal: prompt_toolkit reads (Russian prompt, history kept across sessions,
completion of slash commands and their Russian aliases), rich writes (the player's actions
styled apart from the narration, a spinner while the model works, sentences appearing as the
model finishes them).

Untrusted text reaches rich only as Text objects built from safe_output(...): never as markup,
so "[bold]" in a model's continuation is just text, and escape sequences never pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.styles import Style
from rich.console import Console, Group
from rich.live import Live
from rich.spinner import Spinner
from rich.text import Text

from gamio_cli.commands.table import CommandTable
from gamio_cli.errors import os_reason
from gamio_cli.story import Story
from gamio_cli.terminal.signals import Shutdown, deliver_shutdown_via
from gamio_cli.textsafe import safe_output

ACTION_STYLE = "bold cyan"
INFO_STYLE = "dim"
ERROR_STYLE = "bold red"
PROMPT_STYLE = "bold ansidefault"  # the label keeps the terminal colour; input is cyan
INPUT_STYLE = "bold ansicyan"  # prompt_toolkit's name for rich's ACTION_STYLE


class SlashCompleter(Completer):
    """Completes a slash command word at the start of the line, showing its help."""

    def __init__(self, commands: CommandTable) -> None:
        self._commands = commands

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        typed = document.text_before_cursor
        if not typed.startswith("/") or " " in typed:
            return
        for command in self._commands:
            for word in command.words:
                if word.lower().startswith(typed.lower()):
                    yield Completion(word, -len(typed), display_meta=command.help_ru)


def open_history(path: Path) -> tuple[History, str | None]:
    """A FileHistory at path; in memory (with a Russian note why) when it cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
    except OSError as error:
        note = f"История ввода не будет сохранена ({path}: {os_reason(error)})."
        return InMemoryHistory(), note
    return FileHistory(str(path)), None


class TerminalIO:
    """prompt_toolkit in, rich out."""

    interactive = True

    def __init__(self, console: Console, session: PromptSession[str]) -> None:
        self._console = console
        self._session = session
        self._live: Live | None = None
        self._spinner: Spinner | None = None
        self._streamed: list[str] = []
        self._pending_stop: Shutdown | None = None

    @classmethod
    def create(cls, commands: CommandTable, history_path: Path) -> TerminalIO:
        history, note = open_history(history_path)
        session: PromptSession[str] = PromptSession(
            history=history,
            completer=SlashCompleter(commands),
            complete_while_typing=True,
            style=Style.from_dict({"": INPUT_STYLE}),  # what the player types: set apart
        )
        terminal = cls(Console(highlight=False, emoji=False), session)
        if note:
            terminal.info(note)
        return terminal

    @property
    def console(self) -> Console:
        return self._console

    def read_line(self, prompt: str) -> str:
        self._pending_stop = None
        try:
            with deliver_shutdown_via(self._exit_prompt):
                return self._session.prompt(FormattedText([(PROMPT_STYLE, prompt)]))
        finally:
            # The line may have been accepted in the same instant: the signal still wins.
            if self._pending_stop is not None:
                raise self._pending_stop

    def edit_line(self, prompt: str, text: str) -> str:
        """The text in the input line, ready to edit (the cursor at its end)."""
        self._pending_stop = None
        try:
            with deliver_shutdown_via(self._exit_prompt):
                return self._session.prompt(
                    FormattedText([(PROMPT_STYLE, prompt)]), default=safe_output(text)
                )
        finally:
            if self._pending_stop is not None:
                raise self._pending_stop

    def _exit_prompt(self, stop: Shutdown) -> None:
        """Called from a signal handler: make prompt() raise stop, from the event loop's side."""
        app = self._session.app
        loop = app.loop
        if not app.is_running or loop is None:
            raise stop
        self._pending_stop = stop

        def exit_with_stop() -> None:
            if app.is_running and (not app.future or not app.future.done()):
                app.exit(exception=stop)

        loop.call_soon_threadsafe(exit_with_stop)

    def show_story(self, story: Story, earlier_turns: int) -> None:
        self._console.print(Text(safe_output(story.opening_ru)))
        if earlier_turns:
            self.info(f"(…ещё ходов раньше: {earlier_turns})")
        for turn in story.turns:
            self._console.print()
            if turn.action_ru.strip():
                self.show_action(turn.action_ru)
            self._console.print(Text(safe_output(turn.continuation_ru)))
        self._console.print()

    def show_action(self, text: str) -> None:
        self._console.print(Text(f"> {safe_output(text)}", style=ACTION_STYLE))

    def show_narration(self, text: str) -> None:
        if self._live is None:
            self._console.print(Text(safe_output(text)))
            return
        self._streamed.append(safe_output(text))
        self._live.update(self._working_view())

    def discard_narration(self) -> None:
        self._streamed = []
        if self._live is not None:
            self._live.update(self._working_view())

    def info(self, text: str) -> None:
        self._console.print(Text(safe_output(text), style=INFO_STYLE))

    def progress(self, text: str) -> None:
        """Start-up steps replace each other in the spinner's line, which goes when the game
        is ready; outside a spinner (none is running) a step is a line of its own."""
        if self._live is not None and self._spinner is not None:
            self._spinner.update(text=Text(safe_output(text), style=INFO_STYLE))
            self._live.update(self._working_view())
            return
        self.info(text)

    def error(self, text: str) -> None:
        self._console.print(Text(safe_output(text), style=ERROR_STYLE))

    def working(self, status: str) -> AbstractContextManager[None]:
        return self._working(status)

    @contextmanager
    def _working(self, status: str) -> Iterator[None]:
        """A spinner under the sentences streamed so far. The view is transient: a cancelled or
        failed turn leaves nothing on screen, a completed one is printed for good at the end."""
        self._streamed = []
        self._spinner = Spinner("dots", text=Text(safe_output(status), style=INFO_STYLE))
        live = Live(
            self._working_view(),
            console=self._console,
            transient=True,
            refresh_per_second=10,
            vertical_overflow="visible",
        )
        try:
            # Started inside try: an exception raised while it starts (a signal) still stops
            # its refresh thread, which would otherwise go on drawing over the prompt.
            live.start(refresh=True)
            self._live = live
            yield
        finally:
            self._live = None
            live.stop()
        if self._streamed:
            self._console.print(Text(" ".join(self._streamed)))
            self._console.print()
        self._streamed = []

    def _working_view(self) -> Group:
        parts: list[Text | Spinner] = []
        if self._streamed:
            parts.append(Text(" ".join(self._streamed)))
        if self._spinner is not None:
            parts.append(self._spinner)
        return Group(*parts)
