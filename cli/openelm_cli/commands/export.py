"""`openelm export RUN_DIR... --out FILE.jsonl`: the archive, or a fine-tuning dataset."""

from __future__ import annotations

from pathlib import Path

import click
from openelm.evolve import export_archive
from openelm.finetune import DATASET_KINDS
from openelm.store import RunStore

from openelm_cli.common_options import out_option, threshold_option
from openelm_cli.output import console


@click.command("export")
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(path_type=Path))
@out_option("Where to write.", metavar="FILE.jsonl", path_type=Path)
@click.option(
    "--dataset",
    type=click.Choice(DATASET_KINDS),
    default=None,
    help="Write a fine-tuning dataset (prompt, completion per line) instead of the archive.",
)
@threshold_option
def export_command(
    run_dirs: tuple[Path, ...], out: Path, dataset: str | None, threshold: float
) -> None:
    """Write the archive's elites, best first, one JSON object per line:
    id, source, fitness, cell, descriptors, operator, iteration, parent_ids.
    With --dataset, the examples `openelm finetune` would train on, from one
    run or several (structural needs runs of different seed programs).

    \b
    Examples:
      openelm export runs/20250101-120000 --out elites.jsonl
      openelm export runs/20250101-120000 --dataset accepted --out accepted.jsonl
      openelm export runs/square runs/radial --dataset structural --out structural.jsonl
    """
    if dataset is not None:
        from openelm.finetune import build_dataset, write_jsonl

        examples = write_jsonl(build_dataset(list(run_dirs), dataset, threshold=threshold), out)  # type: ignore[arg-type]
        console.print(f"wrote {examples} {dataset} examples to {out}")
        return
    if len(run_dirs) > 1:
        raise click.UsageError("the archive is exported from one RUN_DIR; several need --dataset")
    with RunStore.open(run_dirs[0], read_only=True) as store:
        count = export_archive(store, out)
    console.print(f"wrote {count} programs to {out}")
