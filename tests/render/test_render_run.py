"""Rendering elites of a stored run: every ELITE form, the fidelity of the
replayed simulation, and one-line errors for elites that aren't there."""

import numpy as np
import pytest
from openelm import Walker
from openelm.evolve.archive import GridArchive
from openelm.render import record
from openelm.store import RunStore
from PIL import Image

from tests.render.conftest import run_cli


@pytest.fixture(scope="module")
def stored(run_dir):
    """(config, elites best first, programs by id) of the shared run."""
    with RunStore.open(run_dir, read_only=True) as store:
        elites = sorted(store.elites(), key=lambda e: (-e.fitness, e.program_id))
        programs = {p.id: p for p in store.programs()}
        return store.config, elites, programs


def test_replaying_an_elite_reproduces_its_stored_fitness_exactly(stored):
    """What you see is what was scored: the recorded simulation is the
    scoring one, bit for bit, at every frame rate."""
    config, elites, programs = stored
    assert len(elites) >= 5
    for elite in elites[:5]:
        walker = Walker.from_json(programs[elite.program_id].walker_json)
        for fps in (10, 30, 60):
            result = record(walker, config.evaluation.sim, fps=fps)
            assert result.fitness == elite.fitness, f"program {elite.program_id} at {fps} fps"
            # And the drawn centre of mass travels that distance over the scored window.
            centre_x = result.trajectory.astype(np.float64).mean(axis=1)[:, 0]
            start = result.settle_steps // result.record_every
            assert abs(centre_x[-1] - centre_x[start]) == pytest.approx(elite.fitness, abs=1e-4)


def frames_and_size(path):
    with Image.open(path) as gif:
        return gif.n_frames, gif.size


def test_best_is_the_default_and_uses_the_runs_simulated_seconds(run_dir, tmp_path):
    out = tmp_path / "best.gif"
    done = run_cli("render", str(run_dir), "--out", str(out), "--fps", "10", "--size", "160x120")
    assert done.returncode == 0, done.stderr
    # The run scores 4 s after 1 s of settling: 5 s at 10 fps, plus the dropped pose.
    assert frames_and_size(out) == (51, (160, 120))
    explicit = tmp_path / "best-explicit.gif"
    assert (
        run_cli(
            "render",
            str(run_dir),
            "best",
            "--out",
            str(explicit),
            "--fps",
            "10",
            "--size",
            "160x120",
        ).returncode
        == 0
    )
    assert explicit.read_bytes() == out.read_bytes()


def test_a_program_id_and_its_cell_render_the_same_walker(run_dir, stored, tmp_path):
    config, elites, _ = stored
    elite = elites[1]
    h, w, m = GridArchive(config.archive).cell_coordinates(elite.cell)
    by_id, by_cell = tmp_path / "id.gif", tmp_path / "cell.gif"
    for out, which in ((by_id, str(elite.program_id)), (by_cell, f"{h},{w},{m}")):
        done = run_cli(
            "render", str(run_dir), which, "--out", str(out), "--seconds", "1", "--fps", "10"
        )
        assert done.returncode == 0, done.stderr
    assert by_id.read_bytes() == by_cell.read_bytes()
    best = tmp_path / "best.gif"
    run_cli("render", str(run_dir), "best", "--out", str(best), "--seconds", "1", "--fps", "10")
    assert best.read_bytes() != by_id.read_bytes()


def test_top_k_renders_a_grid_of_tiles(run_dir, tmp_path):
    out = tmp_path / "top.png"
    done = run_cli(
        "render", str(run_dir), "top:5", "--out", str(out), "--size", "160x120", "--seconds", "1"
    )
    assert done.returncode == 0, done.stderr
    with Image.open(out) as strip:
        # 5 tiles → a 3 x 2 grid per frame, 8 frames side by side.
        assert strip.size == (8 * 3 * 160, 2 * 120)


def test_a_program_that_built_no_walker_is_refused(run_dir, stored, tmp_path):
    _, _, programs = stored
    failed = next(p for p in programs.values() if p.walker_json is None)
    done = run_cli("render", str(run_dir), str(failed.id), "--out", str(tmp_path / "x.gif"))
    assert done.returncode == 1
    assert f"program {failed.id} of {run_dir} built no walker ({failed.status}:" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "elite, code, message",
    [
        ("999999", 1, "has no program 999999"),
        ("11,11,11", 1, "is empty"),
        ("12,0,0", 2, "outside the 12x12x12 archive"),
        ("top:0", 2, "top:K needs 1 <= K <= 64"),
        ("worst", 2, "bad ELITE 'worst'"),
    ],
)
def test_missing_or_malformed_elites_are_one_line_errors(run_dir, tmp_path, elite, code, message):
    out = tmp_path / "x.gif"
    done = run_cli("render", str(run_dir), elite, "--out", str(out))
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not out.exists()
