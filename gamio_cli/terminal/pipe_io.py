"""GameIO for a standard input that is not a terminal: one action or command per line, plain text
out (no colours, no prompt_toolkit), so play is scriptable: `gamio play --new < actions.txt`.

Each prompt is printed with the line it got, so the output reads as a transcript. Input bytes
are decoded as UTF-8 with invalid bytes replaced: a broken file never crashes the game.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import BinaryIO, TextIO

from gamio_cli.story import Story
from gamio_cli.textsafe import safe_output

# Bytes read for one line at most; the rest of a longer line is skipped (clean_input cuts the
# text far shorter anyway, and a runaway line must not fill the memory).
MAX_LINE_BYTES = 64 * 1024


def read_limited_line(stream: BinaryIO, limit: int = MAX_LINE_BYTES) -> bytes | None:
    """One line without its end; None at the end of input."""
    line = stream.readline(limit)
    if not line:
        return None
    if not line.endswith(b"\n") and len(line) == limit:
        while True:  # skip the rest of an overlong line
            rest = stream.readline(limit)
            if not rest or rest.endswith(b"\n"):
                break
    return line.rstrip(b"\r\n")


class PlainIO:
    """Plain lines on stdout, errors on stderr."""

    interactive = False

    def __init__(self, stdin: BinaryIO, stdout: TextIO, stderr: TextIO) -> None:
        self._stdin = stdin
        self._out = stdout
        self._err = stderr
        self._paragraph_open = False  # streamed sentences of the current turn share one line

    def read_line(self, prompt: str) -> str:
        data = read_limited_line(self._stdin)
        if data is None:
            raise EOFError
        text = data.decode("utf-8", errors="replace")
        self._line(f"{prompt}{text}")
        return text

    def edit_line(self, prompt: str, text: str) -> str:
        """No editing in a pipe: the text is shown, the next line replaces it (empty keeps it)."""
        self._line(f"Сейчас: {text}")
        return self.read_line(prompt) or text

    def show_story(self, story: Story, earlier_turns: int) -> None:
        self._line(story.opening_ru)
        if earlier_turns:
            self._line(f"(…ещё ходов раньше: {earlier_turns})")
        for turn in story.turns:
            if turn.action_ru.strip():
                self.show_action(turn.action_ru)
            self._line(turn.continuation_ru)

    def show_action(self, text: str) -> None:
        self._line(f"> {text}")

    def show_narration(self, text: str) -> None:
        if self._paragraph_open:
            self._out.write(" ")
        self._out.write(safe_output(text))
        self._out.flush()
        self._paragraph_open = True

    def discard_narration(self) -> None:
        self._line("(…модель переписывает ответ)")

    def info(self, text: str) -> None:
        self._line(text)

    def progress(self, text: str) -> None:
        """Start-up progress goes to stderr: stdout stays the story's transcript."""
        self._end_paragraph()
        self._err.write(safe_output(text) + "\n")
        self._err.flush()

    def error(self, text: str) -> None:
        self._end_paragraph()
        self._err.write(safe_output(text) + "\n")
        self._err.flush()

    def working(self, status: str) -> AbstractContextManager[None]:
        return self._working()

    @contextmanager
    def _working(self) -> Iterator[None]:
        try:
            yield
        finally:
            self._end_paragraph()

    def _line(self, text: str) -> None:
        self._end_paragraph()
        self._out.write(safe_output(text) + "\n")
        self._out.flush()

    def _end_paragraph(self) -> None:
        if self._paragraph_open:
            self._out.write("\n")
            self._paragraph_open = False
