"""The MAP-Elites grid: binning, clipping, strict replacement, snapshots."""

from __future__ import annotations

import math

import numpy as np
import pytest
from openelm.evolve import ArchiveConfig, GridArchive, Placement
from openelm.evolve.archive import ArchiveSnapshot
from openelm.evolve.emitter import MutationEmitter
from openelm.evolve.operators import RandomNumbersOperator

CONFIG = ArchiveConfig(
    bins=(4, 5, 6), height_range=(0.0, 4.0), width_range=(0.0, 5.0), mass_range=(0.0, 60.0)
)


def test_cells_are_row_major_over_height_width_mass() -> None:
    archive = GridArchive(CONFIG)
    assert archive.cell_count == 120
    cell = archive.cell_index((2.5, 3.5, 25.0))
    assert archive.cell_coordinates(cell) == (2, 3, 2)
    assert cell == (2 * 5 + 3) * 6 + 2


def test_out_of_range_descriptors_clip_to_the_edge_bins() -> None:
    archive = GridArchive(CONFIG)
    assert archive.cell_coordinates(archive.cell_index((-3.0, 99.0, 60.0))) == (0, 4, 5)
    assert archive.cell_coordinates(archive.cell_index((4.0, 0.0, -1.0))) == (3, 0, 0)
    # The upper bound itself belongs to the last bin, not past it.
    assert archive.cell_coordinates(archive.cell_index((3.999, 4.999, 59.99))) == (3, 4, 5)


def test_a_child_replaces_the_elite_only_when_strictly_better() -> None:
    archive = GridArchive(CONFIG)
    descriptors = (1.0, 1.0, 10.0)
    assert archive.add(1, 0.5, descriptors, "a", joints=3).placement is Placement.NEW_CELL
    assert archive.add(2, 0.5, descriptors, "b", joints=3).placement is Placement.NOT_BETTER
    assert archive.add(3, 0.4, descriptors, "c", joints=3).placement is Placement.NOT_BETTER
    assert archive.elite(archive.cell_index(descriptors)).program_id == 1
    assert archive.add(4, 0.51, descriptors, "d", joints=3).placement is Placement.IMPROVED
    assert archive.elite(archive.cell_index(descriptors)).program_id == 4
    assert archive.filled == 1


def test_non_finite_scores_are_rejected() -> None:
    archive = GridArchive(CONFIG)
    assert archive.add(1, math.nan, (1.0, 1.0, 1.0), "a", joints=3).placement is Placement.REJECTED
    assert archive.add(2, 1.0, (math.inf, 1.0, 1.0), "b", joints=3).placement is Placement.REJECTED
    assert archive.filled == 0


def test_quality_diversity_statistics() -> None:
    archive = GridArchive(CONFIG)
    archive.add(1, 1.0, (0.5, 0.5, 5.0), "a", joints=3)
    archive.add(2, 3.0, (3.5, 0.5, 5.0), "b", joints=3)
    archive.add(
        3, 2.0, (3.5, 0.5, 55.0), "c", joints=3
    )  # same height/width bins as 2, other mass bin
    assert archive.qd_score == 6.0
    assert archive.coverage == 3 / 120
    assert archive.max_fitness == 3.0
    assert archive.mean_fitness == 2.0
    grid = archive.height_width_map()
    assert grid[0][0] == 1.0
    assert grid[3][0] == 3.0  # the best over mass bins
    assert sum(value is not None for row in grid for value in row) == 2


def test_snapshots_order_elites_by_cell_whatever_the_arrival_order() -> None:
    points = [(1, 1.0, (3.5, 0.5, 5.0)), (2, 2.0, (0.5, 4.5, 5.0)), (3, 3.0, (0.5, 0.5, 5.0))]
    first, second = GridArchive(CONFIG), GridArchive(CONFIG)
    for program_id, fitness, descriptors in points:
        first.add(program_id, fitness, descriptors, "x", joints=3)
    for program_id, fitness, descriptors in reversed(points):
        second.add(program_id, fitness, descriptors, "x", joints=3)
    assert first.snapshot() == second.snapshot()
    cells = [elite.cell for elite in first.snapshot().elites]
    assert cells == sorted(cells)


def test_selection_is_uniform_over_filled_cells() -> None:
    archive = GridArchive(CONFIG)
    for program_id in range(4):
        archive.add(
            program_id,
            1.0 + program_id * 10,
            (program_id + 0.5, 0.5, 1.0),
            f"x = {program_id}\n",
            3,
        )
    emitter = MutationEmitter(
        {"random": RandomNumbersOperator(rate=1.0, sigma=0.1)}, [("random", 1.0)]
    )
    plans = emitter.ask(archive.snapshot(), 4000, run_seed=5, iteration=1)
    counts = np.bincount([plan.parent_ids[0] for plan in plans], minlength=4)
    # Uniform, not fitness-proportional: each cell near 1000 despite 10x fitness gaps.
    assert all(850 < count < 1150 for count in counts), counts


def test_asking_an_empty_archive_is_an_error() -> None:
    emitter = MutationEmitter(
        {"random": RandomNumbersOperator(rate=1.0, sigma=0.1)}, [("random", 1.0)]
    )
    with pytest.raises(ValueError, match="empty"):
        emitter.ask(ArchiveSnapshot(()), 1, run_seed=0, iteration=1)
