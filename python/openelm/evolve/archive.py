"""The MAP-Elites archives: one elite per cell over (height, width, mass).

Two tessellations share one rule: a child takes its cell only when the cell
is empty or its fitness is strictly higher than the elite's.

- `GridArchive`: cells numbered row-major over (height bin, width bin, mass
  bin). A descriptor below its range lands in bin 0 and one above it in the
  last bin, so every valid walker has a cell.
- `CVTArchive`: a centroidal Voronoi tessellation (Vassiliades et al. 2018);
  a child's cell is its nearest centroid, found by pyribs' `CVTArchive`, in
  descriptor space scaled to the unit cube by the config's ranges (so that
  mass, in the hundreds, does not drown height and width). The centroids are
  drawn once per run, seeded by the run seed, and stored with the run, so a
  resume uses exactly the same cells.

pyribs' own GridArchive is not used: it bins with an epsilon, keeps QD
statistics as running sums, and cannot be serialised, so it would not give
the exact, rebuilt-from-the-store resume this package promises (docs/evolve.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from openelm.records import ArchiveConfig, Descriptors, Elite, Placement

# Uniform samples of the unit cube, per cell, that k-means turns into CVT
# centroids. pyribs defaults to 100,000 in all, which costs about a minute
# for 1000 cells on two cores; 20 per cell gives centroids as even to the eye
# in a few seconds.
CVT_SAMPLES_PER_CELL = 20

Centroids = tuple[tuple[float, float, float], ...]

# A CVT cell's neighbours are its nearest centroids; six matches a grid
# cell's face neighbours.
CVT_NEIGHBOURS = 6


@dataclass(frozen=True)
class ArchiveSnapshot:
    """The archive's elites at one moment, ordered by cell. Selection reads a
    snapshot, so what it picks depends only on the archive's contents, never
    on the order the elites arrived in."""

    elites: tuple[Elite, ...]

    def __len__(self) -> int:
        return len(self.elites)

    @property
    def filled_cells(self) -> frozenset[int]:
        return frozenset(elite.cell for elite in self.elites)


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


class _Archive:
    """The elites and the insertion rule; subclasses say which cell a descriptor is in."""

    def __init__(self, config: ArchiveConfig) -> None:
        self.config = config
        self._elites: dict[int, Elite] = {}

    @property
    def cell_count(self) -> int:
        return self.config.cell_count

    def cell_index(self, descriptors: Descriptors) -> int:
        raise NotImplementedError

    def cell_coordinates(self, cell: int) -> tuple[int, ...]:
        """How a cell is named to people: grid bins, or the CVT centroid's index."""
        raise NotImplementedError

    def cell_centre(self, cell: int) -> Descriptors:
        """The descriptors at the middle of a cell: what a niche-targeted prompt asks for."""
        raise NotImplementedError

    def neighbours(self, cell: int) -> tuple[int, ...]:
        """The cells next to `cell`, in increasing order."""
        raise NotImplementedError

    def add(
        self, program_id: int, fitness: float, descriptors: Descriptors, source: str, joints: int
    ) -> Insertion:
        """File a child: it takes its cell when the cell is empty or it is strictly fitter."""
        if not (math.isfinite(fitness) and all(math.isfinite(value) for value in descriptors)):
            return Insertion(Placement.REJECTED)
        cell = self.cell_index(descriptors)
        current = self._elites.get(cell)
        if current is not None and not fitness > current.fitness:
            return Insertion(Placement.NOT_BETTER, cell)
        self._elites[cell] = Elite(program_id, cell, fitness, descriptors, source, joints)
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
    def norm_qd_score(self) -> float:
        return self.qd_score / self.cell_count

    @property
    def max_fitness(self) -> float | None:
        return max((elite.fitness for elite in self._elites.values()), default=None)

    @property
    def mean_fitness(self) -> float | None:
        return self.qd_score / self.filled if self._elites else None

    def height_width_map(self) -> list[list[float | None]]:
        """Best fitness per (height bin, width bin) of the config's bins, over
        all masses; None where empty. Elites are placed by their descriptors,
        so the map reads the same for either tessellation."""
        height_bins, width_bins, _ = self.config.bins
        (h_low, h_high), (w_low, w_high), _ = self.config.ranges
        grid: list[list[float | None]] = [[None] * width_bins for _ in range(height_bins)]
        for elite in self._elites.values():
            height, width, _ = elite.descriptors
            row = _bin(height, h_low, h_high, height_bins)
            column = _bin(width, w_low, w_high, width_bins)
            best = grid[row][column]
            if best is None or elite.fitness > best:
                grid[row][column] = elite.fitness
        return grid


