"""MarianTranslator on the tiny real ru->en / en->ru models: tables, sentences, lines, cache, cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gamio_cli.engine import CancelToken
from gamio_cli.engines.hf.translator import MarianTranslator
from gamio_cli.errors import Cancelled
from gamio_cli.model import load_translator
from tests.tiny.build import TinyModels
from tests.tiny.tables import EN_RU, RU_EN


@pytest.fixture(scope="module")
def ru_en(tiny_models: TinyModels) -> MarianTranslator:
    return load_translator(str(tiny_models.ru_en), "cpu")


@pytest.fixture(scope="module")
def en_ru(tiny_models: TinyModels) -> MarianTranslator:
    return load_translator(str(tiny_models.en_ru), "cpu")


def _count_runs(translator: MarianTranslator, after: Callable[[int], None] | None = None) -> list[Any]:
    """Wrap the real model's generate so a test sees each input it runs on."""
    inputs: list[Any] = []
    generate = translator.model.generate

    def counting(*args: Any, **kwargs: Any) -> Any:
        inputs.append(kwargs["input_ids"])
        output = generate(*args, **kwargs)
        if after is not None:
            after(len(inputs))
        return output

    translator.model.generate = counting
    return inputs


@pytest.mark.parametrize(("russian", "english"), sorted(RU_EN.items()))
def test_ru_en_table(ru_en: MarianTranslator, russian: str, english: str) -> None:
    assert ru_en.translate(russian) == english


@pytest.mark.parametrize(("english", "russian"), sorted(EN_RU.items()))
def test_en_ru_table(en_ru: MarianTranslator, english: str, russian: str) -> None:
    assert en_ru.translate(english) == russian


def test_several_sentences_are_translated_one_by_one(ru_en: MarianTranslator) -> None:
    text = "Ты рыцарь в старом замке. У меня есть лампа. Начинается гроза."
    assert ru_en.translate(text) == "You are a knight in an old castle. I have a lamp. A storm begins."


def test_several_english_sentences(en_ru: MarianTranslator) -> None:
    text = "The door creaks open. A dragon sleeps inside."
    assert en_ru.translate(text) == "Дверь со скрипом открывается. Внутри спит дракон."


def test_newlines_are_kept(en_ru: MarianTranslator) -> None:
    text = "The door creaks open. A dragon sleeps inside.\n\nThe sword is heavy.\nNothing happens."
    assert en_ru.translate(text) == (
        "Дверь со скрипом открывается. Внутри спит дракон.\n\nМеч тяжёлый.\nНичего не происходит."
    )


@pytest.mark.parametrize("text", ["", " ", "\n", " \n\t\n "])
def test_blank_text_gives_empty_string(ru_en: MarianTranslator, text: str) -> None:
    assert ru_en.translate(text) == ""


# Sentences with an end mark may sit anywhere in a line; the others only last. After an end
# mark only a capital letter starts a new sentence ("Гроза. иду" stays one sentence).
_ENDED = sorted(ru for ru in RU_EN if ru.endswith("."))
_CAPITAL = sorted(ru for ru in RU_EN if ru[0].isupper())
_line: st.SearchStrategy[tuple[list[str], str]] = st.one_of(
    st.tuples(st.just([]), st.sampled_from(sorted(RU_EN))),
    st.tuples(st.lists(st.sampled_from(_ENDED), min_size=1, max_size=2), st.sampled_from(_CAPITAL)),
)


@settings(max_examples=25, deadline=None)
@given(st.lists(_line, min_size=1, max_size=4))
def test_any_mix_of_lines_and_sentences(ru_en: MarianTranslator, lines: list[tuple[list[str], str]]) -> None:
    text = "\n".join(" ".join([*ended, last]) for ended, last in lines)
    expected = "\n".join(" ".join(RU_EN[s] for s in [*ended, last]) for ended, last in lines)
    assert ru_en.translate(text) == expected


def test_same_sentence_is_never_translated_twice(tiny_models: TinyModels) -> None:
    translator = load_translator(str(tiny_models.ru_en), "cpu")
    runs = _count_runs(translator)
    first = translator.translate("Начинается гроза. Привет")
    assert len(runs) == 2
    assert translator.translate("Начинается гроза. Привет") == first
    assert translator.translate("Привет\nНачинается гроза.") == "Hello.\nA storm begins."
    assert len(runs) == 2
    assert translator.translate("иду на север") == "I go north."
    assert len(runs) == 3


def test_cancel_between_sentences(tiny_models: TinyModels) -> None:
    translator = load_translator(str(tiny_models.ru_en), "cpu")
    cancel = CancelToken()
    runs = _count_runs(translator, after=lambda count: cancel.cancel())
    with pytest.raises(Cancelled):
        translator.translate("Начинается гроза. У меня есть лампа. Привет", cancel)
    assert len(runs) == 1
    cancel.reset()
    # The sentence finished before the cancel is cached; the rest runs now.
    assert translator.translate("Начинается гроза. Привет", cancel) == "A storm begins. Hello."
    assert len(runs) == 2


def test_cancel_before_start_runs_nothing(tiny_models: TinyModels) -> None:
    translator = load_translator(str(tiny_models.ru_en), "cpu")
    runs = _count_runs(translator)
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        translator.translate("Привет", cancel)
    assert runs == []


def test_overlong_sentence_is_split_to_fit(tiny_models: TinyModels) -> None:
    """One run-on "sentence" longer than the model's input limit must not crash or vanish."""
    translator = load_translator(str(tiny_models.ru_en), "cpu")
    runs = _count_runs(translator)
    text = " ".join(["меч"] * (2 * translator.max_tokens + 10))  # every word is >= 1 token
    assert translator._count(text) > translator.max_tokens
    result = translator.translate(text)
    assert len(runs) >= 2
    assert all(ids.shape[1] <= translator.max_tokens + 1 for ids in runs)
    assert isinstance(result, str)


def test_a_single_target_model_gets_no_target_token(en_ru: MarianTranslator) -> None:
    assert en_ru.target_token is None


def test_a_multi_target_model_gets_the_russian_token_before_every_sentence(
    en_ru: MarianTranslator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """opus-mt-tc-big-en-zle writes three languages: each sentence must start with >>rus<<."""
    codes = property(lambda self: [">>bel<<", ">>rus<<", ">>ukr<<"])
    monkeypatch.setattr(type(en_ru.tokenizer), "supported_language_codes", codes, raising=False)
    multi = MarianTranslator(en_ru.tokenizer, en_ru.model, "cpu")
    assert multi.target_token == ">>rus<<"
    seen: list[str] = []
    real = multi._run_model

    def spy(text: str) -> str:
        seen.append(text)
        return real(text)

    monkeypatch.setattr(multi, "_run_model", spy)
    multi.translate("You open the door. You see a dragon.")
    assert seen == [">>rus<< You open the door.", ">>rus<< You see a dragon."]
