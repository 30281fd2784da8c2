"""The settings file (config.toml in the user config directory; `gamio config path`).

Its keys are `gamio play`'s options, read off the command's declared click parameters (so an
option added to play becomes a key by itself), and the sampler defaults of new stories
(settings.Settings' fields). Precedence is click's own: command line > environment variable >
this file (handed to click as the context's default_map) > built-in default. A file that does
not parse, an unknown key or a bad value stops every command but `gamio config` with one
Russian line naming the file, the key and what is allowed.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gamio_cli.commandline.frame import CHOICES_ATTRIBUTE, CLICK
from gamio_cli.engines.catalogue import expand
from gamio_cli.errors import os_reason
from gamio_cli.settings import Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SAMPLER_KEYS = tuple(Settings.__dataclass_fields__)
# Values never shown (an API key a later option may take): only whether one is set.
SECRET_MARKERS = ("key", "token", "secret", "password")
# play's model options and their catalogue roles (a short name is shown with its hub id).
MODEL_ROLES = {"generator": "generator", "ru_en": "ru-en", "en_ru": "en-ru"}
# Where the file's settings wait for the play command (click's ctx.meta is shared by a run).
META_KEY = "gamio.config"
# Commands that read no settings, so that a broken file can still be found and shown.
UNCONFIGURED = ("config",)
SOURCES_RU = {"COMMANDLINE": "командная строка", "DEFAULT_MAP": "файл настроек",
              "DEFAULT": "по умолчанию", "PROMPT": "ответ на вопрос"}  # fmt: skip


@dataclass(frozen=True)
class FileSettings:
    """What a settings file says, checked: play's option values and the sampler's."""

    path: Path
    play: dict[str, Any] = field(default_factory=dict)
    sampler: dict[str, Any] = field(default_factory=dict)

    def default_map(self) -> dict[str, Any]:
        """click's default_map for the whole command tree: play's values; the saves folder
        for the commands outside the game too."""
        tree: dict[str, Any] = {"play": dict(self.play)}
        if self.play.get("saves_dir") is not None:
            folder = {"saves_dir": self.play["saves_dir"]}
            tree["saves"] = {**folder, "rm": dict(folder), "mv": dict(folder)}
            tree["export"] = dict(folder)
        return tree

    def settings(self, recommended: dict[str, Any] | None = None) -> Settings | None:
        """The sampler defaults for new stories: the file's, over what the generator's
        authors recommend (the catalogue's), over the built-in ones (None: all built-in)."""
        values = {**(recommended or {}), **self.sampler}
        return Settings(**values) if values else None


def play_of(ctx: Any) -> Any:
    """`gamio play`'s click command, from any context of this run."""
    return ctx.find_root().command.commands["play"]


def bad(path: Path, text: str) -> Any:
    """One Russian line naming the file: every problem with the file ends here."""
    return CLICK.UsageError(f"файл настроек {path}: {text}")


def read(play: Any, path: Path) -> FileSettings:
    """The checked settings of the file at path (none when it does not exist)."""
    if not path.exists():
        return FileSettings(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise bad(path, "файл не в кодировке UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise bad(path, f"это не TOML ({error})") from None
    except OSError as error:
        raise bad(path, os_reason(error)) from None
    params = {param.name: param for param in play.params if param.name}
    values: dict[str, Any] = {}
    sampler: dict[str, Any] = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name in params:
            values[name] = _checked(path, key, params[name], value)
        elif name in SAMPLER_KEYS:
            sampler[name] = _sampler_value(path, key, value)
        else:
            allowed = ", ".join([*params, *SAMPLER_KEYS])
            raise bad(path, f"неизвестный ключ «{key}». Допустимые ключи: {allowed}")
    try:
        Settings(**sampler).validate()
    except ValueError as error:
        raise bad(path, str(error)) from None
    return FileSettings(path, values, sampler)


def _checked(path: Path, key: str, param: Any, value: Any) -> Any:
    """value when play's param accepts it, else the one-line error saying what is allowed."""
    choices = getattr(param.callback, CHOICES_ATTRIBUTE, None)
    if choices is not None:
        if not (isinstance(value, str) and value.strip().lower() in choices):
            raise bad(path, f"ключ «{key}» = {value!r}: выберите {', '.join(choices)}")
        return value
    if getattr(param, "is_flag", False):
        if not isinstance(value, bool):
            raise bad(path, f"ключ «{key}» = {value!r}: нужно true или false")
        return value
    kind, minimum = _annotation(param)
    if kind in (str, Path) and not isinstance(value, str):
        raise bad(path, f"ключ «{key}» = {value!r}: нужна строка в кавычках")
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise bad(path, f"ключ «{key}» = {value!r}: нужно целое число")
    if kind is int and minimum is not None and value < minimum:
        raise bad(path, f"ключ «{key}» = {value!r}: нужно целое число от {minimum}")
    # A folder written as "~/…" means the home folder (no shell expands it in a file).
    return str(Path(value).expanduser()) if kind is Path else value


def _annotation(param: Any) -> tuple[Any, Any]:
    """(the Python type, the minimum or None) of a declared option, on typer old and new:
    typer 0.2x keeps them in type_descriptor, older ones in click's param.type."""
    described = getattr(param, "type_descriptor", None)
    if described is not None:
        return described.annotation, getattr(described.parameter_info, "min", None)
    click_type = getattr(param, "type", None)
    names = {"text": str, "path": Path, "integer": int, "integer range": int, "boolean": bool}
    return names.get(getattr(click_type, "name", ""), None), getattr(click_type, "min", None)


def _sampler_value(path: Path, key: str, value: Any) -> Any:
    kind = type(getattr(Settings(), key.replace("-", "_")))
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
        kind is int and not isinstance(value, int)
    ):
        wanted = "целое число" if kind is int else "число"
        raise bad(path, f"ключ «{key}» = {value!r}: нужно {wanted}")
    return kind(value)


def effective(play: Any, found: FileSettings) -> list[tuple[str, str, str]]:
    """(key, value, where it comes from) for every key: what `gamio play` would use now."""
    ctx = play.make_context("play", [], default_map=found.play, resilient_parsing=True)
    rows = []
    for param in play.params:
        source = ctx.get_parameter_source(param.name)
        where = SOURCES_RU.get(source.name if source else "DEFAULT", "по умолчанию")
        if source is not None and source.name == "ENVIRONMENT":
            where = f"переменная {_env_name(param)}"
        value = _shown(param.name, ctx.params.get(param.name))
        role = MODEL_ROLES.get(param.name)
        if role is not None and expand(value, role) != value:
            value = f"{value} ({expand(value, role)})"
        rows.append((param.name, value, where))
    defaults = Settings()
    for key in SAMPLER_KEYS:
        if key in found.sampler:
            rows.append((key, _shown(key, found.sampler[key]), "файл настроек"))
        else:
            rows.append((key, _shown(key, getattr(defaults, key)), "по умолчанию"))
    return rows


def current_models(play: Any, found: FileSettings) -> dict[str, str]:
    """The model each role uses with these settings (and the environment): hub id or folder."""
    ctx = play.make_context("play", [], default_map=found.play, resilient_parsing=True)
    return {role: expand(str(ctx.params[name]), role) for name, role in MODEL_ROLES.items()
            if ctx.params.get(name)}


def current_params(play: Any, found: FileSettings) -> dict[str, Any]:
    """Every `gamio play` option's value with these settings and the environment."""
    ctx = play.make_context("play", [], default_map=found.play, resilient_parsing=True)
    return dict(ctx.params)


def _env_name(param: Any) -> str:
    envvar = param.envvar
    return envvar if isinstance(envvar, str) else ", ".join(envvar or ())


def _shown(key: str, value: Any) -> str:
    if set(key.lower().replace("-", "_").split("_")) & set(SECRET_MARKERS):
        return "задан" if value else "не задан"
    if value is None:
        return "не задано"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
