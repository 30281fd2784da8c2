"""A Story as JSON data and back: the story file format, checked strictly on the way in.

A story file is one pretty-printed UTF-8 JSON object a person can read (Cyrillic is written as
is, not as \\u escapes):
    {"format": "gamio-story", "version": 5, "saved_at": "2025-01-31T18:04:05.123+00:00",
     "gamio_version": "0.1.0", "scenario": "fantasy", "opening_ru": "...", "opening_en": "...",
     "memory": [{"ru": "...", "en": "..."}],
     "turns": [{"action_ru", "mode", "action_en", "continuation_en", "continuation_ru",
                "alternatives": [{"en", "ru"}], "narrator", "language": "en" or "ru"}],
     "settings": {every Settings field},
     "note": null or {"ru", "en"}, "world": [{"keys": [...], "ru", "en"}],
     "glossary": [{"ru", "en"}], "undone": [turns removed by /undo],
     "hero": {"address": "ty" or "vy", "gender": "male", "female" or "unknown"}}
Older versions are upgraded by migrations.py first. Unknown fields are refused rather than
dropped, so a typo in a hand-edited file is reported instead of silently lost; new fields come
with a new version and a migration.

Lone surrogates (U+D800-U+DFFF not in a pair) are valid in a Python str but cannot be encoded
as UTF-8. Before saving, and again after reading (JSON may spell them as \\ud800 escapes), a
correct high+low pair is joined into the character it encodes and any lone one becomes U+FFFD «�».
Every other string, NUL and control characters included, round-trips exactly.
"""

from __future__ import annotations

import functools
import json
import math
import typing
from dataclasses import dataclass, fields, replace
from datetime import datetime, timezone
from typing import Any

from gamio_cli import __version__
from gamio_cli.errors import SaveError
from gamio_cli.settings import Settings
from gamio_cli.storage.migrations import CURRENT_VERSION, MigrationError, migrate
from gamio_cli.story import (
    Address,
    Alternative,
    AuthorNote,
    Gender,
    GlossaryEntry,
    Hero,
    MemoryEntry,
    Mode,
    Story,
    Turn,
    WorldEntry,
)

FORMAT = "gamio-story"
_TOP_KEYS = ("format", "version", "saved_at", "gamio_version", "scenario", "opening_ru",
             "opening_en", "memory", "turns", "settings", "note", "world", "glossary",
             "undone", "hero")  # fmt: skip
_TURN_KEYS = ("action_ru", "mode", "action_en", "continuation_en", "continuation_ru",
              "alternatives", "narrator", "language")  # fmt: skip
_LANGUAGES = ("en", "ru")
_PAIR_KEYS = ("ru", "en")
_WORLD_KEYS = ("keys", "ru", "en")
_HERO_KEYS = ("address", "gender")


@dataclass(frozen=True)
class Decoded:
    """A story read from a file, with the file's own record of when and by what it was saved."""

    story: Story
    saved_at: datetime  # timezone-aware, UTC
    gamio_version: str


