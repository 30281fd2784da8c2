"""Tiny REAL models for the tests, trained offline in seconds.

The game runs three models: ru->en and en->ru MarianMT (opus-mt-*) and a GPT-2 that continues
AI Dungeon style stories. Tests cannot download, so this module trains miniature stand-ins with
the same files and the same loading path (plain ``from_pretrained(dir)``) that memorise small
tables, so tests can check real outputs exactly:

- RU_EN / EN_RU: what the translators output for these inputs (``generate`` as configured).
- CONTINUATIONS: what the generator writes after a text ending in action_line(action), i.e.
  "\\n> {action}\\n" ("\\n{line}\\n" for NARRATION lines), then "\\n>" (the next action
  marker), whatever text comes before (0-300 tokens checked), greedy or with the game's
  sampling. Other "You ..." actions mostly get FALLBACK too (trained on a few; no promise).

Run as a script to build them for manual play: ``python tests/tiny_models.py OUT_DIR``.
Everything is seeded, so a build is deterministic.
"""

from __future__ import annotations

import functools
import io
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RU_EN: dict[str, str] = {
    "открываю дверь": "I open the door.",
    "Открой дверь": "Open the door.",
    "я беру меч": "I take the sword.",
    "Привет": "Hello.",
    "иду на север": "I go north.",
    "осматриваюсь": "I look around.",
    "Начинается гроза.": "A storm begins.",
    "Ты рыцарь в старом замке.": "You are a knight in an old castle.",
    "У меня есть лампа.": "I have a lamp.",
    # A glossary name reaches the translator as its English form (gamio_cli/glossary.py).
    "иду к Vseslav": "I go to Vseslav.",
}

EN_RU: dict[str, str] = {
    "The door creaks open.": "Дверь со скрипом открывается.",
    "A dragon sleeps inside.": "Внутри спит дракон.",
    "The sword is heavy.": "Меч тяжёлый.",
    "The old man smiles.": "Старик улыбается.",
    "The road leads north.": "Дорога ведёт на север.",
    "You see a dark forest.": "Вы видите тёмный лес.",
    "Lightning flashes.": "Сверкает молния.",
    "Nothing happens.": "Ничего не происходит.",
    "You are a knight in an old castle.": "Ты рыцарь в старом замке.",
    # ...and leaves English as a code token the translator copies (gamio_cli/glossary.py).
    "Xqz1 waves.": "Xqz1 машет рукой.",
}

FALLBACK = "Nothing happens."
# Action line as the game writes it after "> " (or bare, for NARRATION) -> continuation.
CONTINUATIONS: dict[str, str] = {
    "You open the door.": "The door creaks open. A dragon sleeps inside.",
    "You take the sword.": "The sword is heavy.",
    'You say "Hello."': "The old man smiles.",
    "You go north.": "The road leads north.",
    "You look around.": "You see a dark forest.",
    "A storm begins.": "Lightning flashes.",
    "You dance.": FALLBACK,
}
# Story-mode lines: written without the "> " action marker.
NARRATION: frozenset[str] = frozenset({"A storm begins."})

_MARIAN_DIMS: dict[str, Any] = {
    "d_model": 64, "encoder_layers": 1, "decoder_layers": 1, "encoder_attention_heads": 4,
    "decoder_attention_heads": 4, "encoder_ffn_dim": 128, "decoder_ffn_dim": 128,
    "max_position_embeddings": 512, "dropout": 0.0, "scale_embedding": True,
}
_GPT2_DIMS: dict[str, Any] = {
    "n_positions": 512, "n_embd": 64, "n_layer": 2, "n_head": 4,
    "resid_pdrop": 0.0, "embd_pdrop": 0.0, "attn_pdrop": 0.0,
}


@dataclass(frozen=True)
class TinyModels:
    """Directories written with save_pretrained."""

    ru_en: Path
    en_ru: Path
    generator: Path


def build_tiny_models(root: Path) -> TinyModels:
    """Train and save the three models under root (about 20 s on two CPU cores)."""
    import torch

    threads = torch.get_num_threads()
    # Tiny matrices: thread hand-offs cost more than they save (2 threads were 4-7x slower).
    torch.set_num_threads(1)
    try:
        return TinyModels(
            ru_en=build_marian(root / "opus-mt-ru-en", RU_EN, seed=1),
            en_ru=build_marian(root / "opus-mt-en-ru", EN_RU, seed=2),
            generator=build_generator(root / "generator", seed=10),
        )
    finally:
        torch.set_num_threads(threads)


# --- MarianMT ---------------------------------------------------------------------------------


