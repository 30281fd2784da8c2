"""Build the generator's prompt from a story, written as AI Dungeon 2's training data was.

    <backstory>
    <the hero's gender ("You are a woman."), then memory, one fact a line>
    <world info whose keys occur in the latest turns, one entry a line>
    > You open the door.
    The door creaks open. A dragon sleeps inside.
    [Author's note: <the note>]          <- NOTE_DEPTH actions from the end
    > You take the sword.

The prompt always fits the window minus the tokens to generate: the oldest turns go first,
then the backstory is shortened from its start. Memory and world info are never cut silently:
when they alone would take more than their share, PromptTooLong names the entry to shorten.
Token counting comes in as an argument, so this module imports no tokenizer.

A narrator that writes Russian (language "ru") gets the same prompt from the Russian texts
already stored: the opening, memory, world info and note in Russian, each action as its
Russian line («> Вы открываете дверь.», russian_action.py) and the Russian continuations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gamio_cli.errors import GamioError
from gamio_cli.story import Gender, Mode, Story, Turn
from gamio_cli.turn.actions import parse_action
from gamio_cli.turn.russian_action import action_line_ru
from gamio_cli.world.worldinfo import active_entries, recent_texts

TokenCounter = Callable[[str], int]

# The author's note goes this many actions from the end of the prompt (KoboldAI's default).
NOTE_DEPTH = 3
# Memory and world info together may take at most this share of the prompt budget (0-1),
# so the latest turns always have room.
PINNED_SHARE = 0.4
# Turns the prompt window drops at once for a generator with a prompt cache (its window_step,
# TurnRunner's): the text before the newest turns then stays the same for 4 turns, so 3 turns
# in 4 re-use the cached prefix even when nothing is prepared ahead (measured with CTranslate2:
# step 1 re-encodes the whole prompt every turn once the window is full, step 6 drops 6 turns
# at once when over budget).
WINDOW_STEP = 4
# The memory block says the hero's gender once, so that the English stops calling a heroine
# "he" (and the Russian made from it starts right); nothing when the gender is unknown.
HERO_LINES = {
    Gender.MALE: "You are a man.", Gender.FEMALE: "You are a woman.", Gender.UNKNOWN: ""
}  # fmt: skip
HERO_LINES_RU = {
    Gender.MALE: "Вы — мужчина.", Gender.FEMALE: "Вы — женщина.", Gender.UNKNOWN: ""
}  # fmt: skip
# The author's note's label in each language.
NOTE_LABELS = {"en": "Author's note", "ru": "Заметка автора"}
# The window (in tokens, less those to generate) that the "latest actions" setting is meant
# for: GPT-2's 1024.
HISTORY_WINDOW = 1024
# A typical action line stands in for the player's next one when the next prompt is predicted.
PROBE_ACTION = "You wait."
PROBE_ACTION_RU = "Вы ждёте."


class PromptTooLong(GamioError):
    """Memory and world info leave no room for the story: the player must shorten an entry."""


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


def russian_action_line(turn: Turn) -> str:
    """The Russian line of a turn's action, as a narrator that writes Russian reads it."""
    return action_line_ru(turn.mode, parse_action(turn.action_ru)[1])


def turn_text(turn: Turn, language: str = "en") -> str:
    """A completed turn in the narrator's language: its action line, then the continuation."""
    if language == "ru":
        lines = [action_text(turn.mode, russian_action_line(turn)), turn.continuation_ru]
    else:
        lines = [action_text(turn.mode, turn.action_en), turn.continuation_en]
    return "\n".join(line for line in lines if line)


