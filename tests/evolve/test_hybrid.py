"""The hybrid (`--hybrid N`): `random` iterations run while the tiny Llama
writes every (N+1)th iteration's batch in the background. Which operator
makes which iteration, which archive each batch is bred from, exact resume,
an evaluation budget cutting the model's batch, and the refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from openelm.evolve import EvolveConfigError, ResumeConflictError, resume_run, start_run
from openelm.store import RunStore

from tests.evolve.conftest import assert_store_consistent, make_config, run_fingerprint

PERIOD = 3  # --hybrid 2: iterations 3, 6, ... are the model's


def _hybrid_config(tiny_model_dir: Path, **overrides: object):  # type: ignore[no-untyped-def]
    settings: dict[str, object] = {
        "operator": "mix",
        "mix": (("prompt", 0.5), ("target", 0.5)),
        "iterations": 7,
        "batch_size": 6,
        "seed": 5,
        "model": str(tiny_model_dir),
        "hybrid": PERIOD - 1,
    }
    settings.update(overrides)
    return make_config(**settings)  # type: ignore[arg-type]


def test_model_iterations_are_bred_from_the_archive_a_period_back(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    start_run(_hybrid_config(tiny_model_dir), tmp_path / "run")
    assert assert_store_consistent(tmp_path / "run") == 7
    with RunStore.open(tmp_path / "run", read_only=True) as store:
        programs = [p for p in store.programs() if p.iteration > 0]
        elites_after = {i: {e.program_id for e in store.elites(i)} for i in range(0, 7)}
        metrics = {m.iteration: m for m in store.iteration_metrics()}
    for program in programs:
        model_iteration = program.iteration % PERIOD == 0
        if model_iteration:
            assert program.operator in ("prompt", "target")
            assert program.prompt_tokens > 0
            # Written while the random iterations in between ran.
            assert set(program.parent_ids) <= elites_after[program.iteration - PERIOD]
        else:
            assert program.operator == "random"
            assert set(program.parent_ids) <= elites_after[program.iteration - 1]
    assert metrics[3].generation_seconds > 0 and metrics[3].completion_tokens > 0
    assert metrics[4].generation_seconds == 0 and metrics[4].completion_tokens == 0


def test_hybrid_resumes_exactly_even_mid_period(tmp_path: Path, tiny_model_dir: Path) -> None:
    start_run(_hybrid_config(tiny_model_dir), tmp_path / "whole")
    start_run(_hybrid_config(tiny_model_dir, iterations=1), tmp_path / "split")
    resume_run(tmp_path / "split", {"budget.iterations": 4})  # stops just after a model batch
    resume_run(tmp_path / "split", {"budget.iterations": 5})  # and mid-period
    resume_run(tmp_path / "split", {"budget.iterations": 7})
    assert run_fingerprint(tmp_path / "split") == run_fingerprint(tmp_path / "whole")
    # The period is part of what the run is.
    with pytest.raises(ResumeConflictError, match="cannot resume with mutation"):
        resume_run(
            tmp_path / "split", {"budget.iterations": 9, "mutation.hybrid_random_iterations": 5}
        )


def test_an_evaluation_budget_cuts_the_model_batch_the_same_way_on_resume(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    # 1 seed + 5 iterations of 6 = 31; the budget leaves 3 for model iteration 6.
    start_run(_hybrid_config(tiny_model_dir, iterations=None, evaluations=34), tmp_path / "whole")
    start_run(_hybrid_config(tiny_model_dir, iterations=2, evaluations=34), tmp_path / "split")
    resume_run(tmp_path / "split", {"budget.iterations": None})
    with RunStore.open(tmp_path / "whole", read_only=True) as store:
        last = [p for p in store.programs() if p.iteration == 6]
        assert store.program_count() == 34
    assert len(last) == 3 and all(p.operator in ("prompt", "target") for p in last)
    assert run_fingerprint(tmp_path / "split") == run_fingerprint(tmp_path / "whole")


@pytest.mark.parametrize(
    ("operator", "hybrid", "message"),
    [
        ("target", -1, "must be >= 0"),
        ("random", 4, "must use the model"),
    ],
)
def test_hybrid_settings_are_refused(operator: str, hybrid: int, message: str) -> None:
    with pytest.raises(EvolveConfigError, match=message) as caught:
        start_run(make_config(operator=operator, hybrid=hybrid), "never-made")
    assert caught.value.field == "mutation.hybrid_random_iterations"
    assert not Path("never-made").exists()