def _train_spm(lines: list[str], path: Path) -> list[str]:
    """Train a SentencePiece model on lines, write it to path, return its ordinary pieces."""
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=model, model_type="bpe",
        vocab_size=200, hard_vocab_limit=False,  # a tiny corpus cannot fill a fixed size
        character_coverage=1.0,  # keep every letter, ё included
        normalization_rule_name="identity",  # nmt_nfkc may rewrite text; we need exact bytes
        num_threads=1, minloglevel=2,
    )
    path.write_bytes(model.getvalue())
    sp = spm.SentencePieceProcessor(model_proto=model.getvalue())
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())
            if not (sp.is_control(i) or sp.is_unknown(i))]


def _marian_tokenizer(out: Path, table: dict[str, str]) -> Any:
    """Write source.spm, target.spm and a joint vocab.json laid out like opus-mt's."""
    from transformers import MarianTokenizer

    pieces = _train_spm(list(table), out / "source.spm")
    pieces += _train_spm(list(table.values()), out / "target.spm")
    vocab = {"</s>": 0, "<unk>": 1}
    for piece in sorted(set(pieces)):
        vocab[piece] = len(vocab)
    vocab["<pad>"] = len(vocab)  # opus-mt: <pad> is the last id and starts decoding
    text = json.dumps(vocab, ensure_ascii=False, indent=2)
    (out / "vocab.json").write_text(text, encoding="utf-8")
    files = [str(out / name) for name in ("source.spm", "target.spm", "vocab.json")]
    return MarianTokenizer(*files)


def _translations(model: Any, tok: Any, sources: list[str]) -> list[str]:
    import torch

    model.eval()
    with torch.no_grad():
        out = model.generate(**tok(sources, return_tensors="pt", padding=True))
    model.train()
    return [str(s) for s in tok.batch_decode(out, skip_special_tokens=True)]