def pinned_lines(story: Story, pending: Pending, language: str = "en") -> list[tuple[str, str]]:
    """Memory and the active world info: (line in the narrator's language, how the player
    names the entry)."""
    ru = language == "ru"
    hero = (HERO_LINES_RU if ru else HERO_LINES)[story.hero.gender]
    lines = [(hero, "строка о поле героя (/hero)")]
    lines += [
        ((entry.ru if ru else entry.en).strip(),
         f"запись памяти №{i} («{_short(entry.ru)}», /forget {i})")
        for i, entry in enumerate(story.memory, 1)
    ]
    texts = recent_texts(story.turns) + [pending.action_en]
    for entry in active_entries(story.world, texts):
        number = story.world.index(entry) + 1
        lines.append(
            ((entry.text_ru if ru else entry.text_en).strip(),
             f"запись мира №{number} («{_short(entry.text_ru)}», /world remove {number})")
        )
    return [(line, name) for line, name in lines if line]


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _check_pinned(pinned: list[tuple[str, str]], count_tokens: TokenCounter, budget: int) -> int:
    """The token cost of memory and world info; PromptTooLong when over their share."""
    costs = [count_tokens(line) + 1 for line, _ in pinned]
    if sum(costs) <= budget * PINNED_SHARE:
        return sum(costs)
    biggest = pinned[costs.index(max(costs))][1]
    raise PromptTooLong(
        "Память и сведения о мире не оставляют места для последних ходов. "
        f"Сократите или удалите самую длинную: {biggest}."
    )


def note_text(story: Story, language: str = "en") -> str:
    """The author's note as the model sees it ("" when there is none)."""
    if story.note is None:
        return ""
    text = (story.note.ru if language == "ru" else story.note.en).strip()
    return f"[{NOTE_LABELS[language]}: {text}]" if text else ""


def history_for(story: Story, budget: int) -> int:
    """How many latest actions the prompt may hold: the story's setting is a default, not a
    cap, when the window is bigger than GPT-2's (a server's 8k-token model sees 8x as many);
    the budget still drops the oldest ones that do not fit."""
    return story.settings.history_actions * max(1, budget // HISTORY_WINDOW)


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
    language: str = "en",
    extend_history: bool = False,
) -> str:
    """The prompt for the pending action, within budget tokens (window - tokens to generate);
    pending.action_en is its line in the narrator's language. extend_history: more than the
    latest-actions setting when the budget is bigger than GPT-2's (history_for)."""
    pinned = pinned_lines(story, pending, language)
    room = budget - _check_pinned(pinned, count_tokens, budget)
    history = history_for(story, budget) if extend_history else story.settings.history_actions
    first = window_start(len(story.turns) + 1, history, step)
    blocks = [turn_text(turn, language) for turn in story.turns[first:]]
    tail = action_text(pending.mode, pending.action_en)
    note = note_text(story, language)
    # The backstory may take at most half of what is left, so a long custom world cannot push
    # out every turn; within that, the oldest turns go first and then the backstory's start.
    backstory = story.opening_ru if language == "ru" else story.opening_en
    opening = trim_start(backstory.strip(), count_tokens, room // 2)
    costs = [count_tokens(block) + 1 for block in blocks]
    fixed = count_tokens(opening) + count_tokens(tail) + count_tokens(note) + 3
    dropped = 0
    while dropped < len(blocks) and fixed + sum(costs[dropped:]) > room:
        dropped += step  # drop in jumps of `step` too, for the same cache-friendly reason
    body = _with_note(blocks[dropped:] + ([tail] if tail else []), note)
    opening = trim_start(opening, count_tokens, room - count_tokens(body) - 2)
    parts = [opening] + [line for line, _ in pinned] + [body]
    prompt = "\n".join(part for part in parts if part)
    if tail:
        prompt += "\n"  # the model writes the continuation on the line after the action
    return trim_start(prompt, count_tokens, budget)


def _with_note(blocks: list[str], note: str) -> str:
    """Join the turn blocks, with the author's note NOTE_DEPTH blocks from the end."""
    if note:
        at = max(0, len(blocks) - NOTE_DEPTH)
        blocks = blocks[:at] + [note] + blocks[at:]
    return "\n".join(blocks)


def next_prompt_prefix(
    story: Story, count_tokens: TokenCounter, window: int, step: int, language: str = "en"
) -> str:
    """The text the next turn's prompt will start with, whatever the player's action.

    The prompt for a probe action is built exactly as the turn will build it (same window,
    step and budget), and the probe's line is cut off. "" when the probe does not end it
    (a budget so small that the prompt itself was cut).
    """
    probe = Pending(Mode.DO, PROBE_ACTION if language == "en" else PROBE_ACTION_RU)
    budget = window - story.settings.max_new_tokens
    prompt = build_prompt(story, probe, count_tokens, budget, step, language)
    tail = action_text(probe.mode, probe.action_en) + "\n"
    return prompt[: -len(tail)] if prompt.endswith("\n" + tail) else ""