def replace_lone_surrogates(text: str) -> str:
    """`text` made encodable as UTF-8: pairs joined, lone surrogates turned into U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def story_to_dict(story: Story, *, saved_at: datetime | None = None) -> dict[str, Any]:
    """The current-version JSON data of `story`; `saved_at` defaults to now (must be aware)."""
    when = (saved_at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    clean = replace_lone_surrogates
    return {
        "format": FORMAT,
        "version": CURRENT_VERSION,
        "saved_at": when.isoformat(timespec="milliseconds"),
        "gamio_version": __version__,
        "scenario": clean(story.scenario),
        "opening_ru": clean(story.opening_ru),
        "opening_en": clean(story.opening_en),
        "memory": [_pair(m.ru, m.en) for m in story.memory],
        "turns": [_turn_dict(t) for t in story.turns],
        "settings": {f.name: getattr(story.settings, f.name) for f in fields(Settings)},
        "note": _pair(story.note.ru, story.note.en) if story.note else None,
        "world": [
            {"keys": [clean(k) for k in w.keys], "ru": clean(w.text_ru), "en": clean(w.text_en)}
            for w in story.world
        ],
        "glossary": [_pair(g.ru, g.en) for g in story.glossary],
        "undone": [_turn_dict(t) for t in story.undone],
        "hero": {"address": story.hero.address.value, "gender": story.hero.gender.value},
    }


def _pair(ru: str, en: str) -> dict[str, str]:
    return {"ru": replace_lone_surrogates(ru), "en": replace_lone_surrogates(en)}


def _turn_dict(turn: Turn) -> dict[str, Any]:
    clean = replace_lone_surrogates
    return {
        "action_ru": clean(turn.action_ru),
        "mode": turn.mode.value,
        "action_en": clean(turn.action_en),
        "continuation_en": clean(turn.continuation_en),
        "continuation_ru": clean(turn.continuation_ru),
        "alternatives": [{"en": clean(a.en), "ru": clean(a.ru)} for a in turn.alternatives],
        "narrator": clean(turn.narrator),
        "language": turn.language,
    }


@functools.lru_cache(maxsize=1 << 15)
def _turn_json(turn: Turn) -> str:
    """One turn as json.dumps(indent=2) writes it inside the file's "turns" list.

    Turns are immutable, so a long story's autosave encodes only its new turns: re-encoding
    5 000 turns took most of an autosave's 170 ms (benchmarks/long_story.py). A JSON string
    never holds a raw newline, so every newline here is the layout's.
    """
    text = json.dumps(_turn_dict(turn), ensure_ascii=False, indent=2)
    return "    " + text.replace("\n", "\n    ")


def story_to_json(story: Story, *, saved_at: datetime | None = None) -> str:
    """The text of a story file: indented, Cyrillic as is, ending with a newline."""
    data = story_to_dict(replace(story, turns=[]), saved_at=saved_at)
    try:
        text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    except ValueError as error:  # NaN or infinity in the settings
        raise SaveError(
            f"История не сохранена: в настройках недопустимое число ({error})."
        ) from error
    if not story.turns:
        return text
    turns = ",\n".join(_turn_json(turn) for turn in story.turns)
    head, mark, tail = text.partition('\n  "turns": []')  # the one structural place
    return f'{head}\n  "turns": [\n{turns}\n  ]{tail}' if mark else text


def parse_json(text: str, source: str) -> object:
    """JSON data of a story file's text; SaveError naming `source` if it is not JSON."""
    if text.startswith("\ufeff"):  # a byte order mark added by some Windows editors
        text = text[1:]
    if not text.strip():
        raise SaveError(f"Сохранение «{source}» повреждено: файл пуст. Файл не изменён.")
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        where = f"строке {error.lineno}, столбце {error.colno}"
        stripped = text.strip()
        if stripped.startswith("{") and not stripped.endswith("}"):  # a story file ends with }
            problem = "файл обрывается на середине — похоже, запись не завершилась"
        else:
            problem = f"это не JSON: ошибка в {where}"
        raise SaveError(f"Сохранение «{source}» повреждено: {problem}. Файл не изменён.") from error


def _refuse_constant(name: str) -> object:
    raise json.JSONDecodeError(f"{name} is not allowed", name, 0)


def story_from_dict(data: object, source: str) -> Story:
    """The Story in JSON data of any known version; SaveError naming `source` if it is not one."""
    return decode(data, source).story


