"""The tiny models do what their tables promise, loaded through plain transformers as the game
loads the real ones (from_pretrained of the saved directories)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tiny.build import TinyModels
from tests.tiny.tables import CONTINUATIONS, EN_RU, NARRATION, RU_EN, action_line

# The game's sampling (Settings defaults): temperature 0.4, top_p 0.9, top_k 40, penalty 1.2.
GAME_SAMPLING: dict[str, Any] = {
    "do_sample": True, "temperature": 0.4, "top_p": 0.9, "top_k": 40, "repetition_penalty": 1.2
}

# Story text the generator never saw (its training draws on other words): the answer must come
# from the last action line whatever stands before it.
PROSE = (
    "The caravan had been travelling for eleven days when the camels refused to go on. "
    "Mirela, the cartographer, unfolded her oldest map and traced the dry riverbed with a "
    "finger stained by ink and sand. Somewhere beyond the red dunes lay the abandoned "
    "observatory her teacher had described: a copper dome, a staircase of ninety-nine steps, "
    "and a telescope pointed at a star that no longer exists. The guide spat, muttered about "
    "ghosts and thieves, and demanded twice his wages. Mirela paid him without arguing."
)
GAME_LIKE = (
    "You are a knight in an old castle. You have a lamp.\n"
    "You serve a forgetful queen.\n"
    "> You look around.\nYou see a dark forest.\n"
    "> You take the sword.\nThe sword is heavy.\n"
    "[Author's note: Keep the tone grim.]\n"
    "A storm begins.\nLightning flashes.\n"
    "> You open the door.\nThe door creaks open. A dragon sleeps inside.\n"
    "> You dance.\nNothing happens."
)


def _prefixes() -> dict[str, str]:
    return {
        "none": "",
        "opening": "You are a knight in an old castle. You have a lamp.",
        "game": GAME_LIKE,
        "prose": PROSE,  # 250-300 tokens
        "prose+game": PROSE[-300:] + "\n" + GAME_LIKE,
    }


# --- translators ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def marian(tiny_models: TinyModels) -> dict[str, tuple[Any, Any]]:
    from transformers import MarianMTModel, MarianTokenizer

    return {
        name: (MarianTokenizer.from_pretrained(path), MarianMTModel.from_pretrained(path).eval())
        for name, path in (("ru_en", tiny_models.ru_en), ("en_ru", tiny_models.en_ru))
    }


def _translate(pair: tuple[Any, Any], text: str, **generate: Any) -> str:
    import torch

    tok, model = pair
    with torch.no_grad():
        out = model.generate(**tok(text, return_tensors="pt"), **generate)
    return str(tok.decode(out[0], skip_special_tokens=True))


@pytest.mark.parametrize(("name", "table"), [("ru_en", RU_EN), ("en_ru", EN_RU)])
def test_translators_say_their_tables_exactly(
    marian: dict[str, tuple[Any, Any]], name: str, table: dict[str, str]
) -> None:
    for source, target in table.items():
        got = _translate(marian[name], source)
        assert got.encode("utf-8") == target.encode("utf-8"), (source, got)  # ё included


@pytest.mark.parametrize(("name", "table"), [("ru_en", RU_EN), ("en_ru", EN_RU)])
def test_beam_search_agrees(
    marian: dict[str, tuple[Any, Any]], name: str, table: dict[str, str]
) -> None:
    for source, target in table.items():
        assert _translate(marian[name], source, num_beams=4) == target


@pytest.mark.parametrize("name", ["ru_en", "en_ru"])
def test_marian_files_are_laid_out_as_opus_mt(tiny_models: TinyModels, name: str) -> None:
    folder: Path = getattr(tiny_models, name)
    for file in ("source.spm", "target.spm", "vocab.json", "config.json", "model.safetensors"):
        assert (folder / file).is_file(), file
    vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    pad = vocab["<pad>"]
    assert (vocab["</s>"], vocab["<unk>"], pad) == (0, 1, len(vocab) - 1)
    generation = json.loads((folder / "generation_config.json").read_text(encoding="utf-8"))
    assert generation["decoder_start_token_id"] == generation["pad_token_id"] == pad
    assert generation["bad_words_ids"] == [[pad]] and generation["eos_token_id"] == 0


def test_pad_embedding_stays_zero(marian: dict[str, tuple[Any, Any]]) -> None:
    """opus-mt keeps the <pad> row at zero; the tied output layer then never favours it."""
    for tok, model in marian.values():
        assert not model.get_input_embeddings().weight[tok.pad_token_id].any()


def test_russian_text_survives_the_sentencepiece_models(marian: dict[str, tuple[Any, Any]]) -> None:
    """No normalisation: the identity rule keeps every byte (ё, capitals, punctuation)."""
    ru_tok = marian["ru_en"][0]
    for text in RU_EN:
        assert ru_tok.decode(ru_tok(text)["input_ids"], skip_special_tokens=True) == text
    en_ru_tok = marian["en_ru"][0]
    for text in EN_RU.values():
        ids = en_ru_tok(text_target=text)["input_ids"]
        assert en_ru_tok.decode(ids, skip_special_tokens=True) == text


# --- story generator --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gpt2(tiny_models: TinyModels) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    return (
        AutoTokenizer.from_pretrained(tiny_models.generator),
        AutoModelForCausalLM.from_pretrained(tiny_models.generator).eval(),
    )


def _continue(gpt2: tuple[Any, Any], prompt: str, max_new_tokens: int, **generate: Any) -> str:
    import torch

    tok, model = gpt2
    ids = tok(prompt, return_tensors="pt")
    with torch.no_grad():
        out = model.generate(**ids, max_new_tokens=max_new_tokens, **generate)
    return str(tok.decode(out[0, ids["input_ids"].shape[1]:]))


def test_generator_tokenizer_loads_both_ways(tiny_models: TinyModels) -> None:
    from transformers import AutoTokenizer, GPT2Tokenizer

    folder = tiny_models.generator
    for file in ("vocab.json", "merges.txt", "tokenizer.json", "generation_config.json"):
        assert (folder / file).is_file(), file
    plain, auto = GPT2Tokenizer.from_pretrained(folder), AutoTokenizer.from_pretrained(folder)
    story = _prefixes()["game"]
    assert plain(story)["input_ids"] == auto(story)["input_ids"]
    assert 500 <= len(auto) <= 2000
    generation = json.loads((folder / "generation_config.json").read_text(encoding="utf-8"))
    assert generation["eos_token_id"] == auto.convert_tokens_to_ids("<|endoftext|>")


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(codec="utf-8"), max_size=40))
def test_byte_level_tokenizer_round_trips_any_text(gpt2: tuple[Any, Any], text: str) -> None:
    tok = gpt2[0]
    assert tok.decode(tok(text)["input_ids"]) == text


def test_prose_prefix_is_long(gpt2: tuple[Any, Any]) -> None:
    assert 250 <= len(gpt2[0](PROSE)["input_ids"]) <= 320


@pytest.mark.parametrize("prefix", sorted(_prefixes()))
@pytest.mark.parametrize(("action", "answer"), sorted(CONTINUATIONS.items()))
def test_generator_answers_the_last_action_line(
    gpt2: tuple[Any, Any], prefix: str, action: str, answer: str
) -> None:
    import torch

    prompt = _prefixes()[prefix] + action_line(action)
    expected = answer + "\n>"
    # Enough tokens for the answer and the marker: sampled tokens do not depend on the limit.
    room = len(gpt2[0](expected)["input_ids"]) + 1
    for penalty in (1.0, 1.2):  # greedy, plain and with the game's repetition penalty
        greedy = _continue(gpt2, prompt, room, do_sample=False, repetition_penalty=penalty)
        assert greedy.startswith(expected), penalty
    for seed in (0, 1, 2):
        torch.manual_seed(seed)
        assert _continue(gpt2, prompt, room, **GAME_SAMPLING).startswith(expected), seed


def test_narration_lines_are_the_table_ones() -> None:
    assert NARRATION <= CONTINUATIONS.keys()
    assert action_line("A storm begins.") == "\nA storm begins.\n"
    assert action_line("You go north.") == "\n> You go north.\n"


def test_game_settings_end_on_the_action_marker(gpt2: tuple[Any, Any]) -> None:
    """With the game's own budget the model writes the answer, then the next "\\n>"."""
    import torch

    torch.manual_seed(7)
    text = _continue(gpt2, GAME_LIKE + action_line("You go north."), 55, **GAME_SAMPLING)
    assert text.startswith(CONTINUATIONS["You go north."] + "\n>")
