"""Per-iteration metrics as plain data: archive quality, the validity funnel
and throughput."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

from openelm.evolve.config import WALKED_FITNESS_THRESHOLD_M

# Interpreter/pool statuses by how far the genome got. `syntax` never
# parsed; `forbidden` and `unsupported` parsed but were refused before
# running; `runtime`, `limit`, `timeout` and `crashed` started but never
# returned a walker; `invalid_walker` returned one that failed validation
# or simulation; `ok` is a valid, simulated walker.
NOT_PARSED_STATUSES = frozenset({"syntax"})
RAN_STATUSES = frozenset({"ok", "invalid_walker"})


@dataclass(frozen=True)
class Funnel:
    """How many programs reached each stage: generated -> parsed -> ran ->
    valid walker -> walked (fitness above WALKED_FITNESS_THRESHOLD_M)."""

    generated: int = 0
    parsed: int = 0
    ran: int = 0
    valid: int = 0
    walked: int = 0

    @classmethod
    def of(cls, outcomes: Iterable[tuple[str, float | None]]) -> Funnel:
        """The funnel of (status, fitness) pairs."""
        counts = [0, 0, 0, 0, 0]
        for status, fitness in outcomes:
            counts[0] += 1
            counts[1] += status not in NOT_PARSED_STATUSES
            counts[2] += status in RAN_STATUSES
            counts[3] += status == "ok"
            counts[4] += (
                status == "ok" and fitness is not None and fitness > WALKED_FITNESS_THRESHOLD_M
            )
        return cls(*counts)

    def __add__(self, other: Funnel) -> Funnel:
        return Funnel(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def valid_fraction(self) -> float:
        return self.valid / self.generated if self.generated else 0.0

    def to_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class IterationMetrics:
    """One committed iteration. Iteration 0 is the seeds; `evaluations` is
    the run's running total, seeds included."""

    iteration: int
    evaluations: int
    programs: int  # evaluated in this iteration
    niches_filled: int
    niches_total: int
    qd_score: float
    max_fitness: float | None
    mean_fitness: float | None
    funnel: Funnel
    new_cells: int
    improved_cells: int
    prompt_tokens: int
    completion_tokens: int
    generation_seconds: float  # language model busy on this iteration's batch
    evaluation_seconds: float  # sandbox pool busy on it
    wall_seconds: float  # from the previous commit (or session start) to this one

    @property
    def coverage(self) -> float:
        return self.niches_filled / self.niches_total

    @property
    def tokens_per_second(self) -> float:
        return (
            self.completion_tokens / self.generation_seconds if self.generation_seconds > 0 else 0.0
        )

    @property
    def evaluations_per_second(self) -> float:
        return self.programs / self.wall_seconds if self.wall_seconds > 0 else 0.0
