"""Tiny REAL models for the tests, trained offline in seconds.

The game runs three models: ru->en and en->ru MarianMT (opus-mt-*) and a GPT-2 that continues
AI Dungeon style stories. Tests cannot download, so this package trains miniature stand-ins with
the same files and the same loading path (plain ``from_pretrained(dir)``) that memorise small
tables, so tests can check real outputs exactly:

- tables: what the translators output (RU_EN, EN_RU) and what the generator writes after an
  action (CONTINUATIONS, FALLBACK), whatever text comes before (0-300 tokens checked), greedy
  or with the game's sampling.
- marian: the translators, with SentencePiece tokenizers laid out like opus-mt's.
- stories, gpt2: the random AI Dungeon style stories the generator learns from, and the
  generator itself with its byte-level BPE tokenizer.
- build: all three under one folder (the session fixture `tiny_models` in tests/conftest.py).

Build them for manual play: ``python -m tests.tiny OUT_DIR`` (from the repository's root).
Everything is seeded, so a build is deterministic.
"""
