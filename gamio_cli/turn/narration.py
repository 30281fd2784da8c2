"""What a chat model is told to be, in both languages a narrator may write, kept in one place,
and the story prompt turned into chat messages (pure functions).

A completion model continues the raw AI Dungeon prompt (prompt.py). An instruct/chat model
gets the same story as a conversation instead: a system message that makes it the narrator
and carries the backstory, memory and world info, then the latest turns as alternating user
(the player's action) and assistant (the story) messages.
"""

from __future__ import annotations

NARRATOR_SYSTEM = {
    "en": (
        "You are the narrator of an interactive text adventure. The player writes what their "
        "hero does or says; you answer with what happens next: a few sentences, in the second "
        "person (\"you\") and the present tense, in English. Never write the player's actions, "
        "choices or words for them, and never start your answer with \">\". No lists, no "
        "headings, no comments about the game."
    ),
    "ru": (
        "Ты — рассказчик интерактивного текстового приключения. Игрок пишет, что делает или "
        "говорит его герой; ты отвечаешь, что происходит дальше: несколько предложений, во "
        "втором лице («вы») и в настоящем времени, по-русски. Никогда не пиши за игрока его "
        "действия, решения или слова и не начинай ответ с «>». Без списков, заголовков и "
        "замечаний об игре."
    ),
}
# Heads the story's backstory, memory and world info inside the system message.
STORY_SO_FAR = {"en": "The story so far:", "ru": "История до сих пор:"}
# The user's message when the player asks the story to go on without an action.
CONTINUE_REQUEST = {"en": "Continue the story.", "ru": "Продолжай историю."}

Message = dict[str, str]


def chat_messages(prompt: str, language: str) -> list[Message]:
    """The raw prompt as chat messages: lines before the first "> " action line go into the
    system message; each action line becomes a user message and the lines after it the
    assistant's answer. The list always ends with a user message."""
    context: list[str] = []
    turns: list[Message] = []
    for line in prompt.split("\n"):
        if line.startswith(">"):
            turns.append({"role": "user", "content": line.lstrip("> ").strip()})
        elif not line.strip():
            continue
        elif not turns:
            context.append(line.strip())
        elif turns[-1]["role"] == "assistant":
            turns[-1]["content"] += " " + line.strip()
        else:
            turns.append({"role": "assistant", "content": line.strip()})
    system = NARRATOR_SYSTEM[language]
    if context:
        system += "\n\n" + STORY_SO_FAR[language] + "\n" + "\n".join(context)
    if not turns or turns[-1]["role"] == "assistant":
        turns.append({"role": "user", "content": CONTINUE_REQUEST[language]})
    return [{"role": "system", "content": system}, *turns]
