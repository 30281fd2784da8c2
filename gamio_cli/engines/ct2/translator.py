"""MarianMT translation with CTranslate2 (int8 on the CPU).

Everything but running the model is translator.MarianTranslator's: line and sentence splitting,
the cache, chunking of overlong sentences, the cancel checks between sentences, the beam width
and the output budget. Only _run_model differs: CTranslate2's translate_batch on the
SentencePiece tokens instead of MarianMTModel.generate.
ctranslate2 and transformers are imported lazily, inside functions.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from gamio_cli.engines.ct2.generator import read_json
from gamio_cli.engines.hf import translator as marian
from gamio_cli.engines.hf.translator import MarianTranslator


class Ct2Translator(MarianTranslator):
    """Implements engine.Translator with a ctranslate2.Translator and a MarianTokenizer."""

    def __init__(self, tokenizer: Any, translator: Any, config: Any, generation_config: Any) -> None:
        # MarianTranslator reads only these from its model: the window and the beam width.
        model = SimpleNamespace(config=config, generation_config=generation_config)
        super().__init__(tokenizer, model, "cpu")
        self.translator = translator
        self.force_length = False  # benchmarks: write exactly the output budget

    @classmethod
    def from_dirs(cls, hf_dir: Path, ct2_dir: Path, beside_torch: bool = False) -> Ct2Translator:
        """Tokenizer and configs from the Hugging Face directory, weights from the converted one.

        beside_torch: the generator runs on torch in this process (see ct2_thread_options).
        """
        import ctranslate2

        # The class itself: transformers' Auto* classes would import torch (190 MB, 1.3 s).
        from transformers.models.marian.tokenization_marian import MarianTokenizer

        from gamio_cli.engines.ct2.convert import open_converted
        from gamio_cli.engines.threads import ct2_thread_options

        with warnings.catch_warnings():
            # "Recommended: pip install sacremoses": only punctuation normalisation is lost.
            warnings.simplefilter("ignore")
            tokenizer = MarianTokenizer.from_pretrained(str(hf_dir))
        config = read_json(hf_dir / "config.json")
        # generation_config.json overrides the defaults the model config carries.
        generation = {**config, **read_json(hf_dir / "generation_config.json")}
        translator = open_converted(ctranslate2.Translator, ct2_dir, **ct2_thread_options(beside_torch))
        return cls(tokenizer, translator, SimpleNamespace(**config),
                   SimpleNamespace(num_beams=generation.get("num_beams")))

    def _run_model(self, text: str) -> str:
        ids = self.tokenizer(text, truncation=True, max_length=self.max_tokens + 1)["input_ids"]
        source = self.tokenizer.convert_ids_to_tokens(ids)
        # The same budget as MarianTranslator (read at call time, like there).
        budget = int(len(ids) * marian.OUTPUT_PER_INPUT_TOKEN) + marian.OUTPUT_SLACK_TOKENS
        budget = min(budget, self.max_tokens)
        result = self.translator.translate_batch(
            [source],
            beam_size=self.num_beams,
            max_decoding_length=budget,
            min_decoding_length=budget if self.force_length else 1,
            max_input_length=self.max_tokens + 1,
        )[0]
        output_ids = self.tokenizer.convert_tokens_to_ids(result.hypotheses[0])
        return str(self.tokenizer.decode(output_ids, skip_special_tokens=True)).strip()
