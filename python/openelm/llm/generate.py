"""The generation API: sample `make_walker` bodies for prompts.

Where plain `model.generate()` spends its time on CPU, and what is done
about it here (the pieces live in the modules named):

- Prefill dominates: the same ~400-token prompt is run once per sample.
  Here each unique prompt is prefilled once, and the head that a prefill
  batch's prompts share (the API block) once for all of them (`prefill.py`).
- A prompt with several samples is read once per step for all of them
  (`attention.py`); the prompts of single children (one per parent, the
  `prompt`/`diff`/`crossover` workload) are copied into their rows, so that
  attention over many distinct prompts is one batched matmul (`kv_cache.py`).
- `DynamicCache` copies the whole cache every step; ours is preallocated and
  written in place (`kv_cache.py`).
- Every completion stops as soon as its body ends; a waiting completion takes
  the freed batch row (`decode.py`, `stopping.py`).
- A child copies most of its parent, so when few rows are left, each row
  also feeds the tokens that followed its latest n-gram earlier in its
  context and keeps those its sampling agrees with (`drafting.py`).
- Top-p is taken inside the top-k tokens, not over a sorted vocabulary
  (`sampling.py`).
- On CPUs with native bfloat16 the model runs in bfloat16 (`models.py`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import NamedTuple

import torch

from openelm.llm.completion import DEFAULT_TOP_K, Completion, GenerationStats
from openelm.llm.decode import DecodeLoop, DecodeRow, SamplingSettings
from openelm.llm.healing import HealedPrompt, decoded_vocabulary, heal_prompt
from openelm.llm.models import LanguageModel
from openelm.llm.stopping import StopReason, eos_token_ids, newline_token_ids, trim_to_function_body
from openelm.records import DEFAULT_MAX_NEW_TOKENS, DEFAULT_TEMPERATURE, DEFAULT_TOP_P

# Completions decoded together. On 2 CPU cores in bfloat16 a decode step
# costs ~25 ms with 4 rows and ~60 ms with 64 (the weights are read once per
# step whatever the rows), so wide batches are cheap tokens.
DEFAULT_MAX_BATCH_ROWS = 64
# Draft tokens a row may feed per forward pass (0: none).
DEFAULT_MAX_DRAFT_TOKENS = 8


class GenerationRequest(NamedTuple):
    """`num_samples` completions of one prompt; a plain `(prompt, n)` tuple works too."""

    prompt: str
    num_samples: int = 1


class Generator:
    """Samples completions from a `LanguageModel`.

    `last_stats` describes the latest `generate` call, `total_stats` all of them.
    """

    def __init__(
        self,
        language_model: LanguageModel,
        *,
        max_batch_rows: int = DEFAULT_MAX_BATCH_ROWS,
        top_k: int = DEFAULT_TOP_K,
        max_draft_tokens: int = DEFAULT_MAX_DRAFT_TOKENS,
    ) -> None:
        if max_batch_rows < 1:
            raise ValueError("max_batch_rows must be at least 1")
        if top_k < 1:
            raise ValueError("top_k must be at least 1")
        if max_draft_tokens < 0:
            raise ValueError("max_draft_tokens must not be negative")
        self.language_model = language_model
        self.max_batch_rows = max_batch_rows
        self.top_k = top_k
        self.max_draft_tokens = max_draft_tokens
        model = language_model.model
        tokenizer = language_model.tokenizer
        self._vocabulary = decoded_vocabulary(tokenizer, model.config.get_text_config().vocab_size)
        self._newline_ids = newline_token_ids(self._vocabulary)
        self._eos_ids = eos_token_ids(tokenizer, model.generation_config.eos_token_id)
        self.total_stats = GenerationStats()
        self.last_stats = GenerationStats()

    @torch.inference_mode()
    def generate(
        self,
        requests: Sequence[GenerationRequest | tuple[str, int]],
        *,
        max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
        temperature: float = DEFAULT_TEMPERATURE,
        top_p: float = DEFAULT_TOP_P,
        seed: int = 0,
    ) -> list[list[Completion]]:
        """Sample `num_samples` completions per request, returned in request
        order; each text is the `make_walker` body that follows the prompt
        (temperature 0: greedy).

        Same seed, inputs, model and device: same texts. A completion's random
        draws depend only on the seed and its (request, sample) position.
        """
        if max_new_tokens < 1:
            raise ValueError("max_new_tokens must be at least 1")
        if temperature < 0.0:
            raise ValueError("temperature must not be negative")
        if not 0.0 < top_p <= 1.0:
            raise ValueError("top_p must be in (0, 1]")
        started = time.perf_counter()
        parsed = [GenerationRequest(*request) for request in requests]
        if any(request.num_samples < 0 for request in parsed):
            raise ValueError("num_samples must not be negative")

        prompt_id_of: dict[str, int] = {}
        prompts: list[HealedPrompt] = []
        for request in parsed:
            if request.prompt not in prompt_id_of:
                token_ids = self.language_model.tokenizer(request.prompt, add_special_tokens=False)[
                    "input_ids"
                ]
                if not token_ids:
                    raise ValueError("a prompt must not be empty")
                prompt_id_of[request.prompt] = len(prompts)
                prompts.append(heal_prompt(token_ids, self._vocabulary))
        rows = [
            DecodeRow(request_index, sample_index, prompt_id_of[request.prompt])
            for request_index, request in enumerate(parsed)
            for sample_index in range(request.num_samples)
        ]
        # Rows of one prompt side by side: they share its prefill and attention.
        # Prompts in token order: neighbours, prefilled together, share the
        # longest heads (parents from one lineage differ late in the program).
        rows.sort(key=lambda row: (prompts[row.prompt_id].token_ids, row.prompt_id))

        loop = DecodeLoop(
            self.language_model.model,
            self.language_model.tokenizer,
            prompts=prompts,
            settings=SamplingSettings(
                max_new_tokens, temperature, top_p, self.top_k, seed, self.max_draft_tokens
            ),
            max_batch_rows=self.max_batch_rows,
            newline_ids=self._newline_ids,
            eos_ids=self._eos_ids,
        )
        loop.run(rows)

        stats = GenerationStats(
            prefill_tokens=loop.prefill_tokens,
            drafted_tokens=loop.drafted_tokens,
            accepted_draft_tokens=loop.accepted_draft_tokens,
        )
        completions: list[list[Completion]] = [[] for _ in parsed]
        for row in sorted(rows, key=lambda row: (row.request_index, row.sample_index)):
            prompt = prompts[row.prompt_id]
            assert row.stopped is not None
            completions[row.request_index].append(
                Completion(
                    text=trim_to_function_body(self._completion_text(prompt, row)),
                    prompt_tokens=len(prompt.token_ids),
                    completion_tokens=len(row.token_ids),
                    stopped=row.stopped,
                )
            )
            stats.prompt_tokens += len(prompt.token_ids)
            stats.completion_tokens += len(row.token_ids)
            stats.completions += 1
        stats.seconds = time.perf_counter() - started
        self.last_stats = stats
        self.total_stats.add(stats)
        return completions

    def _completion_text(self, prompt: HealedPrompt, row: DecodeRow) -> str:
        """The generated text after the prompt, without the healed prefix."""
        generated = row.token_ids[:-1] if row.stopped is StopReason.EOS else row.token_ids
        # Decode after the prompt's last token and cut its text off: a
        # SentencePiece tokenizer would otherwise drop the first leading space.
        tokenizer = self.language_model.tokenizer
        context = prompt.token_ids[-1:]
        head = tokenizer.decode(context, clean_up_tokenization_spaces=False)
        full = tokenizer.decode(context + generated, clean_up_tokenization_spaces=False)
        assert isinstance(head, str) and isinstance(full, str)  # one sequence, one string
        text = full[len(head) :] if full.startswith(head) else str(tokenizer.decode(generated))
        return text.removeprefix(prompt.healed_text)