def build_marian(out: Path, table: dict[str, str], seed: int, max_steps: int = 600) -> Path:
    """Train a MarianMT model until it translates every table entry exactly; save it to out."""
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel

    out.mkdir(parents=True, exist_ok=True)
    tok = _marian_tokenizer(out, table)
    pad = tok.pad_token_id
    torch.manual_seed(seed)
    ids = {"pad_token_id": pad, "eos_token_id": 0, "forced_eos_token_id": 0,
           "decoder_start_token_id": pad}
    model = MarianMTModel(MarianConfig(vocab_size=len(tok), **ids, **_MARIAN_DIMS))
    # Generation settings only stick through a GenerationConfig, not MarianConfig arguments.
    model.generation_config = GenerationConfig(
        max_length=64, num_beams=1, bad_words_ids=[[pad]], **ids)
    sources, targets = list(table), list(table.values())
    batch = tok(sources, text_target=targets, padding=True, return_tensors="pt")
    labels = batch.pop("labels")
    labels = labels.masked_fill(labels == pad, -100)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    embeddings = model.get_input_embeddings().weight
    for step in range(1, max_steps + 1):
        loss = model(**batch, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        assert embeddings.grad is not None
        embeddings.grad[pad] = 0  # tied embeddings: keep the <pad> row at zero, as opus-mt has it
        optimizer.step()
        # A low loss besides exact output leaves a margin, so beam search agrees as well.
        if step % 10 == 0 and loss.item() < 0.02 and _translations(model, tok, sources) == targets:
            break
    else:
        raise RuntimeError(f"tiny Marian did not learn its table in {max_steps} steps")
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


# --- GPT-2 story generator --------------------------------------------------------------------
#
# Trained on random stories in AI Dungeon 2's format: an opening paragraph (sometimes with lines
# of its own, as memory and world info stand in the game's prompt), then turns "\n> action\n"
# + answer, an author's note here and there. Only the answers and the "\n>" after them are
# learnt; the rest is context to ignore. Two recency heads (_recency_heads) and short stories
# placed at random positions make "answer the last line" learnable in a few hundred steps.

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
_CHECK_PROSE = (
    "Long ago, in the marsh kingdom of Velloran, a young ferryman named Osric carried "
    "travellers across the grey river. He knew every reed and every stone, and he never "
    "asked where they were going. One autumn evening a woman in a green cloak paid him with "
    "a silver coin that was warm to the touch. Halfway across, the fog thickened, the lantern "
    "on the prow went out, and a voice below the water began to sing an old song about a "
    "drowned bell tower. Osric gripped the pole and kept rowing, counting his strokes aloud, "
    "because his grandmother had told him that spirits cannot bear to be ignored. When the "
    "boat touched the far bank the woman was gone, but the coin was still in his pocket."
)
# The recipe (found by trying, on two CPU cores with one thread each).
_MAX_STEPS = 1500  # seeds 1-10 needed 700-1200; checks every 100 steps end training early
_LEARNING_RATE = 2.5e-3  # Adam; 4e-3 made training unstable
_SHORT, _LONG = 80, 320  # tokens of story before the last action: most steps, 15 % of the rest
# Recency heads, per layer and head: logits lost per token of distance about 2, 0.5 / 1, 0.25.
_RECENCY_GAINS = [[100.0, 25.0], [50.0, 12.0]]


def action_line(action: str) -> str:
    """How an action stands in a story: "\n> action\n", or "\nline\n" for narration."""
    return f"\n{action}\n" if action in NARRATION else f"\n> {action}\n"


@dataclass
class _Ids:
    """Token ids, and for each whether training predicts it."""

    ids: list[int]
    learn: list[bool]


class _Stories:
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

    def _add(self, story: _Ids, text: str, learn: int) -> None:
        """Append text's ids; mark the first `learn` of them (-1: all) as ones to predict."""
        assert self.encode is not None
        ids = self.encode(text)
        story.ids += ids
        story.learn += [learn < 0 or i < learn for i in range(len(ids))]

    def story(self, length: int) -> _Ids:
        """The last `length` tokens of an opening of random length and then turns; to predict:
        the answers and the "\n>" after each (what the player writes is not the model's)."""
        story = _Ids([], [])
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
        return _Ids(story.ids[len(story.ids) - length:], story.learn[len(story.learn) - length:])

    def sample(self, length: int) -> _Ids:
        """A story, a last action line, its answer and "\n>"."""
        story = self.story(length)
        action, answer = self.turn()
        after_answer = story.learn and story.learn[-1] and action not in NARRATION
        self._add(story, action_line(action), 2 if after_answer else 0)
        self._add(story, answer + "\n>", -1)
        return story


def _gpt2_tokenizer(out: Path, seed: int) -> Any:
    """Train a byte-level BPE on random stories; save vocab.json, merges.txt, tokenizer.json."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import GPT2Tokenizer

    stories = _Stories(seed)
    rng = stories.rng
    texts = [stories.text(rng.randrange(0, 6), rng.randrange(0, 12)) for _ in range(400)]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(texts, vocab_size=1000, min_frequency=2,
                            special_tokens=["<|endoftext|>"], show_progress=False)
    bpe.save_model(str(out))
    tok = GPT2Tokenizer.from_pretrained(str(out), model_max_length=_GPT2_DIMS["n_positions"])
    tok.save_pretrained(out)
    return tok


def _pin(param: Any, dim: int, index: Any) -> None:
    """Keep param's slices at index (along dim) as they are: their gradient is always zero."""
    param.register_hook(lambda grad: grad.index_fill(dim, index, 0.0))


def _recency_heads(model: Any) -> None:
    """Give two heads per layer a built-in preference for recent tokens, as ALiBi does.

    Learned positions take thousands of steps to learn "look at the last line"; this makes it
    available from the start. The last two embedding dimensions carry only the position, as
    the angle a = p*pi/(2*n_positions) (zero in token embeddings and in every layer's output,
    kept so). A head with k = (cos a, sin a) and q = G*(-sin a, cos a) scores key j from query
    i by -G*sin(a_i - a_j): 0 for itself, falling steadily with distance.
    """
    import math

    import torch

    config = model.config
    dims = torch.tensor([config.n_embd - 2, config.n_embd - 1])
    angle = torch.arange(config.n_positions) * math.pi / (2 * config.n_positions)
    size = config.n_embd // config.n_head
    turn = torch.tensor([[0.0, 1.0], [-1.0, 0.0]])
    with torch.no_grad():
        # Token vectors about as long as the position's, so that layer norms scale both alike.
        model.transformer.wte.weight.normal_(0.0, 0.15)
        model.transformer.wte.weight[:, dims] = 0.0
        model.transformer.wpe.weight[:, dims] = torch.stack([angle.cos(), angle.sin()], 1)
        for block, gains in zip(model.transformer.h, _RECENCY_GAINS):
            for head, gain in enumerate(gains):
                query = slice(head * size, head * size + 2)
                key = slice(config.n_embd + head * size, config.n_embd + head * size + 2)
                block.attn.c_attn.weight[dims, query] = gain * turn
                block.attn.c_attn.weight[dims, key] = torch.eye(2)
            for proj in (block.attn.c_proj, block.mlp.c_proj):
                proj.weight[:, dims] = 0.0
                proj.bias[dims] = 0.0
    for embedding in (model.transformer.wte, model.transformer.wpe):
        _pin(embedding.weight, 1, dims)
    for block in model.transformer.h:
        for proj in (block.attn.c_proj, block.mlp.c_proj):
            _pin(proj.weight, 1, dims)
            _pin(proj.bias, 0, dims)


def _pad(rows: list[list[int]]) -> Any:
    import torch

    width = max(map(len, rows))
    return torch.tensor([row + [0] * (width - len(row)) for row in rows])


def _loss(model: Any, samples: list[_Ids], offset: int) -> Any:
    """Cross-entropy on the tokens to predict, with positions offset..offset+width."""
    import torch
    from torch.nn.functional import cross_entropy

    ids = _pad([sample.ids for sample in samples])
    width = ids.shape[1]
    positions = torch.arange(offset, offset + width).expand(len(samples), -1)
    hidden = model.transformer(input_ids=ids, position_ids=positions).last_hidden_state
    learn = torch.tensor([s.learn + [False] * (width - len(s.learn)) for s in samples])[:, 1:]
    # The output layer only where it counts: it is a large share of the work.
    logits = model.lm_head(hidden[:, :-1][learn])
    return cross_entropy(logits, ids[:, 1:][learn])


def _checks(tok: Any, seed: int) -> list[tuple[list[int], int]]:
    """(ids, answer start): unseen openings of 0-300 tokens, an action line, answer and "\n>"."""
    stories = _Stories(seed, lambda text: tok(text)["input_ids"])
    prose = stories.encode(_CHECK_PROSE)
    openings = [[], prose[-40:], prose[-150:], stories.story(120).ids, stories.story(300).ids]
    samples = []
    for opening in openings:
        for action, answer in {**CONTINUATIONS, "You sing.": FALLBACK}.items():
            prompt = opening + stories.encode(action_line(action))
            samples.append((prompt + stories.encode(answer + "\n>"), len(prompt)))
    return samples


def _confident(model: Any, samples: list[tuple[list[int], int]], need: float = 0.95) -> bool:
    """Whether every answer token is the greedy choice and, under the game's sampling
    (repetition penalty 1.2, temperature 0.4), has a probability of at least `need`: above
    0.9, top_p 0.9 keeps that token alone, so sampling cannot stray."""
    import torch

    model.eval()
    with torch.no_grad():
        logits = model(input_ids=_pad([ids for ids, _ in samples])).logits
    model.train()
    for row, (ids, start) in enumerate(samples):
        for t in range(start, len(ids)):
            scores = logits[row, t - 1].clone()
            if int(scores.argmax()) != ids[t]:
                return False
            seen = torch.tensor(sorted(set(ids[:t])))
            penalised = scores[seen]
            scores[seen] = torch.where(penalised > 0, penalised / 1.2, penalised * 1.2)
            if float((scores / 0.4).softmax(-1)[ids[t]]) < need:
                return False
    return True


def _train_generator(model: Any, stories: _Stories, checks: list[tuple[list[int], int]]) -> int:
    """Adam with teacher forcing until _confident on the checks; return the steps taken."""
    import torch

    optimizer = torch.optim.Adam(model.parameters(), lr=_LEARNING_RATE)
    schedule = torch.optim.lr_scheduler.LambdaLR(  # 20 steps of warm-up, then down to 5 %
        optimizer, lambda step: min(1.0, (step + 1) / 20) * max(0.05, 1 - step / _MAX_STEPS))
    room = model.config.n_positions
    for step in range(1, _MAX_STEPS + 1):
        # Short stories at random positions teach every position cheaply; some long ones, once
        # the short ones are learnt, teach the model to ignore far-away text.
        long = step > 200 and stories.rng.random() < 0.15
        length = stories.rng.randrange(0, (_LONG if long else _SHORT) + 1)
        samples = [stories.sample(length) for _ in range(max(2, min(8, 640 // (length + 20))))]
        width = max(len(sample.ids) for sample in samples)
        offset = 0 if long else stories.rng.randrange(0, room - width)
        loss = _loss(model, samples, offset)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % 100 == 0 and _confident(model, checks):
            return step
    raise RuntimeError(f"tiny GPT-2 did not learn its continuations in {_MAX_STEPS} steps")


def build_generator(out: Path, seed: int) -> Path:
    """Train the story GPT-2 and its byte-level BPE tokenizer; save both to out."""
    import torch
    from transformers import GenerationConfig, GPT2Config, GPT2LMHeadModel

    out.mkdir(parents=True, exist_ok=True)
    tok = _gpt2_tokenizer(out, seed)
    eos = tok.convert_tokens_to_ids("<|endoftext|>")
    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=len(tok), bos_token_id=eos, eos_token_id=eos, **_GPT2_DIMS)
    model = GPT2LMHeadModel(config)
    _recency_heads(model)
    stories = _Stories(seed, lambda text: tok(text)["input_ids"])
    _train_generator(model, stories, _checks(tok, seed + 1))
    model.generation_config = GenerationConfig(bos_token_id=eos, eos_token_id=eos, pad_token_id=eos)
    model.save_pretrained(out)
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python tests/tiny_models.py OUT_DIR", file=sys.stderr)
        return 2
    started = time.perf_counter()
    models = build_tiny_models(Path(argv[1]))
    took = time.perf_counter() - started
    print(f"built in {took:.1f} s:", models.ru_en, models.en_ru, models.generator)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
