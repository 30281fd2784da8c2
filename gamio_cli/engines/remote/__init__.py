"""Narrators on a server: any OpenAI-compatible one (llama.cpp, vLLM, KoboldCpp, LM Studio,
`transformers serve`, hosted gateways) and Ollama's own API, behind the engine.Generator seam.

events (server-sent events and newline-delimited JSON, read into text pieces), failures (each
failure as one Russian line with the remedy), transport (httpx streaming that Ctrl-C stops in
a fraction of a second, the 429 waits), dialect (the request bodies of the three APIs and the
fields a server refused), discovery (the server's models, window and tokenizer; the doctor's
report) and generator (RemoteGenerator).

May import: engines/ (not hf/ or ct2/), turn/, world/ and the plain data and seams; httpx.
"""
