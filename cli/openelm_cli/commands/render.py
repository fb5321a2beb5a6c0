"""`openelm render TARGET [ELITE] --out FILE`: animate walkers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click
from openelm.render import RenderOptions, render_subjects, resolve_target
from openelm.render.writers import FORMATS, format_for

from openelm_cli.output import console


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not WxH, e.g. 480x320") from None
    return width, height


@click.command("render")
@click.argument("target")
@click.argument("elite", required=False)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False),
    help="Output file (.gif, .mp4 or .png).",
)
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), help="Override the format the extension implies."
)
@click.option(
    "--seconds", type=float, help="Simulated seconds after settling [default: the run's, else 15]."
)
@click.option(
    "--fps", type=int, default=30, show_default=True, help="Frames per second; must divide 60."
)
@click.option(
    "--size",
    "size",
    default="480x320",
    show_default=True,
    help="Frame (or tile) size WxH in pixels.",
)
@click.option(
    "--follow/--no-follow", default=True, show_default=True, help="Camera tracks the body."
)
@click.option(
    "--trail/--no-trail", default=True, show_default=True, help="Draw the centre-of-mass trail."
)
@click.option(
    "--timeout",
    "timeout_s",
    type=float,
    default=5.0,
    show_default=True,
    help="Sandbox timeout for a .py genome.",
)
@click.option(
    "--allow-unsandboxed", is_flag=True, help="Run a .py genome even where seccomp is unavailable."
)
def render_command(
    target: str,
    elite: str | None,
    out: str,
    fmt: str | None,
    seconds: float | None,
    fps: int,
    size: str,
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
      openelm render python/openelm/seeds/square.py --out square.mp4 --fps 30
      openelm render runs/2026-11-28T10-00-00 best --out best.gif
      openelm render runs/2026-11-28T10-00-00 top:9 --out top9.png --no-follow
    """
    options = RenderOptions(
        format=format_for(Path(out), fmt),
        fps=fps,
        size=_size(size),
        follow=follow,
        trail=trail,
    )
    # Options first: a bad --fps or --size fails before a genome runs.
    options.check()
    subjects, run_seconds = resolve_target(
        target, elite, timeout_s=timeout_s, allow_unsandboxed=allow_unsandboxed
    )
    if seconds is not None:
        options = replace(options, seconds=seconds)
    elif run_seconds is not None:
        options = replace(options, seconds=run_seconds)
    path = render_subjects(subjects, out, options)
    console.print(
        f"wrote {path} ({len(subjects)} walker{'s' if len(subjects) > 1 else ''}, {options.format})"
    )
