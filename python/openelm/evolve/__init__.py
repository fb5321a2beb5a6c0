"""MAP-Elites over Sodarace genomes with language-model mutation (ELM).

The pieces talk through ask/tell and plain data, in the style of pyribs:

- `archive.GridArchive`: the grid of elites over (height, width, mass);
- `emitter.MutationEmitter` and `operators`: which parents, which operator,
  which prompt (or, for `random`, which child);
- `generation`: the language model writes the children of a batch;
- `scheduler.Scheduler`: ask and tell for one iteration;
- `runner`: the pipelined loop, budgets, Ctrl-C and resume, over
  `openelm.store.RunStore`;
- `metrics`, `summary`, `export`: what a run reports.

See docs/evolve.md.
"""

from openelm.evolve.archive import ArchiveSnapshot, Elite, GridArchive, Placement
from openelm.evolve.config import (
    ArchiveConfig,
    BudgetConfig,
    EvaluationConfig,
    EvolveConfig,
    EvolveConfigError,
    ModelConfig,
    MutationConfig,
    SeedProgram,
)
from openelm.evolve.export import ExportError, export_archive
from openelm.evolve.metrics import Funnel, IterationMetrics
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

__all__ = [
    "DEFAULT_SEED_PROGRAM",
    "ArchiveConfig",
    "ArchiveSnapshot",
    "BudgetConfig",
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
    "export_archive",
    "load_seed_program",
    "new_config",
    "resume_run",
    "run_summary",
    "start_run",
]
