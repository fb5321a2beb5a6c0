"""`openelm export RUN_DIR --out FILE.jsonl`: the archive as a dataset."""

from __future__ import annotations

from pathlib import Path

import click
from openelm.evolve import export_archive
from openelm.finetune import DATASET_KINDS
from openelm.store import RunStore

from openelm_cli.common_options import out_option, threshold_option
from openelm_cli.output import console


@click.command("export")
@click.argument("run_dir", type=click.Path(path_type=Path))
@out_option("Where to write.", metavar="FILE.jsonl", path_type=Path)
@click.option(
    "--dataset",
    type=click.Choice(DATASET_KINDS),
    default=None,
    help="Write a fine-tuning dataset (prompt, completion per line) instead of the archive.",
)
@threshold_option
def export_command(run_dir: Path, out: Path, dataset: str | None, threshold: float) -> None:
    """Write the archive's elites, best first, one JSON object per line:
    id, source, fitness, cell, descriptors, operator, iteration, parent_ids.

    \b
    Examples:
      openelm export runs/20250101-120000 --out elites.jsonl
      openelm export runs/20250101-120000 --dataset accepted --out accepted.jsonl
    """
    if dataset is not None:
        from openelm.finetune import build_dataset, write_jsonl

        examples = write_jsonl(build_dataset([run_dir], dataset, threshold=threshold), out)  # type: ignore[arg-type]
        console.print(f"wrote {examples} {dataset} examples to {out}")
        return
    with RunStore.open(run_dir, read_only=True) as store:
        count = export_archive(store, out)
    console.print(f"wrote {count} programs to {out}")
