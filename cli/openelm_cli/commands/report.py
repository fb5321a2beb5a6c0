"""`openelm report RUN_DIR --out DIR`: an HTML report of a run."""

from __future__ import annotations

import click

from openelm_cli.common_options import out_option
from openelm_cli.output import console


@click.command("report")
@click.argument("run_dir")
@out_option("Folder for index.html and its images.", param="out_dir", file_okay=False)
def report_command(run_dir: str, out_dir: str) -> None:
    """Write a self-contained HTML report of a run: archive heatmaps, curves,
    the top elites with animations and source, and the best elite's lineage.

    \b
    Examples:
      openelm report runs/2026-11-28T10-00-00 --out report/
    """
    # Imported here: matplotlib adds ~0.2 s to every openelm command otherwise.
    from openelm.render.report import write_report

    summary = write_report(run_dir, out_dir)
    console.print(
        f"wrote {summary.index} ({summary.elites} elites, {summary.iterations} iterations, lineage of {summary.lineage_length})"
    )
