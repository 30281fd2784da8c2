"""Models on CTranslate2 (int8 on a CPU): the one-time conversion and its cache (convert,
checked on start against engines/manifest.py, which the int8 cache shares), the translator
(translator) and generator (generator), the generator's prompt cache (prompt_cache), and
loading them with a fallback signal when this engine cannot run (models).

May import: engines/ and engines/hf/, turn/, world/ and the plain data and seams.
"""
