"""`openelm sandbox-check [FILE]...`: run genomes, or the hostile battery,
through the locked-down sandbox pool."""

from __future__ import annotations

import click
from openelm.sandbox import EvalResult, SandboxPool, SandboxUnavailableError
from openelm.sandbox.hostile import CaseOutcome, run_battery
from openelm.sandbox.pool import ProbeResult, WorkerInfo
from openelm.sandbox.probes import PROBES
from openelm.walker_files import read_bytes
from rich.table import Table
from rich.text import Text

from openelm_cli.common_options import allow_unsandboxed_option, genome_timeout_option
from openelm_cli.errors import library_exit_code
from openelm_cli.output import console, print_error, print_json

# Exit code when the sandbox let something through or is not in force.
EXIT_ESCAPED = 3


def _message(result: EvalResult) -> str:
    """The error (with line:col), then each warning on a line of its own."""
    lines = [f"warning: {w}" for w in result.warnings]
    if result.error is not None:
        located = f"{result.line}:{result.col} {result.error}" if result.line else result.error
        lines.insert(0, located)
    return "\n".join(lines)


def _fitness(result: EvalResult) -> str:
    return f"{result.fitness:.4f}" if result.fitness is not None else ""


def _status_text(status: str) -> Text:
    return Text(
        status,
        style="green"
        if status == "ok"
        else "red"
        if status in ("timeout", "crashed")
        else "yellow",
    )


def _check_files(
    pool: SandboxPool, files: tuple[str, ...], sources: list[bytes], as_json: bool
) -> int:
    results = pool.evaluate(sources)
    if as_json:
        print_json(
            [
                {
                    "file": file,
                    "status": r.status,
                    "error": r.error,
                    "line": r.line,
                    "col": r.col,
                    "joints": r.joints,
                    "muscles": r.muscles,
                    "steps": r.interp_steps,
                    "fitness": r.fitness,
                    "warnings": list(r.warnings),
                }
                for file, r in zip(files, results, strict=True)
            ]
        )
    else:
        table = Table(title="sandbox check", title_justify="left")
        # Paths and messages fold rather than vanish behind an ellipsis.
        table.add_column("file", overflow="fold", ratio=1)
        table.add_column("status")
        table.add_column("message", overflow="fold", ratio=1)
        for column in ("joints", "muscles", "steps", "fitness"):
            table.add_column(column, justify="right", no_wrap=True)
        for file, r in zip(files, results, strict=True):
            table.add_row(
                Text(file),
                _status_text(r.status),
                Text(_message(r)),
                str(r.joints),
                str(r.muscles),
                str(r.interp_steps),
                _fitness(r),
            )
        console.print(table)
    return 0 if all(r.ok for r in results) else 1


def _lockdown_active(info: WorkerInfo) -> bool:
    return info.sandboxed and info.seccomp.split(":", 1)[-1].strip() == "2"


def _print_battery(
    workers: list[WorkerInfo], probes: list[ProbeResult], outcomes: list[CaseOutcome]
) -> None:
    table = Table(title="workers (after lockdown)", title_justify="left")
    for column in ("pid", "/proc/self/status", "address space cap", "environment"):
        table.add_column(column)
    for info in workers:
        seccomp = Text(
            info.seccomp.replace("\t", " "), style="green" if _lockdown_active(info) else "bold red"
        )
        address_space = f"{info.limits.get('as', (0, 0))[0] >> 20} MiB"
        table.add_row(
            str(info.pid), seccomp, address_space, Text(", ".join(info.environment) or "(empty)")
        )
    console.print(table)

    table = Table(title="lockdown probes (run inside a real worker)", title_justify="left")
    for column in ("attack", "outcome", "detail"):
        table.add_column(column)
    for probe in probes:
        style = "green" if probe.contained else "bold red"
        table.add_row(Text(probe.attack), Text(probe.outcome, style=style), Text(probe.detail))
    console.print(table)

    table = Table(title="hostile battery", title_justify="left")
    for column in ("attack", "expected", "got", "verdict"):
        table.add_column(column)
    table.add_column("wall s", justify="right")
    for outcome in outcomes:
        got = ", ".join(sorted({r.status for r in outcome.results}))
        style = {"expected": "green", "mismatch": "yellow", "escaped": "bold red"}[outcome.verdict]
        attack = outcome.case.attack + (
            f" (×{outcome.case.repeat})" if outcome.case.repeat > 1 else ""
        )
        table.add_row(
            Text(attack),
            outcome.case.expected,
            Text(got),
            Text(outcome.verdict, style=style),
            f"{outcome.wall_s:.3f}",
        )
    console.print(table)
    for outcome in outcomes:
        if outcome.verdict != "expected":
            console.print(
                Text(f"{outcome.case.name}: {outcome.verdict}: {outcome.reason}", style="red")
            )


