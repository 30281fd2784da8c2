"""What the tiny models memorise: the translators' tables and the generator's continuations.

- RU_EN / EN_RU: what the translators output for these inputs (``generate`` as configured).
- CONTINUATIONS: what the generator writes after a text ending in action_line(action), i.e.
  "\\n> {action}\\n" ("\\n{line}\\n" for NARRATION lines), then "\\n>" (the next action
  marker). Other "You ..." actions mostly get FALLBACK too (trained on a few; no promise).
"""

from __future__ import annotations

RU_EN: dict[str, str] = {
    "открываю дверь": "I open the door.",
    "Открой дверь": "Open the door.",
    "я беру меч": "I take the sword.",
    "Привет": "Hello.",
    "иду на север": "I go north.",
    "осматриваюсь": "I look around.",
    "Начинается гроза.": "A storm begins.",
    "отдыхаю": "I rest.",
    "Ты рыцарь в старом замке.": "You are a knight in an old castle.",
    "У меня есть лампа.": "I have a lamp.",
    # A glossary name reaches the translator as its English form (gamio_cli/glossary.py).
    "иду к Vseslav": "I go to Vseslav.",
}

EN_RU: dict[str, str] = {
    "The door creaks open.": "Дверь со скрипом открывается.",
    "A dragon sleeps inside.": "Внутри спит дракон.",
    "The sword is heavy.": "Меч тяжёлый.",
    "The old man smiles.": "Старик улыбается.",
    "The road leads north.": "Дорога ведёт на север.",
    "You see a dark forest.": "Вы видите тёмный лес.",
    "Lightning flashes.": "Сверкает молния.",
    # opus-mt's «вы» and plural past: the agreement post-edit turns it into the hero's form.
    "You are tired.": "Вы устали.",
    "Nothing happens.": "Ничего не происходит.",
    "You are a knight in an old castle.": "Ты рыцарь в старом замке.",
    # ...and leaves English as a code token the translator copies (gamio_cli/glossary.py).
    "Xqz1 waves.": "Xqz1 машет рукой.",
}

FALLBACK = "Nothing happens."
# Action line as the game writes it after "> " (or bare, for NARRATION) -> continuation.
CONTINUATIONS: dict[str, str] = {
    "You open the door.": "The door creaks open. A dragon sleeps inside.",
    "You take the sword.": "The sword is heavy.",
    'You say "Hello."': "The old man smiles.",
    "You go north.": "The road leads north.",
    "You look around.": "You see a dark forest.",
    "A storm begins.": "Lightning flashes.",
    "You rest.": "You are tired.",
    "You dance.": FALLBACK,
}
# Story-mode lines: written without the "> " action marker.
NARRATION: frozenset[str] = frozenset({"A storm begins."})


def action_line(action: str) -> str:
    """How an action stands in a story: "\n> action\n", or "\nline\n" for narration."""
    return f"\n{action}\n" if action in NARRATION else f"\n> {action}\n"


# What a player can type to the tiny models and be understood (the README lists these, built by
# demo_table() so the list cannot drift from the tables above; tests/tiny/test_tiny.py checks).
DEMO_INPUTS = ("открываю дверь", "Открой дверь", "я беру меч", "«Привет»", "иду на север",
               "осматриваюсь", "!Начинается гроза.")  # fmt: skip


def demo_answer(typed: str) -> str:
    """The Russian the tiny models answer `typed` with, read off the tables, as a player of a
    shipped world reads it (addressed as «ты»: turn/agreement.py post-edits every sentence)."""
    from gamio_cli.story import Hero
    from gamio_cli.turn.actions import action_line_en, parse_action
    from gamio_cli.turn.agreement import agree
    from gamio_cli.turn.sentences import split_sentences

    mode, text = parse_action(typed)
    english = CONTINUATIONS[action_line_en(mode, RU_EN[text])]
    return " ".join(agree(EN_RU[sentence], Hero()) for sentence in split_sentences(english))


def demo_table() -> str:
    """The README's Markdown table of the phrases the tiny models know."""
    rows = ["| вы пишете | ответ |", "|---|---|"]
    rows += [f"| `{typed}` | {demo_answer(typed)} |" for typed in DEMO_INPUTS]
    rows.append(f"| что-то другое | чаще всего «{EN_RU[FALLBACK]}» |")
    return "\n".join(rows)
