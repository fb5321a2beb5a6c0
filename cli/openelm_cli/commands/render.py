"""`openelm render TARGET [ELITE] --out FILE`: animate walkers."""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

import click
from openelm.render import RenderOptions, render_subjects, resolve_target
from openelm.render.animate import STEPS_PER_SECOND, ReplayMismatchWarning
from openelm.render.writers import FORMATS, format_for

from openelm_cli.common_options import (
    allow_unsandboxed_option,
    genome_timeout_option,
    out_option,
    terrain_option,
)
from openelm_cli.output import console, print_warning
from openelm_cli.params import FrameSize

# The library's defaults, shown in --help.
_DEFAULTS = RenderOptions()


@click.command("render")
@click.argument("target")
@click.argument("elite", required=False)
@out_option("Output file (.gif, .mp4 or .png).", dir_okay=False)
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), help="Override the format the extension implies."
)
@click.option(
    "--seconds",
    type=float,
    help=f"Simulated seconds after settling. [default: the run's, else {_DEFAULTS.seconds:g}]",
)
@terrain_option(f"Terrain to replay on. [default: the run's, else {_DEFAULTS.terrain}]")
@click.option(
    "--fps",
    type=int,
    default=_DEFAULTS.fps,
    show_default=True,
    help=f"Frames per second; must divide {STEPS_PER_SECOND}.",
)
@click.option(
    "--size",
    "size",
    type=FrameSize(),
    default=FrameSize.format(_DEFAULTS.size),
    show_default=True,
    help="Frame (or tile) size WxH in pixels.",
)
@click.option(
    "--follow/--no-follow",
    default=_DEFAULTS.follow,
    show_default=True,
    help="Camera tracks the body.",
)
@click.option(
    "--trail/--no-trail",
    default=_DEFAULTS.trail,
    show_default=True,
    help="Draw the centre-of-mass trail.",
)
@genome_timeout_option("Sandbox timeout for a .py genome.", type=float)
@allow_unsandboxed_option("Run a .py genome even where seccomp is unavailable.")
def render_command(
    target: str,
    elite: str | None,
    out: str,
    fmt: str | None,
    seconds: float | None,
    terrain: str | None,
    fps: int,
    size: tuple[int, int],
    follow: bool,
    trail: bool,
    timeout_s: float,
    allow_unsandboxed: bool,
) -> None:
    """Animate a walker from a file (.json walker or .py genome) or from a run.

    For a run directory, ELITE is a program id, `best` (default), a cell
    `h,w,m`, or `top:K` for a grid of the K best. Frames come from the same
    simulation that scores the walker.

    \b
    Examples:
      openelm render walker.json --out walker.gif
      openelm render walker.json --out wall.gif --terrain left-wall
      openelm render python/openelm/seeds/square.py --out square.mp4 --fps 30
      openelm render runs/2026-11-28T10-00-00 best --out best.gif
      openelm render runs/2026-11-28T10-00-00 top:9 --out top9.png --no-follow
    """
    options = RenderOptions(
        format=format_for(Path(out), fmt),
        fps=fps,
        size=size,
        follow=follow,
        trail=trail,
    )
    # Options first: a bad --fps or --size fails before a genome runs.
    options.check()
    subjects, run_sim = resolve_target(
        target, elite, timeout_s=timeout_s, allow_unsandboxed=allow_unsandboxed
    )
    if run_sim is not None:
        options = replace(options, seconds=run_sim.seconds, terrain=run_sim.terrain)
    if seconds is not None:
        options = replace(options, seconds=seconds)
    if terrain is not None:
        options = replace(options, terrain=terrain)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReplayMismatchWarning)
        path = render_subjects(subjects, out, options)
    for warning in caught:
        print_warning(str(warning.message))
    console.print(
        f"wrote {path} ({len(subjects)} walker{'s' if len(subjects) > 1 else ''}, {options.format})"
    )
