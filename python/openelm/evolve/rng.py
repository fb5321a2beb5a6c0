"""Random streams derived from (run seed, iteration, purpose).

No random state is carried from one iteration to the next: each iteration
builds its generators from the run seed and its own number. A resumed run
therefore needs no saved RNG state to draw exactly what the uninterrupted run
would have drawn.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    SELECTION = 1  # operator choice and parent cells
    OPERATOR = 2  # an operator's own draws, one stream per child
    GENERATION = 3  # the language model's sampling seed


def stream_rng(run_seed: int, iteration: int, stream: Stream, *indices: int) -> np.random.Generator:
    return np.random.default_rng(
        np.random.SeedSequence([run_seed, iteration, int(stream), *indices])
    )


def generation_seed(run_seed: int, iteration: int) -> int:
    """The seed handed to the generator for one iteration's batch (63 bits)."""
    entropy = np.random.SeedSequence([run_seed, iteration, int(Stream.GENERATION)])
    return int(entropy.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
