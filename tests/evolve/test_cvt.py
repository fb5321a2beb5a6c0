"""CVT archives: seeded centroids stored with the run, and exact resume."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from openelm.evolve import ResumeConflictError, resume_run, run_summary, start_run
from openelm.evolve.archive import cvt_centroids
from openelm.store import RunStore

from tests.evolve.conftest import make_config


def test_centroids_are_seeded() -> None:
    assert cvt_centroids(8, 3) == cvt_centroids(8, 3)
    assert cvt_centroids(8, 3) != cvt_centroids(8, 4)


def test_a_cvt_run_stores_its_centroids_and_resumes_exactly(tmp_path: Path) -> None:
    config = make_config(operator="random", iterations=2, seed=5)
    config = replace(config, archive=replace(config.archive, kind="cvt", cells=16))
    start_run(config, tmp_path / "split")
    resume_run(tmp_path / "split", {"budget.iterations": 4})
    start_run(replace(config, budget=replace(config.budget, iterations=4)), tmp_path / "whole")
    with (
        RunStore.open(tmp_path / "split", read_only=True) as split,
        RunStore.open(tmp_path / "whole", read_only=True) as whole,
    ):
        assert split.centroids is not None and len(split.centroids) == 16
        assert split.centroids == whole.centroids == cvt_centroids(16, 5)
        elites = [(e.cell, e.program_id, e.fitness) for e in split.elites()]
        assert elites and elites == [(e.cell, e.program_id, e.fitness) for e in whole.elites()]
        summary = run_summary(split)
    assert summary["archive"] == "cvt" and summary["niches_total"] == 16
    assert summary["norm_qd_score"] == pytest.approx(summary["qd_score"] / 16)
    with pytest.raises(ResumeConflictError):
        resume_run(tmp_path / "split", {"archive.cells": 32})


def test_report_draws_a_cvt_archive_as_voronoi_cells(tmp_path: Path) -> None:
    from openelm.render.report import write_report

    config = make_config(operator="random", iterations=1, seed=5)
    start_run(replace(config, archive=replace(config.archive, kind="cvt", cells=8)), tmp_path / "r")
    write_report(tmp_path / "r", tmp_path / "out")
    rows = (tmp_path / "out" / "heatmap.csv").read_text().splitlines()
    assert rows[0] == "cell,height,width,mass,fitness_m" and len(rows) == 9
    assert (tmp_path / "out" / "heatmap.png").stat().st_size > 0
    assert "heatmap-mass-bands" not in (tmp_path / "out" / "index.html").read_text()


def test_render_refuses_grid_cells_for_a_cvt_run(tmp_path: Path) -> None:
    from openelm.errors import InputFileError
    from openelm.render.targets import resolve_target

    config = make_config(operator="random", iterations=1, seed=5)
    start_run(replace(config, archive=replace(config.archive, kind="cvt", cells=8)), tmp_path / "r")
    with pytest.raises(InputFileError, match="CVT archive"):
        resolve_target(str(tmp_path / "r"), "0,0,0")
    subjects, _sim = resolve_target(str(tmp_path / "r"), "best")
    assert len(subjects) == 1
