"""The story prompt as chat messages, and the narrator's system text in both languages."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gamio_cli.turn.narration import CONTINUE_REQUEST, NARRATOR_SYSTEM, chat_messages


def test_prompt_to_messages() -> None:
    prompt = ("You are a knight.\nYou are a man.\n> You open the door.\nIt creaks.\nA dragon."
              "\n> You take the sword.\n")
    messages = chat_messages(prompt, "en")
    assert messages[0]["role"] == "system"
    assert messages[0]["content"].startswith(NARRATOR_SYSTEM["en"])
    assert messages[0]["content"].endswith("You are a knight.\nYou are a man.")
    assert messages[1:] == [
        {"role": "user", "content": "You open the door."},
        {"role": "assistant", "content": "It creaks. A dragon."},
        {"role": "user", "content": "You take the sword."},
    ]


def test_no_action_asks_to_go_on_in_the_stories_language() -> None:
    messages = chat_messages("Ты рыцарь.\n> Вы ждёте.\nТихо.", "ru")
    assert "по-русски" in messages[0]["content"]
    assert messages[-1] == {"role": "user", "content": CONTINUE_REQUEST["ru"]}
    assert chat_messages("", "en")[1:] == [{"role": "user", "content": CONTINUE_REQUEST["en"]}]


@given(st.lists(st.text(alphabet="ab >\n", max_size=12), max_size=8))
def test_always_system_first_and_user_last_alternating(lines: list[str]) -> None:
    messages = chat_messages("\n".join(lines), "en")
    roles = [message["role"] for message in messages]
    assert roles[0] == "system" and roles[-1] == "user"
    turns = roles[1:]
    assert all(a != b or a == "user" for a, b in zip(turns, turns[1:]))
