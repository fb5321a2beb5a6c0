"""`openelm report`: every section, the CSVs, and a browser's view of it."""

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

OPENELM = str(Path(sys.executable).with_name("openelm"))


def run(*args, cwd=None):
    return subprocess.run([OPENELM, *args], capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    """A small real run (random mutation, no model) and its report."""
    root = tmp_path_factory.mktemp("report")
    evolved = run("evolve", "--mutation", "random", "--iterations", "6", "--batch-size", "16", "--seed", "3",
                  "--run-dir", str(root / "run"), "--quiet")
    assert evolved.returncode == 0, evolved.stderr
    done = run("report", str(root / "run"), "--out", str(root / "report"))
    assert done.returncode == 0, done.stderr
    return root / "report"


def test_report_has_every_section(report_dir):
    page = (report_dir / "index.html").read_text()
    for section in ("archive", "curves", "top-elites", "lineage", "config"):
        assert f'<section id="{section}">' in page
    gifs = sorted(report_dir.glob("elite-*.gif"))
    assert 1 <= len(gifs) <= 12
    assert page.count('<div class="card">') == len(gifs)
    assert "seed" in page  # the lineage reaches back to a seed
    assert "&quot;model&quot;" in page and "&quot;archive&quot;" in page
    for image in ("heatmap.png", "heatmap-mass-bands.png", "curves.png"):
        assert (report_dir / image).stat().st_size > 1000
        assert f'src="{image}"' in page


def test_every_referenced_file_exists(report_dir):
    page = (report_dir / "index.html").read_text()
    for name in set(part.split('"')[0] for part in page.split('src="')[1:]):
        assert (report_dir / name).is_file(), name


def test_plot_data_is_saved_as_csv(report_dir):
    with open(report_dir / "metrics.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["iteration"]) for r in rows] == list(range(len(rows)))
    assert {"qd_score", "coverage", "max_fitness", "generated", "walked"} <= set(rows[0])
    with open(report_dir / "heatmap.csv") as handle:
        cells = list(csv.DictReader(handle))
    assert len(cells) == 12 * 12
    assert any(c["best_fitness_m"] for c in cells) and any(not c["best_fitness_m"] for c in cells)


def _chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_a_browser_shows_the_heatmap(report_dir, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium is not installed (Debian package `chromium`); .ci/run installs it")
    shot = tmp_path / "shot.png"
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--screenshot={shot}",
         "--window-size=1200,900", (report_dir / "index.html").as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert shot.exists(), done.stderr[-500:]
    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20)
    # viridis yellow-green and purple from the heatmap must be on screen.
    viridis_like = sum(count for count, (r, g, b) in colours if g > 120 and b < 120 and r < 220)
    purple_like = sum(count for count, (r, g, b) in colours if r > 50 and b > 90 and g < 60)
    assert viridis_like + purple_like > 500, "no heatmap colours in the screenshot"


def test_missing_run_is_a_one_line_error(tmp_path):
    done = run("report", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "no run directory" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