class GridArchive(_Archive):
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

    def cell_centre(self, cell: int) -> Descriptors:
        height, width, mass = (
            low + (index + 0.5) * (high - low) / count
            for index, (low, high), count in zip(
                self.cell_coordinates(cell), self.config.ranges, self.config.bins
            )
        )
        return (height, width, mass)

    def neighbours(self, cell: int) -> tuple[int, ...]:
        """The up to six cells one bin away along one descriptor."""
        _, width_bins, mass_bins = self.config.bins
        coordinates = self.cell_coordinates(cell)
        found = []
        for axis, count in enumerate(self.config.bins):
            for step in (-1, 1):
                moved = list(coordinates)
                moved[axis] += step
                if 0 <= moved[axis] < count:
                    found.append((moved[0] * width_bins + moved[1]) * mass_bins + moved[2])
        return tuple(sorted(found))


class CVTArchive(_Archive):
    """Cells are the Voronoi regions of `centroids`, given in unit-cube
    coordinates (see `cvt_centroids`)."""

    def __init__(self, config: ArchiveConfig, centroids: Sequence[Sequence[float]]) -> None:
        super().__init__(config)
        if len(centroids) != config.cells:
            raise ValueError(f"{len(centroids)} centroids for a {config.cells}-cell archive")
        self.centroids: Centroids = tuple(
            (float(c[0]), float(c[1]), float(c[2])) for c in centroids
        )
        self._lows = np.array([low for low, _ in config.ranges])
        self._spans = np.array([high - low for low, high in config.ranges])
        # pyribs finds the nearest centroid (a k-d tree); its own elite
        # storage is unused, since elites carry sources and program ids.
        self._ribs = _ribs_cvt_archive(np.array(self.centroids))

    def unit_descriptors(self, descriptors: Descriptors) -> np.ndarray[Any, np.dtype[np.float64]]:
        unit: np.ndarray[Any, np.dtype[np.float64]] = (
            np.asarray(descriptors, dtype=np.float64) - self._lows
        ) / self._spans
        return unit

    def cell_index(self, descriptors: Descriptors) -> int:
        """The index of the centroid nearest to `descriptors` (scaled to the unit cube)."""
        return int(self._ribs.index_of_single(self.unit_descriptors(descriptors)))

    def cell_coordinates(self, cell: int) -> tuple[int]:
        return (cell,)

    def cell_centre(self, cell: int) -> Descriptors:
        height, width, mass = (float(value) for value in self.centroid_descriptors()[cell])
        return (height, width, mass)

    def neighbours(self, cell: int) -> tuple[int, ...]:
        """The `CVT_NEIGHBOURS` centroids nearest to this cell's, in the unit cube."""
        units = np.array(self.centroids)
        distances = np.sum((units - units[cell]) ** 2, axis=1)
        order = np.lexsort((np.arange(len(units)), distances))
        return tuple(sorted(int(index) for index in order[1 : CVT_NEIGHBOURS + 1]))

    def centroid_descriptors(self) -> np.ndarray[Any, np.dtype[np.float64]]:
        """The centroids in descriptor units, one row per cell."""
        centroids: np.ndarray[Any, np.dtype[np.float64]] = (
            np.array(self.centroids) * self._spans + self._lows
        )
        return centroids


def cvt_centroids(cells: int, seed: int) -> Centroids:
    """`cells` CVT centroids in the unit cube: pyribs' k-means over uniform
    samples, seeded with the run seed. Stored with the run, because k-means
    results may differ between library versions and machines."""
    from ribs.archives import k_means_centroids  # a CVT run's dependency only

    centroids, _ = k_means_centroids(
        centroids=cells,
        ranges=[(0.0, 1.0)] * 3,
        samples=CVT_SAMPLES_PER_CELL * cells,
        dtype=np.float64,
        seed=seed,
    )
    return tuple((float(c[0]), float(c[1]), float(c[2])) for c in centroids)


Archive = GridArchive | CVTArchive


def build_archive(
    config: ArchiveConfig, centroids: Sequence[Sequence[float]] | None = None
) -> Archive:
    """An empty archive of `config`'s kind; a CVT archive needs its run's centroids."""
    if config.kind == "cvt":
        if centroids is None:
            raise ValueError("a CVT archive needs its centroids")
        return CVTArchive(config, centroids)
    return GridArchive(config)


def _ribs_cvt_archive(centroids: np.ndarray[Any, np.dtype[np.float64]]) -> Any:
    from ribs.archives import CVTArchive as RibsCVTArchive  # a CVT run's dependency only

    return RibsCVTArchive(
        solution_dim=1,
        centroids=centroids,
        ranges=[(0.0, 1.0)] * 3,
        dtype=np.float64,
    )


def _bin(value: float, low: float, high: float, count: int) -> int:
    position = math.floor((value - low) / (high - low) * count)
    return min(max(position, 0), count - 1)
