"""One turn: Russian action -> English -> the generator continues -> Russian.

The runner receives its translators and generator as arguments (tests pass tiny real models),
and a translator may be None: a generator that writes Russian itself skips that step. With
language "ru" the narrator reads the Russian prompt (prompt.py) and the turn keeps only the
Russian action and continuation; each turn records its narrator and language.
It never changes the story it is given: the caller appends the returned turn.
"""

from __future__ import annotations

from dataclasses import replace

from gamio_cli.engine import CancelToken, Generator, Translator
from gamio_cli.errors import GamioError, GenerationFailed
from gamio_cli.story import Alternative, GlossaryEntry, Mode, Story, Turn
from gamio_cli.turn.actions import action_line_en, parse_action
from gamio_cli.turn.agreement import agree
from gamio_cli.turn.postprocess import clean_continuation, is_loop
from gamio_cli.turn.prompt import Pending, build_prompt, next_prompt_prefix, russian_action_line
from gamio_cli.turn.russian_action import action_line_ru
from gamio_cli.turn.streaming import SentenceStreamer, TurnListener
from gamio_cli.world.glossary import (
    Direction,
    Glossary,
    GlossaryTranslator,
    candidate_names,
    transliterate_ru,
)

__all__ = ["TurnListener", "TurnRunner", "names_introduced"]

# How many earlier continuations a new one is compared with to catch the model looping.
LOOP_LOOKBACK = 3


def names_introduced(raw: str, story: Story) -> list[GlossaryEntry]:
    """Names the player brings in with this input, each with a fixed English form.

    The game adds them to the story's glossary once the turn is done, so that a name keeps
    its form across translations from then on.
    """
    glossary = Glossary(story.glossary)
    added: list[GlossaryEntry] = []
    for name in candidate_names(raw, glossary):
        entry = GlossaryEntry(name, transliterate_ru(name))
        try:
            glossary.add(entry)
        except ValueError:  # its English form already stands for another name
            continue
        added.append(entry)
    return added


def _translate(
    translator: Translator | None,
    direction: Direction,
    text: str,
    cancel: CancelToken | None,
    glossary: Glossary | None,
) -> str:
    """One translation step; names in the glossary keep their chosen form both ways."""
    if translator is None:  # a generator that writes Russian itself skips the step
        return text
    if glossary is not None:
        translator = GlossaryTranslator(translator, lambda: glossary, direction)
    return translator.translate(text, cancel)


