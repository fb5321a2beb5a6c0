"""The options of `openelm evolve` that set EvolveConfig fields.

Adding one is one row here (the dotted field it sets and its click
option); `evolve` then shows it in --help with the library's default,
passes it to new and resumed runs alike, and names it in errors about
that field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
from openelm import TERRAINS
from openelm.evolve import DEFAULT_SEED_PROGRAM, EvolveConfig
from openelm.evolve.config import (
    ARCHIVE_KINDS,
    DEFAULT_MIX_WEIGHTS,
    DEVICE_OPTIONS,
    DTYPE_OPTIONS,
    ENGINE_OPTIONS,
    MUTATION_CHOICES,
    BudgetConfig,
    flatten_config,
)

from openelm_cli.config_options import OptionTable, option
from openelm_cli.params import BinCounts, FloatRange, OperatorMix, SeedProgramSpec

F = TypeVar("F", bound=Callable[..., Any])

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
    option(
        "mutation.hybrid_random_iterations",
        "--hybrid",
        type=int,
        metavar="N",
        default_text="0: no hybrid",
        help="While the model writes a batch, run N iterations of `random` children on the "
        "free cores; the model's batch is every (N+1)th iteration (docs/science.md).",
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
        help="Embedded model name, local checkpoint dir, cached Hugging Face id or .gguf file; "
        "with --endpoint, the served model's name.",
    ),
    option(
        "model.engine",
        "--engine",
        type=click.Choice(ENGINE_OPTIONS),
        help="In-process engine; auto: transformers on CPUs with native bfloat16, else llama.cpp "
        "for GGUF models when installed.",
    ),
    option("model.device", "--device", type=click.Choice(DEVICE_OPTIONS)),
    option("model.dtype", "--dtype", type=click.Choice(DTYPE_OPTIONS)),
    option(
        "model.endpoint",
        "--endpoint",
        metavar="URL",
        default_text="none: the model runs in process",
        help="Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1; "
        "several servers of one model, comma-separated (a batch is split among them).",
    ),
    option(
        "model.api_key_env",
        "--api-key-env",
        metavar="NAME",
        default_text="OPENAI_API_KEY if set",
        help="Environment variable holding the endpoint's API key (the key itself is never stored).",
    ),
    option(
        "model.concurrency",
        "--concurrency",
        type=int,
        help="Requests in flight at once to the endpoint.",
    ),
    option(
        "model.request_timeout_s",
        "--request-timeout",
        type=float,
        metavar="SECONDS",
        help="Time limit of one endpoint request (retried with backoff on 429/5xx).",
    ),
    option("model.temperature", "--temperature", type=float),
    option("model.top_p", "--top-p", type=float),
    option("model.max_new_tokens", "--max-new-tokens", type=int),
    option("evaluation.sim.seconds", "--sim-seconds", type=float, help="Scored simulation window."),
    option(
        "evaluation.sim.terrain",
        "--terrain",
        type=click.Choice(TERRAINS),
        help="Terrain the walkers are scored on (docs/physics.md).",
    ),
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

# The Ray options: where a run's work happens, not what the run is, so
# they set no config field and are not stored (openelm.distributed.RayOptions).
# `--ray` alone means this value: a local Ray instance.
RAY_LOCAL = "local"
# RayOptions fields, for naming the flag in errors.
RAY_FLAGS = {
    "ray.address": "--ray",
    "ray.evaluators": "--ray-evaluators",
    "ray.generators": "--ray-generators",
}


def _actor_count_option(kind: str, help: str) -> Callable[[F], F]:
    """`--ray-KIND N` -> `ray_KIND`, None unless typed."""
    return click.option(
        RAY_FLAGS[f"ray.{kind}"], f"ray_{kind}", type=int, default=None, metavar="N", help=help
    )


# In --help order.
_RAY_OPTIONS: tuple[Callable[[Any], Any], ...] = (
    click.option(
        RAY_FLAGS["ray.address"],
        "ray_address",
        is_flag=False,
        flag_value=RAY_LOCAL,
        default=None,
        metavar="[ADDRESS]",
        help="Run generation and evaluation on Ray: alone, a local Ray instance; "
        "`auto` (RAY_ADDRESS), host:port or ray://host:10001 joins a cluster. "
        "Same archive as without it (docs/scale.md).",
    ),
    _actor_count_option(
        "evaluators",
        "Evaluator actors, each running a locked-down pool of --workers processes "
        "(default 1) on its node. [default: as many as the free CPUs hold]",
    ),
    _actor_count_option(
        "generators",
        "Generator actors, each holding one model backend (a GPU each where the "
        "cluster has GPUs). [default: 1]",
    ),
)


def ray_options(command: F) -> F:
    """Decorates `evolve` with --ray [ADDRESS], --ray-evaluators, --ray-generators."""
    for decorate in reversed(_RAY_OPTIONS):
        command = decorate(command)
    return command
