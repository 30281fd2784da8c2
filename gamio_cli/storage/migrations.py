"""Old story files are upgraded step by step: version N -> N+1, one small function per step.

How to change the file format (to add a glossary, world info, an author's note, undone turns,
the hero, each turn's narrator):
1. Write `_vN_to_vN1(data) -> data` that turns a version-N dict into a version-N+1 dict; a new
   field gets an explicit literal value (e.g. "glossary": []), never a default imported from the
   current code, because current defaults may change while an old migration must not.
2. Append it to MIGRATIONS; CURRENT_VERSION follows.
3. Teach codec.py to write and read the new field; keep a vN fixture in tests/fixtures/saves/.
Migrations take and return plain JSON data (dicts, lists, str, numbers) and never mutate their
input. Structural problems raise MigrationError with a Russian description; codec.py adds the
file's name. Field types are checked once, by codec.py, after the last migration.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

JsonDict = dict[str, Any]
Migration = Callable[[JsonDict], JsonDict]


class MigrationError(ValueError):
    """An old file's structure cannot be upgraded; str(error) is a Russian description."""


def _v1_to_v2(data: JsonDict) -> JsonDict:
    """gamio 0.0.x (version 1) -> version 2.

    Version 1 kept the opening as {"opening": {"ru", "en"}}, memory as [ru, en] pairs, the turns
    as a flat "history" list of alternating player and model entries, and the settings under
    AI Dungeon 2's short names ("temp", "rep_pen", "length", "history_length"), without top_k:
    version 1 always sampled with top_k 40, so that value is written here.
    """
    upgraded = {k: v for k, v in data.items() if k not in ("opening", "history", "settings")}
    opening = data.get("opening")
    if not isinstance(opening, dict):
        raise MigrationError("в файле версии 1 нет объекта «opening» с полями ru и en")
    upgraded["opening_ru"] = opening.get("ru")
    upgraded["opening_en"] = opening.get("en")
    upgraded["memory"] = [
        _v1_memory_entry(i, pair) for i, pair in enumerate(_v1_list(data, "memory"))
    ]
    upgraded["turns"] = _v1_turns(_v1_list(data, "history"))
    upgraded["settings"] = _v1_settings(data.get("settings"))
    upgraded["version"] = 2
    return upgraded


def _v1_list(data: JsonDict, key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise MigrationError(f"в файле версии 1 поле «{key}» должно быть списком")
    return value


def _v1_memory_entry(index: int, pair: object) -> JsonDict:
    if not (isinstance(pair, list) and len(pair) == 2):
        raise MigrationError(f"в файле версии 1 запись memory[{index}] должна быть парой [ru, en]")
    return {"ru": pair[0], "en": pair[1]}


def _v1_turns(history: list[Any]) -> list[JsonDict]:
    """Pair each player entry with the model entry that follows it."""
    if len(history) % 2:
        raise MigrationError(
            "в файле версии 1 последний ход не закончен: после действия нет ответа"
        )
    turns = []
    for i in range(0, len(history), 2):
        player, model = history[i], history[i + 1]
        if not (isinstance(player, dict) and player.get("role") == "player"):
            raise MigrationError(
                f"в файле версии 1 запись history[{i}] должна быть действием игрока"
            )
        if not (isinstance(model, dict) and model.get("role") == "model"):
            raise MigrationError(
                f"в файле версии 1 запись history[{i + 1}] должна быть ответом модели"
            )
        turns.append(
            {
                "action_ru": player.get("ru"),
                "mode": player.get("mode"),
                "action_en": player.get("en"),
                "continuation_en": model.get("en"),
                "continuation_ru": model.get("ru"),
            }
        )
    return turns


# Version-1 setting name -> version-2 name.
_V1_SETTING_NAMES = {
    "temp": "temperature",
    "top_p": "top_p",
    "rep_pen": "repetition_penalty",
    "length": "max_new_tokens",
    "history_length": "history_actions",
}


def _v1_settings(settings: object) -> JsonDict:
    if not isinstance(settings, dict):
        raise MigrationError("в файле версии 1 поле «settings» должно быть объектом")
    unknown = sorted(set(settings) - set(_V1_SETTING_NAMES))
    if unknown:
        raise MigrationError(f"в файле версии 1 неизвестная настройка «{unknown[0]}»")
    renamed = {new: settings[old] for old, new in _V1_SETTING_NAMES.items() if old in settings}
    renamed["top_k"] = 40
    return renamed


def _v2_to_v3(data: JsonDict) -> JsonDict:
    """Version 2 -> 3: the adventure toolkit's fields, empty in an older story.

    New: "note" (the author's note, null or {ru, en}), "world" (world info entries), "glossary"
    (names that keep their form across translation), "undone" (turns removed by /undo, for
    /redo) and, in each turn, "alternatives" (earlier continuations kept by /retry).
    """
    turns = data.get("turns")
    if not isinstance(turns, list):
        raise MigrationError("в файле версии 2 поле «turns» должно быть списком")
    upgraded = dict(data)
    upgraded["turns"] = [
        {**turn, "alternatives": []} if isinstance(turn, dict) else turn for turn in turns
    ]
    upgraded.update(note=None, world=[], glossary=[], undone=[], version=3)
    return upgraded


def _v3_to_v4(data: JsonDict) -> JsonDict:
    """Version 3 -> 4: the hero's form of address and gender («hero»), which the Russian text
    agrees with. An older story was written for any hero: «ты», gender unknown."""
    upgraded = dict(data)
    upgraded.update(hero={"address": "ty", "gender": "unknown"}, version=4)
    return upgraded


def _v4_to_v5(data: JsonDict) -> JsonDict:
    """Version 4 -> 5: each turn (and each undone one) records which narrator wrote it and in
    which language («narrator», «language»), as a story may switch narrator between sessions.
    Every older turn was written in English by a local model whose name was not kept: "", "en"."""
    upgraded = dict(data)
    for key in ("turns", "undone"):
        turns = data.get(key)
        if not isinstance(turns, list):
            raise MigrationError(f"в файле версии 4 поле «{key}» должно быть списком")
        upgraded[key] = [
            {**turn, "narrator": "", "language": "en"} if isinstance(turn, dict) else turn
            for turn in turns
        ]
    upgraded["version"] = 5
    return upgraded


# MIGRATIONS[i] upgrades version i + 1 to version i + 2.
MIGRATIONS: tuple[Migration, ...] = (_v1_to_v2, _v2_to_v3, _v3_to_v4, _v4_to_v5)
CURRENT_VERSION = len(MIGRATIONS) + 1


def migrate(data: JsonDict, version: int) -> JsonDict:
    """Upgrade `data` of format `version` (1..CURRENT_VERSION) to CURRENT_VERSION."""
    if not 1 <= version <= CURRENT_VERSION:
        raise ValueError(f"no migration path from version {version}")
    for step in MIGRATIONS[version - 1 :]:
        data = step(data)
    return data
