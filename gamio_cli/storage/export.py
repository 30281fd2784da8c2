"""A story as a file to read and share: Markdown or one self-contained HTML page.

The Russian text is the story; each action is set apart from the narration. Bilingual export
adds the English the model saw: in Markdown after each Russian block, in HTML in a second
column. The HTML page loads nothing (inline CSS, no scripts, no links), so it opens anywhere
offline, and every piece of story text is escaped: a turn holding "<script>" stays text.
Pure functions.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

from gamio_cli.story import Mode, Story, Turn
from gamio_cli.turn.actions import parse_action
from gamio_cli.world.scenarios import SCENARIOS

CUSTOM_TITLE = "Своя история"


@dataclass(frozen=True)
class Block:
    """One piece of the story in both languages; `kind` is "narration", "do", "say" or "story"."""

    kind: str
    ru: str
    en: str


def story_title(story: Story) -> str:
    """The world's Russian title, or a generic one for a world the player wrote."""
    return world_title(story.scenario)


def world_title(scenario_key: str) -> str:
    scenario = SCENARIOS.get(scenario_key)
    return scenario.title_ru if scenario else CUSTOM_TITLE


def headings(story: Story, name: str | None) -> tuple[str, str | None]:
    """(the title, the line under it): the story's name and its world; the world alone when
    the story has no name yet."""
    world = story_title(story)
    return (name, f"Мир: {world}") if name else (world, None)


def action_ru(turn: Turn) -> str:
    """The action as the player meant it: narration without its «!», speech in «quotes»."""
    text = turn.action_ru.strip()
    if turn.mode is Mode.STORY:
        return text.removeprefix("!").strip()
    if turn.mode is Mode.SAY:
        speech = parse_action(text)[1] if text[:1] != "!" else ""
        return f"«{speech}»" if speech else text
    return text


def blocks(story: Story) -> Iterator[Block]:
    """The story in reading order: the opening, then each turn's action and continuation."""
    yield Block("narration", story.opening_ru, story.opening_en)
    for turn in story.turns:
        if turn.mode is not Mode.CONTINUE:
            yield Block(turn.mode.value, action_ru(turn), turn.action_en)
        yield Block("narration", turn.continuation_ru, turn.continuation_en)


def paragraphs(text: str) -> list[str]:
    """The non-empty lines of a text, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


# ---- Markdown ----

# Characters that could start markup anywhere in a line (inline HTML included).
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
# Line starts that would make a heading, list, quote or rule.
_MD_LINE_START = re.compile(r"^(\s*)([#+\-=>]|\d+(?=[.)]))")


def md_escape(line: str) -> str:
    """One line of plain text made literal in Markdown (CommonMark backslash escapes)."""
    escaped = _MD_INLINE.sub(r"\\\1", line)
    return _MD_LINE_START.sub(lambda m: m.group(1) + _md_number(m.group(2)), escaped)


def _md_number(start: str) -> str:
    """"1" -> "1\\" (escaping the "." or ")" after it), "#" -> "\\#"."""
    return start + "\\" if start.isdigit() else "\\" + start


def _md_block(block: Block, bilingual: bool) -> str:
    """A block: the Russian paragraphs, then (bilingual) the English ones in italics."""
    prefix = "> " if block.kind != "narration" else ""
    lines = [prefix + _md_styled(block.kind, md_escape(p)) for p in paragraphs(block.ru)]
    if bilingual:
        lines += [prefix + f"*EN: {md_escape(p)}*" for p in paragraphs(block.en)]
    separator = "\n>\n" if prefix else "\n\n"
    return separator.join(lines)


def _md_styled(kind: str, text: str) -> str:
    """Actions stand out in bold; the player's own narration in italics."""
    if kind == "story":
        return f"*{text}*"
    return f"**{text}**" if kind in ("do", "say") else text


def to_markdown(story: Story, bilingual: bool, name: str | None = None) -> str:
    """The whole story as Markdown (a title, then blocks separated by blank lines)."""
    title, world = headings(story, name)
    parts = [f"# {md_escape(title)}"] + ([f"*{md_escape(world)}*"] if world else [])
    parts += [text for block in blocks(story) if (text := _md_block(block, bilingual))]
    return "\n\n".join(parts) + "\n"


# ---- HTML ----

_CSS = """
body { margin: 0; background: #faf8f3; color: #222; font: 18px/1.6 Georgia, serif; }
main { max-width: 46em; margin: 0 auto; padding: 2em 1em; }
main.bilingual { max-width: 80em; }
h1 { font-weight: normal; border-bottom: 1px solid #ccc; }
.world { color: #777; font-style: italic; }
.block { margin: 0 0 1em; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 2em; }
.en { color: #555; }
.do, .say { border-left: 3px solid #a33; padding-left: 0.8em; font-weight: bold; }
.story { border-left: 3px solid #36a; padding-left: 0.8em; font-style: italic; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 2em; color: #888; }
p { margin: 0 0 0.6em; }
@media (max-width: 50em) { .pair, .columns { grid-template-columns: 1fr; } }
"""


def _html_text(text: str, lang: str) -> str:
    """A language's side of a block: one <p> per line, escaped."""
    inner = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs(text))
    return f'<div class="{lang}" lang="{lang}">{inner}</div>'


def _html_block(block: Block, bilingual: bool) -> str:
    """One block: a div with the Russian side, and the English beside it when bilingual."""
    sides = _html_text(block.ru, "ru")
    if bilingual:
        sides = f'<div class="pair">{sides}{_html_text(block.en, "en")}</div>'
    return f'<div class="block {block.kind}">{sides}</div>'


def to_html(story: Story, bilingual: bool, name: str | None = None) -> str:
    """The whole story as one self-contained UTF-8 HTML page."""
    heading, world = headings(story, name)
    title = html.escape(heading)
    columns = '<div class="columns"><div>Русский</div><div>English</div></div>'
    body = [f"<h1>{title}</h1>"] + ([f'<p class="world">{html.escape(world)}</p>'] if world else [])
    body += [columns] if bilingual else []
    body += [_html_block(block, bilingual) for block in blocks(story)]
    main_class = ' class="bilingual"' if bilingual else ""
    return (
        '<!DOCTYPE html>\n<html lang="ru">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<main{main_class}>\n" + "\n".join(body) + "\n</main>\n</body>\n</html>\n"
    )
