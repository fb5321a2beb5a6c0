"""`openelm evolve`: run or resume MAP-Elites with language-model mutation."""

from __future__ import annotations

import os
import secrets
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource
from openelm.evolve import (
    DEFAULT_SEED_PROGRAM,
    ArchiveConfig,
    BudgetConfig,
    EvaluationConfig,
    EvolveConfig,
    ModelConfig,
    MutationConfig,
    RunOutcome,
    load_seed_program,
    resume_run,
    run_summary,
    start_run,
)
from openelm.evolve.config import (
    DEFAULT_ITERATIONS,
    DEVICE_CHOICES,
    DTYPE_CHOICES,
    MUTATION_CHOICES,
    parse_bins,
    parse_mix,
    parse_range,
)
from openelm.store import RunStore

from openelm_cli.commands.show import print_summary
from openelm_cli.live import LiveView, LogLines, live_console
from openelm_cli.output import print_error, print_json

_ARCHIVE = ArchiveConfig()
_MUTATION = MutationConfig()
_MODEL = ModelConfig()
_EVALUATION = EvaluationConfig()
_BUDGET_OPTIONS = ("iterations", "evaluations", "time_limit")


def _format_range(bounds: tuple[float, float]) -> str:
    return f"{bounds[0]:g},{bounds[1]:g}"


@click.command("evolve")
@click.option(
    "--seed-program",
    "seed_programs",
    multiple=True,
    metavar="NAME|FILE.py",
    help=f"Starting genome: a built-in seed or a .py file; repeatable. [default: {DEFAULT_SEED_PROGRAM}]",
)
@click.option(
    "--mutation",
    type=click.Choice(MUTATION_CHOICES),
    default=_MUTATION.operator,
    show_default=True,
    help="How children are made; `random` needs no model.",
)
@click.option(
    "--mix",
    metavar="OP=W,...",
    help="Operator weights for --mutation mix, e.g. prompt=0.5,diff=0.3,crossover=0.2.",
)
@click.option(
    "--crossover-parents",
    type=int,
    default=_MUTATION.crossover_parents,
    show_default=True,
    help="Parents per crossover prompt.",
)
@click.option(
    "--batch-size",
    type=int,
    default=EvolveConfig.__dataclass_fields__["batch_size"].default,
    show_default=True,
    help="Children per iteration.",
)
@click.option(
    "--iterations",
    type=int,
    help=f"Stop after this many iterations in all. [default: {DEFAULT_ITERATIONS} if no budget is given]",
)
@click.option(
    "--evaluations", type=int, help="Stop after this many evaluations in all (seeds included)."
)
@click.option(
    "--time-limit",
    type=float,
    metavar="SECONDS",
    help="Stop this invocation after this much wall time.",
)
@click.option(
    "--seed",
    type=int,
    help="Run seed: drives selection, operators and sampling. [default: random, recorded]",
)
@click.option(
    "--bins",
    default=str(_ARCHIVE.bins[0]),
    show_default=True,
    metavar="N|H,W,M",
    help="Archive bins per descriptor.",
)
@click.option(
    "--height-range",
    default=_format_range(_ARCHIVE.height_range),
    show_default=True,
    metavar="LO,HI",
)
@click.option(
    "--width-range", default=_format_range(_ARCHIVE.width_range), show_default=True, metavar="LO,HI"
)
@click.option(
    "--mass-range", default=_format_range(_ARCHIVE.mass_range), show_default=True, metavar="LO,HI"
)
@click.option(
    "--model",
    default=_MODEL.model,
    show_default=True,
    help="Embedded model name, local checkpoint dir or cached Hugging Face id.",
)
@click.option(
    "--device", type=click.Choice(DEVICE_CHOICES), default=_MODEL.device, show_default=True
)
@click.option("--dtype", type=click.Choice(DTYPE_CHOICES), default=_MODEL.dtype, show_default=True)
@click.option("--temperature", type=float, default=_MODEL.temperature, show_default=True)
@click.option("--top-p", type=float, default=_MODEL.top_p, show_default=True)
@click.option("--max-new-tokens", type=int, default=_MODEL.max_new_tokens, show_default=True)
@click.option(
    "--sim-seconds",
    type=float,
    default=_EVALUATION.sim_seconds,
    show_default=True,
    help="Scored simulation window.",
)
@click.option("--workers", type=int, help="Sandbox worker processes. [default: one per core]")
@click.option(
    "--eval-timeout",
    type=float,
    default=_EVALUATION.timeout_s,
    show_default=True,
    metavar="SECONDS",
    help="Wall-clock limit per genome.",
)
@click.option(
    "--allow-unsandboxed",
    is_flag=True,
    help="Run genomes even where the kernel refuses the seccomp lockdown.",
)
@click.option(
    "--run-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the run is stored. [default: runs/<UTC timestamp>]",
)
@click.option(
    "--resume",
    "resume_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="RUN_DIR",
    help="Continue the run in RUN_DIR.",
)
@click.option("--quiet", is_flag=True, help="No live view.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary at the end.")
@click.pass_context
def evolve_command(ctx: click.Context, **options: Any) -> None:
    """Evolve Sodarace walkers with MAP-Elites and language-model mutation.

    Every program, the archive's history and per-iteration metrics go to
    RUN_DIR/run.db. Ctrl-C stops after committing the current iteration;
    `--resume RUN_DIR` continues where it stopped. With the same --seed on
    CPU, a run stopped and resumed ends with the archive an uninterrupted
    run would have. On resume, budget flags replace the stored budget;
    flags that define the run must match it.

    \b
    Examples:
      openelm evolve --iterations 20
      openelm evolve --mutation random --evaluations 5000 --seed 7
      openelm evolve --mutation mix --mix prompt=0.5,diff=0.3,crossover=0.2
      openelm evolve --seed-program radial --seed-program my_walker.py
      openelm evolve --resume runs/20250101-120000 --iterations 100
    """
    # transformers' weight-loading bars would scribble over the live view.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    resume_dir: Path | None = options["resume_dir"]
    if resume_dir is not None and options["run_dir"] is not None:
        raise click.UsageError("give either --run-dir (new run) or --resume RUN_DIR, not both")
    view: LiveView | LogLines | None = None
    if not options["quiet"]:
        view = LiveView() if live_console.is_terminal else LogLines()
    callbacks = {
        "on_iteration": view.update if view else None,
        "on_phase": view.phase if view else None,
    }
    run_dir = resume_dir if resume_dir is not None else options["run_dir"] or _default_run_dir()
    try:
        with view if isinstance(view, LiveView) else nullcontext():
            if resume_dir is not None:
                outcome = resume_run(resume_dir, _explicit_overrides(ctx, options), **callbacks)
            else:
                outcome = start_run(_new_config(options), run_dir, **callbacks)
    except KeyboardInterrupt:
        hint = (
            f"; resume with: openelm evolve --resume {run_dir}"
            if (run_dir / "run.db").exists()
            else ""
        )
        print_error(f"interrupted{hint}")
        ctx.exit(130)
    _report(outcome, as_json=options["as_json"], quiet=options["quiet"])


