"""Random-weight models of the real shapes, built offline and cached between benchmark runs.

The cost of a token does not depend on the weight values, so GPT-2-XL (or -medium) and the two
opus-mt translators are built with random weights and real shapes. Their tokenizers are trained
on the benchmark's script and padded to the real vocabulary sizes, so the embedding and output
layers have their real cost.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench_story import english_corpus, russian_corpus

# GPT2Config shapes: (layers, hidden size, attention heads).
GPT2_SHAPES = {"xl": (48, 1600, 25), "medium": (24, 1024, 16)}
GPT2_VOCAB = 50257
GPT2_WINDOW = 1024
# opus-mt-ru-en / opus-mt-en-ru (MarianConfig of both).
MARIAN_VOCAB = 62518
MARIAN_SHAPE = {"d_model": 512, "layers": 6, "heads": 8, "ffn": 2048, "positions": 512}
EOT = "<|endoftext|>"


@dataclass(frozen=True)
class BenchModels:
    generator: Path
    ru_en: Path
    en_ru: Path


def build_all(root: Path, size: str) -> BenchModels:
    """The three model directories under root, built once (each is written atomically)."""
    models = BenchModels(root / f"gpt2-{size}", root / "opus-mt-ru-en", root / "opus-mt-en-ru")
    _once(models.generator, lambda out: _build_gpt2(out, size))
    _once(models.ru_en, lambda out: _build_marian(out, russian_corpus(), english_corpus(), 1))
    _once(models.en_ru, lambda out: _build_marian(out, english_corpus(), russian_corpus(), 2))
    return models


def _once(path: Path, build: object) -> None:
    if (path / "config.json").is_file():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
    try:
        print(f"building {path.name} (random weights, once)...", flush=True)
        build(temp)  # type: ignore[operator]
        temp.rename(path)
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _build_gpt2(out: Path, size: str) -> None:
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    _gpt2_tokenizer(out)
    layers, hidden, heads = GPT2_SHAPES[size]
    eot = GPT2_VOCAB - 1
    config = GPT2Config(
        vocab_size=GPT2_VOCAB, n_positions=GPT2_WINDOW, n_embd=hidden, n_layer=layers,
        n_head=heads, bos_token_id=eot, eos_token_id=eot,
    )
    torch.manual_seed(0)
    GPT2LMHeadModel(config).save_pretrained(out)


def _gpt2_tokenizer(out: Path) -> None:
    """A byte-level BPE trained on the script, its vocabulary padded to GPT-2's 50257 tokens."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import GPT2TokenizerFast

    trainer = ByteLevelBPETokenizer()
    trainer.train_from_iterator(english_corpus(), vocab_size=1000, min_frequency=1,
                                show_progress=False)
    with tempfile.TemporaryDirectory() as raw:
        trainer.save_model(raw)
        trained = json.loads((Path(raw) / "vocab.json").read_text(encoding="utf-8"))
        merges = (Path(raw) / "merges.txt").read_text(encoding="utf-8")
    tokens = [token for token, _ in sorted(trained.items(), key=lambda item: item[1])]
    vocab = {token: index for index, token in enumerate(tokens)}
    filler = (f"Ġzq{_letters(n)}" for n in range(10**6))
    while len(vocab) < GPT2_VOCAB - 1:
        token = next(filler)
        vocab.setdefault(token, len(vocab))
    vocab[EOT] = GPT2_VOCAB - 1
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (out / "merges.txt").write_text(merges, encoding="utf-8")
    # transformers 5 takes the tables themselves (vocab=, merges=), 4.x took file names.
    merge_pairs = [tuple(line.split(" ")) for line in merges.splitlines() if line and not line.startswith("#")]
    tokenizer = GPT2TokenizerFast(
        vocab=vocab, merges=merge_pairs,
        bos_token=EOT, eos_token=EOT, unk_token=EOT, model_max_length=GPT2_WINDOW,
    )
    tokenizer.save_pretrained(out)


def _letters(number: int) -> str:
    text = ""
    while True:
        number, digit = divmod(number, 26)
        text += chr(ord("a") + digit)
        if number == 0:
            return text


def build_marian(path: Path, direction: str, shape: dict[str, int | str], vocab_size: int) -> Path:
    """A random-weight Marian model of another shape (benchmarks/translators.py), built once;
    direction is "ru-en" or "en-ru" (which script trains its tokenizers)."""
    texts = (russian_corpus(), english_corpus())
    source, target = texts if direction == "ru-en" else texts[::-1]
    _once(path, lambda out: _build_marian(out, source, target, 3, shape, vocab_size))
    return path


def _build_marian(out: Path, source: list[str], target: list[str], seed: int,
                  shape: dict[str, int | str] | None = None, vocab_size: int = MARIAN_VOCAB) -> None:
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    pieces = _spm(out / "source.spm", source) + _spm(out / "target.spm", target)
    vocab = {"</s>": 0, "<unk>": 1}
    for piece in pieces:
        vocab.setdefault(piece, len(vocab))
    filler = (f"▁zq{_letters(n)}" for n in range(10**6))
    while len(vocab) < vocab_size - 1:
        vocab.setdefault(next(filler), len(vocab))
    pad = vocab_size - 1
    vocab["<pad>"] = pad
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    MarianTokenizer(str(out / "source.spm"), str(out / "target.spm"), str(out / "vocab.json")
                    ).save_pretrained(out)
    shape = {"activation": "swish", **(shape or MARIAN_SHAPE)}
    config = MarianConfig(
        vocab_size=vocab_size, d_model=shape["d_model"],
        encoder_layers=shape["layers"], decoder_layers=shape["layers"],
        encoder_attention_heads=shape["heads"], decoder_attention_heads=shape["heads"],
        encoder_ffn_dim=shape["ffn"], decoder_ffn_dim=shape["ffn"],
        max_position_embeddings=shape["positions"], activation_function=shape["activation"],
        scale_embedding=True, static_position_embeddings=True, pad_token_id=pad,
        eos_token_id=0, decoder_start_token_id=pad, forced_eos_token_id=0,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    model.generation_config = GenerationConfig(
        num_beams=4, max_length=512, bad_words_ids=[[pad]], decoder_start_token_id=pad,
        eos_token_id=0, pad_token_id=pad, forced_eos_token_id=0,
    )
    model.save_pretrained(out)


def _spm(path: Path, texts: list[str]) -> list[str]:
    """Train a small SentencePiece model on texts; returns its pieces."""
    import sentencepiece as spm

    with tempfile.TemporaryDirectory() as work:
        corpus = Path(work) / "corpus.txt"
        corpus.write_text("\n".join(texts), encoding="utf-8")
        spm.SentencePieceTrainer.train(
            input=str(corpus), model_prefix=str(Path(work) / "m"), vocab_size=400,
            hard_vocab_limit=False, character_coverage=1.0, minloglevel=2,
        )
        shutil.copyfile(Path(work) / "m.model", path)
        processor = spm.SentencePieceProcessor(model_file=str(path))
        return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