def decode(data: object, source: str) -> Decoded:
    """Like story_from_dict, also giving the file's saved_at and gamio_version."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SaveError(
            f'Файл «{source}» — не сохранение gamio: в нём нет метки "format": "{FORMAT}". '
            "Возможно, это чужой файл; gamio его не менял."
        )
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SaveError(
            f"Сохранение «{source}» повреждено: поле «version» должно быть целым числом от 1. "
            "Файл не изменён."
        )
    if version > CURRENT_VERSION:
        raise SaveError(
            f"Файл «{source}» создан более новой версией gamio, обновите gamio: "
            f"pip install --upgrade gamio. (Формат файла — версия {version}, а gamio {__version__} "
            f"понимает формат до версии {CURRENT_VERSION}.) Файл не изменён."
        )
    try:
        current = migrate(data, version)
    except MigrationError as error:
        raise SaveError(
            f"Сохранение «{source}» (старый формат, версия {version}) не удалось обновить: "
            f"{error}. Файл не изменён."
        ) from error
    return _Reader(source).decoded(current)


# How an expected JSON type is named in a message («должно быть строкой»).
_EXPECTED = {str: "строкой", int: "целым числом", float: "числом", bool: "true или false",
             list: "списком", dict: "объектом"}  # fmt: skip


def _kind(value: object) -> str:
    """The JSON type of a value in Russian, for «…, а в файле {kind}»."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "логическое значение"
    kinds = {
        int: "целое число",
        float: "дробное число",
        str: "строка",
        list: "список",
        dict: "объект",
    }
    return kinds.get(type(value), type(value).__name__)


