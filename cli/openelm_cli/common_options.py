"""Options that several commands take: each flag's name, type and default
are written once here, and each command words its help for what the
option means to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
from openelm import TERRAINS
from openelm.finetune import DEFAULT_THRESHOLD
from openelm.sandbox import DEFAULT_TIMEOUT_S

F = TypeVar("F", bound=Callable[..., Any])

# Most seconds a genome may run: an hour, far above any real genome.
GENOME_TIMEOUT = click.FloatRange(min=0.0, min_open=True, max=3600.0)


def out_option(
    help: str, *, param: str = "out", metavar: str | None = None, **path: Any
) -> Callable[[F], F]:
    """The required `--out`: where the command writes. `path` goes to
    click.Path (file_okay, dir_okay, path_type)."""
    return click.option(
        "--out", param, required=True, type=click.Path(**path), metavar=metavar, help=help
    )


def terrain_option(help: str) -> Callable[[F], F]:
    """`--terrain NAME`, None unless typed."""
    return click.option("--terrain", type=click.Choice(TERRAINS), help=help)


def genome_timeout_option(help: str, *, type: Any = GENOME_TIMEOUT) -> Callable[[F], F]:
    """`--timeout SECONDS` -> `timeout_s`: the sandbox's wall-clock limit on
    running a genome."""
    return click.option(
        "--timeout", "timeout_s", type=type, default=DEFAULT_TIMEOUT_S, show_default=True, help=help
    )


def allow_unsandboxed_option(help: str) -> Callable[[F], F]:
    """`--allow-unsandboxed`: run genomes where the kernel refuses the
    seccomp lockdown."""
    return click.option("--allow-unsandboxed", is_flag=True, help=help)


def threshold_option(command: F) -> F:
    """`--threshold` of the `elites` dataset."""
    return click.option(
        "--threshold",
        type=click.FloatRange(0, 1),
        default=DEFAULT_THRESHOLD,
        show_default=True,
        help="elites: keep programs with fitness >= threshold x their niche's best.",
    )(command)
