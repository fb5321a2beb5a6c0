"""`openelm report RUN_DIR --out DIR`: a self-contained HTML page about a run
with its images (and the CSV data behind every plot) beside it.

Plots use matplotlib's object-oriented `Figure` (Agg canvas), never pyplot,
so no display, no global backend switch and no figure registry are involved.
"""

from __future__ import annotations

import csv
import difflib
import html
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from pygments import highlight
from pygments.formatter import Formatter
from pygments.formatters import HtmlFormatter
from pygments.lexers import DiffLexer, PythonLexer

from openelm._sodarace import Walker
from openelm.evolve.archive import CVTArchive, build_archive
from openelm.records import ArchiveConfig, Elite, IterationMetrics, ProgramRecord
from openelm.render.animate import RenderError, RenderOptions, Subject, render_subjects
from openelm.store import RunStore

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.cm import ScalarMappable
    from matplotlib.image import AxesImage

TOP_ELITES = 12
ANIMATION_OPTIONS = RenderOptions(format="gif", fps=15, size=(320, 220))
FUNNEL_STAGES = ("generated", "parsed", "ran", "valid", "walked")
EMPTY_CELL_COLOUR = "#e4e4e4"
COLOUR_MAP = matplotlib.colormaps["viridis"].with_extremes(bad=EMPTY_CELL_COLOUR)


@dataclass(frozen=True)
class ReportSummary:
    index: Path
    elites: int
    iterations: int
    lineage_length: int


