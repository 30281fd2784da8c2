"""Names of saved stories, as the player types them, made safe to use as file names.

A name becomes the file `<name>.json` inside the saves directory, so it must never reach outside
it and must work on Linux, macOS and Windows alike. Rather than trying to repair every trick
("../x", "C:\\x", "CON", a NUL byte), check_name refuses such a name with a message saying what is
allowed; only harmless normalisation is applied (NFC, any Unicode space (Zs) -> one plain space,
spaces stripped at both ends, a trailing ".json" dropped). make_name builds a valid name from any
text (a scenario title, say) for the game's own suggestions.
"""

from __future__ import annotations

import re
import unicodedata

from gamio_cli.errors import SaveError

# Longest name, in characters (what the player sees) and in UTF-8 bytes (what the file system
# counts: 255 bytes per file name). 200 bytes leave room for the longest derived file name,
# ".<name>.json.bak.<8 hex>.tmp" (name + 23 bytes).
MAX_NAME_CHARS = 100
MAX_NAME_BYTES = 200

FORBIDDEN_CHARS = '/\\:*?"<>|'  # separators, and what Windows refuses in file names
# Windows refuses these as the part of a file name before its first dot, in any letter case.
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"} | {
    f"{port}{n}" for port in ("COM", "LPT") for n in ("0123456789¹²³")
}
# Invisible format characters are refused (bidi overrides can disguise a name), except the
# joiners that emoji sequences and some scripts need.
_ALLOWED_FORMAT_CHARS = {"\u200c", "\u200d"}
_SPACES = re.compile(" +")

RULES = (
    "Имя сохранения может состоять из букв (русских и любых других), цифр, пробелов, эмодзи и "
    'знаков вроде - _ . , ! ( ); нельзя использовать / \\ : * ? " < > | и управляющие символы, '
    "начинать имя с точки или дефиса и заканчивать точкой. Длина — до "
    f"{MAX_NAME_CHARS} символов. Например: «моя история»."
)


def _normalize(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    name = "".join(" " if unicodedata.category(c) == "Zs" else c for c in name)
    name = _SPACES.sub(" ", name).strip()
    if name.lower().endswith(".json"):
        name = name[: -len(".json")].rstrip()
    return name


def _problem(name: str) -> str | None:
    """What is wrong with a normalized name, in Russian, or None."""
    if not name:
        return "имя пустое"
    for char in name:
        category = unicodedata.category(char)
        if char in FORBIDDEN_CHARS:
            return f"в имени есть недопустимый знак «{char}»"
        if category in ("Cc", "Cs", "Zl", "Zp") or (
            category == "Cf" and char not in _ALLOWED_FORMAT_CHARS
        ):
            return f"в имени есть управляющий или невидимый символ U+{ord(char):04X}"
    if name[0] in ".-":
        return f"имя не может начинаться с «{name[0]}»"
    if name.endswith("."):
        return "имя не может заканчиваться точкой"
    if name.split(".")[0].rstrip().upper() in _RESERVED:
        return f"имя «{name.split('.')[0]}» зарезервировано в Windows"
    if len(name) > MAX_NAME_CHARS or len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return "имя слишком длинное"
    return None


def check_name(name: str) -> str:
    """The normalized save name, or SaveError explaining what names are allowed."""
    normalized = _normalize(name)
    problem = _problem(normalized)
    if problem:
        shown = normalized if len(normalized) <= 40 else normalized[:40] + "…"
        shown = "".join(c if c.isprintable() else "�" for c in shown)
        raise SaveError(f"Недопустимое имя сохранения «{shown}»: {problem}. {RULES}")
    return normalized


def make_name(text: str, fallback: str = "история") -> str:
    """A valid save name made from any text: bad characters become spaces, length is cut."""
    chars = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        bad = char in FORBIDDEN_CHARS or category in ("Cc", "Cs", "Zl", "Zp")
        bad = bad or (category == "Cf" and char not in _ALLOWED_FORMAT_CHARS)
        chars.append(" " if bad else char)
    name = _normalize("".join(chars)).lstrip(".- ").rstrip(". ")
    name = fit_name(name, MAX_NAME_CHARS, MAX_NAME_BYTES)
    if _problem(name) is not None:
        name = fallback
    return name


def fit_name(name: str, max_chars: int, max_bytes: int) -> str:
    """`name` cut to at most max_chars characters and max_bytes UTF-8 bytes, no end dots/spaces."""
    name = name[:max_chars]
    while len(name.encode("utf-8")) > max_bytes:
        name = name[:-1]
    return name.rstrip(". ")
