"""The run store on its own: schema, one transaction per iteration, the
archive at any iteration, and errors for missing or corrupt databases."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from openelm.evolve import EvolveConfig, Funnel, IterationMetrics, SeedProgram
from openelm.records import CompletionStop
from openelm.store import DB_NAME, ArchiveEvent, ProgramRecord, RunStore, RunStoreError

CONFIG = EvolveConfig(seed=3, seed_programs=(SeedProgram("s", "def make_walker():\n    pass\n"),))


def _program(
    program_id: int, iteration: int, fitness: float | None, cell: int | None
) -> ProgramRecord:
    return ProgramRecord(
        id=program_id,
        iteration=iteration,
        batch_index=program_id,
        operator="random",
        parent_ids=(1,) if program_id > 1 else (),
        source=f"# program {program_id}\n",
        source_hash=f"{program_id:064x}",
        prompt_tokens=0,
        completion_tokens=0,
        status="ok" if fitness is not None else "syntax",
        error=None if fitness is not None else "bad",
        error_line=None if fitness is not None else 1,
        error_col=None if fitness is not None else 2,
        fitness=fitness,
        descriptors=(1.0, 2.0, 3.0) if fitness is not None else None,
        joints=5 if fitness is not None else None,
        muscles=3 if fitness is not None else None,
        cell=cell,
        walker_json='{"joints": []}' if fitness is not None else None,
    )


def _metrics(iteration: int, evaluations: int) -> IterationMetrics:
    return IterationMetrics(
        iteration=iteration,
        evaluations=evaluations,
        programs=1,
        niches_filled=1,
        niches_total=1728,
        qd_score=1.0,
        max_fitness=1.0,
        mean_fitness=1.0,
        funnel=Funnel(1, 1, 1, 1, 1),
        new_cells=0,
        improved_cells=0,
        prompt_tokens=0,
        completion_tokens=0,
        generation_seconds=0.0,
        evaluation_seconds=0.1,
        wall_seconds=0.2,
    )


def test_archive_at_each_iteration_survives_eviction(tmp_path: Path) -> None:
    with RunStore.create(tmp_path / "run", CONFIG, None) as store:
        store.commit_iteration(
            _metrics(0, 1), [_program(1, 0, 1.0, 10)], [ArchiveEvent(0, 10, 1, None)]
        )
        store.commit_iteration(
            _metrics(1, 3),
            [_program(2, 1, 2.0, 10), _program(3, 1, None, None)],
            [ArchiveEvent(1, 10, 2, 1)],
        )
        store.commit_iteration(
            _metrics(2, 4), [_program(4, 2, 0.5, 20)], [ArchiveEvent(2, 20, 4, None)]
        )
    with RunStore.open(tmp_path / "run", read_only=True) as store:
        assert store.config == CONFIG
        assert store.last_iteration() == 2
        assert store.program_count() == 4
        assert [(e.cell, e.program_id) for e in store.elites(0)] == [(10, 1)]
        assert [(e.cell, e.program_id) for e in store.elites(1)] == [(10, 2)]
        assert [(e.cell, e.program_id) for e in store.elites()] == [(10, 2), (20, 4)]
        # The evicted elite and the failed program are still there, lineage intact.
        evicted, child, failed, _ = store.programs()
        assert evicted.fitness == 1.0 and child.parent_ids == (1,)
        assert failed.status == "syntax" and failed.error_line == 1 and failed.descriptors is None
        assert [m.evaluations for m in store.iteration_metrics()] == [1, 3, 4]


def test_an_iteration_is_all_or_nothing(tmp_path: Path) -> None:
    with RunStore.create(tmp_path / "run", CONFIG, None) as store:
        store.commit_iteration(
            _metrics(0, 1), [_program(1, 0, 1.0, 10)], [ArchiveEvent(0, 10, 1, None)]
        )
        # The second program reuses an id: the first must not stay behind either.
        with pytest.raises(sqlite3.IntegrityError):
            store.commit_iteration(
                _metrics(1, 2), [_program(2, 1, 2.0, 10), _program(2, 1, 2.0, 10)], []
            )
        assert store.last_iteration() == 0
        assert store.program_count() == 1


def test_creating_over_an_existing_run_is_refused(tmp_path: Path) -> None:
    RunStore.create(tmp_path / "run", CONFIG, None).close()
    with pytest.raises(RunStoreError, match="already holds a run"):
        RunStore.create(tmp_path / "run", CONFIG, None)


def test_missing_and_corrupt_databases(tmp_path: Path) -> None:
    with pytest.raises(RunStoreError, match="no run directory"):
        RunStore.open(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RunStoreError, match=r"run\.db is missing"):
        RunStore.open(tmp_path / "empty")
    assert not (tmp_path / "empty" / DB_NAME).exists()  # opening never creates one
    (tmp_path / "garbage").mkdir()
    (tmp_path / "garbage" / DB_NAME).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(RunStoreError, match="not a readable run database"):
        RunStore.open(tmp_path / "garbage")
    assert (tmp_path / "garbage" / DB_NAME).read_bytes() == b"this is not sqlite" * 100
    (tmp_path / "other").mkdir()
    sqlite3.connect(tmp_path / "other" / DB_NAME).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(
        RunStoreError, match=r"not a readable run database|not an openelm run database"
    ):
        RunStore.open(tmp_path / "other")


def test_update_config_keeps_the_rest(tmp_path: Path) -> None:
    with RunStore.create(tmp_path / "run", CONFIG, {"name": "m"}) as store:
        store.update_config(replace(CONFIG, budget=replace(CONFIG.budget, iterations=99)))
    with RunStore.open(tmp_path / "run") as store:
        assert store.config.budget.iterations == 99
        assert store.model_identity == {"name": "m"}


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    with RunStore.create(tmp_path / "run", CONFIG, None):
        with pytest.raises(RunStoreError, match="being written by another openelm process"):
            RunStore.open(tmp_path / "run")
        # Readers are welcome while it runs.
        with RunStore.open(tmp_path / "run", read_only=True) as reader:
            assert reader.config == CONFIG
    with RunStore.open(tmp_path / "run") as writer:  # released on close
        assert writer.last_iteration() is None


def test_stop_reasons_and_truncations_are_stored(tmp_path: Path) -> None:
    cut_short = replace(_program(2, 1, 2.0, 10), stopped=CompletionStop.MAX_NEW_TOKENS)
    finished = replace(_program(3, 1, None, None), stopped=CompletionStop.SCOPE_END)
    with RunStore.create(tmp_path / "run", CONFIG, None) as store:
        store.commit_iteration(_metrics(0, 1), [_program(1, 0, 1.0, 10)], [])
        metrics = replace(_metrics(1, 3), funnel=Funnel.of([cut_short, finished]))
        store.commit_iteration(metrics, [cut_short, finished], [])
    with RunStore.open(tmp_path / "run", read_only=True) as store:
        assert [program.stopped for program in store.programs()] == [
            None,
            CompletionStop.MAX_NEW_TOKENS,
            CompletionStop.SCOPE_END,
        ]
        assert [m.funnel.truncated for m in store.iteration_metrics()] == [0, 1]


def test_target_cells_and_hits_are_stored(tmp_path: Path) -> None:
    hit = replace(_program(2, 1, 2.0, 10), target_cell=10)
    miss = replace(_program(3, 1, 2.0, 11), target_cell=12)
    with RunStore.create(tmp_path / "run", CONFIG, None) as store:
        store.commit_iteration(_metrics(0, 1), [_program(1, 0, 1.0, 10)], [])
        metrics = replace(_metrics(1, 3), funnel=Funnel.of([hit, miss]))
        store.commit_iteration(metrics, [hit, miss], [])
    with RunStore.open(tmp_path / "run", read_only=True) as store:
        assert [p.target_cell for p in store.programs()] == [None, 10, 12]
        assert [p.on_target for p in store.programs()] == [False, True, False]
        funnel = store.iteration_metrics()[1].funnel
        assert (funnel.targeted, funnel.on_target, funnel.target_hit_rate) == (2, 1, 0.5)


def test_a_store_older_than_the_stop_columns_reads_and_gains_them(tmp_path: Path) -> None:
    with RunStore.create(tmp_path / "run", CONFIG, None) as store:
        store.commit_iteration(_metrics(0, 1), [_program(1, 0, 1.0, 10)], [])
    # Make it look like a store written before `stopped` and `truncated`
    # (and the target and lost-actor columns after them) existed.
    connection = sqlite3.connect(tmp_path / "run" / DB_NAME)
    for table, column in (
        ("iterations", "lost_actors"),
        ("programs", "target_cell"),
        ("programs", "stopped"),
        ("iterations", "on_target"),
        ("iterations", "targeted"),
        ("iterations", "truncated"),
    ):
        connection.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    connection.commit()
    connection.close()
    with RunStore.open(tmp_path / "run", read_only=True) as store:
        assert store.programs()[0].stopped is None
        assert store.iteration_metrics()[0].funnel.truncated == 0
    with RunStore.open(tmp_path / "run") as store:  # a writable open migrates
        cut_short = replace(_program(2, 1, 2.0, 10), stopped=CompletionStop.MAX_NEW_TOKENS)
        metrics = replace(_metrics(1, 2), funnel=Funnel.of([cut_short]))
        store.commit_iteration(metrics, [cut_short], [])
        assert [program.stopped for program in store.programs()] == [
            None,
            CompletionStop.MAX_NEW_TOKENS,
        ]
        assert [m.funnel.truncated for m in store.iteration_metrics()] == [0, 1]
