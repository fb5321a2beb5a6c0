"""What every operator takes and returns: archive elites in, and either a
finished `Child` or a `PromptPlan` that the language model completes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from openelm.evolve.archive import ArchiveSnapshot
from openelm.evolve.genome_source import assemble_child
from openelm.records import CompletionStop, Elite


@dataclass(frozen=True)
class Child:
    """A child ready to evaluate. The model fields stay at their defaults
    for children made without the language model (seeds, `random`)."""

    operator: str
    parent_ids: tuple[int, ...]
    source: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    prompt: str | None = None
    completion: str | None = None
    stopped: CompletionStop | None = None
    target_cell: int | None = None  # the cell a `target` child was asked to land in


@dataclass(frozen=True)
class PromptPlan:
    """A child still to be written: the model completes `prompt` with a
    `make_walker` body, and the child is `child_prefix + def make_walker():
    + <body> + child_suffix`. `shorter` is the same request with fewer
    parents (crossover), tried when `prompt` overflows the model's context."""

    operator: str
    parent_ids: tuple[int, ...]
    prompt: str
    child_prefix: str
    child_suffix: str
    target_cell: int | None = None  # the cell a `target` prompt asks for
    shorter: PromptPlan | None = None

    def child_from_completion(self, body: str) -> str:
        """The child's source around the model's `make_walker` body."""
        return assemble_child(self.child_prefix, body, self.child_suffix)

    def child(
        self, body: str, *, prompt_tokens: int, completion_tokens: int, stopped: CompletionStop
    ) -> Child:
        return Child(
            self.operator,
            self.parent_ids,
            self.child_from_completion(body),
            prompt_tokens,
            completion_tokens,
            self.prompt,
            body,
            stopped,
            self.target_cell,
        )


class MutationOperator(Protocol):
    name: str
    # How many distinct parents (cells) the operator wants; it copes with
    # fewer when the archive holds fewer elites.
    parent_count: int

    def plan(
        self, parents: Sequence[Elite], rng: np.random.Generator, snapshot: ArchiveSnapshot
    ) -> PromptPlan | Child:
        """A child of `parents`, drawing only from `rng`; `snapshot` is the
        archive the parents were picked from."""
        ...
