"""The niche-targeted operator: the language model is told where to go.

It picks an empty cell next to the parent's (the parent is a filled cell,
picked uniformly like every other operator's), shows the model the parent
with its joint count and measured height, width and mass, and asks for a
walker with the target cell's descriptors and a joint count: the parent's
half of the time, otherwise a few joints more or fewer, so that some
children are asked for another structure (numeric mutation never changes
one; docs/science.md). The child is scored like any other; the run
records the target cell beside the cell the child landed in, so the funnel
counts hits (`Funnel.on_target`).

When every neighbour of the parent is filled, the search widens ring by ring
(neighbours of neighbours, ...) to the nearest empty cells, so a target is
found while the archive has room; a full archive asks for the parent's own
cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from openelm.evolve.archive import ArchiveSnapshot
from openelm.evolve.genome_source import ENTRY_DEF, split_genome
from openelm.evolve.operators.base import PromptPlan
from openelm.evolve.prompts import targeted_prompt
from openelm.records import Descriptors, Elite

# How often a `target` prompt asks for another joint count than the
# parent's, and by how much. Growth is favoured: a body with more joints
# and connections spans more height, width and mass. Fewer than 3 joints
# make no body with an area.
STRUCTURE_CHANGE_PROBABILITY = 0.5
JOINT_COUNT_STEPS = (-2, -1, 1, 2, 3)
MIN_TARGET_JOINTS = 3


class CellGeometry(Protocol):
    """What the operator needs of an archive: which cells touch, and where a cell is."""

    def neighbours(self, cell: int) -> tuple[int, ...]: ...

    def cell_centre(self, cell: int) -> Descriptors: ...


class TargetOperator:
    name = "target"
    parent_count = 1

    def __init__(self, geometry: CellGeometry) -> None:
        self.geometry = geometry

    def plan(
        self, parents: Sequence[Elite], rng: np.random.Generator, snapshot: ArchiveSnapshot
    ) -> PromptPlan:
        (parent,) = parents
        target = self.choose_target(parent.cell, snapshot.filled_cells, rng)
        joints = self.choose_joint_count(parent.joints, rng)
        parts = split_genome(parent.source)
        return PromptPlan(
            operator=self.name,
            parent_ids=(parent.program_id,),
            prompt=targeted_prompt(
                parent.source,
                (parent.joints, parent.descriptors),
                (joints, self.geometry.cell_centre(target)),
                parts.prefix + ENTRY_DEF,
            ),
            child_prefix=parts.prefix,
            child_suffix=parts.suffix,
            target_cell=target,
        )

    def choose_target(self, cell: int, filled: frozenset[int], rng: np.random.Generator) -> int:
        """An empty cell among the nearest ring around `cell` that has one,
        uniformly; `cell` itself when no empty cell is reachable."""
        seen = {cell}
        ring = [cell]
        while ring:
            ring = sorted({n for c in ring for n in self.geometry.neighbours(c) if n not in seen})
            seen.update(ring)
            empty = [c for c in ring if c not in filled]
            if empty:
                return empty[int(rng.integers(len(empty)))]
        return cell

    @staticmethod
    def choose_joint_count(parent_joints: int, rng: np.random.Generator) -> int:
        """The parent's joint count, or with `STRUCTURE_CHANGE_PROBABILITY` one
        of `JOINT_COUNT_STEPS` away from it, never below `MIN_TARGET_JOINTS`."""
        if rng.random() >= STRUCTURE_CHANGE_PROBABILITY:
            return parent_joints
        step = JOINT_COUNT_STEPS[int(rng.integers(len(JOINT_COUNT_STEPS)))]
        return max(MIN_TARGET_JOINTS, parent_joints + step)