def _run_battery(pool: SandboxPool, as_json: bool) -> int:
    workers = pool.workers
    probes = [pool.probe(name) for name in PROBES]
    outcomes = run_battery(pool)
    # Every worker, including those respawned after probes and attacks.
    workers_after = pool.workers
    lockdown_active = all(_lockdown_active(info) for info in workers + workers_after)
    escaped = sum(o.verdict == "escaped" for o in outcomes) + sum(not p.contained for p in probes)
    mismatched = sum(o.verdict == "mismatch" for o in outcomes)
    if as_json:
        print_json(
            {
                "lockdown_active": lockdown_active,
                "workers": [
                    {
                        "pid": w.pid,
                        "seccomp": w.seccomp,
                        "sandboxed": w.sandboxed,
                        "environment": list(w.environment),
                    }
                    for w in workers
                ],
                "probes": [
                    {
                        "name": p.name,
                        "attack": p.attack,
                        "outcome": p.outcome,
                        "detail": p.detail,
                        "contained": p.contained,
                    }
                    for p in probes
                ],
                "battery": [
                    {
                        "name": o.case.name,
                        "attack": o.case.attack,
                        "expected": o.case.expected,
                        "statuses": [r.status for r in o.results],
                        "verdict": o.verdict,
                        "reason": o.reason,
                        "error": o.results[0].error,
                        "wall_s": o.wall_s,
                    }
                    for o in outcomes
                ],
                "escaped": escaped,
                "mismatched": mismatched,
            }
        )
    else:
        _print_battery(workers, probes, outcomes)
        summary = (
            f"{len(outcomes)} attacks and {len(probes)} probes: {escaped} escaped, {mismatched} mismatched; "
            f"lockdown {'active' if lockdown_active else 'MISSING'}; {pool.respawns} worker respawns"
        )
        console.print(
            Text(
                summary,
                style="bold green"
                if not escaped and not mismatched and lockdown_active
                else "bold red",
            )
        )
    if escaped or not lockdown_active:
        return EXIT_ESCAPED
    return 1 if mismatched else 0


@click.command("sandbox-check")
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@genome_timeout_option("Wall-clock limit per genome, seconds; the worker is killed past it.")
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=256),
    default=None,
    help="Worker processes [default: one per core].",
)
@allow_unsandboxed_option(
    "Run genomes even where the kernel refuses the seccomp lockdown (never for the battery's verdict)."
)
@click.pass_context
def sandbox_check_command(
    ctx: click.Context,
    files: tuple[str, ...],
    as_json: bool,
    timeout_s: float,
    workers: int | None,
    allow_unsandboxed: bool,
) -> None:
    """Interpret and simulate genomes in the locked-down sandbox workers.

    With FILEs: one row per genome with its status (ok, syntax, forbidden,
    unsupported, runtime, limit, invalid_walker, timeout, crashed), message
    with line:col, joints, muscles, interpreter steps and fitness. Exits 0
    if every genome is ok, 1 if any is not, 2 for a missing file or bad flag.

    With no FILE: checks the sandbox itself. Shows each worker's Seccomp
    line, runs the lockdown probes (open, socket, fork, exec, ...) and the
    built-in hostile battery inside real workers, and compares every
    outcome with the exact status expected. Exits 3 if an attack escaped or
    the lockdown is not active, 1 if an outcome differs from the expected
    one without escaping, 0 otherwise.

    \b
    Examples:
      openelm sandbox-check
      openelm sandbox-check genome.py other.py
      openelm sandbox-check genomes/*.py --json --timeout 2
    """
    sources = [read_bytes(file) for file in files]
    try:
        pool = SandboxPool(workers, timeout_s=timeout_s, allow_unsandboxed=allow_unsandboxed)
    except SandboxUnavailableError as e:
        print_error(str(e))
        ctx.exit(EXIT_ESCAPED if not files else library_exit_code(e))
    with pool:
        if not pool.sandboxed and not as_json:
            print_error(
                "the seccomp lockdown is NOT active: genomes run with rlimits only (--allow-unsandboxed)"
            )
        code = _check_files(pool, files, sources, as_json) if files else _run_battery(pool, as_json)
    ctx.exit(code)
