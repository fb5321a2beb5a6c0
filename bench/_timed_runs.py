"""Short evolution runs from the square seed, timed in a scratch directory:
what bench/evolve.py and bench/scale.py measure. Not a bench itself; the
scripts import it as `_timed_runs` (run as `python bench/NAME.py`, their
folder is on sys.path)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openelm.evolve import (
    BudgetConfig,
    EvaluationConfig,
    EvolveConfig,
    ModelConfig,
    MutationConfig,
    load_seed_program,
    run_summary,
    start_run,
)
from openelm.store import RunStore

if TYPE_CHECKING:  # Ray is an extra; bench/evolve.py runs without it.
    from openelm.distributed import RayOptions


def square_seed_config(
    *,
    seed: int,
    iterations: int,
    batch_size: int,
    mutation: MutationConfig,
    model: ModelConfig,
    workers: int | None = None,
) -> EvolveConfig:
    """`iterations` iterations of `batch_size` children from the square seed;
    `workers` sandbox workers (None: one per core)."""
    return EvolveConfig(
        seed=seed,
        seed_programs=(load_seed_program("square"),),
        batch_size=batch_size,
        mutation=mutation,
        model=model,
        evaluation=EvaluationConfig(workers=workers),
        budget=BudgetConfig(iterations=iterations),
    )


def timed_run(
    config: EvolveConfig, *, scratch_prefix: str, ray: RayOptions | None = None
) -> dict[str, Any]:
    """Runs `config` to its end in a scratch directory: the run's
    `run_summary`, plus `total_seconds` (the whole call) and
    `startup_seconds` (what the summary's wall time leaves out: Ray, actors,
    model loading)."""
    with tempfile.TemporaryDirectory(prefix=scratch_prefix) as scratch:
        started = time.perf_counter()
        start_run(config, Path(scratch) / "run", ray=ray)
        total_seconds = time.perf_counter() - started
        with RunStore.open(Path(scratch) / "run", read_only=True) as store:
            summary = run_summary(store)
    summary["total_seconds"] = total_seconds
    summary["startup_seconds"] = total_seconds - summary["wall_seconds"]
    return summary
