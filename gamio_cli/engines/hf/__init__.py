"""Models on transformers: the MarianMT translator (translator), the GPT-2 story generator
(generator) with its int8 matrices (int8_weights) kept on disk (int8_cache), its key/value
storage (kv_cache) and the re-use of a shared prompt prefix (kv_prefix).

May import: engines/ (not ct2/), turn/, world/ and the plain data and seams.
"""
