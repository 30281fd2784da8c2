"""Build the generator's prompt from a story, written as AI Dungeon 2's training data was.

    <backstory>
    <memory, one fact a line>
    > You open the door.
    The door creaks open. A dragon sleeps inside.
    > You take the sword.

The prompt always fits the window minus the tokens to generate: the oldest turns go first,
then the backstory is shortened from its start; it never fails. Token counting comes in as an
argument, so this module imports no tokenizer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gamio_cli.story import Mode, Story, Turn

TokenCounter = Callable[[str], int]


@dataclass(frozen=True)
class Pending:
    """The action being played now: its mode and its English line (empty for CONTINUE)."""

    mode: Mode
    action_en: str


def action_text(mode: Mode, action_en: str) -> str:
    """The line an action takes in the prompt ("" when there is none)."""
    if mode in (Mode.DO, Mode.SAY):
        return f"> {action_en}"
    if mode is Mode.STORY:
        return action_en
    return ""


def turn_text(turn: Turn) -> str:
    """A completed turn: its action line, then the continuation."""
    lines = [action_text(turn.mode, turn.action_en), turn.continuation_en]
    return "\n".join(line for line in lines if line)


def header_text(story: Story) -> str:
    """The backstory followed by the pinned memory."""
    lines = [story.opening_en.strip()] + [entry.en.strip() for entry in story.memory]
    return "\n".join(line for line in lines if line)


def window_start(items: int, history: int, step: int = 1) -> int:
    """Index of the oldest of `items` actions the model sees: at least the latest `history`.

    With step > 1 the start moves in jumps of `step` turns, so the text before the newest turns
    stays the same over several turns and a prompt cache can re-use it.
    """
    start = max(0, items - history)
    return (start // step) * step


def trim_start(text: str, count_tokens: TokenCounter, budget: int) -> str:
    """The longest tail of text (cut at a word boundary where possible) within budget tokens."""
    if budget <= 0:
        return ""
    if count_tokens(text) <= budget:
        return text
    starts = [0] + [m.end() for m in re.finditer(r"\s+", text)]
    offset = _first_fitting(starts, text, count_tokens, budget)
    if offset is None:  # even the last word is too long: cut inside it
        offset = _first_fitting(list(range(len(text) + 1)), text, count_tokens, budget)
    return text[offset:] if offset is not None else ""


def _first_fitting(
    offsets: Sequence[int], text: str, count_tokens: TokenCounter, budget: int
) -> int | None:
    """The smallest offset whose tail fits (tails shrink as offsets grow: binary search)."""
    low, high, found = 0, len(offsets) - 1, None
    while low <= high:
        middle = (low + high) // 2
        if count_tokens(text[offsets[middle] :]) <= budget:
            found, high = offsets[middle], middle - 1
        else:
            low = middle + 1
    return found


def build_prompt(
    story: Story,
    pending: Pending,
    count_tokens: TokenCounter,
    budget: int,
    step: int = 1,
) -> str:
    """The prompt for the pending action, within budget tokens (window - tokens to generate)."""
    first = window_start(len(story.turns) + 1, story.settings.history_actions, step)
    blocks = [turn_text(turn) for turn in story.turns[first:]]
    tail = action_text(pending.mode, pending.action_en)
    # A backstory may take at most half the budget, so a long custom world cannot push out
    # every turn; within that, the oldest turns go first and then the backstory's start.
    header = trim_start(header_text(story), count_tokens, budget // 2)
    costs = [count_tokens(block) + 1 for block in blocks]
    fixed = count_tokens(header) + count_tokens(tail) + 2
    dropped = 0
    while dropped < len(blocks) and fixed + sum(costs[dropped:]) > budget:
        dropped += step  # drop in jumps of `step` too, for the same cache-friendly reason
    body = "\n".join(blocks[dropped:] + ([tail] if tail else []))
    header = trim_start(header, count_tokens, budget - count_tokens(body) - 2)
    prompt = "\n".join(part for part in (header, body) if part)
    if tail:
        prompt += "\n"  # the model writes the continuation on the line after the action
    return trim_start(prompt, count_tokens, budget)
