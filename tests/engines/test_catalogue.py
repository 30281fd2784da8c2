"""The shipped model catalogue: every entry complete and sane, fallbacks known, names unique,
and the lookups the command line and the narrators use."""

from __future__ import annotations

import pytest

from gamio_cli.engines import catalogue
from gamio_cli.engines.catalogue import LANGUAGES, ROLES, entries
from gamio_cli.model import DEFAULT_EN_RU, DEFAULT_GENERATOR, DEFAULT_RU_EN
from gamio_cli.settings import Settings

SAMPLER_KEYS = set(Settings.__dataclass_fields__)


def test_every_entry_has_every_field_with_a_sane_value() -> None:
    assert len(entries()) >= 10
    for entry in entries():
        assert entry.role in ROLES and entry.language in LANGUAGES, entry
        assert entry.size_mb > 0 and entry.ram_mb > 0 and entry.licence and entry.note, entry
        assert entry.prompt in ("aid2", "marian", "marian-target"), entry
        assert (entry.prompt == "marian-target") == (entry.target_token is not None), entry
        assert set(entry.sampler) <= SAMPLER_KEYS, entry
        assert entry.id.count("/") == 1 and entry.name == entry.name.lower(), entry


def test_fallbacks_are_known_ids_of_the_same_role_and_never_the_entry_itself() -> None:
    for entry in entries():
        for fallback in entry.fallbacks:
            other = catalogue.by_id(fallback)
            assert other is not None and other.role == entry.role and other.id != entry.id


def test_ids_are_unique_and_short_names_unique_within_a_role() -> None:
    ids = [entry.id.lower() for entry in entries()]
    names = [(entry.role, entry.name) for entry in entries()]
    assert len(ids) == len(set(ids)) and len(names) == len(set(names))


def test_one_default_per_role_and_it_is_the_games_default() -> None:
    for role in ROLES:
        assert len([e for e in entries() if e.role == role and e.default]) == 1
    assert catalogue.default_of("generator").id == DEFAULT_GENERATOR
    assert catalogue.default_of("ru-en").id == DEFAULT_RU_EN
    assert catalogue.default_of("en-ru").id == DEFAULT_EN_RU


@pytest.mark.parametrize(
    ("value", "role", "expected"),
    [
        ("aid2", "generator", "lukasstraub2/gpt2-aidungeon2"),
        ("GPT2-XL", "generator", "openai-community/gpt2-xl"),
        ("opus-tc-big", "ru-en", "Helsinki-NLP/opus-mt-tc-big-zle-en"),
        ("opus-tc-big", "en-ru", "Helsinki-NLP/opus-mt-tc-big-en-zle"),
        ("opus-tc-big", "generator", "opus-tc-big"),  # not a generator's name: unchanged
        ("some/repo", "generator", "some/repo"),
        ("./models/aid2", "generator", "./models/aid2"),
    ],
)
def test_short_names_expand_within_their_role(value: str, role: str, expected: str) -> None:
    assert catalogue.expand(value, role) == expected


def test_language_of_names_and_ids() -> None:
    assert catalogue.language_of("0x7194633/gameGPT") == "en"
    assert catalogue.language_of("0x7194633/gameGPT-medium") == "ru"
    assert catalogue.language_of("gamegpt-large") == "ru"
    assert catalogue.language_of("someone/unknown") is None


def test_a_broken_catalogue_names_the_entry() -> None:
    with pytest.raises(ValueError, match="model #1 lacks"):
        catalogue.parse('[[model]]\nname = "x"\n')
