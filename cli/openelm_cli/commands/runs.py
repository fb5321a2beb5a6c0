"""`openelm runs`: the runs under a directory, one row each."""

from __future__ import annotations

from pathlib import Path

import click
from openelm.store import RunStore, RunStoreError, iter_run_dirs
from rich.table import Table

from openelm_cli.output import console


@click.command("runs")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("runs"),
    show_default=True,
    help="Directory whose subdirectories are runs.",
)
def runs_command(root: Path) -> None:
    """List the runs under ROOT with their size and best results.

    \b
    Examples:
      openelm runs
      openelm runs --root experiments
    """
    if not root.is_dir():
        raise click.UsageError(f"no runs directory at {root}")
    table = Table(title=f"runs in {root}", title_justify="left")
    for column, justify in (
        ("dir", "left"),
        ("created", "left"),
        ("iterations", "right"),
        ("evaluations", "right"),
        ("niches", "right"),
        ("QD score", "right"),
        ("best (m)", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    problems: list[str] = []
    for run_dir in iter_run_dirs(root):
        try:
            with RunStore.open(run_dir, read_only=True) as store:
                history = store.iteration_metrics()
                created = store.created_at
                total = store.config.archive.cell_count
        except RunStoreError as error:
            table.add_row(run_dir.name, "[red]unreadable[/]", "", "", "", "", "")
            problems.append(str(error))
            continue
        last = history[-1] if history else None
        table.add_row(
            run_dir.name,
            created,
            str(last.iteration if last else 0),
            str(last.evaluations if last else 0),
            f"{last.niches_filled if last else 0}/{total}",
            f"{last.qd_score:.2f}" if last else "-",
            f"{last.max_fitness:.3f}" if last and last.max_fitness is not None else "-",
        )
    if not table.row_count:
        console.print(f"no runs in {root}")
        return
    console.print(table)
    for problem in problems:
        console.print(f"[red]unreadable:[/] {problem}", soft_wrap=True)
