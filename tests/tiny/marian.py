"""The tiny MarianMT translators: SentencePiece tokenizers and a joint vocab.json laid out like
opus-mt's, a model trained until it says its table exactly."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

_MARIAN_DIMS: dict[str, Any] = {
    "d_model": 64, "encoder_layers": 1, "decoder_layers": 1, "encoder_attention_heads": 4,
    "decoder_attention_heads": 4, "encoder_ffn_dim": 128, "decoder_ffn_dim": 128,
    "max_position_embeddings": 512, "dropout": 0.0, "scale_embedding": True,
}


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
