"""`openelm show RUN_DIR`: a run's metrics, funnel and best elites."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from openelm.evolve import run_summary
from openelm.store import RunStore
from rich.table import Table

from openelm_cli.output import console, key_value_table, print_json


def _number(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_summary(summary: dict[str, Any]) -> None:
    funnel = summary["funnel"]
    busy = summary["llm_busy_fraction"]
    rows = [
        ("created", summary["created_at"]),
        ("simulator version", str(summary["simulator_version"])),
        ("mutation", summary["mutation"]),
        ("model", summary["model"] or "-"),
        *([("fine-tuned", summary["model_origin"])] if summary.get("model_origin") else []),
        ("seed", str(summary["seed"])),
        ("iterations", str(summary["iterations"])),
        ("evaluations", str(summary["evaluations"])),
        (
            "niches",
            f"{summary['niches_filled']} / {summary['niches_total']} ({summary['coverage']:.1%})",
        ),
        # Summaries of runs older than CVT archives lack these keys.
        ("archive", summary.get("archive", "grid")),
        ("QD score", _number(summary["qd_score"], 2)),
        ("norm. QD score", _number(summary.get("norm_qd_score"), 4)),
        ("best fitness (m)", _number(summary["max_fitness"])),
        ("mean elite fitness (m)", _number(summary["mean_fitness"])),
        ("valid", f"{summary['valid_fraction']:.1%}"),
        (
            "funnel",
            " → ".join(
                f"{funnel[stage]} {stage}"
                for stage in ("generated", "parsed", "ran", "valid", "walked")
            )
            # Old stores' summaries may lack the count; nothing was recorded then.
            + f" ({funnel.get('truncated', 0)} cut off by max_new_tokens)",
        ),
        *(
            [("target hits", f"{funnel['on_target']} of {funnel['targeted']} targeted children")]
            if funnel.get("targeted")
            else []
        ),
        ("tokens generated", str(summary["tokens_generated"])),
        ("tokens/s", f"{summary['tokens_per_second']:.1f}"),
        ("evaluations/s", f"{summary['evaluations_per_second']:.1f}"),
        ("LLM busy", "-" if busy is None else f"{busy:.1%}"),
        # Ray runs only: actors lost (their work redone elsewhere).
        *([("lost actors", str(summary["lost_actors"]))] if summary.get("lost_actors") else []),
    ]
    console.print(key_value_table(summary["run_dir"], rows))
    if summary["top_elites"]:
        table = Table(title="top elites", title_justify="left")
        cell_header = "cell" if summary.get("archive") == "cvt" else "cell (h,w,m)"
        for column in (
            "id",
            "fitness (m)",
            cell_header,
            "height",
            "width",
            "mass",
            "operator",
            "iteration",
        ):
            table.add_column(column, justify="right")
        for elite in summary["top_elites"]:
            descriptors = elite["descriptors"]
            table.add_row(
                str(elite["id"]),
                _number(elite["fitness"]),
                ",".join(str(index) for index in elite["cell"]),
                _number(descriptors["height"], 2),
                _number(descriptors["width"], 2),
                _number(descriptors["mass"], 1),
                elite["operator"],
                str(elite["iteration"]),
            )
        console.print(table)


@click.command("show")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the summary as JSON (the keys of `evolve --json`).",
)
def show_command(run_dir: Path, as_json: bool) -> None:
    """Summarise a run: metrics, validity funnel and top elites.

    \b
    Examples:
      openelm show runs/20250101-120000
      openelm show runs/20250101-120000 --json
    """
    with RunStore.open(run_dir, read_only=True) as store:
        summary = run_summary(store)
    if as_json:
        print_json(summary)
    else:
        print_summary(summary)
