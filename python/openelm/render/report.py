"""`openelm report RUN_DIR --out DIR`: a self-contained HTML page about a run
with its images (and the CSV data behind every plot) beside it."""

from __future__ import annotations

import csv
import difflib
import html
import json
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: no display is ever needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from pygments import highlight  # noqa: E402
from pygments.formatters import HtmlFormatter  # noqa: E402
from pygments.lexers import DiffLexer, PythonLexer  # noqa: E402

from openelm._sodarace import Walker  # noqa: E402
from openelm.render.animate import RenderOptions, Subject, render_subjects  # noqa: E402

TOP_ELITES = 12
SECTIONS = ("archive", "curves", "top-elites", "lineage", "config")


@dataclass(frozen=True)
class ReportSummary:
    index: Path
    elites: int
    iterations: int
    lineage_length: int


def write_report(run_dir: str | Path, out_dir: str | Path, *, animation_seconds: float | None = None) -> ReportSummary:
    """Writes `index.html`, PNG plots, GIF animations and CSVs into `out_dir`."""
    from openelm.evolve.archive import GridArchive
    from openelm.store import RunStore

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with RunStore.open(run_dir, read_only=True) as store:
        config = store.config
        identity = store.model_identity
        elites = sorted(store.elites(), key=lambda e: (-e.fitness, e.program_id))
        metrics = store.iteration_metrics()
        top = elites[:TOP_ELITES]
        top_programs = {p.id: p for p in store.programs([e.program_id for e in top])}
        lineage = _lineage(store, elites[0].program_id) if elites else []
    archive = GridArchive(config.archive)
    grid = np.full(config.archive.bins, np.nan)
    for elite in elites:
        grid[archive.cell_coordinates(elite.cell)] = elite.fitness

    _heatmaps(grid, config.archive, out)
    _curves(metrics, out)
    seconds = animation_seconds or config.evaluation.sim_seconds
    options = RenderOptions(format="gif", seconds=seconds, fps=15, size=(320, 220))
    elite_cards = []
    for rank, elite in enumerate(top, start=1):
        program = top_programs[elite.program_id]
        gif = f"elite-{rank:02d}-{elite.program_id}.gif"
        walker = Walker.from_json(program.walker_json)
        render_subjects([Subject(walker, f"#{elite.program_id}", elite.fitness)], out / gif, options)
        elite_cards.append(_elite_card(rank, program, archive.cell_coordinates(elite.cell), gif))

    page = _page(
        run_dir=Path(run_dir),
        elites=elites,
        config=config.to_dict(),
        identity=identity,
        elite_cards=elite_cards,
        lineage_html=_lineage_html(lineage),
        metrics_count=len(metrics),
    )
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return ReportSummary(index=index, elites=len(elites), iterations=len(metrics), lineage_length=len(lineage))


def _lineage(store, program_id: int) -> list:
    """The chain of first parents from `program_id` back to a seed, seed first.
    Evicted ancestors are still in the store, so the chain never breaks."""
    chain = []
    seen = set()
    current: int | None = program_id
    while current is not None and current not in seen:
        seen.add(current)
        (program,) = store.programs([current])
        chain.append(program)
        current = program.parent_ids[0] if program.parent_ids else None
    return chain[::-1]


