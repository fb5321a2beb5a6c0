"""The live view of `openelm evolve`: a rich panel redrawn after each
committed iteration, on stderr so `--json` output stays clean."""

from __future__ import annotations

from types import TracebackType

from openelm.evolve import ProgressReport
from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

# Dark to bright: the share of the best fitness a cell's elite reaches.
_HEAT_STYLES = ("blue", "cyan", "green", "yellow", "bold red")
_EMPTY_CELL = "· "
_FILLED_CELL = "██"

live_console = Console(stderr=True, highlight=False)


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def heatmap(grid: list[list[float | None]]) -> Text:
    """Height bins bottom to top, width bins left to right; each cell the
    best fitness over the mass bins."""
    best = max((value for row in grid for value in row if value is not None), default=None)
    text = Text()
    for row in reversed(grid):
        for value in row:
            if value is None or best is None:
                text.append(_EMPTY_CELL, style="dim")
            else:
                share = value / best if best > 0 else 1.0
                level = min(int(share * len(_HEAT_STYLES)), len(_HEAT_STYLES) - 1)
                text.append(_FILLED_CELL, style=_HEAT_STYLES[level])
        text.append("\n")
    text.append("height ↑  width →  (best over mass)", style="dim")
    return text


def progress_table(report: ProgressReport) -> Table:
    metrics = report.metrics
    budget = report.budget
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(justify="right")
    iteration = f"{metrics.iteration}" + (
        f" / {budget.iterations}" if budget.iterations is not None else ""
    )
    evaluations = f"{metrics.evaluations}" + (
        f" / {budget.evaluations}" if budget.evaluations is not None else ""
    )
    funnel = report.run_funnel
    rows = [
        ("iteration", iteration),
        ("evaluations", evaluations),
        ("niches", f"{metrics.niches_filled} / {metrics.niches_total} ({metrics.coverage:.1%})"),
        ("QD score", f"{metrics.qd_score:.2f}"),
        ("best fitness", "-" if metrics.max_fitness is None else f"{metrics.max_fitness:.3f} m"),
        ("valid", f"{funnel.valid_fraction:.1%} of {funnel.generated}"),
        (
            "funnel",
            f"{funnel.generated}→{funnel.parsed}→{funnel.ran}→{funnel.valid}→{funnel.walked}",
        ),
        ("tokens/s", f"{metrics.tokens_per_second:.1f}"),
        ("evals/s", f"{metrics.evaluations_per_second:.1f}"),
        *([("lost actors", str(report.lost_actors))] if report.lost_actors else []),
        ("elapsed", format_duration(report.session_seconds)),
        ("ETA", format_duration(report.eta_seconds)),
    ]
    for key, value in rows:
        table.add_row(key, value)
    return table


def render(report: ProgressReport) -> Panel:
    layout = Table.grid(padding=(0, 4))
    layout.add_row(progress_table(report), heatmap(report.height_width_map))
    return Panel(
        Group(layout),
        title=f"openelm evolve · {report.run_dir}",
        subtitle="Ctrl-C stops after this iteration",
        title_align="left",
    )


class LiveView:
    """The panel while the run goes on; a status line before the first iteration."""

    def __init__(self) -> None:
        self._live = Live(
            Text("starting…"), console=live_console, refresh_per_second=4, transient=False
        )

    def __enter__(self) -> LiveView:
        self._live.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._live.__exit__(exc_type, exc, tb)

    def phase(self, message: str) -> None:
        if message.startswith("warning:"):
            live_console.print(f"[yellow]{message}[/]")
        else:
            self._live.update(Text(message + "…"))

    def update(self, report: ProgressReport) -> None:
        self._live.update(render(report))


class LogLines:
    """For a terminal-less stderr (logs, pipes): one plain line per iteration."""

    def phase(self, message: str) -> None:
        live_console.print(message, soft_wrap=True)

    def update(self, report: ProgressReport) -> None:
        metrics = report.metrics
        best = "-" if metrics.max_fitness is None else f"{metrics.max_fitness:.3f}"
        live_console.print(
            f"iteration {metrics.iteration}: evaluations {metrics.evaluations}, "
            f"niches {metrics.niches_filled}/{metrics.niches_total}, QD {metrics.qd_score:.2f}, best {best}, "
            f"valid {report.run_funnel.valid_fraction:.1%}, {metrics.tokens_per_second:.1f} tok/s"
            + (f", lost actors {report.lost_actors}" if report.lost_actors else ""),
            soft_wrap=True,
        )
