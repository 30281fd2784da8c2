"""What runs the models: where their files come from (hub) and how they are downloaded,
resumed and checked (blobfetch), the device (device), thread counts (threads), memory (heap,
memcheck), background work (background), a generator still loading behind the first screen
(pending), what loading every engine shares (loading), the manifest every converted cache is
checked against (manifest); hf/ runs them with transformers, ct2/ with CTranslate2.

The only room that may import torch, transformers, ctranslate2, sentencepiece and
huggingface_hub, and only inside functions, so that `gamio --help` stays instant.
May import: turn/, world/ and the plain data and seams; ct2/ may use hf/, not the reverse.
"""
