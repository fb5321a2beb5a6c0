"""The options of `openelm evolve` that set EvolveConfig fields.

Adding one is one row here (the dotted field it sets and its click
option); `evolve` then shows it in --help with the library's default,
passes it to new and resumed runs alike, and names it in errors about
that field.
"""

from __future__ import annotations

import click
from openelm.evolve import DEFAULT_SEED_PROGRAM, EvolveConfig
from openelm.evolve.config import (
    ARCHIVE_KINDS,
    DEFAULT_MIX_WEIGHTS,
    DEVICE_OPTIONS,
    DTYPE_OPTIONS,
    MUTATION_CHOICES,
    BudgetConfig,
    flatten_config,
)

from openelm_cli.config_options import OptionTable, option
from openelm_cli.params import BinCounts, FloatRange, OperatorMix, SeedProgramSpec

# Every field's default; seed and seed programs have none of their own.
_DEFAULTS = flatten_config(EvolveConfig(seed=0, seed_programs=()))

EVOLVE_OPTIONS = OptionTable(
    _DEFAULTS,
    option(
        "seed_programs",
        "--seed-program",
        type=SeedProgramSpec(),
        multiple=True,
        default_text=DEFAULT_SEED_PROGRAM,
        help="Starting genome: a built-in seed or a .py file; repeatable.",
    ),
    option(
        "mutation.operator",
        "--mutation",
        type=click.Choice(MUTATION_CHOICES),
        help="How children are made; `random` needs no model.",
    ),
    option(
        "mutation.mix_weights",
        "--mix",
        type=OperatorMix(),
        help="Operator weights for --mutation mix, e.g. prompt=0.5,diff=0.3,crossover=0.2; "
        "without it, mix uses "
        + ",".join(f"{name}={weight:g}" for name, weight in DEFAULT_MIX_WEIGHTS)
        + " (docs/science.md).",
    ),
    option(
        "mutation.crossover_parents",
        "--crossover-parents",
        type=int,
        help="Parents per crossover prompt.",
    ),
    option("batch_size", "--batch-size", type=int, help="Children per iteration."),
    option(
        "budget.iterations",
        "--iterations",
        type=int,
        group="budget",
        default_text=f"{BudgetConfig().iterations} if no budget is given",
        help="Stop after this many iterations in all.",
    ),
    option(
        "budget.evaluations",
        "--evaluations",
        type=int,
        group="budget",
        help="Stop after this many evaluations in all (seeds included).",
    ),
    option(
        "budget.time_limit_s",
        "--time-limit",
        type=float,
        group="budget",
        metavar="SECONDS",
        help="Stop this invocation after this much wall time.",
    ),
    option(
        "seed",
        "--seed",
        type=int,
        default_text="random, recorded",
        help="Run seed: drives selection, operators and sampling.",
    ),
    option(
        "archive.kind",
        "--archive",
        type=click.Choice(ARCHIVE_KINDS),
        help="Archive cells: a grid of --bins, or a CVT of --cells centroids.",
    ),
    option("archive.cells", "--cells", type=int, help="Cells of a CVT archive (--archive cvt)."),
    option(
        "archive.bins",
        "--bins",
        type=BinCounts(),
        help="Archive bins per descriptor (grid; also the live view's map).",
    ),
    option("archive.height_range", "--height-range", type=FloatRange()),
    option("archive.width_range", "--width-range", type=FloatRange()),
    option("archive.mass_range", "--mass-range", type=FloatRange()),
    option(
        "model.model",
        "--model",
        help="Embedded model name, local checkpoint dir or cached Hugging Face id.",
    ),
    option("model.device", "--device", type=click.Choice(DEVICE_OPTIONS)),
    option("model.dtype", "--dtype", type=click.Choice(DTYPE_OPTIONS)),
    option("model.temperature", "--temperature", type=float),
    option("model.top_p", "--top-p", type=float),
    option("model.max_new_tokens", "--max-new-tokens", type=int),
    option("evaluation.sim.seconds", "--sim-seconds", type=float, help="Scored simulation window."),
    option(
        "evaluation.workers",
        "--workers",
        type=int,
        default_text="one per core",
        help="Sandbox worker processes.",
    ),
    option(
        "evaluation.timeout_s",
        "--eval-timeout",
        type=float,
        metavar="SECONDS",
        help="Wall-clock limit per genome.",
    ),
    option(
        "evaluation.allow_unsandboxed",
        "--allow-unsandboxed",
        is_flag=True,
        help="Run genomes even where the kernel refuses the seccomp lockdown.",
    ),
)
