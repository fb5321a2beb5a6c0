"""Next-token sampling: temperature, then top-k, then top-p (nucleus).

Top-p needs the probabilities in descending order. Sorting the whole
vocabulary (49k entries for SmolLM2) every step is wasted work: `topk` picks
the k best first and returns them sorted, and the nucleus is taken inside
those k. With the default k = 50 (also transformers' default) the result is
the same as transformers' temperature -> top-k -> top-p chain.

Randomness comes from one `torch.Generator` per completion, seeded from the
call's seed and the completion's (request, sample) position. A completion's
draws therefore do not depend on which other completions share its batch, and
the same seed and inputs give the same texts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import torch


def row_generator(
    seed: int, request_index: int, sample_index: int, device: torch.device
) -> torch.Generator:
    """The random stream of one completion."""
    key = f"{seed}:{request_index}:{sample_index}".encode()
    derived_seed = int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little") >> 1
    generator = torch.Generator(device=device)
    generator.manual_seed(derived_seed)
    return generator


def sample_next_tokens(
    logits: torch.Tensor,
    *,
    temperature: float,
    top_p: float,
    top_k: int,
    generators: Sequence[torch.Generator],
) -> torch.Tensor:
    """One token id per row of `logits` ([rows, vocab]); temperature 0 is greedy."""
    if temperature == 0.0:
        return logits.argmax(dim=-1)
    top_logits, top_ids = torch.topk(
        logits.float(), min(top_k, logits.shape[-1]), dim=-1
    )  # sorted descending
    probs = torch.softmax(top_logits / temperature, dim=-1)
    # Keep each token whose predecessors hold less than top_p of the mass; the
    # most likely token always survives.
    mass_before = probs.cumsum(dim=-1) - probs
    probs = probs.masked_fill(mass_before >= top_p, 0.0)
    # Exponential race: argmax(p_i / E_i) with E_i ~ Exp(1) draws i with
    # probability p_i / sum(p), without renormalising, one stream per row.
    noise = torch.stack(
        [
            torch.empty(probs.shape[-1], device=probs.device).exponential_(generator=g)
            for g in generators
        ]
    )
    choice = (probs / noise).argmax(dim=-1, keepdim=True)
    return top_ids.gather(-1, choice).squeeze(-1)
