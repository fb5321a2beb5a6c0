"""`evolve` on Ray gives the archive of the same run on one machine, with
any number of actors: with the `random` operator and with the tiny Llama."""

from __future__ import annotations

from pathlib import Path

import pytest
from openelm.distributed import RayOptions
from openelm.evolve import start_run
from openelm.store import RunStore

from tests.distributed.conftest import small_config
from tests.distributed.test_containment import CANARY
from tests.evolve.conftest import assert_store_consistent, run_fingerprint


@pytest.fixture(scope="module")
def random_reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    run_dir = tmp_path_factory.mktemp("local") / "run"
    start_run(small_config(iterations=3), run_dir)
    return run_fingerprint(run_dir)


@pytest.mark.parametrize("evaluators", [1, 2])
def test_random_run_on_ray_equals_the_local_run(
    ray_address: str, random_reference: dict[str, object], tmp_path: Path, evaluators: int
) -> None:
    phases: list[str] = []
    start_run(
        small_config(iterations=3),
        tmp_path / "run",
        on_phase=phases.append,
        ray=RayOptions(evaluators=evaluators),
    )
    assert f"starting {evaluators} evaluator actor(s) of 1 sandbox worker(s)" in phases
    assert assert_store_consistent(tmp_path / "run") == 3
    assert run_fingerprint(tmp_path / "run") == random_reference
    with RunStore.open(tmp_path / "run", read_only=True) as store:
        assert sum(m.lost_actors for m in store.iteration_metrics()) == 0


def test_language_model_run_on_two_generators_equals_the_local_run(
    ray_address: str, tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = small_config(operator="prompt", iterations=2, batch_size=8, model=str(tiny_model_dir))
    start_run(config, tmp_path / "local")
    # An endpoint key in the driver's environment goes to the generator
    # actors (test_containment) and leaves no trace in the run.
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    phases: list[str] = []
    start_run(
        config,
        tmp_path / "ray",
        on_phase=phases.append,
        ray=RayOptions(evaluators=1, generators=2),
    )
    assert any(p.startswith("starting 2 generator actor(s)") for p in phases), phases
    local, on_ray = run_fingerprint(tmp_path / "local"), run_fingerprint(tmp_path / "ray")
    # The model wrote something (the comparison is not of empty runs).
    assert sum(program[10] for program in local["programs"]) > 0  # type: ignore[index,misc]
    assert on_ray == local
    with RunStore.open(tmp_path / "ray", read_only=True) as store:
        assert store.model_identity is not None
        assert store.model_identity["name"] == tiny_model_dir.name
    assert all(CANARY.encode() not in path.read_bytes() for path in (tmp_path / "ray").iterdir())


def test_hybrid_run_on_ray_equals_the_local_run(
    ray_address: str, tiny_model_dir: Path, tmp_path: Path
) -> None:
    # The model's batches are written on the generator actors from a
    # background thread while `random` iterations go to the evaluators.
    config = small_config(
        operator="prompt", iterations=5, batch_size=6, model=str(tiny_model_dir), hybrid=1
    )
    start_run(config, tmp_path / "local")
    start_run(config, tmp_path / "ray", ray=RayOptions(evaluators=1, generators=1))
    local = run_fingerprint(tmp_path / "local")
    assert {program[3] for program in local["programs"]} == {"seed", "random", "prompt"}  # type: ignore[index,union-attr]
    assert run_fingerprint(tmp_path / "ray") == local