def _default_run_dir() -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    candidate = Path("runs") / stamp
    suffix = 2
    while candidate.exists():
        candidate = Path("runs") / f"{stamp}-{suffix}"
        suffix += 1
    return candidate


def _budget(options: dict[str, Any], *, default_iterations: int | None) -> BudgetConfig:
    given = any(options[name] is not None for name in _BUDGET_OPTIONS)
    return BudgetConfig(
        iterations=options["iterations"] if given else default_iterations,
        evaluations=options["evaluations"],
        time_limit_s=options["time_limit"],
    )


def _new_config(options: dict[str, Any]) -> EvolveConfig:
    seed_programs = tuple(
        load_seed_program(spec) for spec in options["seed_programs"] or (DEFAULT_SEED_PROGRAM,)
    )
    return EvolveConfig(
        seed=options["seed"] if options["seed"] is not None else secrets.randbits(31),
        seed_programs=seed_programs,
        batch_size=options["batch_size"],
        archive=_archive(options),
        mutation=_mutation(options),
        model=ModelConfig(
            model=options["model"],
            device=options["device"],
            dtype=options["dtype"],
            temperature=options["temperature"],
            top_p=options["top_p"],
            max_new_tokens=options["max_new_tokens"],
        ),
        evaluation=EvaluationConfig(
            sim_seconds=options["sim_seconds"],
            workers=options["workers"],
            timeout_s=options["eval_timeout"],
            allow_unsandboxed=options["allow_unsandboxed"],
        ),
        budget=_budget(options, default_iterations=DEFAULT_ITERATIONS),
    )


