"""Prompt building: AI Dungeon 2's format, the token budget, and which turns the model sees."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamio_cli.settings import Settings
from gamio_cli.story import AuthorNote, MemoryEntry, Mode, Story, Turn, WorldEntry
from gamio_cli.turn.prompt import (
    Pending,
    PromptTooLong,
    build_prompt,
    trim_start,
    window_start,
)


def words(text: str) -> int:
    """A stand-in tokenizer: one token per whitespace-separated word, one per newline."""
    return len(text.split()) + text.count("\n")


def make_story(turns: int, opening: str = "You are a knight. You stand at the gate.") -> Story:
    story = Story("fantasy", "Ты рыцарь.", opening)
    story.turns = [
        Turn(f"ход {i}", Mode.DO, f"You do thing {i}.", f"Thing {i} happens.", f"Случилось {i}.")
        for i in range(turns)
    ]
    return story


def test_format_matches_ai_dungeon_training_data() -> None:
    story = make_story(0)
    story.memory = [MemoryEntry("У тебя есть лампа.", "You have a lamp.")]
    story.turns = [
        Turn("открываю дверь", Mode.DO, "You open the door.", "The door creaks open.", "…"),
        Turn("«Привет»", Mode.SAY, 'You say "Hello."', "The old man smiles.", "…"),
        Turn("!Гроза", Mode.STORY, "A storm begins.", "Lightning flashes.", "…"),
        Turn("", Mode.CONTINUE, "", "Rain falls.", "…"),
    ]
    prompt = build_prompt(story, Pending(Mode.DO, "You take the sword."), words, 1000)
    assert prompt == (
        "You are a knight. You stand at the gate.\nYou have a lamp.\n"
        "> You open the door.\nThe door creaks open.\n"
        '> You say "Hello."\nThe old man smiles.\n'
        "A storm begins.\nLightning flashes.\n"
        "Rain falls.\n"
        "> You take the sword.\n"
    )


def test_continue_ends_without_newline() -> None:
    prompt = build_prompt(make_story(1), Pending(Mode.CONTINUE, ""), words, 1000)
    assert prompt.endswith("Thing 0 happens.")


def test_only_the_latest_actions_are_seen() -> None:
    story = make_story(30)
    prompt = build_prompt(story, Pending(Mode.DO, "You wait."), words, 10_000)
    # 10 actions in all: the pending one and the 9 latest turns.
    assert "thing 20." not in prompt
    assert "thing 21." in prompt and "thing 29." in prompt
    assert prompt.count("> ") == 10
    story.settings = replace(story.settings, history_actions=3)
    prompt = build_prompt(story, Pending(Mode.DO, "You wait."), words, 10_000)
    assert prompt.count("> ") == 3 and "thing 28." in prompt


def test_two_hundred_turns_always_fit_and_keep_the_newest() -> None:
    story = make_story(0)
    story.settings = Settings(history_actions=100)
    budget = 1024 - 55
    for i in range(200):
        action = f"You do a rather long and elaborate thing number {i}."
        prompt = build_prompt(story, Pending(Mode.DO, action), words, budget)
        assert words(prompt) <= budget
        assert prompt.endswith(f"> {action}\n")
        if story.turns:
            assert turn_line(story.turns[-1]) in prompt
        long_text = " ".join(["The dragon roars and the castle shakes."] * 8)
        story.turns.append(Turn("…", Mode.DO, action, long_text, "…"))


def turn_line(turn: Turn) -> str:
    return f"> {turn.action_en}\n{turn.continuation_en}"


def test_oldest_turns_go_first_then_the_backstory_shrinks_from_its_start() -> None:
    opening = " ".join(f"Sentence {i} of the world." for i in range(50))
    story = make_story(5, opening=opening)
    prompt = build_prompt(story, Pending(Mode.DO, "You wait."), words, 60)
    assert words(prompt) <= 60
    assert "Thing 4 happens." in prompt  # the newest turn stays
    assert "Sentence 0 " not in prompt  # the backstory lost its start
    assert "Sentence 49 of the world." in prompt  # ...but kept its end


def test_never_fails_even_with_a_tiny_budget() -> None:
    story = make_story(3)
    for budget in (0, 1, 2, 3, 5, 8):
        assert words(build_prompt(story, Pending(Mode.DO, "You wait."), words, budget)) <= budget


def test_window_moves_in_steps() -> None:
    assert [window_start(n, 10, 1) for n in (5, 10, 11, 12)] == [0, 0, 1, 2]
    starts = [window_start(n, 10, 5) for n in range(10, 22)]
    assert starts == [0, 0, 0, 0, 0, 5, 5, 5, 5, 5, 10, 10]
    for n in range(1, 50):
        assert n - window_start(n, 10, 5) >= min(n, 10)


def test_stepped_window_keeps_the_prefix_stable() -> None:
    story = make_story(10)
    prompts, starts = [], []
    for i in range(10):
        prompts.append(build_prompt(story, Pending(Mode.DO, "You wait."), words, 10_000, step=5))
        starts.append(window_start(len(story.turns) + 1, 10, 5))
        story.turns.append(Turn("…", Mode.DO, f"You act {i}.", f"Act {i}.", "…"))
    kept = [
        after.startswith(before[: -len("> You wait.\n")])
        for before, after in zip(prompts, prompts[1:])
    ]
    # The prompt only loses its start when the window jumps, once every 5 turns.
    assert kept == [a == b for a, b in zip(starts, starts[1:])]
    assert kept.count(True) == 7


@given(st.text(max_size=300), st.integers(min_value=0, max_value=40))
def test_trim_start_fits_and_keeps_a_tail(text: str, budget: int) -> None:
    trimmed = trim_start(text, words, budget)
    assert words(trimmed) <= budget
    assert text.endswith(trimmed)


def story_with_every_part() -> Story:
    story = make_story(6)
    story.memory = [MemoryEntry("У тебя есть лампа.", "You have a lamp.")]
    story.world = [
        WorldEntry(("дракон",), "Дракон спит под горой.", "A dragon sleeps under the mountain."),
        WorldEntry(("эльф",), "Эльфы живут в лесу.", "Elves live in the forest."),
    ]
    story.note = AuthorNote("история мрачная", "The story is dark and tense.")
    story.turns[-1] = Turn("иду к дракону", Mode.DO, "You go to the dragon.", "It sleeps.", "Он спит.")
    return story


def test_every_part_in_its_place() -> None:
    prompt = build_prompt(story_with_every_part(), Pending(Mode.DO, "You wait."), words, 10_000)
    lines = prompt.split("\n")
    assert lines[:3] == [
        "You are a knight. You stand at the gate.",
        "You have a lamp.",
        "A dragon sleeps under the mountain.",  # its key «дракон» is in the latest turn
    ]
    assert "Elves" not in prompt  # «эльф» is not mentioned
    note_at = lines.index("[Author's note: The story is dark and tense.]")
    assert [line for line in lines[note_at:] if line.startswith("> ")] == [
        "> You do thing 4.",
        "> You go to the dragon.",
        "> You wait.",
    ]


def test_world_info_is_called_up_by_the_pending_action_too() -> None:
    story = make_story(1)
    story.world = [WorldEntry(("dragon",), "Дракон.", "The dragon is old.")]
    prompt = build_prompt(story, Pending(Mode.DO, "You look for dragons."), words, 10_000)
    assert "The dragon is old." in prompt


def test_a_story_using_every_part_still_fits_the_window() -> None:
    story = story_with_every_part()
    story.turns = story.turns * 30
    for budget in (60, 120, 969):
        prompt = build_prompt(story, Pending(Mode.DO, "You wait."), words, budget)
        assert words(prompt) <= budget
        assert "You have a lamp." in prompt  # memory is never cut
        assert prompt.endswith("> You wait.\n")


def test_too_much_memory_names_the_entry_to_shorten() -> None:
    story = make_story(2)
    story.memory = [
        MemoryEntry("Коротко.", "Short."),
        MemoryEntry("Очень длинная запись о прошлом героя", " ".join(["word"] * 60)),
    ]
    with pytest.raises(PromptTooLong) as raised:
        build_prompt(story, Pending(Mode.DO, "You wait."), words, 100)
    assert "№2" in raised.value.message and "/forget 2" in raised.value.message
    assert "Очень длинная запись" in raised.value.message


def test_a_bigger_window_holds_more_than_the_latest_actions_setting() -> None:
    from gamio_cli.turn.prompt import history_for

    story = Story("custom", "", "Start.", settings=Settings(history_actions=2))
    story.turns = [Turn(str(i), Mode.DO, f"You wait {i}.", f"Time {i}.", "") for i in range(20)]
    words = lambda text: len(text.split())  # noqa: E731
    small = build_prompt(story, Pending(Mode.DO, "You go."), words, 1000, extend_history=True)
    big = build_prompt(story, Pending(Mode.DO, "You go."), words, 8000, extend_history=True)
    kept = build_prompt(story, Pending(Mode.DO, "You go."), words, 8000)
    assert history_for(story, 1000) == 2 and history_for(story, 8000) == 14
    assert "Time 19." in small and "Time 18." not in small  # 2 actions: one earlier and this
    assert "Time 7." in big and "Time 6." not in big
    assert "Time 18." not in kept  # without extend_history the setting is the cap