def _heatmaps(grid: np.ndarray, archive_config, out: Path) -> None:
    (h_low, h_high), (w_low, w_high), (m_low, m_high) = archive_config.ranges
    best_over_mass = np.where(np.all(np.isnan(grid), axis=2), np.nan, np.nanmax(np.nan_to_num(grid, nan=-np.inf), axis=2))
    finite = grid[np.isfinite(grid)]
    vmax = float(finite.max()) if finite.size else 1.0
    cmap = plt.get_cmap("viridis").copy()
    cmap.set_bad("#eeeeee")  # empty cells: visibly empty, not zero

    fig, ax = plt.subplots(figsize=(6, 5))
    image = ax.imshow(
        np.ma.masked_invalid(best_over_mass), origin="lower", cmap=cmap, vmin=0, vmax=vmax,
        extent=(w_low, w_high, h_low, h_high), aspect="auto",
    )
    ax.set_xlabel("width (genome units)")
    ax.set_ylabel("height (genome units)")
    ax.set_title("best fitness over mass (grey: empty)")
    fig.colorbar(image, ax=ax, label="best fitness (m)")
    fig.tight_layout()
    fig.savefig(out / "heatmap.png", dpi=100)
    plt.close(fig)
    with open(out / "heatmap.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["height_bin", "width_bin", "best_fitness_m"])
        for (h, w), value in np.ndenumerate(best_over_mass):
            writer.writerow([h, w, "" if np.isnan(value) else f"{value:.6f}"])

    mass_bins = grid.shape[2]
    columns = 4
    rows = -(-mass_bins // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(3 * columns, 2.6 * rows), squeeze=False)
    edges = np.linspace(m_low, m_high, mass_bins + 1)
    for m in range(rows * columns):
        ax = axes[m // columns][m % columns]
        if m >= mass_bins:
            ax.axis("off")
            continue
        image = ax.imshow(
            np.ma.masked_invalid(grid[:, :, m]), origin="lower", cmap=cmap, vmin=0, vmax=vmax,
            extent=(w_low, w_high, h_low, h_high), aspect="auto",
        )
        ax.set_title(f"mass {edges[m]:.0f}–{edges[m + 1]:.0f}", fontsize=9)
        ax.tick_params(labelsize=7)
    fig.subplots_adjust(hspace=0.45)
    fig.colorbar(image, ax=axes, label="best fitness (m)", shrink=0.8)
    fig.savefig(out / "heatmap-mass-bands.png", dpi=80)
    plt.close(fig)
    with open(out / "heatmap-mass-bands.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["height_bin", "width_bin", "mass_bin", "fitness_m"])
        for (h, w, m), value in np.ndenumerate(grid):
            if not np.isnan(value):
                writer.writerow([h, w, m, f"{value:.6f}"])


def _curves(metrics: list, out: Path) -> None:
    iterations = [m.iteration for m in metrics]
    fields = {
        "qd_score": [m.qd_score for m in metrics],
        "coverage": [m.niches_filled / m.niches_total if m.niches_total else 0.0 for m in metrics],
        "max_fitness": [m.max_fitness or 0.0 for m in metrics],
    }
    stages = ("generated", "parsed", "ran", "valid", "walked")
    funnel = {stage: [getattr(m.funnel, stage) for m in metrics] for stage in stages}
    with open(out / "metrics.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["iteration", *fields, *stages])
        for row in zip(iterations, *fields.values(), *funnel.values()):
            writer.writerow(row)

    fig, axes = plt.subplots(1, 4, figsize=(16, 3.4))
    titles = {"qd_score": "QD score (m)", "coverage": "coverage (filled / total)", "max_fitness": "max fitness (m)"}
    for ax, (name, values) in zip(axes, fields.items()):
        ax.plot(iterations, values, marker=".")
        ax.set_title(titles[name])
        ax.set_xlabel("iteration")
    for stage in stages:
        axes[3].plot(iterations, funnel[stage], marker=".", label=stage)
    axes[3].set_title("validity funnel (programs per iteration)")
    axes[3].set_xlabel("iteration")
    axes[3].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "curves.png", dpi=90)
    plt.close(fig)


def _elite_card(rank: int, program, cell: tuple[int, int, int], gif: str) -> str:
    source = highlight(program.source, PythonLexer(), HtmlFormatter(nowrap=False, cssclass="code"))
    return (
        f'<div class="card"><h3>#{rank} — program {program.id}</h3>'
        f'<img src="{gif}" alt="animation of program {program.id}">'
        f"<p>fitness <b>{program.fitness:.3f} m</b> · cell (h,w,m) = {cell} · operator {html.escape(program.operator)}"
        f" · iteration {program.iteration}</p>"
        f"<details><summary>source</summary>{source}</details></div>"
    )


def _lineage_html(chain: list) -> str:
    if not chain:
        return "<p>No elites yet.</p>"
    parts = []
    for previous, current in zip([None, *chain[:-1]], chain):
        header = (
            f"<h3>program {current.id} · {html.escape(current.operator)} · iteration {current.iteration}"
            f" · fitness {current.fitness if current.fitness is not None else float('nan'):.3f} m</h3>"
        )
        if previous is None:
            body = highlight(current.source, PythonLexer(), HtmlFormatter(cssclass="code"))
        else:
            diff = "".join(
                difflib.unified_diff(
                    previous.source.splitlines(keepends=True),
                    current.source.splitlines(keepends=True),
                    fromfile=f"program {previous.id}",
                    tofile=f"program {current.id}",
                )
            )
            body = highlight(diff or "(no textual change)\n", DiffLexer(), HtmlFormatter(cssclass="code"))
        parts.append(header + body)
    return "\n".join(parts)


def _page(*, run_dir: Path, elites, config: dict, identity, elite_cards: list[str], lineage_html: str, metrics_count: int) -> str:
    style = HtmlFormatter(cssclass="code").get_style_defs(".code")
    best = f"{elites[0].fitness:.3f} m" if elites else "—"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>openelm report — {html.escape(run_dir.name)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; }}
section {{ margin-bottom: 2.5rem; }}
.cards {{ display: flex; flex-wrap: wrap; gap: 1rem; }}
.card {{ border: 1px solid #ddd; border-radius: 6px; padding: .6rem; width: 340px; }}
.card img {{ width: 320px; }}
pre {{ overflow-x: auto; font-size: 12px; }}
{style}
</style></head><body>
<h1>openelm run {html.escape(run_dir.name)}</h1>
<p>{len(elites)} elites · best {best} · {metrics_count} iterations recorded</p>
<section id="archive"><h2>Archive</h2>
<img src="heatmap.png" alt="archive heatmap: height by width, best fitness over mass">
<img src="heatmap-mass-bands.png" alt="archive heatmaps per mass band">
<p>Data: <a href="heatmap.csv">heatmap.csv</a>, <a href="heatmap-mass-bands.csv">heatmap-mass-bands.csv</a></p></section>
<section id="curves"><h2>Curves</h2><img src="curves.png" alt="QD score, coverage, max fitness and validity funnel">
<p>Data: <a href="metrics.csv">metrics.csv</a></p></section>
<section id="top-elites"><h2>Top elites</h2><div class="cards">{''.join(elite_cards)}</div></section>
<section id="lineage"><h2>Lineage of the best elite</h2>{lineage_html}</section>
<section id="config"><h2>Run config and model</h2>
<pre>{html.escape(json.dumps({"config": config, "model": identity}, indent=2, sort_keys=True))}</pre></section>
</body></html>
"""
