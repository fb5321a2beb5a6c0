"""The MAP-Elites archive: one elite per cell of a grid over (height, width, mass).

Cells are numbered row-major over (height bin, width bin, mass bin). A
descriptor below its range lands in bin 0 and one above it in the last bin,
so every valid walker has a cell. A child takes a cell only when the cell is
empty or its fitness is strictly higher than the elite's.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from openelm.records import ArchiveConfig, Descriptors, Elite, Placement


@dataclass(frozen=True)
class ArchiveSnapshot:
    """The archive's elites at one moment, ordered by cell. Selection reads a
    snapshot, so what it picks depends only on the archive's contents, never
    on the order the elites arrived in."""

    elites: tuple[Elite, ...]

    def __len__(self) -> int:
        return len(self.elites)


@dataclass(frozen=True)
class Insertion:
    """What `add` did: the placement, the cell the child fell in (None when
    rejected) and the elite it evicted (None unless `placement` is IMPROVED)."""

    placement: Placement
    cell: int | None = None
    replaced: Elite | None = None

    @property
    def entered(self) -> bool:
        """Whether the child became its cell's elite."""
        return self.placement in (Placement.NEW_CELL, Placement.IMPROVED)


class GridArchive:
    def __init__(self, config: ArchiveConfig) -> None:
        self.config = config
        self._elites: dict[int, Elite] = {}

    @property
    def cell_count(self) -> int:
        return self.config.cell_count

    def cell_index(self, descriptors: Descriptors) -> int:
        """The cell `descriptors` fall in, clipping each to its range's edge bins."""
        height_bin, width_bin, mass_bin = (
            _bin(value, low, high, count)
            for value, (low, high), count in zip(descriptors, self.config.ranges, self.config.bins)
        )
        _, width_bins, mass_bins = self.config.bins
        return (height_bin * width_bins + width_bin) * mass_bins + mass_bin

    def cell_coordinates(self, cell: int) -> tuple[int, int, int]:
        """(height bin, width bin, mass bin) of a cell index."""
        _, width_bins, mass_bins = self.config.bins
        height_and_width, mass_bin = divmod(cell, mass_bins)
        height_bin, width_bin = divmod(height_and_width, width_bins)
        return (height_bin, width_bin, mass_bin)

    def add(
        self, program_id: int, fitness: float, descriptors: Descriptors, source: str
    ) -> Insertion:
        """File a child: it takes its cell when the cell is empty or it is strictly fitter."""
        if not (math.isfinite(fitness) and all(math.isfinite(value) for value in descriptors)):
            return Insertion(Placement.REJECTED)
        cell = self.cell_index(descriptors)
        current = self._elites.get(cell)
        if current is not None and not fitness > current.fitness:
            return Insertion(Placement.NOT_BETTER, cell)
        self._elites[cell] = Elite(program_id, cell, fitness, descriptors, source)
        if current is None:
            return Insertion(Placement.NEW_CELL, cell)
        return Insertion(Placement.IMPROVED, cell, current)

    def restore(self, elites: Iterable[Elite]) -> None:
        """Put stored elites back in place (resume); each keeps its cell."""
        for elite in elites:
            self._elites[elite.cell] = elite

    def elite(self, cell: int) -> Elite | None:
        return self._elites.get(cell)

    def elites(self) -> list[Elite]:
        return [self._elites[cell] for cell in sorted(self._elites)]

    def snapshot(self) -> ArchiveSnapshot:
        return ArchiveSnapshot(tuple(self.elites()))

    @property
    def filled(self) -> int:
        return len(self._elites)

    @property
    def coverage(self) -> float:
        return self.filled / self.cell_count

    @property
    def qd_score(self) -> float:
        # Fitness is a distance (>= 0), so the plain sum needs no offset.
        return math.fsum(elite.fitness for elite in self._elites.values())

    @property
    def max_fitness(self) -> float | None:
        return max((elite.fitness for elite in self._elites.values()), default=None)

    @property
    def mean_fitness(self) -> float | None:
        return self.qd_score / self.filled if self._elites else None

    def height_width_map(self) -> list[list[float | None]]:
        """Best fitness per (height bin, width bin) over all mass bins; None where empty."""
        height_bins, width_bins, _ = self.config.bins
        grid: list[list[float | None]] = [[None] * width_bins for _ in range(height_bins)]
        for elite in self._elites.values():
            height_bin, width_bin, _ = self.cell_coordinates(elite.cell)
            best = grid[height_bin][width_bin]
            if best is None or elite.fitness > best:
                grid[height_bin][width_bin] = elite.fitness
        return grid


def _bin(value: float, low: float, high: float, count: int) -> int:
    position = math.floor((value - low) / (high - low) * count)
    return min(max(position, 0), count - 1)
