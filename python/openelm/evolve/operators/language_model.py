"""The operators that ask the language model for a new `make_walker`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from openelm.evolve.archive import ArchiveSnapshot
from openelm.evolve.genome_source import GenomeParts, missing_definitions, split_genome
from openelm.evolve.operators.base import PromptPlan
from openelm.evolve.prompts import (
    COMMIT_MESSAGES,
    commit_prompt,
    crossover_prompt,
    modification_prompt,
)
from openelm.records import Elite


class _ParentRewrite:
    """An operator that shows the model one parent and has it write a new
    `make_walker`; the child keeps the parent's code around it. Subclasses
    say what the prompt is."""

    name: str
    parent_count = 1

    def plan(
        self, parents: Sequence[Elite], rng: np.random.Generator, snapshot: ArchiveSnapshot
    ) -> PromptPlan:
        (parent,) = parents
        parts = split_genome(parent.source)
        return PromptPlan(
            operator=self.name,
            parent_ids=(parent.program_id,),
            prompt=self.prompt(parent.source, parts, rng),
            child_prefix=parts.prefix,
            child_suffix=parts.suffix,
        )

    def prompt(self, source: str, parts: GenomeParts, rng: np.random.Generator) -> str:
        """The prompt for the parent `source` (split into `parts`), drawing only from `rng`."""
        raise NotImplementedError


class ModificationPromptOperator(_ParentRewrite):
    """ELM's plain prompt: the parent, then "Create a new walker by modifying
    the starting function above." The child keeps the parent's helpers."""

    name = "prompt"

    def prompt(self, source: str, parts: GenomeParts, rng: np.random.Generator) -> str:
        return modification_prompt(source)


class CommitMessageOperator(_ParentRewrite):
    """The paper's diff mutation: a commit message drawn 40/30/30 from its
    three messages, and the file after the commit written by the model."""

    name = "diff"

    def prompt(self, source: str, parts: GenomeParts, rng: np.random.Generator) -> str:
        messages = [message for message, _ in COMMIT_MESSAGES]
        probabilities = [probability for _, probability in COMMIT_MESSAGES]
        message = messages[int(rng.choice(len(messages), p=probabilities))]
        return commit_prompt(source, message, parts.prefix)


class CrossoverOperator:
    """Language-model crossover (LMX): k parents from different cells in one
    prompt, ordered by fitness so the best sits next to the completion. The
    child is built on the best parent, plus any helper of the others that it
    lacks."""

    name = "crossover"

    def __init__(self, parent_count: int) -> None:
        self.parent_count = parent_count

    def plan(
        self, parents: Sequence[Elite], rng: np.random.Generator, snapshot: ArchiveSnapshot
    ) -> PromptPlan:
        ordered = sorted(parents, key=lambda parent: (parent.fitness, parent.program_id))
        return self._plan_of_ordered(ordered)

    def _plan_of_ordered(self, ordered: Sequence[Elite]) -> PromptPlan:
        """The plan for parents sorted worst first; its `shorter` drops the
        worst, down to the best alone, for prompts over the model's context."""
        best = ordered[-1]
        parts = split_genome(best.source)
        carried = missing_definitions(
            best.source, [parent.source for parent in reversed(ordered[:-1])]
        )
        return PromptPlan(
            operator=self.name,
            parent_ids=tuple(parent.program_id for parent in ordered),
            prompt=crossover_prompt([parent.source for parent in ordered]),
            child_prefix=parts.prefix + carried,
            child_suffix=parts.suffix,
            shorter=self._plan_of_ordered(ordered[1:]) if len(ordered) > 1 else None,
        )
