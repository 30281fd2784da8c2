"""The names glossary: entries, any-form matching, placeholders around translation, name finding."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamio_cli.engine import CancelToken
from gamio_cli.world.glossary import (
    CodeTokenScheme,
    EnglishFormScheme,
    Glossary,
    GlossaryEntry,
    GlossaryTranslator,
    candidate_names,
    guess_nominative,
    parse_name_command,
    protect,
    restore,
    transliterate_ru,
)
from gamio_cli.world.names import NAMES
from tests.tiny.build import TinyModels
from tests.tiny.tables import EN_RU, RU_EN

VSESLAV = GlossaryEntry("Всеслав", "Vseslav")
MIROSLAVA = GlossaryEntry("Мирослава", "Miroslava")
LADA = GlossaryEntry("Лада", "Lada")
ASHWOOD = GlossaryEntry("Пепельный лес", "Ashwood")


def glossary() -> Glossary:
    return Glossary([VSESLAV, MIROSLAVA, LADA, ASHWOOD])


# ---- the seam: translators that behave like MarianMT with names ----

_WORD = re.compile(r"[^\W\d_]+\d*(?:['’][^\W\d_]+)*")
_RU_WORDS = {"я": "I", "иду": "go", "к": "to", "и": "and", "беру": "take", "меч": "the sword"}
_EN_WORDS = {
    "i": "я", "go": "иду", "to": "к", "and": "и", "take": "беру", "the": "", "sword": "меч"
}


class FakeRuEn:
    """Word by word; copies Latin words, renders an unknown Russian name by its meaning."""

    def __init__(self) -> None:
        self.inputs: list[str] = []

    def translate(self, text: str, cancel: CancelToken | None = None) -> str:
        self.inputs.append(text)
        return _WORD.sub(self._word, text)

    @staticmethod
    def _word(match: re.Match[str]) -> str:
        word = match.group(0)
        if re.fullmatch(r"[A-Za-z']+", word):
            return word
        return _RU_WORDS.get(word.lower(), "All-glory" if word[0].isupper() else "thing")


class FakeEnRu:
    """Word by word; copies code-like tokens ("Xqz1"), transliterates a name its own way."""

    def __init__(self, glue: str = "") -> None:
        self.glue = glue  # what the model attaches to a copied token («а», "-ом", "'s")
        self.inputs: list[str] = []

    def translate(self, text: str, cancel: CancelToken | None = None) -> str:
        self.inputs.append(text)
        return re.sub(r" +", " ", _WORD.sub(self._word, text))

    def _word(self, match: re.Match[str]) -> str:
        word = match.group(0)
        if re.fullmatch(r"[A-Za-z]+\d+(?:'s)?", word):
            return word + self.glue
        if word[0].isupper() and word.lower() not in _EN_WORDS:
            return "Вселав"  # MarianMT's own idea of "Vseslav"
        return _EN_WORDS.get(word.lower(), "штука")


def test_fakes_really_mangle_names_without_a_glossary() -> None:
    # Without this the glossary tests below could pass with fakes that copy everything.
    assert FakeRuEn().translate("Я иду к Всеславу.") == "I go to All-glory."
    assert FakeEnRu().translate("I go to Vseslav.") == "я иду к Вселав."


# ---- entries and the /name command ----


def test_parse_name_command() -> None:
    assert parse_name_command("  Всеслав   =  Vseslav ") == VSESLAV
    assert parse_name_command("Пепельный  лес = the Ashwood") == GlossaryEntry(
        "Пепельный лес", "the Ashwood"
    )


@pytest.mark.parametrize(
    ("arg", "fragment"),
    [
        ("Всеслав Vseslav", "«=»"),
        ("Всеслав = ", "обе части"),
        (" = Vseslav", "обе части"),
        ("Vseslav = Vseslav", "по-русски"),
        ("Всеслав = Всеслав", "латиницей"),
        ("123 = Vseslav", "по-русски"),
        ("Всеслав = 42", "латиницей"),
    ],
)
def test_parse_name_command_errors_are_russian(arg: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_name_command(arg)


@given(st.sampled_from(NAMES), st.text(" \t", max_size=3), st.text(" \t", max_size=3))
def test_parse_name_command_round_trip(name: tuple[str, str], left: str, right: str) -> None:
    entry = parse_name_command(f"{left}{name[0]}{right}={left}{name[1]}{right}")
    assert (entry.ru, entry.en) == name


def test_add_replaces_the_spelling_of_the_same_name() -> None:
    names = glossary()
    names.add(GlossaryEntry("всеслав", "Wseslaw"))
    assert GlossaryEntry("всеслав", "Wseslaw") in names.entries
    assert VSESLAV not in names.entries
    assert len(names) == 4


def test_one_english_form_cannot_mean_two_names() -> None:
    names = glossary()
    with pytest.raises(ValueError, match="уже означает «Всеслав»"):
        names.add(GlossaryEntry("Вячеслав", "vseslav"))
    assert len(names) == 4


def test_remove_by_any_form_in_either_language() -> None:
    names = glossary()
    assert names.remove("  Всеславом ") == VSESLAV
    assert names.remove("Miroslava's") == MIROSLAVA
    assert list(names) == [LADA, ASHWOOD]
    with pytest.raises(ValueError, match="нет в словаре"):
        names.remove("Всеслав")


@pytest.mark.parametrize(
    ("form", "entry"),
    [(w, VSESLAV) for w in "Всеслав Всеслава Всеславу Всеславом Всеславе".split()]
    + [(w, MIROSLAVA) for w in "Мирослава Мирославы Мирославе Мирославу Мирославой".split()]
    + [("Пепельном лесу", ASHWOOD), ("Ладой", LADA)],
)
def test_lookup_ru_finds_every_case_form(form: str, entry: GlossaryEntry) -> None:
    assert glossary().lookup_ru(form) == entry


@pytest.mark.parametrize("form", ["лада", "Всеславович", "Всеслав Мирослава", "Мир"])
def test_lookup_ru_rejects_other_words(form: str) -> None:
    assert glossary().lookup_ru(form) is None


def test_lookup_en_with_possessive() -> None:
    assert glossary().lookup_en("Vseslav's") == VSESLAV
    assert glossary().lookup_en("Vseslav’s") == VSESLAV
    assert glossary().lookup_en("vseslav") is None  # a name keeps its capital


def test_the_exact_form_wins_over_a_form_of_another_name() -> None:
    vseslava = GlossaryEntry("Всеслава", "Vseslava")
    names = Glossary([VSESLAV, vseslava])
    assert names.lookup_ru("Всеслава") == vseslava
    assert names.lookup_ru("Всеслав") == VSESLAV


# ---- placeholders ----


def test_protect_ru_en_puts_the_english_form_into_the_russian() -> None:
    text = "Я отдаю меч Всеславу, а Мирославой любуюсь в Пепельном лесу. Лада и лада."
    protected, slots = protect(text, glossary(), "ru-en", EnglishFormScheme())
    assert protected == "Я отдаю меч Vseslav, а Miroslava любуюсь в Ashwood. Lada и лада."
    assert [s.entry for s in slots] == [VSESLAV, MIROSLAVA, ASHWOOD, LADA]


def test_protect_en_ru_uses_code_tokens_and_keeps_the_possessive() -> None:
    text = "Vseslav's sword. Miroslava smiles at Vseslav."
    protected, slots = protect(text, glossary(), "en-ru", CodeTokenScheme())
    assert protected == "Xqz1's sword. Xqz2 smiles at Xqz1."
    assert [(s.placeholder, s.target) for s in slots] == [
        ("Xqz1", "Всеслав"),
        ("Xqz2", "Мирослава"),
    ]


@pytest.mark.parametrize(
    "translated",
    ["меч Xqz1.", "меч Xqz1а.", "меч Xqz1-ом.", "меч Xqz1's.", "меч xqz 1.", "меч XQZ1ом."],
)
def test_restore_tolerates_what_the_model_attaches(translated: str) -> None:
    slot = protect("Vseslav", glossary(), "en-ru", CodeTokenScheme())[1]
    assert restore(translated, slot, CodeTokenScheme()) == ("меч Всеслав.", [])


def test_restore_tells_token_1_from_token_10() -> None:
    names = Glossary(GlossaryEntry(f"Имя{chr(0x430 + i)}", f"Name{chr(97 + i)}") for i in range(10))
    text = " ".join(e.en for e in names)
    protected, slots = protect(text, names, "en-ru", CodeTokenScheme())
    assert protected.split()[-1] == "Xqz10"
    assert restore(protected, slots, CodeTokenScheme()) == (" ".join(e.ru for e in names), [])


def test_restore_reports_a_lost_placeholder() -> None:
    _, slots = protect("Vseslav and Miroslava", glossary(), "en-ru", CodeTokenScheme())
    assert restore("Xqz2 и кто-то", slots, CodeTokenScheme()) == ("Мирослава и кто-то", slots[:1])


# ---- GlossaryTranslator ----


def test_ru_en_name_in_any_form_comes_out_in_its_english_form() -> None:
    inner = FakeRuEn()
    translator = GlossaryTranslator(inner, glossary, "ru-en")
    for form in "Всеслав Всеслава Всеславу Всеславом Всеславе".split():
        assert translator.translate(f"Я иду к {form}.") == "I go to Vseslav."
    assert translator.translate("Я беру меч и иду к Мирославой.") == (
        "I take the sword and go to Miroslava."
    )
    assert inner.inputs[-1] == "Я беру меч и иду к Miroslava."


def test_en_ru_name_comes_out_in_its_russian_form() -> None:
    translator = GlossaryTranslator(FakeEnRu(), glossary, "en-ru")
    assert translator.translate("I take Vseslav's sword.") == "я беру Всеслав меч."
    assert translator.translate("I go to Vseslav and Miroslava.") == "я иду к Всеслав и Мирослава."


def test_en_ru_when_the_model_glues_a_case_ending_on() -> None:
    translator = GlossaryTranslator(FakeEnRu(glue="ом"), glossary, "en-ru")
    assert translator.translate("I go to Vseslav.") == "я иду к Всеслав."


def test_a_lost_placeholder_falls_back_to_plain_translation() -> None:
    class Dropping(FakeEnRu):
        def translate(self, text: str, cancel: CancelToken | None = None) -> str:
            if "Xqz" in text:
                self.inputs.append(text)
                return "я иду."  # the model dropped the name
            return "я иду к Vseslav."  # a plain run where it copied the English name

    inner = Dropping()
    translator = GlossaryTranslator(inner, glossary, "en-ru")
    assert translator.translate("I go to Vseslav.") == "я иду к Всеслав."
    assert inner.inputs == ["I go to Xqz1."]


def test_the_glossary_is_read_on_every_call() -> None:
    current = Glossary()
    translator = GlossaryTranslator(FakeRuEn(), lambda: current, "ru-en")
    assert translator.translate("Я иду к Всеславу.") == "I go to All-glory."
    current = Glossary([VSESLAV])
    assert translator.translate("Я иду к Всеславу.") == "I go to Vseslav."


def test_a_text_without_entries_reaches_the_translator_untouched() -> None:
    inner = FakeEnRu()
    GlossaryTranslator(inner, glossary, "en-ru").translate("I take the sword.")
    assert inner.inputs == ["I take the sword."]


def _forms(name: str) -> list[str]:
    """Case forms of a shipped name (nominative, genitive, dative, instrumental, prepositional)."""
    stem, last = name[:-1], name[-1]
    if last == "а":
        return [stem + e for e in ("а", "ы", "е", "у", "ой")]
    if last == "я":
        return [stem + e for e in ("я", "и", "ю", "ей")]
    if last == "й":
        return [stem + e for e in ("й", "я", "ю", "ем", "е")]
    return [name + e for e in ("", "а", "у", "ом", "е")]


_FILLER = st.sampled_from(["иду", "к", "и", "лада", "меч", ",", ".", "—", "«", "»", "беру"])
_PIECE = st.one_of(_FILLER.map(lambda w: (w, w)), st.sampled_from(NAMES).flatmap(
    lambda n: st.sampled_from(_forms(n[0])).map(lambda form: (form, n[1]))
))


@given(st.lists(_PIECE, max_size=12))
def test_every_name_form_reaches_the_english_side(pieces: list[tuple[str, str]]) -> None:
    names = Glossary(GlossaryEntry(ru, en) for ru, en in NAMES)
    translator = GlossaryTranslator(Identity(), lambda: names, "ru-en")
    text = " ".join(ru for ru, _ in pieces)
    assert translator.translate(text) == " ".join(en for _, en in pieces)


@given(st.lists(st.sampled_from(NAMES), max_size=8), st.booleans())
def test_every_english_name_reaches_the_russian_side(
    names_used: list[tuple[str, str]], possessive: bool
) -> None:
    names = Glossary(GlossaryEntry(ru, en) for ru, en in NAMES)
    translator = GlossaryTranslator(Identity(), lambda: names, "en-ru")
    suffix = "'s" if possessive else ""
    text = " and ".join(en + suffix for _, en in names_used)
    assert translator.translate(text) == " and ".join(ru for ru, _ in names_used)


class Identity:
    def translate(self, text: str, cancel: CancelToken | None = None) -> str:
        return text


# ---- the real translator inside the wrapper ----


@pytest.fixture(scope="module")
def _one_thread() -> Iterator[None]:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.usefixtures("_one_thread")
def test_wrapped_tiny_marian_translates_as_before(tiny_models: TinyModels) -> None:
    from gamio_cli.model import load_translator

    ru_en = GlossaryTranslator(load_translator(str(tiny_models.ru_en), "cpu"), glossary, "ru-en")
    en_ru = GlossaryTranslator(load_translator(str(tiny_models.en_ru), "cpu"), glossary, "en-ru")
    assert ru_en.translate("я беру меч") == RU_EN["я беру меч"]
    assert en_ru.translate("The sword is heavy.") == EN_RU["The sword is heavy."]


# ---- names the player introduces ----


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Я иду к Всеславу. Всеслав улыбается.", ["Всеслав"]),
        ("Зову Мирославу, потом любуюсь Мирославой.", ["Мирослава"]),
        ("Всеслав улыбается.", []),  # a sentence's first word may be any word
        ("«Привет, Злата», — говорю я. Злата кивает.", ["Злата"]),
        ("Я кричу: «Стой!» Беги, Глеб!", ["Глеб"]),
        ("Вы видите Бога. Я молюсь Господу и Вам.", []),
        ("Иду в НИИ и к Петрову.", ["Петров"]),  # pymorphy3 knows the surname
        ("Говорю с Петровым.", ["Петров"]),
    ],
)
def test_candidate_names(text: str, names: list[str]) -> None:
    assert candidate_names(text) == names


def test_candidate_names_skip_known_ones() -> None:
    assert candidate_names("Иду к Всеславу и к Глебу.", glossary()) == ["Глеб"]


def test_guess_nominative_only_for_unambiguous_endings() -> None:
    assert guess_nominative("Мирославой") == "Мирослава"
    assert guess_nominative("Всеславом") == "Всеслав"
    assert guess_nominative("Всеслава") == "Всеслава"
    assert guess_nominative("Ом") == "Ом"


@pytest.mark.parametrize(
    ("ru", "en"),
    [
        ("Всеслав", "Vseslav"),
        ("Жанна", "Zhanna"),
        ("Юлия", "Yuliya"),
        ("Щукин", "Shchukin"),
        ("Ёлкин", "Yolkin"),
        ("Елена", "Yelena"),
        ("Андреев", "Andreyev"),
        ("Пётр", "Pyotr"),
        ("Наталья", "Natalya"),
        ("Тимофей", "Timofey"),
        ("Красный", "Krasny"),
        ("Цветков", "Tsvetkov"),
        ("Хабаров", "Khabarov"),
        ("Подъячев", "Podyachev"),
        ("Анна-Мария", "Anna-Mariya"),
        ("ЩУКИН", "SHCHUKIN"),
    ],
)
def test_transliterate_ru(ru: str, en: str) -> None:
    assert transliterate_ru(ru) == en


@given(st.text(st.sampled_from("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЁЖЩЪЬЮЯ- "), max_size=30))
def test_transliteration_is_plain_latin(name: str) -> None:
    latin = transliterate_ru(name)
    assert latin.isascii()
    assert latin.replace("-", "").replace(" ", "").isalpha() or not latin.strip(" -")
