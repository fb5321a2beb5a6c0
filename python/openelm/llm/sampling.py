"""Next-token sampling: temperature, then top-k, then top-p (nucleus).

Top-p needs the probabilities in descending order. Sorting the whole
vocabulary (49k entries for SmolLM2) every step is wasted work: `topk` picks
the k best first and returns them sorted, and the nucleus is taken inside
those k. With the default k = 50 (also transformers' default) the result is
the same as transformers' temperature -> top-k -> top-p chain.

Randomness comes from one stream per completion (`RowStream`), seeded from
the call's seed and the completion's (request, sample) position, and drawn
once per generated position: the token at a completion's position t is
always decided by the stream's t-th draw. A completion's tokens therefore do
not depend on which other completions share its batch, nor on how many of
its positions one forward pass decides (`drafting.py`), and the same seed and
inputs give the same texts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import torch


class RowStream:
    """The random draws of one completion: an Exp(1) noise vector per generated
    position, drawn in position order and kept until the position is decided."""

    def __init__(self, generator: torch.Generator) -> None:
        self._generator = generator
        self._pending: list[torch.Tensor] = []  # draws for the next undecided positions

    def noise(self, count: int, width: int) -> torch.Tensor:
        """The draws of the next `count` undecided positions, [count, width]."""
        while len(self._pending) < count:
            draw = torch.empty(width, device=self._generator.device)
            self._pending.append(draw.exponential_(generator=self._generator))
        return torch.stack(self._pending[:count])

    def advance(self, count: int) -> None:
        """The next `count` positions are decided: their draws are spent."""
        del self._pending[:count]


def row_stream(seed: int, request_index: int, sample_index: int, device: torch.device) -> RowStream:
    """The random stream of one completion."""
    key = f"{seed}:{request_index}:{sample_index}".encode()
    derived_seed = int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little") >> 1
    generator = torch.Generator(device=device)
    generator.manual_seed(derived_seed)
    return RowStream(generator)


def sample_tokens(
    logits: torch.Tensor,
    *,
    temperature: float,
    top_p: float,
    top_k: int,
    streams: Sequence[RowStream],
    counts: Sequence[int],
) -> torch.Tensor:
    """One token id per row of `logits` ([positions, vocab]); temperature 0 is greedy.

    The rows are `counts[i]` consecutive positions of completion `streams[i]`,
    each drawn with that stream's draw for it; the streams do not advance.
    """
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
    # probability p_i / sum(p), without renormalising.
    width = probs.shape[-1]
    noise = torch.cat(
        [stream.noise(count, width) for stream, count in zip(streams, counts, strict=True)]
    )
    choice = (probs / noise).argmax(dim=-1, keepdim=True)
    return top_ids.gather(-1, choice).squeeze(-1)