def _archive(options: dict[str, Any]) -> ArchiveConfig:
    return ArchiveConfig(
        bins=parse_bins(options["bins"]),
        height_range=parse_range(options["height_range"], "height"),
        width_range=parse_range(options["width_range"], "width"),
        mass_range=parse_range(options["mass_range"], "mass"),
    )


def _mutation(options: dict[str, Any]) -> MutationConfig:
    return MutationConfig(
        operator=options["mutation"],
        mix_weights=parse_mix(options["mix"]) if options["mix"] else (),
        crossover_parents=options["crossover_parents"],
    )


# Option name -> the config fields it sets, for resume: only options the
# user typed are compared with (or applied to) the stored config.
_OPTION_FIELDS: dict[str, tuple[str, ...]] = {
    "seed_programs": ("seed_programs",),
    "mutation": ("mutation.operator",),
    "mix": ("mutation.mix_weights",),
    "crossover_parents": ("mutation.crossover_parents",),
    "batch_size": ("batch_size",),
    "seed": ("seed",),
    "bins": ("archive.bins",),
    "height_range": ("archive.height_range",),
    "width_range": ("archive.width_range",),
    "mass_range": ("archive.mass_range",),
    "model": ("model.model",),
    "device": ("model.device",),
    "dtype": ("model.dtype",),
    "temperature": ("model.temperature",),
    "top_p": ("model.top_p",),
    "max_new_tokens": ("model.max_new_tokens",),
    "sim_seconds": ("evaluation.sim_seconds",),
    "workers": ("evaluation.workers",),
    "eval_timeout": ("evaluation.timeout_s",),
    "allow_unsandboxed": ("evaluation.allow_unsandboxed",),
}


def _explicit_overrides(ctx: click.Context, options: dict[str, Any]) -> dict[str, Any]:
    """{config path: value} for every option typed on the command line."""

    def typed(name: str) -> bool:
        return ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE

    values: dict[str, Any] = {
        "seed_programs": tuple(load_seed_program(spec) for spec in options["seed_programs"]),
        "mutation.operator": options["mutation"],
        "mutation.mix_weights": parse_mix(options["mix"]) if options["mix"] else (),
        "mutation.crossover_parents": options["crossover_parents"],
        "batch_size": options["batch_size"],
        "seed": options["seed"],
        "model.model": options["model"],
        "model.device": options["device"],
        "model.dtype": options["dtype"],
        "model.temperature": options["temperature"],
        "model.top_p": options["top_p"],
        "model.max_new_tokens": options["max_new_tokens"],
        "evaluation.sim_seconds": options["sim_seconds"],
        "evaluation.workers": options["workers"],
        "evaluation.timeout_s": options["eval_timeout"],
        "evaluation.allow_unsandboxed": options["allow_unsandboxed"],
    }
    archive_options = ("bins", "height_range", "width_range", "mass_range")
    if any(typed(name) for name in archive_options):
        archive = _archive(options)
        values |= {
            "archive.bins": archive.bins,
            "archive.height_range": archive.height_range,
            "archive.width_range": archive.width_range,
            "archive.mass_range": archive.mass_range,
        }
    overrides = {
        path: values[path]
        for name, paths in _OPTION_FIELDS.items()
        if typed(name)
        for path in paths
    }
    if any(typed(name) for name in _BUDGET_OPTIONS):
        budget = _budget(options, default_iterations=None)
        overrides |= {
            "budget.iterations": budget.iterations,
            "budget.evaluations": budget.evaluations,
            "budget.time_limit_s": budget.time_limit_s,
        }
    return overrides


_BUDGET_FLAGS = {
    "iterations": " --iterations N",
    "evaluations": " --evaluations N",
    "time_limit": "",
}


def _report(outcome: RunOutcome, *, as_json: bool, quiet: bool) -> None:
    with RunStore.open(outcome.run_dir, read_only=True) as store:
        summary = run_summary(store)
    resume = f"openelm evolve --resume {outcome.run_dir}"
    if outcome.stop_reason == "interrupted":
        live_console.print(
            f"stopped after iteration {outcome.last_iteration}; resume with: {resume}",
            soft_wrap=True,
        )
    elif not quiet:
        reason = outcome.stop_reason.replace("_", " ")
        live_console.print(
            f"run saved in {outcome.run_dir} ({reason} budget reached after iteration {outcome.last_iteration}); "
            f"to go further: {resume}{_BUDGET_FLAGS[outcome.stop_reason]}",
            soft_wrap=True,
        )
    if as_json:
        print_json(summary)
    elif not quiet:
        print_summary(summary)
