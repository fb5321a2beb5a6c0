"""`openelm simulate FILE`: score one walker, from JSON or from a genome."""

from __future__ import annotations

import click
from openelm import SimConfig, simulate
from openelm.sandbox.worker import sim_fields
from openelm.walker_files import load_walker

from openelm_cli.common_options import (
    allow_unsandboxed_option,
    genome_timeout_option,
    terrain_option,
)
from openelm_cli.output import console, key_value_table, print_error, print_json

# Shown in --help; the value itself stays None unless typed, so the
# simulation takes every default from the Rust core.
_DEFAULTS = SimConfig()


@click.command("simulate")
@click.argument("file", metavar="FILE")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option(
    "--seconds",
    type=click.FloatRange(min=0.0, max=3600.0),
    help=f"Length of the scored window in simulated seconds. [default: {_DEFAULTS.seconds:g}]",
)
@terrain_option(f"Terrain to walk on (docs/physics.md). [default: {_DEFAULTS.terrain}]")
@genome_timeout_option("Wall-clock limit for running a .py genome, seconds.")
@allow_unsandboxed_option("Run a .py genome even where the kernel refuses the seccomp lockdown.")
@click.pass_context
def simulate_command(
    ctx: click.Context,
    file: str,
    as_json: bool,
    seconds: float | None,
    terrain: str | None,
    timeout_s: float,
    allow_unsandboxed: bool,
) -> None:
    """Simulate one walker and print its fitness, descriptors and size.

    FILE is walker JSON, or a genome (.py) defining make_walker(), which is
    run in a locked-down sandbox worker to build the walker.

    Exits 1 if the genome builds no walker, the walker is invalid or its
    simulation blows up, 2 if the file is missing or malformed.

    \b
    Examples:
      openelm simulate walker.json
      openelm simulate walker.json --json --seconds 30
      openelm simulate walker.json --terrain left-wall
      openelm simulate genome.py --timeout 2
    """
    walker = load_walker(file, timeout_s=timeout_s, allow_unsandboxed=allow_unsandboxed)
    result = simulate(walker, SimConfig(seconds=seconds, terrain=terrain))
    if as_json:
        print_json(
            {
                **sim_fields(result),
                "bone_stray": result.bone_stray,
                "terrain": terrain or _DEFAULTS.terrain,
            }
        )
    if not result.valid:
        if not as_json:
            print_error(f"{file}: {result.error}")
        ctx.exit(1)
    if not as_json:
        rows = [
            ("fitness (m)", f"{result.fitness:.4f}"),
            ("terrain", terrain or _DEFAULTS.terrain),
            ("worst bone stray", f"{result.bone_stray:.2%}"),
            ("height", f"{result.height:.3f}"),
            ("width", f"{result.width:.3f}"),
            ("mass", f"{result.mass:.3f}"),
            ("joints", str(result.joints)),
            ("muscles", str(result.muscles)),
            ("steps", str(result.steps)),
        ]
        console.print(key_value_table(file, rows))
