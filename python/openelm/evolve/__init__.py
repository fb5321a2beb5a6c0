"""MAP-Elites over Sodarace genomes with language-model mutation (ELM).

The pieces talk through ask/tell and plain data, in the style of pyribs:

- `archive.GridArchive`: the grid of elites over (height, width, mass);
- `emitter.MutationEmitter` and `operators`: which parents, which operator,
  which prompt (or, for `random`, which child);
- `generation`: the language model writes the children of a batch;
- `scheduler.Scheduler`: ask and tell for one iteration;
- `runner`: the pipelined loop, budgets, Ctrl-C and resume, over
  `openelm.store.RunStore`;
- `summary`, `export`: what a run reports.

The plain data (config, records, metrics) lives in `openelm.records`.

The names below are loaded on first use (PEP 562), so importing one
submodule, or `openelm.store`, never drags in the rest of the package.
See docs/evolve.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openelm._lazy import lazy_exports

# Where each public name lives: type checkers read these imports, and so
# does `lazy_exports`, which imports a name's module on first use.
if TYPE_CHECKING:
    from openelm.evolve.archive import ArchiveSnapshot, CVTArchive, GridArchive, build_archive
    from openelm.evolve.config import EvolveConfigError
    from openelm.evolve.export import ExportError, export_archive
    from openelm.evolve.runner import (
        ProgressReport,
        ResumeConflictError,
        RunError,
        RunOutcome,
        new_config,
        resume_run,
        start_run,
    )
    from openelm.evolve.seed_programs import DEFAULT_SEED_PROGRAM, load_seed_program
    from openelm.evolve.summary import run_summary
    from openelm.records import (
        ArchiveConfig,
        BudgetConfig,
        Elite,
        EvaluationConfig,
        EvolveConfig,
        Funnel,
        IterationMetrics,
        ModelConfig,
        MutationConfig,
        Placement,
        SeedProgram,
    )

__all__ = [
    "DEFAULT_SEED_PROGRAM",
    "ArchiveConfig",
    "ArchiveSnapshot",
    "BudgetConfig",
    "CVTArchive",
    "Elite",
    "EvaluationConfig",
    "EvolveConfig",
    "EvolveConfigError",
    "ExportError",
    "Funnel",
    "GridArchive",
    "IterationMetrics",
    "ModelConfig",
    "MutationConfig",
    "Placement",
    "ProgressReport",
    "ResumeConflictError",
    "RunError",
    "RunOutcome",
    "SeedProgram",
    "build_archive",
    "export_archive",
    "load_seed_program",
    "new_config",
    "resume_run",
    "run_summary",
    "start_run",
]


__getattr__, __dir__ = lazy_exports(__name__, globals())
