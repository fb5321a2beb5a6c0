"""`openelm export RUN_DIR --out FILE.jsonl`: the archive as a dataset."""

from __future__ import annotations

from pathlib import Path

import click
from openelm.evolve import export_archive
from openelm.store import RunStore

from openelm_cli.output import console


@click.command("export")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    metavar="FILE.jsonl",
    help="Where to write.",
)
def export_command(run_dir: Path, out: Path) -> None:
    """Write the archive's elites, best first, one JSON object per line:
    id, source, fitness, cell, descriptors, operator, iteration, parent_ids.

    \b
    Examples:
      openelm export runs/20250101-120000 --out elites.jsonl
    """
    with RunStore.open(run_dir, read_only=True) as store:
        count = export_archive(store, out)
    console.print(f"wrote {count} programs to {out}")
