"""Whole runs with the random operator: no model, real sandbox pool."""

from __future__ import annotations

from pathlib import Path

from openelm.evolve import ArchiveConfig, GridArchive, resume_run, run_summary, start_run
from openelm.store import RunStore

from tests.evolve.conftest import assert_store_consistent, make_config, run_fingerprint


def test_random_run_improves_the_archive_and_stores_everything(tmp_path: Path) -> None:
    config = make_config(operator="random", iterations=6, batch_size=16, seeds=("square", "radial"))
    outcome = start_run(config, tmp_path / "run")
    assert (outcome.stop_reason, outcome.last_iteration) == ("iterations", 6)
    assert assert_store_consistent(tmp_path / "run") == 6
    with RunStore.open(tmp_path / "run", read_only=True) as store:
        metrics = store.iteration_metrics()
        programs = {program.id: program for program in store.programs()}
        assert len(programs) == 2 + 6 * 16
        assert metrics[-1].qd_score > metrics[0].qd_score
        assert metrics[-1].niches_filled > metrics[0].niches_filled
        # Strict replacement: every eviction was by a fitter child, in the same cell.
        for event in store.archive_events():
            if event.replaced_id is not None:
                new, old = programs[event.program_id], programs[event.replaced_id]
                assert (
                    new.fitness is not None
                    and old.fitness is not None
                    and new.fitness > old.fitness
                )
                assert new.cell == old.cell == event.cell
        children = [program for program in programs.values() if program.operator == "random"]
        for program in children:
            assert len(program.parent_ids) == 1 and program.completion_tokens == 0
        # A float literal can round back to its old value, so not every child differs.
        changed = sum(
            program.source != programs[program.parent_ids[0]].source for program in children
        )
        assert changed >= 0.95 * len(children)
        for program in programs.values():
            if program.status == "ok":
                assert program.walker_json is not None and program.joints and program.joints > 0
        summary = run_summary(store)
    assert summary["evaluations"] == 98 and summary["tokens_generated"] == 0
    assert summary["llm_busy_fraction"] is None
    assert summary["top_elites"][0]["fitness"] == summary["max_fitness"]


def test_n_iterations_then_resume_for_m_equals_n_plus_m(tmp_path: Path) -> None:
    config = make_config(operator="random", iterations=5, batch_size=10, seed=4)
    start_run(config, tmp_path / "whole")
    start_run(
        make_config(operator="random", iterations=2, batch_size=10, seed=4), tmp_path / "split"
    )
    outcome = resume_run(tmp_path / "split", {"budget.iterations": 5})
    assert outcome.last_iteration == 5
    assert run_fingerprint(tmp_path / "split") == run_fingerprint(tmp_path / "whole")
    # A different seed takes a different path.
    start_run(
        make_config(operator="random", iterations=5, batch_size=10, seed=5), tmp_path / "other"
    )
    assert (
        run_fingerprint(tmp_path / "other")["programs"]
        != run_fingerprint(tmp_path / "whole")["programs"]
    )


def test_resuming_a_finished_run_does_nothing(tmp_path: Path) -> None:
    start_run(make_config(operator="random", iterations=2, batch_size=4), tmp_path / "run")
    before = run_fingerprint(tmp_path / "run")
    outcome = resume_run(tmp_path / "run")
    assert (outcome.stop_reason, outcome.last_iteration) == ("iterations", 2)
    assert run_fingerprint(tmp_path / "run") == before


def test_evaluation_budget_is_exact(tmp_path: Path) -> None:
    outcome = start_run(
        make_config(operator="random", iterations=None, evaluations=30, batch_size=12),
        tmp_path / "run",
    )
    assert outcome.stop_reason == "evaluations"
    with RunStore.open(tmp_path / "run", read_only=True) as store:
        assert [m.programs for m in store.iteration_metrics()] == [1, 12, 12, 5]


def test_descriptors_outside_the_ranges_land_in_edge_bins(tmp_path: Path) -> None:
    # Every walker is taller than 0.01 and wider than 0.01: all land in the
    # top height and width bins; mass spreads over its (wide) range.
    archive = ArchiveConfig(
        bins=(3, 3, 4), height_range=(0.0, 0.01), width_range=(0.0, 0.01), mass_range=(0.0, 400.0)
    )
    start_run(
        make_config(operator="random", iterations=3, batch_size=12, archive=archive),
        tmp_path / "run",
    )
    with RunStore.open(tmp_path / "run", read_only=True) as store:
        grid = GridArchive(store.config.archive)
        elites = store.elites()
        assert elites
        for elite in elites:
            assert grid.cell_coordinates(elite.cell)[:2] == (2, 2)
            assert elite.descriptors[0] > 0.01 and elite.descriptors[1] > 0.01