def write_report(run_dir: str | Path, out_dir: str | Path) -> ReportSummary:
    """Writes `index.html`, PNG plots, one GIF per top elite and the CSVs
    behind the plots into `out_dir` (created if needed)."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RenderError(f"cannot create {out}: {error.strerror or error}") from None
    with RunStore.open(run_dir, read_only=True) as store:
        config = store.config
        identity = store.model_identity
        centroids = store.centroids
        elites = sorted(store.elites(), key=lambda e: (-e.fitness, e.program_id))
        metrics = store.iteration_metrics()
        top = elites[:TOP_ELITES]
        top_programs = {p.id: p for p in store.programs([e.program_id for e in top])}
        lineage = _lineage(store, elites[0].program_id) if elites else []

    archive = build_archive(config.archive, centroids)
    if isinstance(archive, CVTArchive):
        _voronoi_heatmap(archive, elites, out)
    else:
        grid = np.full(config.archive.bins, np.nan)
        for elite in elites:
            grid[archive.cell_coordinates(elite.cell)] = elite.fitness
        _heatmaps(grid, config.archive, out)
    _curves(metrics, out)

    # The animations replay the scoring simulation: the run's own seconds.
    options = replace(ANIMATION_OPTIONS, seconds=config.evaluation.sim.seconds)
    cards = []
    for rank, elite in enumerate(top, start=1):
        program = top_programs[elite.program_id]
        if program.walker_json is None:
            raise RenderError(f"elite {program.id} of {run_dir} has no stored walker")
        gif = f"elite-{rank:02d}-{program.id}.gif"
        subject = Subject(Walker.from_json(program.walker_json), f"#{program.id}", elite.fitness)
        render_subjects([subject], out / gif, options)
        cards.append(_elite_card(rank, program, archive.cell_coordinates(elite.cell), gif))

    index = out / "index.html"
    page = _page(
        run_name=Path(run_dir).resolve().name,
        elites=elites,
        config=config.to_dict(),
        identity=identity,
        cards=cards,
        lineage=lineage,
        iterations=len(metrics),
        cvt=isinstance(archive, CVTArchive),
    )
    try:
        index.write_text(page, encoding="utf-8")
    except OSError as error:
        raise RenderError(f"cannot write {index}: {error.strerror or error}") from None
    return ReportSummary(
        index=index, elites=len(elites), iterations=len(metrics), lineage_length=len(lineage)
    )


def _lineage(store: RunStore, program_id: int) -> list[ProgramRecord]:
    """The chain of first parents from `program_id` back to a seed, seed
    first. Evicted ancestors stay in the store, so the chain never breaks."""
    chain: list[ProgramRecord] = []
    seen: set[int] = set()
    current: int | None = program_id
    while current is not None and current not in seen:
        seen.add(current)
        found = store.programs([current])
        if not found:
            break  # a parent id the store doesn't hold: show what is known
        chain.append(found[0])
        current = found[0].parent_ids[0] if found[0].parent_ids else None
    return chain[::-1]


def _best_over_mass(grid: np.ndarray) -> np.ndarray:
    """(height, width) best fitness over the mass axis; NaN where all empty."""
    filled = np.isfinite(grid).any(axis=2)
    best = np.where(np.isfinite(grid), grid, -np.inf).max(axis=2)
    return np.where(filled, best, np.nan)


def _colour_limit(fitness: np.ndarray) -> float:
    """The top of the fitness colour scale: the best fitness shown, or 1 when none is positive."""
    finite = fitness[np.isfinite(fitness)]
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


def _save_width_height_map(
    figure: Figure, axes: Axes, shading: ScalarMappable, title: str, path: Path
) -> None:
    """Label a best-fitness map over (width, height), add its colour bar and save it."""
    axes.set_xlabel("width (genome units)")
    axes.set_ylabel("height (genome units)")
    axes.set_title(title)
    figure.colorbar(shading, ax=axes, label="best fitness (m)")
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def _show_fitness(
    axes: Axes, fitness: np.ndarray, vmax: float, extent: tuple[float, float, float, float]
) -> AxesImage:
    """Shade a (height, width) grid of best fitness over `extent`, empty cells grey."""
    return axes.imshow(
        np.ma.masked_invalid(fitness),
        origin="lower",
        cmap=COLOUR_MAP,
        vmin=0,
        vmax=vmax,
        extent=extent,
        aspect="auto",
    )


def _heatmaps(grid: np.ndarray, archive_config: ArchiveConfig, out: Path) -> None:
    (h_low, h_high), (w_low, w_high), (m_low, m_high) = archive_config.ranges
    extent = (w_low, w_high, h_low, h_high)
    vmax = _colour_limit(grid)
    best = _best_over_mass(grid)

    figure = Figure(figsize=(6, 5))
    axes = figure.add_subplot()
    image = _show_fitness(axes, best, vmax, extent)
    _save_width_height_map(
        figure, axes, image, "best fitness over all masses (grey: empty)", out / "heatmap.png"
    )
    _write_csv(
        out / "heatmap.csv",
        ["height_bin", "width_bin", "best_fitness_m"],
        ([h, w, _number(value)] for (h, w), value in np.ndenumerate(best)),
    )

    mass_bins = grid.shape[2]
    columns = min(4, mass_bins)
    rows = math.ceil(mass_bins / columns)
    edges = np.linspace(m_low, m_high, mass_bins + 1)
    figure = Figure(figsize=(2.6 * columns + 1.2, 2.3 * rows))
    panels = figure.subplots(rows, columns, squeeze=False)
    for m, axes in enumerate(panels.flat):
        if m >= mass_bins:
            axes.axis("off")
            continue
        image = _show_fitness(axes, grid[:, :, m], vmax, extent)
        axes.set_title(f"mass {edges[m]:g}–{edges[m + 1]:g}", fontsize=9)
        axes.tick_params(labelsize=7)
    figure.supxlabel("width (genome units)", fontsize=9)
    figure.supylabel("height (genome units)", fontsize=9)
    figure.subplots_adjust(hspace=0.5, wspace=0.3, right=0.85)
    figure.colorbar(image, ax=panels, label="best fitness (m)", shrink=0.8)
    figure.savefig(out / "heatmap-mass-bands.png", dpi=80)
    _write_csv(
        out / "heatmap-mass-bands.csv",
        ["height_bin", "width_bin", "mass_bin", "fitness_m"],
        ([h, w, m, _number(value)] for (h, w, m), value in np.ndenumerate(grid)),
    )


def _voronoi_heatmap(archive: CVTArchive, elites: Sequence[Elite], out: Path) -> None:
    """A CVT archive drawn as pyribs draws one: the Voronoi diagram of the
    centroids, each region shaded by its elite's fitness. The centroids are
    3-D, so the diagram is that of their (width, height) projection; each
    centroid keeps its own region. heatmap.csv lists every cell."""
    from matplotlib.collections import PolyCollection
    from scipy.spatial import Voronoi

    points = archive.centroid_descriptors()
    (h_low, h_high), (w_low, w_high), _ = archive.config.ranges
    spans = np.array([w_high - w_low, h_high - h_low])
    lows = np.array([w_low, h_low])
    unit = (points[:, [1, 0]] - lows) / spans
    # Far points close the edge regions, as pyribs does.
    far = np.array([[-1000.0, -1000.0], [-1000.0, 1000.0], [1000.0, -1000.0], [1000.0, 1000.0]])
    diagram = Voronoi(np.vstack([unit, far]))
    fitness = np.full(len(points), np.nan)
    for elite in elites:
        fitness[elite.cell] = elite.fitness
    polygons = []
    for index in range(len(points)):
        region = diagram.regions[diagram.point_region[index]]
        vertices = np.clip(diagram.vertices[region], 0.0, 1.0)
        polygons.append(vertices * spans + lows)
    vmax = _colour_limit(fitness)
    figure = Figure(figsize=(6, 5))
    axes = figure.add_subplot()
    collection = PolyCollection(
        polygons, array=np.ma.masked_invalid(fitness), cmap=COLOUR_MAP, edgecolors="white"
    )
    collection.set_clim(0, vmax)
    collection.set_linewidth(0.3)
    axes.add_collection(collection)
    axes.set_xlim(w_low, w_high)
    axes.set_ylim(h_low, h_high)
    _save_width_height_map(
        figure,
        axes,
        collection,
        "CVT cells by (width, height) of their centroid (grey: empty)",
        out / "heatmap.png",
    )
    _write_csv(
        out / "heatmap.csv",
        ["cell", "height", "width", "mass", "fitness_m"],
        (
            [cell, *(f"{value:.6f}" for value in point), _number(value)]
            for cell, (point, value) in enumerate(zip(points, fitness))
        ),
    )


def _curves(metrics: list[IterationMetrics], out: Path) -> None:
    iterations = [m.iteration for m in metrics]
    series = {
        "qd_score": [m.qd_score for m in metrics],
        "coverage": [
            m.niches_filled / m.niches_total if m.niches_total else math.nan for m in metrics
        ],
        "max_fitness": [math.nan if m.max_fitness is None else m.max_fitness for m in metrics],
    }
    funnel = {stage: [getattr(m.funnel, stage) for m in metrics] for stage in FUNNEL_STAGES}
    _write_csv(
        out / "metrics.csv",
        ["iteration", *series, *FUNNEL_STAGES],
        (
            [
                iteration,
                *(_number(values[k]) for values in series.values()),
                *(counts[k] for counts in funnel.values()),
            ]
            for k, iteration in enumerate(iterations)
        ),
    )

    figure = Figure(figsize=(10, 6.4))
    panels = list(figure.subplots(2, 2).flat)
    titles = {
        "qd_score": "QD score (m)",
        "coverage": "coverage (filled / total)",
        "max_fitness": "max fitness (m)",
    }
    for axes, (name, values) in zip(panels, series.items()):
        axes.plot(iterations, values, marker=".")
        axes.set_title(titles[name])
        axes.set_xlabel("iteration")
    axes = panels[3]
    for stage in FUNNEL_STAGES:
        axes.plot(iterations, funnel[stage], marker=".", label=stage)
    axes.set_title("validity funnel (programs per iteration)")
    axes.set_xlabel("iteration")
    axes.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(out / "curves.png", dpi=90)


def _number(value: float) -> str:
    """CSV cell: empty for a missing value, else six decimals."""
    return "" if math.isnan(value) else f"{value:.6f}"


def _write_csv(path: Path, header: list[str], rows: Iterable[Sequence[object]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _code(text: str, lexer: PythonLexer | DiffLexer) -> str:
    return highlight(text, lexer, HtmlFormatter(cssclass="code"))


def _elite_card(rank: int, program: ProgramRecord, cell: tuple[int, ...], gif: str) -> str:
    fitness = math.nan if program.fitness is None else program.fitness
    return (
        f'<div class="card"><h3>#{rank} · program {program.id}</h3>'
        f'<img src="{gif}" alt="animation of program {program.id}">'
        f"<p>fitness <b>{fitness:.3f} m</b> · cell (h,w,m) = {cell} · operator "
        f"<b>{html.escape(program.operator)}</b> · iteration {program.iteration}</p>"
        f"<details><summary>source</summary>{_code(program.source, PythonLexer())}</details></div>"
    )


def _lineage_html(chain: list[ProgramRecord]) -> str:
    if not chain:
        return "<p>No elites yet.</p>"
    steps = []
    for previous, current in zip([None, *chain[:-1]], chain):
        fitness = "no fitness" if current.fitness is None else f"fitness {current.fitness:.3f} m"
        header = (
            f'<h3>program {current.id} · operator <span class="operator">{html.escape(current.operator)}</span>'
            f" · iteration {current.iteration} · {fitness}</h3>"
        )
        if previous is None:
            body = _code(current.source, PythonLexer())
        else:
            diff = "".join(
                difflib.unified_diff(
                    previous.source.splitlines(keepends=True),
                    current.source.splitlines(keepends=True),
                    fromfile=f"program {previous.id}",
                    tofile=f"program {current.id}",
                )
            )
            body = _code(diff or "(no textual change)\n", DiffLexer())
        steps.append(f'<div class="step">{header}{body}</div>')
    return "\n".join(steps)


def _page(
    *,
    run_name: str,
    elites: list[Elite],
    config: dict[str, object],
    identity: dict[str, str] | None,
    cards: list[str],
    lineage: list[ProgramRecord],
    iterations: int,
    cvt: bool = False,
) -> str:
    archive_section = (
        '<img src="heatmap.png" alt="CVT archive: Voronoi cells by width and height">\n'
        '<p>Data: <a href="heatmap.csv">heatmap.csv</a></p>'
        if cvt
        else '<img src="heatmap.png" alt="archive heatmap: height by width, best fitness over all masses">\n'
        '<img src="heatmap-mass-bands.png" alt="archive heatmaps, one per mass band">\n'
        '<p>Data: <a href="heatmap.csv">heatmap.csv</a>, <a href="heatmap-mass-bands.csv">heatmap-mass-bands.csv</a></p>'
    )
    # Through the base class: types-Pygments annotates Formatter.get_style_defs,
    # not HtmlFormatter's override.
    formatter: Formatter[str] = HtmlFormatter(cssclass="code")
    style = formatter.get_style_defs(".code")
    best = f"{elites[0].fitness:.3f} m" if elites else "none"
    model = (
        "none (no language model in this run)"
        if identity is None
        else json.dumps(identity, indent=2, sort_keys=True)
    )
    name = html.escape(run_name)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>openelm report: {name}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 1400px; }}
section {{ margin-bottom: 2.5rem; }}
img {{ max-width: 100%; }}
.cards {{ display: flex; flex-wrap: wrap; gap: 1rem; }}
.card {{ border: 1px solid #ddd; border-radius: 6px; padding: .6rem; width: 340px; }}
.card img {{ width: 320px; }}
.step {{ border-left: 3px solid #ccc; padding-left: .8rem; margin-bottom: 1rem; }}
pre {{ overflow-x: auto; font-size: 12px; }}
{style}
</style></head><body>
<h1>openelm run {name}</h1>
<p>{len(elites)} elites · best {best} · {iterations} iterations recorded</p>
<section id="archive"><h2>Archive</h2>
{archive_section}</section>
<section id="curves"><h2>Curves</h2>
<img src="curves.png" alt="QD score, coverage, max fitness and validity funnel over iterations">
<p>Data: <a href="metrics.csv">metrics.csv</a></p></section>
<section id="top-elites"><h2>Top elites</h2><div class="cards">{"".join(cards)}</div></section>
<section id="lineage"><h2>Lineage of the best elite</h2>{_lineage_html(lineage)}</section>
<section id="config"><h2>Run config and model</h2>
<h3>Model</h3><pre id="model">{html.escape(model)}</pre>
<h3>Config</h3><pre>{html.escape(json.dumps(config, indent=2, sort_keys=True))}</pre></section>
</body></html>
"""
