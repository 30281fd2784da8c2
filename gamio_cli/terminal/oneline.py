"""Messages outside the game screen (the shell commands, start-up failures): one Russian line
on stderr, wrapped at words on a terminal, and every failure turned into such a line.

Kept light (no rich, no storage): cli.py imports it for `gamio --help` too.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
import traceback
from collections.abc import Callable
from typing import TextIO

from gamio_cli.errors import GamioError

EXIT_FAILED = 1
EXIT_INTERRUPTED = 130


def one_line(text: str) -> str:
    return " ".join(text.split())


def wrapped(text: str, stream: TextIO) -> str:
    """text wrapped at words to the terminal's width when stream is a terminal (a terminal cuts
    long lines mid-word), as it is for a pipe or a file."""
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()):
        return text
    width = max(20, shutil.get_terminal_size().columns - 1)
    # A word longer than the line (a path) stays whole: the terminal breaks it, we must not.
    fill = textwrap.TextWrapper(width, break_long_words=False, break_on_hyphens=False).fill
    return "\n".join(fill(line) if line else line for line in text.split("\n"))


def tell(message: str, stream: TextIO | None = None) -> None:
    """One message on stderr (or stream), wrapped at words on a terminal."""
    out = stream or sys.stderr
    out.write(wrapped(one_line(message), out) + "\n")
    out.flush()


def guard(run: Callable[[], int], debug: bool) -> int:
    """Run; a GamioError is one line, another failure one line too (traceback with --debug)."""
    try:
        return int(run())
    except GamioError as error:
        tell(error.message)
    except KeyboardInterrupt:
        tell("Прервано (Ctrl-C).")
        return EXIT_INTERRUPTED
    except Exception as error:  # noqa: BLE001 - the player gets one line, not a traceback
        if debug:
            traceback.print_exc()
        tell(
            f"Непредвиденная ошибка ({type(error).__name__}: {error})."
            + ("" if debug else " Подробности: запустите с --debug.")
        )
    return EXIT_FAILED