class _Reader:
    """Strict, typed access to current-version data; every problem names the file and the field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, problem: str) -> SaveError:
        return SaveError(f"Сохранение «{self.source}» повреждено: {problem}. Файл не изменён.")

    def value(self, obj: dict[str, Any], key: str, path: str, expected: type) -> Any:
        where = f"{path}.{key}" if path else key
        if key not in obj:
            raise self.fail(f"нет поля «{where}»")
        value = obj[key]
        ok = isinstance(value, expected) and not isinstance(value, bool)
        if expected is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            ok = ok and math.isfinite(value)
        elif expected is bool:
            ok = isinstance(value, bool)
        if not ok:
            raise self.fail(
                f"поле «{where}» должно быть {_EXPECTED[expected]}, а в файле {_kind(value)}"
            )
        if expected is str:
            return replace_lone_surrogates(value)
        return float(value) if expected is float else value

    def keys(self, obj: object, allowed: tuple[str, ...], path: str) -> dict[str, Any]:
        if not isinstance(obj, dict):
            raise self.fail(f"поле «{path}» должно быть объектом, а в файле {_kind(obj)}")
        unknown = [k for k in obj if k not in allowed]
        if unknown:
            where = f"{path}.{unknown[0]}" if path else unknown[0]
            raise self.fail(f"неизвестное поле «{where}»")
        return obj

    def decoded(self, data: dict[str, Any]) -> Decoded:
        top = self.keys(data, _TOP_KEYS, "")
        story = Story(
            scenario=self.value(top, "scenario", "", str),
            opening_ru=self.value(top, "opening_ru", "", str),
            opening_en=self.value(top, "opening_en", "", str),
            memory=[MemoryEntry(*self.pair(e, p)) for e, p in self.items(top, "memory")],
            turns=[self.turn(turn, path) for turn, path in self.items(top, "turns")],
            settings=self.settings(self.value(top, "settings", "", dict)),
            note=self.note(top),
            world=[self.world_entry(entry, path) for entry, path in self.items(top, "world")],
            glossary=[GlossaryEntry(*self.pair(e, p)) for e, p in self.items(top, "glossary")],
            undone=[self.turn(turn, path) for turn, path in self.items(top, "undone")],
            hero=self.hero(self.value(top, "hero", "", dict)),
        )
        return Decoded(story, self.saved_at(top), self.value(top, "gamio_version", "", str))

    def items(self, obj: dict[str, Any], key: str, path: str = "") -> list[tuple[Any, str]]:
        """The elements of a list field, each with its path for messages («turns[3]»)."""
        where = f"{path}.{key}" if path else key
        return [(item, f"{where}[{i}]") for i, item in enumerate(self.value(obj, key, path, list))]

    def pair(self, entry: object, path: str) -> tuple[str, str]:
        obj = self.keys(entry, _PAIR_KEYS, path)
        return self.value(obj, "ru", path, str), self.value(obj, "en", path, str)

    def note(self, top: dict[str, Any]) -> AuthorNote | None:
        if "note" in top and top["note"] is None:
            return None
        return AuthorNote(*self.pair(self.value(top, "note", "", dict), "note"))

    def world_entry(self, entry: object, path: str) -> WorldEntry:
        obj = self.keys(entry, _WORLD_KEYS, path)
        keys = []
        for key, where in self.items(obj, "keys", path):
            if not isinstance(key, str):
                raise self.fail(f"поле «{where}» должно быть строкой, а в файле {_kind(key)}")
            keys.append(replace_lone_surrogates(key))
        ru, en = self.value(obj, "ru", path, str), self.value(obj, "en", path, str)
        return WorldEntry(tuple(keys), ru, en)

    def alternative(self, entry: object, path: str) -> Alternative:
        ru, en = self.pair(entry, path)
        return Alternative(en=en, ru=ru)

    def turn(self, turn: object, path: str) -> Turn:
        obj = self.keys(turn, _TURN_KEYS, path)
        mode = self.value(obj, "mode", path, str)
        try:
            parsed = Mode(mode)
        except ValueError:
            allowed = ", ".join(m.value for m in Mode)
            raise self.fail(
                f"неизвестный режим хода «{mode}» в поле «{path}.mode» (допустимы: {allowed})"
            ) from None
        language = self.value(obj, "language", path, str)
        if language not in _LANGUAGES:
            raise self.fail(f"поле «{path}.language» должно быть «en» или «ru», а в файле "
                            f"«{language}»")
        return Turn(
            action_ru=self.value(obj, "action_ru", path, str),
            mode=parsed,
            action_en=self.value(obj, "action_en", path, str),
            continuation_en=self.value(obj, "continuation_en", path, str),
            continuation_ru=self.value(obj, "continuation_ru", path, str),
            alternatives=tuple(
                self.alternative(item, where)
                for item, where in self.items(obj, "alternatives", path)
            ),
            narrator=self.value(obj, "narrator", path, str),
            language=language,
        )

    def hero(self, obj: dict[str, Any]) -> Hero:
        self.keys(obj, _HERO_KEYS, "hero")
        address = self.value(obj, "address", "hero", str)
        gender = self.value(obj, "gender", "hero", str)
        if address not in {a.value for a in Address}:
            raise self.fail(f"поле «hero.address» должно быть «ty» или «vy», а в файле «{address}»")
        if gender not in {g.value for g in Gender}:
            raise self.fail(
                "поле «hero.gender» должно быть «male», «female» или «unknown», "
                f"а в файле «{gender}»"
            )
        return Hero(Address(address), Gender(gender))

    def settings(self, obj: dict[str, Any]) -> Settings:
        hints = typing.get_type_hints(Settings)
        names = tuple(f.name for f in fields(Settings))
        self.keys(obj, names, "settings")
        values = {name: self.value(obj, name, "settings", hints[name]) for name in names}
        settings = Settings(**values)
        try:
            settings.validate()
        except ValueError as error:
            text = str(error)
            raise self.fail(f"в настройках {text[:1].lower()}{text[1:].rstrip('.')}") from None
        return settings

    def saved_at(self, top: dict[str, Any]) -> datetime:
        text = self.value(top, "saved_at", "", str)
        try:
            # Python 3.10 does not read a trailing "Z"; files written by hand may use it.
            when = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            raise self.fail(
                f"поле «saved_at» должно быть датой в формате ISO 8601, а в файле «{text}»"
            ) from None
        if when.tzinfo is None:  # a date without a zone is taken as UTC, like the ones we write
            when = when.replace(tzinfo=timezone.utc)
        return when.astimezone(timezone.utc)
