"""The emitter's `ask`: which operator makes each child of a batch, and from
which parents.

Selection is uniform over filled cells. Crossover takes its parents from
distinct cells (as many as the archive has, up to its parent count).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from openelm.evolve.archive import ArchiveSnapshot
from openelm.evolve.operators import Child, MutationOperator, PromptPlan
from openelm.evolve.rng import Stream, stream_rng


class MutationEmitter:
    def __init__(
        self, operators: Mapping[str, MutationOperator], weights: Sequence[tuple[str, float]]
    ) -> None:
        self.operators = dict(operators)
        self.names = [name for name, _ in weights]
        total = sum(weight for _, weight in weights)
        self.probabilities = [weight / total for _, weight in weights]

    def ask(
        self, snapshot: ArchiveSnapshot, count: int, *, run_seed: int, iteration: int
    ) -> list[PromptPlan | Child]:
        """`count` plans for `iteration`, drawn from the elites in `snapshot`."""
        if not snapshot.elites:
            raise ValueError("the archive is empty: no parent to mutate")
        selection = stream_rng(run_seed, iteration, Stream.SELECTION)
        plans: list[PromptPlan | Child] = []
        for child_index in range(count):
            name = self.names[int(selection.choice(len(self.names), p=self.probabilities))]
            operator = self.operators[name]
            parent_count = min(operator.parent_count, len(snapshot.elites))
            cells = selection.choice(len(snapshot.elites), size=parent_count, replace=False)
            parents = [snapshot.elites[int(i)] for i in cells]
            plans.append(
                operator.plan(
                    parents,
                    stream_rng(run_seed, iteration, Stream.OPERATOR, child_index),
                    snapshot,
                )
            )
        return plans
