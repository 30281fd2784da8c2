"""Make the Russian continuation agree with the story's hero: one form of address, one gender.

opus-mt turns English "you" into «вы» or «ты» as it pleases and writes masculine forms for a
heroine. This post-edit changes only words that refer to the player in the narration:
second-person pronouns and possessives, second-person verbs and imperatives, and the past
tense, short adjectives and participles (and «сам») whose subject is the player.
Everything else stays, and so does a word whose analysis is not confident:
- quoted speech («…», "…", a line opened by a dash): a character's «Вы» is their own choice;
- a sentence where «вы» clearly means a group («вы с Борисом», «вы оба», «каждый из вас»);
- a past verb or short adjective whose subject may be someone else (see _subject_clauses).
Words come from pymorphy3 (world.morph), sentences from turn.sentences. A syntax parser for
the subject (natasha's slovnet, or razdel for tokens) was weighed, not installed or measured:
it would be a second morphology and model download beside pymorphy3, while opus-mt writes
plain subject-verb order, where the clause rules below find the subject; where they cannot,
the word stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gamio_cli.story import Address, Gender, Hero
from gamio_cli.turn.agreement_words import (
    Form,
    Target,
    convert_word,
    has_verb,
    is_full_verb,
    is_group,
    is_player_subject,
    kills_chain,
)
from gamio_cli.turn.sentences import sentence_ends

__all__ = ["agree", "Target"]

_TOKEN = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*|\s+|[^\sА-Яа-яЁё]")
_BREAK_PUNCT = frozenset(",;:—–()")
_BREAK_WORDS = frozenset("и а но или либо затем потом однако зато".split())
_SUBORDINATORS = frozenset(
    "что чтобы где куда откуда когда если пока как будто словно хотя потому ибо ли кто чей "
    "который которая которое которые которого которой которому котором которым которую "
    "которых которыми".split()
)
_OPEN_QUOTES = {"«": "»", "„": "“", "“": "”", '"': '"'}


@dataclass
class _Token:
    text: str
    speech: bool  # inside a character's speech: never changed

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalpha()


def _tokens(sentence: str) -> list[_Token]:
    """The sentence's words, spaces and signs, each marked as narration or speech."""
    tokens: list[_Token] = []
    closing: list[str] = []
    dash_speech = sentence.lstrip()[:1] in "—–" and sentence.strip() != ""
    previous = ""
    for match in _TOKEN.finditer(sentence):
        text = match.group()
        if closing and text == closing[-1]:
            tokens.append(_Token(text, True))
            closing.pop()
        elif text in _OPEN_QUOTES and not (text == '"' and closing and closing[-1] == '"'):
            closing.append(_OPEN_QUOTES[text])
            tokens.append(_Token(text, True))
        else:
            if dash_speech and text in "—–" and previous in ",.!?…" and tokens:
                dash_speech = False  # «— Стой! — кричит он»: the author's words begin
            tokens.append(_Token(text, bool(closing) or dash_speech))
        if not text.isspace():
            previous = text
    return tokens


def _clauses(tokens: list[_Token]) -> list[list[int]]:
    """Indexes of the narration words, grouped into clauses at commas, dashes and «и», «но»…."""
    clauses: list[list[int]] = [[]]
    last = ""
    for index, token in enumerate(tokens):
        lower = token.text.lower()
        particle = lower == "и" and last == "как"  # «как и все»: «и» joins nothing here
        if token.is_word:
            last = lower
        if token.speech or token.text in _BREAK_PUNCT or (lower in _BREAK_WORDS and not particle):
            if clauses[-1]:
                clauses.append([])
        elif token.is_word:
            clauses[-1].append(index)
    return [clause for clause in clauses if clause]


def _subject_clauses(words: list[str], clauses: list[list[int]]) -> dict[int, Form]:
    """Which clauses have the player as subject, and in which number the model wrote it.

    A clause with «вы»/«ты» or a second-person verb has; so has a clause joined to one by «и»,
    a comma or «что» («вы поняли, что заблудились»), unless it has another possible subject
    (a noun or pronoun before its verb, or a nominative after it that agrees with the verb).
    A clause opened by «где», «который», «когда»… is someone else's unless it says «вы»/«ты»;
    the chain goes on after it unless it has a subject of its own.
    """
    subjects: dict[int, Form] = {}
    active: Form | None = None
    for number, clause in enumerate(clauses):
        clause_words = [words[i] for i in clause]
        opener = _subordinator(clause_words)
        own = is_player_subject(clause_words)
        if own is not None:
            subjects[number] = own
            # «Когда вы открыли глаза, над вами стояли двое»: the main clause is not the chain's.
            active = own if opener in ("", "что") else None
            continue
        # «…, как стражники открыли ворота и вошли»: not the player's; but «вы, как и все,
        # были напуганы»: a comparison without a verb leaves the chain as it was.
        verbless_aside = opener not in ("", "что") and not has_verb(clause_words)
        if active is not None and not verbless_aside and kills_chain(clause_words, active):
            active = None
        if opener not in ("", "что"):
            continue  # «где было темно»: not the player's clause; the chain goes on after it
        if active is not None:
            subjects[number] = active
    return subjects


def _subordinator(clause: list[str]) -> str:
    """The word that makes the clause subordinate («где», «за которой»), or ""."""
    for word in (w.lower() for w in clause[:2]):
        if word in _SUBORDINATORS:
            return word
    return ""


def _agree_sentence(sentence: str, target: Target) -> str:
    tokens = _tokens(sentence)
    words = [token.text for token in tokens]
    # Signs stay in the list so that «она, и вы» is not read as «она и вы».
    narration = [
        "¦" if t.speech else t.text for t in tokens if not t.text.isspace()
    ]
    if not any(t.is_word and not t.speech for t in tokens) or is_group(narration):
        return sentence
    clauses = _clauses(tokens)
    subjects = _subject_clauses(words, clauses)
    for number, clause in enumerate(clauses):
        after_verb = False
        for index in clause:
            before = _previous_word(tokens, index)
            new = convert_word(words[index], before, target, subjects.get(number), after_verb)
            after_verb = after_verb or is_full_verb(words[index])
            if new is not None:
                tokens[index].text = new
    return "".join(token.text for token in tokens)


def _previous_word(tokens: list[_Token], index: int) -> str:
    for token in reversed(tokens[:index]):
        if token.is_word:
            return token.text.lower()
        if not token.text.isspace():
            return ""
    return ""


def _sentences(text: str) -> list[str]:
    """The text cut into sentences with all their spacing kept, so joining gives it back."""
    pieces: list[str] = []
    start = 0
    for end in sentence_ends(text):
        pieces.append(text[start:end])
        start = end
    pieces.append(text[start:])
    return [piece for piece in pieces if piece]


def agree(text_ru: str, hero: Hero) -> str:
    """The Russian text with every word about the player in the hero's address and gender."""
    target = Target(hero.address is Address.VY, _gender_name(hero.gender))
    return "".join(_agree_sentence(sentence, target) for sentence in _sentences(text_ru))


def _gender_name(gender: Gender) -> str | None:
    return {Gender.MALE: "masc", Gender.FEMALE: "femn"}.get(gender)
