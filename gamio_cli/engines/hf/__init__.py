"""Models on transformers: the MarianMT translator (translator), the GPT-2 story generator
(generator) with its int8 matrices (int8_weights, made of int8_layers) kept on disk
(int8_cache), its key/value storage (kv_cache), the re-use of a shared prompt prefix
(kv_prefix) and its own decode loop (decode, with gpt2_step).

May import: engines/ (not ct2/), turn/, world/ and the plain data and seams.
"""
