"""Random AI Dungeon style stories for the tiny GPT-2 to learn from, as text or token ids.

An opening paragraph (sometimes with lines of its own, as memory and world info stand in the
game's prompt), then turns "\\n> action\\n" + answer, an author's note here and there. Only the
answers and the "\\n>" after them are to be learnt; the rest is context to ignore.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tests.tiny.tables import CONTINUATIONS, FALLBACK, NARRATION, action_line

_OPENINGS = [
    "You are a knight in an old castle.", "You are a wizard in a tall tower.",
    "You wake up in a cold cave.", "You are a thief in a busy city.",
    "The king has sent you on a quest.", "Rain falls on the quiet village.",
]
_WORDS = [
    "time", "year", "people", "way", "day", "man", "thing", "woman", "life", "child", "world",
    "school", "family", "hand", "part", "place", "case", "week", "night", "point", "home", "water",
    "room", "mother", "area", "money", "story", "fact", "month", "book", "eye", "job", "word",
    "side", "kind", "head", "house", "friend", "father", "power", "hour", "game", "line", "end",
    "name", "team", "idea", "body", "back", "face", "level", "office", "door", "person", "art",
    "war", "history", "party", "result", "change", "morning", "reason", "girl", "moment", "air",
    "teacher", "force", "old", "new", "good", "great", "small", "large", "young", "long", "little",
    "big", "high", "black", "red", "white", "blue", "green", "dark", "cold", "warm", "strange",
    "quiet", "loud", "slowly", "quickly", "never", "always",
]
# Words of the table actions: they also turn up elsewhere, and must not trigger a continuation.
_KEYWORDS = [
    "open", "door", "take", "sword", "say", "hello", "Hello", "go", "north", "North", "look",
    "around", "storm", "begins", "dance", "road", "leads", "smiles", "man", "dragon", "sleeps",
    "inside", "heavy", "forest", "lightning", "flashes", "nothing", "happens",
]
_ODD_ACTIONS = [
    "jump", "sing", "sleep", "wait", "pray", "laugh", "cry", "whistle", "swim", "hide", "listen",
    "run away", "sit down", "eat the bread", "climb the wall", "call for help", "read the book",
]
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Unseen text for the checks that end training: the answer must come from the last line.
CHECK_PROSE = (
    "Long ago, in the marsh kingdom of Velloran, a young ferryman named Osric carried "
    "travellers across the grey river. He knew every reed and every stone, and he never "
    "asked where they were going. One autumn evening a woman in a green cloak paid him with "
    "a silver coin that was warm to the touch. Halfway across, the fog thickened, the lantern "
    "on the prow went out, and a voice below the water began to sing an old song about a "
    "drowned bell tower. Osric gripped the pole and kept rowing, counting his strokes aloud, "
    "because his grandmother had told him that spirits cannot bear to be ignored. When the "
    "boat touched the far bank the woman was gone, but the coin was still in his pocket."
)


@dataclass
class Ids:
    """Token ids, and for each whether training predicts it."""

    ids: list[int]
    learn: list[bool]


class Stories:
    """Random AI Dungeon style stories, as text or as token ids."""

    def __init__(self, seed: int, encode: Callable[[str], list[int]] | None = None) -> None:
        self.rng = random.Random(seed)
        # Pieces start at a space or a newline, where byte-level BPE splits anyway, so the ids
        # of a text are the ids of its pieces joined: encode each distinct piece once.
        self.encode = functools.lru_cache(maxsize=None)(encode) if encode else None

    def _word(self) -> str:
        roll = self.rng.random()
        if roll < 0.2:  # invented words: byte-level pieces the model has rarely seen
            return "".join(self.rng.choice(_LETTERS) for _ in range(self.rng.randrange(2, 9)))
        return self.rng.choice(_KEYWORDS if roll < 0.4 else _WORDS)

    def _sentence(self) -> str:
        # The last word is an ordinary one: "... north." + "\n" must stay an answer's ending.
        words = [self._word() for _ in range(self.rng.randrange(1, 8))] + [self.rng.choice(_WORDS)]
        text = " ".join(words)
        return text[:1].upper() + text[1:] + self.rng.choice(".!?.")

    def turn(self, narration: float = 1.0) -> tuple[str, str]:
        """A random (action, answer); narration lines come with the given relative weight."""
        if self.rng.random() < 0.15:
            odd = self.rng.choice(_ODD_ACTIONS)
            if self.rng.random() < 0.3:
                odd = " ".join("".join(self.rng.choice(_LETTERS) for _ in range(4)) for _ in "ab")
            return f"You {odd}.", FALLBACK
        action = self.rng.choice(list(CONTINUATIONS))
        while action in NARRATION and self.rng.random() > narration:
            action = self.rng.choice(list(CONTINUATIONS))
        return action, CONTINUATIONS[action]

    def opening(self) -> Iterator[str]:
        """An endless opening paragraph."""
        yield self.rng.choice(_OPENINGS) if self.rng.random() < 0.5 else self._sentence()
        while True:
            yield ("\n" if self.rng.random() < 0.15 else " ") + self._sentence()

    def text(self, sentences: int, turns: int) -> str:
        """A story as text (to train the tokenizer on)."""
        opening = self.opening()
        parts = [next(opening) for _ in range(sentences + 1)]
        for _ in range(turns):
            action, answer = self.turn()
            parts += [action_line(action), answer]
        return "".join(parts)

    def _add(self, story: Ids, text: str, learn: int) -> None:
        """Append text's ids; mark the first `learn` of them (-1: all) as ones to predict."""
        assert self.encode is not None
        ids = self.encode(text)
        story.ids += ids
        story.learn += [learn < 0 or i < learn for i in range(len(ids))]

    def story(self, length: int) -> Ids:
        """The last `length` tokens of an opening of random length and then turns; to predict:
        the answers and the "\n>" after each (what the player writes is not the model's)."""
        story = Ids([], [])
        if length:
            paragraph, opening, after_answer = self.rng.randrange(0, length + 1), self.opening(), 0
            while not story.ids or len(story.ids) < paragraph:
                self._add(story, next(opening), 0)
            # Often the same one or two turns over and over: the model must answer the last
            # action line, not copy the answers before it.
            kinds = [self.turn() for _ in range(self.rng.choice([1, 2, 8]))]
            repeat = self.rng.random() < 0.4
            while len(story.ids) < length:
                if self.rng.random() < 0.05:  # the game puts an author's note among the turns
                    self._add(story, f"\n[Author's note: {self._sentence()}]", 0)
                    after_answer = 0
                action, answer = self.rng.choice(kinds) if repeat else self.turn(narration=0.2)
                # Only "\n>" is learnt after an answer, not the narration or note that may come
                # instead: their chance would blunt ">" under the game's repetition penalty.
                self._add(story, action_line(action), 0 if action in NARRATION else after_answer)
                self._add(story, answer, -1)
                after_answer = 2
        return Ids(story.ids[len(story.ids) - length:], story.learn[len(story.learn) - length:])

    def sample(self, length: int) -> Ids:
        """A story, a last action line, its answer and "\n>"."""
        story = self.story(length)
        action, answer = self.turn()
        after_answer = story.learn and story.learn[-1] and action not in NARRATION
        self._add(story, action_line(action), 2 if after_answer else 0)
        self._add(story, answer + "\n>", -1)
        return story
