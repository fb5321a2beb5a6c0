"""`openelm report`: every section, the lineage with its diffs, the CSVs
behind the plots, the model's identity, and a browser's view of the page."""

import csv
import itertools
import re
import shutil
import subprocess

import pytest
from openelm.evolve.archive import GridArchive
from openelm.store import RunStore
from PIL import Image

from tests.render.conftest import run_cli
from tests.tiny_llama import build_tiny_model_dir

SECTIONS = ("archive", "curves", "top-elites", "lineage", "config")


@pytest.fixture(scope="module")
def report_dir(run_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report"
    done = run_cli("report", str(run_dir), "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def page(report_dir):
    return (report_dir / "index.html").read_text()


def section(page, name):
    match = re.search(rf'<section id="{name}">(.*?)</section>', page, re.S)
    assert match, f"no {name} section"
    return match.group(1)


def test_report_has_every_section(page):
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    for name in SECTIONS:
        assert section(page, name)
    assert 'src="heatmap.png"' in section(
        page, "archive"
    ) and 'src="heatmap-mass-bands.png"' in section(page, "archive")
    assert 'src="curves.png"' in section(page, "curves")


def test_top_elites_show_animation_source_fitness_cell_and_operator(report_dir, page, run_dir):
    with RunStore.open(run_dir, read_only=True) as store:
        archive = GridArchive(store.config.archive)
        elites = sorted(store.elites(), key=lambda e: (-e.fitness, e.program_id))[:12]
        programs = {p.id: p for p in store.programs([e.program_id for e in elites])}
    cards = re.findall(
        r'<div class="card">(.*?)</details></div>', section(page, "top-elites"), re.S
    )
    assert len(cards) == len(elites) == 12
    for rank, (card, elite) in enumerate(zip(cards, elites), start=1):
        gif = f"elite-{rank:02d}-{elite.program_id}.gif"
        assert f'src="{gif}"' in card
        with Image.open(report_dir / gif) as animation:
            assert animation.n_frames == 5 * 15 + 1  # the run's 1 + 4 s at 15 fps
        assert f"fitness <b>{elite.fitness:.3f} m</b>" in card
        assert f"cell (h,w,m) = {archive.cell_coordinates(elite.cell)}" in card
        assert f"operator <b>{programs[elite.program_id].operator}</b>" in card
        assert 'class="code"' in card and "make_walker" in re.sub(
            r"<[^>]+>", "", card
        )  # highlighted source


def test_lineage_runs_from_a_seed_to_the_best_elite_with_a_diff_per_step(page, run_dir):
    steps = re.findall(
        r'<div class="step">(.*?)</div>\n?(?=<div class="step">|$)', section(page, "lineage"), re.S
    )
    assert len(steps) >= 2, "the fixture run's best elite descends from a seed"
    ids = [int(re.search(r"<h3>program (\d+)", step).group(1)) for step in steps]
    with RunStore.open(run_dir, read_only=True) as store:
        best = max(store.elites(), key=lambda e: (e.fitness, -e.program_id))
        programs = {p.id: p for p in store.programs(ids)}
    assert ids[-1] == best.program_id
    assert programs[ids[0]].operator == "seed" and programs[ids[0]].parent_ids == ()
    for parent, child in itertools.pairwise(ids):
        assert programs[child].parent_ids[0] == parent
    assert 'operator <span class="operator">seed</span>' in steps[0]
    for parent, child, step in zip(ids, ids[1:], steps[1:]):
        text = re.sub(r"<[^>]+>", "", step)
        assert f"--- program {parent}" in text and f"+++ program {child}" in text and "@@" in text


def test_plot_data_is_saved_as_csv(report_dir, run_dir):
    with open(report_dir / "metrics.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["iteration"]) for r in rows] == list(range(7))  # seeds + 6 iterations
    assert {
        "qd_score",
        "coverage",
        "max_fitness",
        "generated",
        "parsed",
        "ran",
        "valid",
        "walked",
    } <= set(rows[0])
    assert [int(r["generated"]) for r in rows[1:]] == [16] * 6
    with open(report_dir / "heatmap.csv") as handle:
        cells = list(csv.DictReader(handle))
    assert len(cells) == 12 * 12
    with open(report_dir / "heatmap-mass-bands.csv") as handle:
        filled = [c for c in csv.DictReader(handle) if c["fitness_m"]]
    with RunStore.open(run_dir, read_only=True) as store:
        elites = store.elites()
    assert len(filled) == len(elites)
    best_cell = max(cells, key=lambda c: float(c["best_fitness_m"] or -1))
    assert float(best_cell["best_fitness_m"]) == pytest.approx(
        max(e.fitness for e in elites), abs=1e-6
    )
    assert any(not c["best_fitness_m"] for c in cells), "empty cells stay empty"


def test_every_referenced_file_exists(report_dir, page):
    for name in set(re.findall(r'(?:src|href)="([^"]+)"', page)):
        assert (report_dir / name).is_file(), name


def test_a_run_without_a_model_says_so(page):
    assert "none (no language model in this run)" in section(page, "config")
    assert "&quot;mutation&quot;" in section(page, "config")


def test_a_language_model_run_shows_the_models_identity(tmp_path):
    model = build_tiny_model_dir(tmp_path / "tiny-llama")
    run = tmp_path / "run"
    evolved = run_cli(
        "evolve",
        "--mutation",
        "prompt",
        "--model",
        str(model),
        "--device",
        "cpu",
        "--max-new-tokens",
        "24",
        "--iterations",
        "1",
        "--batch-size",
        "4",
        "--seed",
        "1",
        "--sim-seconds",
        "1",
        "--run-dir",
        str(run),
        "--quiet",
    )
    assert evolved.returncode == 0, evolved.stderr
    done = run_cli("report", str(run), "--out", str(tmp_path / "report"))
    assert done.returncode == 0, done.stderr
    config = section((tmp_path / "report" / "index.html").read_text(), "config")
    assert "&quot;source&quot;: &quot;local-directory&quot;" in config
    assert "&quot;name&quot;: &quot;tiny-llama&quot;" in config


def _chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_a_browser_shows_the_heatmap(report_dir, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip(
            "Chromium is not installed (Debian package `chromium`); the screenshot check needs it"
        )
    shot = tmp_path / "shot.png"
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--screenshot={shot}",
            "--window-size=1200,900",
            (report_dir / "index.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shot.exists(), done.stderr[-500:]
    with Image.open(shot) as image:
        rgb = image.convert("RGB")
    # The heatmap sits at the top left of the page: its empty cells are the
    # light grey of the plot, its filled cells viridis (green/yellow or purple).
    with Image.open(report_dir / "heatmap.png") as heatmap:
        width, height = heatmap.size
    region = rgb.crop((0, 0, min(rgb.width, width + 100), min(rgb.height, height + 200)))
    colours = region.getcolors(maxcolors=1 << 20)
    empty = sum(count for count, colour in colours if colour == (0xE4, 0xE4, 0xE4))
    viridis = sum(
        count
        for count, (r, g, b) in colours
        if (g > 120 and b < 120 and r < 220) or (r > 50 and b > 90 and g < 60)
    )
    assert empty > 5_000, "the heatmap's empty cells are not on screen"
    assert viridis > 2_000, "no filled heatmap cells on screen"


def test_missing_run_is_a_one_line_error(tmp_path):
    done = run_cli("report", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "no run directory" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
