"""`openelm evolve`: run or resume MAP-Elites with language-model mutation."""

from __future__ import annotations

import os
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click
from openelm.distributed.cluster import RayOptions
from openelm.evolve import RunOutcome, new_config, resume_run, run_summary, start_run
from openelm.evolve.runner import fresh_run_dir
from openelm.store import RunStore

from openelm_cli.commands.show import print_summary
from openelm_cli.evolve_options import EVOLVE_OPTIONS, RAY_LOCAL, ray_options
from openelm_cli.live import LiveView, LogLines, live_console
from openelm_cli.output import print_error, print_json


@click.command("evolve")
@EVOLVE_OPTIONS.options
@ray_options
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
def evolve_command(
    ctx: click.Context,
    run_dir: Path | None,
    resume_dir: Path | None,
    quiet: bool,
    as_json: bool,
    ray_address: str | None,
    ray_evaluators: int | None,
    ray_generators: int | None,
    **config_values: Any,
) -> None:
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
      openelm evolve --mutation target --hybrid 60 --time-limit 600
      openelm evolve --seed-program radial --seed-program my_walker.py
      openelm evolve --endpoint http://127.0.0.1:8080/v1 --model smollm2 --concurrency 8
      openelm evolve --resume runs/20250101-120000 --iterations 100
      openelm evolve --mutation random --ray --ray-evaluators 2
      openelm evolve --ray ray://head:10001 --ray-generators 4 --evaluations 1024000
      openelm evolve --ray --ray-generators 2 --model smollm2 \
          --endpoint http://127.0.0.1:8080/v1,http://127.0.0.1:8081/v1
      openelm evolve --resume runs/20250101-120000 --ray auto
    """
    # transformers' weight-loading bars would scribble over the live view.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if resume_dir is not None and run_dir is not None:
        raise click.UsageError("give either --run-dir (new run) or --resume RUN_DIR, not both")
    overrides = EVOLVE_OPTIONS.overrides(ctx, config_values)
    ray = _ray_options(ray_address, ray_evaluators, ray_generators)
    view: LiveView | LogLines | None = None
    if not quiet:
        view = LiveView() if live_console.is_terminal else LogLines()
    on_iteration = view.update if view else None
    on_phase = view.phase if view else None
    target = resume_dir or run_dir or fresh_run_dir()
    try:
        with view if isinstance(view, LiveView) else nullcontext():
            if resume_dir is not None:
                outcome = resume_run(
                    resume_dir, overrides, on_iteration=on_iteration, on_phase=on_phase, ray=ray
                )
            else:
                outcome = start_run(
                    new_config(overrides),
                    target,
                    on_iteration=on_iteration,
                    on_phase=on_phase,
                    ray=ray,
                )
    except KeyboardInterrupt:
        hint = (
            f"; resume with: openelm evolve --resume {target}"
            if (target / "run.db").exists()
            else ""
        )
        print_error(f"interrupted{hint}")
        ctx.exit(130)
    _report(outcome, as_json=as_json, quiet=quiet)


def _ray_options(
    address: str | None, evaluators: int | None, generators: int | None
) -> RayOptions | None:
    """The Ray options typed, or None for a run on this machine alone."""
    if address is None:
        if evaluators is not None or generators is not None:
            raise click.UsageError("--ray-evaluators and --ray-generators need --ray")
        return None
    return RayOptions(
        address=None if address == RAY_LOCAL else address,
        evaluators=evaluators,
        generators=1 if generators is None else generators,
    ).validate()


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