class TurnRunner:
    """Runs turns for one story at a time: translate in, generate, clean, translate out."""

    def __init__(
        self,
        generator: Generator,
        ru_en: Translator | None,
        en_ru: Translator | None,
        max_tries: int = 3,
        window_step: int = 1,
        language: str = "en",
        narrator: str = "",
    ) -> None:
        self.generator = generator
        self.ru_en = ru_en
        self.en_ru = en_ru
        self.max_tries = max_tries
        self.window_step = window_step  # turns dropped at once from the prompt (see prompt.py)
        self.language = language  # what the narrator writes: "en" or "ru"
        self.narrator = narrator  # its name, recorded in each turn

    def to_english(
        self, text_ru: str, cancel: CancelToken | None = None, glossary: Glossary | None = None
    ) -> str:
        """Russian -> English, or the text itself when there is no ru->en step."""
        return _translate(self.ru_en, "ru-en", text_ru, cancel, glossary)

    def to_russian(
        self, text_en: str, cancel: CancelToken | None = None, glossary: Glossary | None = None
    ) -> str:
        """English -> Russian, or the text itself when there is no en->ru step."""
        return _translate(self.en_ru, "en-ru", text_en, cancel, glossary)

    def prepare(self, story: Story) -> None:
        """Let the generator encode the next prompt's beginning in the background, if it can.

        Best effort: the next turn works the same without it, only slower.
        """
        prepare = getattr(self.generator, "prepare", None)
        if prepare is None:
            return
        window = self.generator.context_window
        try:
            prefix = next_prompt_prefix(story, self.generator.count_tokens, window,
                                        self.window_step, self.language)
        except GamioError:  # e.g. memory too long: the turn itself will tell the player
            return
        if prefix:
            prepare(prefix)

    def close(self) -> None:
        """Before the game exits: stop the generator's work in the background, if it has any."""
        close = getattr(self.generator, "close", None)
        if close is not None:
            close()

    def play(
        self,
        story: Story,
        raw: str,
        cancel: CancelToken | None = None,
        listener: TurnListener | None = None,
    ) -> Turn:
        """A new turn for the raw Russian input (the story is not changed)."""
        mode, text = parse_action(raw)
        glossary = Glossary(story.glossary + names_introduced(raw, story))
        if self.language == "ru":
            line, action_en = action_line_ru(mode, text), ""
        else:
            line = action_en = action_line_en(mode, self.to_english(text, cancel, glossary)) \
                if text else ""
        if mode is not Mode.CONTINUE and not line:
            raise GamioError("Не удалось перевести действие. Попробуйте сказать иначе.")
        avoid = [self._written(turn) for turn in story.turns[-LOOP_LOOKBACK:]]
        pending = Pending(mode, line)
        english, russian = self._continue(story, pending, avoid, cancel, listener, glossary)
        return Turn(raw.strip(), mode, action_en, english, russian, narrator=self.narrator,
                    language=self.language)

    def _shown(self, text: str, cancel: CancelToken | None, glossary: Glossary) -> str:
        """A sentence the narrator wrote, in Russian (a Russian narrator's needs no translator)."""
        return text if self.language == "ru" else self.to_russian(text, cancel, glossary)

    def _written(self, turn: Turn) -> str:
        """What the narrator wrote for a turn, in its language (for catching loops)."""
        return turn.continuation_ru if self.language == "ru" else turn.continuation_en

    def retry(
        self,
        story: Story,
        cancel: CancelToken | None = None,
        listener: TurnListener | None = None,
    ) -> Turn:
        """A new continuation for the story's last action; returns the replacement turn,
        which keeps the earlier continuations as alternatives the player can go back to."""
        if not story.turns:
            raise GamioError("Пока нечего переписывать: сначала сделайте ход.")
        last = story.turns[-1]
        earlier = story.with_turns(story.turns[:-1])
        ru = self.language == "ru"
        avoid = [self._written(turn) for turn in story.turns[-LOOP_LOOKBACK:]]
        avoid += [alternative.ru if ru else alternative.en for alternative in last.alternatives]
        pending = Pending(last.mode, russian_action_line(last) if ru else last.action_en)
        glossary = Glossary(story.glossary)
        english, russian = self._continue(earlier, pending, avoid, cancel, listener, glossary)
        kept = last.alternatives + (Alternative(last.continuation_en, last.continuation_ru),)
        return replace(last, continuation_en=english, continuation_ru=russian, alternatives=kept,
                       narrator=self.narrator, language=self.language)

    def _continue(
        self,
        story: Story,
        pending: Pending,
        avoid: list[str],
        cancel: CancelToken | None,
        listener: TurnListener | None,
        glossary: Glossary,
    ) -> tuple[str, str]:
        """Generate until a usable continuation comes out, at most max_tries times."""
        settings = story.settings
        budget = self.generator.context_window - settings.max_new_tokens
        # A server's big window takes more of the history (its generator says so); the local
        # generators keep the setting, which their prompt caches are tuned for.
        extend = bool(getattr(self.generator, "extends_history", False))
        prompt = build_prompt(story, pending, self.generator.count_tokens, budget,
                              self.window_step, self.language, extend)
        for _ in range(self.max_tries):
            # The player reads each sentence only after it agrees with the hero (agreement.py);
            # the English record keeps the model's own text.
            streamer = SentenceStreamer(lambda text: agree(self._shown(text, cancel, glossary),
                                                           story.hero), listener)
            raw = self.generator.generate(prompt, settings, cancel, streamer.feed)
            written = clean_continuation(raw)
            if written and not is_loop(written, avoid):
                # A Russian narrator's text is the Russian record; its English stays empty.
                russian = streamer.finish(written)
                return ("" if self.language == "ru" else written), russian
            streamer.discard()
        raise GenerationFailed(
            f"Модель не смогла продолжить историю за {self.max_tries} попытки. "
            "Попробуйте другое действие или /retry — повторить это же."
        )
