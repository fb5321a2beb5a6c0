"""What every operator takes and returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from openelm.evolve.genome_source import assemble_child


@dataclass(frozen=True)
class Parent:
    program_id: int
    source: str
    fitness: float


@dataclass(frozen=True)
class MutationPlan:
    """How one child comes about.

    With `prompt` None, `child_source` is the child. Otherwise the child is
    `child_prefix + def make_walker(): + <completion> + child_suffix`.
    """

    operator: str
    parent_ids: tuple[int, ...]
    prompt: str | None = None
    child_prefix: str = ""
    child_suffix: str = ""
    child_source: str | None = None

    def child_from_completion(self, body: str) -> str:
        return assemble_child(self.child_prefix, body, self.child_suffix)


class MutationOperator(Protocol):
    name: str
    # How many distinct parents (cells) the operator wants; it copes with
    # fewer when the archive holds fewer elites.
    parent_count: int

    def plan(self, parents: Sequence[Parent], rng: np.random.Generator) -> MutationPlan: ...
