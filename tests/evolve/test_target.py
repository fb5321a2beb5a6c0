"""The niche-targeted operator: which cell it aims at, and what it asks for."""

from __future__ import annotations

import numpy as np
import pytest
from openelm.evolve.archive import ArchiveSnapshot, CVTArchive, GridArchive
from openelm.evolve.operators import TargetOperator, build_operators
from openelm.evolve.operators.target import JOINT_COUNT_STEPS, MIN_TARGET_JOINTS
from openelm.evolve.prompts import MEASURED_LINE, TARGET_INSTRUCTION, WALKER_API_DOC
from openelm.records import ArchiveConfig, Elite, MutationConfig

# 4 x 4 x 4 cells over height 0-8, width 0-8, mass 0-40: each bin is 2, 2 and 10 wide.
CONFIG = ArchiveConfig(bins=(4, 4, 4), height_range=(0, 8), width_range=(0, 8), mass_range=(0, 40))
GENOME = (
    "def make_walker():\n    wc = walker_creator()\n    a = wc.add_joint(0, 0)\n"
    "    b = wc.add_joint(1, 0)\n    wc.add_muscle(a, b)\n    return wc.get_walker()\n"
)


def grid() -> GridArchive:
    return GridArchive(CONFIG)


def cell(archive: GridArchive, h: int, w: int, m: int) -> int:
    return archive.cell_index((2 * h + 1, 2 * w + 1, 10 * m + 5))


def elite(program_id: int, at: int) -> Elite:
    return Elite(program_id, at, 1.0, (3.0, 3.0, 15.0), GENOME, joints=2)


def test_grid_neighbours_are_the_face_neighbours() -> None:
    archive = grid()
    assert archive.neighbours(cell(archive, 1, 1, 1)) == tuple(
        sorted(
            cell(archive, *c)
            for c in ((0, 1, 1), (2, 1, 1), (1, 0, 1), (1, 2, 1), (1, 1, 0), (1, 1, 2))
        )
    )
    # A corner cell has three.
    assert archive.neighbours(cell(archive, 0, 0, 0)) == tuple(
        sorted(cell(archive, *c) for c in ((1, 0, 0), (0, 1, 0), (0, 0, 1)))
    )
    assert archive.cell_centre(cell(archive, 1, 2, 3)) == (3.0, 5.0, 35.0)


def test_the_target_is_an_empty_neighbour_of_the_parent() -> None:
    archive = grid()
    operator = TargetOperator(archive)
    parent_cell = cell(archive, 1, 1, 1)
    filled = frozenset({parent_cell, cell(archive, 0, 1, 1), cell(archive, 2, 1, 1)})
    empty_neighbours = set(archive.neighbours(parent_cell)) - filled
    chosen = {
        operator.choose_target(parent_cell, filled, np.random.default_rng(seed))
        for seed in range(200)
    }
    # Every empty neighbour is reachable, and nothing else is chosen.
    assert chosen == empty_neighbours


def test_a_surrounded_parent_aims_at_the_nearest_empty_ring() -> None:
    archive = grid()
    operator = TargetOperator(archive)
    parent_cell = cell(archive, 0, 0, 0)
    ring_one = set(archive.neighbours(parent_cell))
    filled = frozenset({parent_cell, *ring_one})
    target = operator.choose_target(parent_cell, filled, np.random.default_rng(0))
    assert target not in filled
    assert any(target in archive.neighbours(c) for c in ring_one)
    # A full archive leaves nowhere to go: the parent's own cell.
    everything = frozenset(range(CONFIG.cell_count))
    assert operator.choose_target(parent_cell, everything, np.random.default_rng(0)) == parent_cell


def test_the_prompt_names_the_parent_and_the_target_and_the_plan_records_the_cell() -> None:
    archive = grid()
    parent_cell = cell(archive, 1, 1, 1)
    parent = elite(7, parent_cell)
    snapshot = ArchiveSnapshot((parent,))
    plan = TargetOperator(archive).plan([parent], np.random.default_rng(3), snapshot)
    assert plan.target_cell in archive.neighbours(parent_cell)
    assert plan.prompt.startswith(WALKER_API_DOC)
    assert GENOME in plan.prompt
    assert MEASURED_LINE.format(2, 3.0, 3.0, 15.0) in plan.prompt
    joints = int(plan.prompt.split("# Create a new walker with ")[1].split(" joints")[0])
    assert joints >= MIN_TARGET_JOINTS
    assert TARGET_INSTRUCTION.format(joints, *archive.cell_centre(plan.target_cell)) in plan.prompt
    assert plan.prompt.endswith("def make_walker():\n")
    assert plan.parent_ids == (7,)
    # Same parent, same stream: the same plan.
    again = TargetOperator(archive).plan([parent], np.random.default_rng(3), snapshot)
    assert again == plan
    child = plan.child("    return 1\n", prompt_tokens=3, completion_tokens=2, stopped="eos")  # type: ignore[arg-type]
    assert child.target_cell == plan.target_cell


def test_half_the_targets_keep_the_parents_joint_count_and_the_rest_move_it() -> None:
    rng = np.random.default_rng(5)
    asked = [TargetOperator.choose_joint_count(8, rng) for _ in range(2000)]
    kept = asked.count(8) / len(asked)
    assert 0.45 < kept < 0.55
    assert set(asked) == {8 + step for step in (0, *JOINT_COUNT_STEPS)}
    # Never fewer than three joints, whatever the parent had.
    small = {TargetOperator.choose_joint_count(3, rng) for _ in range(500)}
    assert small == {3, 4, 5, 6}


def test_cvt_neighbours_are_the_nearest_centroids() -> None:
    config = ArchiveConfig(kind="cvt", cells=8)
    centroids = [(x / 7, 0.5, 0.5) for x in range(8)]  # a line of cells along height
    archive = CVTArchive(config, centroids)
    assert archive.neighbours(0) == (1, 2, 3, 4, 5, 6)
    assert archive.neighbours(4) == (1, 2, 3, 5, 6, 7)
    height, _, _ = archive.cell_centre(7)
    assert height == pytest.approx(config.height_range[1])


def test_target_is_built_and_counts_as_a_language_model_operator() -> None:
    mutation = MutationConfig(operator="target")
    assert mutation.uses_language_model()
    assert isinstance(build_operators(mutation, grid())["target"], TargetOperator)
