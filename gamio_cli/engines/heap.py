"""Hand the C heap's free pages back to the system: glibc's malloc_trim, a no-op elsewhere.

torch takes its tensors' memory from the C heap. glibc keeps blocks freed in the middle of its
heap (between blocks still in use) for later use, and they count in the process's memory all
the same: loading GPT-2-XL in int8 peaked at 4.3 GB instead of 2.5 GB, and a turn left 0.3 GB
of such holes behind. Trimming takes under a millisecond with GPT-2-XL loaded; it is done while
weights load and after each run of the generator.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):  # not glibc (macOS, Windows, musl)
        return None
    return trim


def release_free_heap() -> bool:
    """Return the heap's free pages to the system; False where the C library cannot."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
