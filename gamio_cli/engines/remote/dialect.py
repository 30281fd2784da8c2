"""What each API's request looks like, and what this server turned down.

Servers differ in the optional sampling fields they accept: `transformers serve` answers 422
"Unexpected fields in the request: {'top_k'}", OpenAI itself 400 "Unrecognized request
argument supplied: top_k". A refusal that names optional fields drops exactly those for the
rest of the session; a field once refused is never sent again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from gamio_cli.settings import Settings
from gamio_cli.turn.narration import chat_messages

# The player's next action: the model's turn is over.
STOP = "\n>"
# Fields a server may refuse and the game can do without (the repetition penalty goes by
# both names: vLLM and KoboldCpp read repetition_penalty, llama.cpp repeat_penalty).
OPTIONAL = ("top_k", "repetition_penalty", "repeat_penalty", "seed", "top_p", "stop")
# Where each API posts.
PATHS = {"completions": "/v1/completions", "chat": "/v1/chat/completions",
         "ollama": "/api/generate"}  # fmt: skip


@dataclass
class Dialect:
    """The optional fields this server refused (learned, for this session)."""

    refused: set[str] = field(default_factory=set)

    def learn(self, body: str) -> list[str]:
        """The optional fields an error body names that were not refused before (now are)."""
        named = [name for name in OPTIONAL
                 if name not in self.refused and re.search(rf"\b{name}\b", body)]
        self.refused.update(named)
        return named

    def body(self, api: str, model: str, prompt: str, settings: Settings, seed: int | None,
             window: int, language: str) -> dict[str, Any]:
        """The request body for one turn."""
        if api == "ollama":
            return self._ollama(model, prompt, settings, seed, window)
        sampling: dict[str, Any] = {
            "top_p": settings.top_p,
            "top_k": settings.top_k,
            "repetition_penalty": settings.repetition_penalty,
            "repeat_penalty": settings.repetition_penalty,
            "stop": [STOP],
            "seed": seed,
        }
        body: dict[str, Any] = {"model": model, "max_tokens": settings.max_new_tokens,
                                "temperature": settings.temperature, "stream": True}
        if api == "chat":
            body["messages"] = chat_messages(prompt, language)
        else:
            body["prompt"] = prompt
        body.update(self._kept(sampling))
        return body

    def _kept(self, fields: dict[str, Any]) -> dict[str, Any]:
        return {name: value for name, value in fields.items()
                if name not in self.refused and value is not None}

    def _ollama(self, model: str, prompt: str, settings: Settings, seed: int | None,
                window: int) -> dict[str, Any]:
        # Ollama's /v1 endpoints drop top_k and the repetition penalty; its own API keeps them.
        options = {
            "temperature": settings.temperature,
            "top_p": settings.top_p,
            "top_k": settings.top_k,
            "repeat_penalty": settings.repetition_penalty,
            "num_predict": settings.max_new_tokens,
            "num_ctx": window,
            "stop": [STOP],
            "seed": seed,
        }
        return {"model": model, "prompt": prompt, "raw": True, "stream": True,
                "options": self._kept(options)}
