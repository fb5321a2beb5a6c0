"""Faults on Ray: a killed evaluator actor costs only its in-flight work
(redone elsewhere, counted as a lost actor, shown by `show`); a driver
killed with -9 resumes on Ray with nothing lost or duplicated; a slice of
prompts whose generator actors keep dying is recorded `crashed` and the run
goes on; a cluster that cannot be reached or cannot hold the actors is a
one-line error."""

from __future__ import annotations

import functools
import os
import signal
from pathlib import Path

import pytest
from openelm.distributed import ClusterError, RayOptions
from openelm.distributed.generators import MAX_SLICE_ATTEMPTS, GeneratorActor, RayCompleter
from openelm.evolve import ProgressReport, start_run
from openelm.llm.completion import Completion
from openelm.store import RunStore

from tests.distributed.conftest import actor_pids, small_config
from tests.evolve.conftest import (
    assert_store_consistent,
    run_fingerprint,
    run_openelm,
    running_openelm,
)
from tests.evolve.test_interrupts import _wait_for_iterations


def test_a_killed_evaluator_actor_loses_nothing(ray_address: str, tmp_path: Path) -> None:
    config = small_config(iterations=4)
    start_run(config, tmp_path / "local")
    killed: list[int] = []
    seen: list[int] = []

    def kill_an_evaluator(report: ProgressReport) -> None:
        seen.append(report.lost_actors)
        if report.metrics.iteration == 1:
            pids = actor_pids("EvaluatorActor")
            assert len(pids) == 2, pids
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    start_run(
        config,
        tmp_path / "ray",
        on_iteration=kill_an_evaluator,
        ray=RayOptions(evaluators=2),
    )
    assert killed
    assert assert_store_consistent(tmp_path / "ray") == 4
    assert run_fingerprint(tmp_path / "ray") == run_fingerprint(tmp_path / "local")
    with RunStore.open(tmp_path / "ray", read_only=True) as store:
        lost = sum(m.lost_actors for m in store.iteration_metrics())
        assert not any(p.status == "crashed" for p in store.programs())
    assert lost >= 1
    # The live view counted it.
    assert seen[-1] == lost
    shown = run_openelm(["show", str(tmp_path / "ray")], tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert any(
        line.split() == ["lost", "actors", str(lost)]
        for line in shown.stdout.replace("│", " ").splitlines()
    ), shown.stdout


ARGS = [
    "evolve",
    "--mutation",
    "random",
    "--seed",
    "5",
    "--batch-size",
    "6",
    "--sim-seconds",
    "4",
    "--workers",
    "1",
    "--quiet",
]


def test_a_driver_killed_with_9_resumes_on_ray(ray_address: str, tmp_path: Path) -> None:
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    on_ray = ["--ray", ray_address, "--ray-evaluators", "1"]
    with running_openelm(
        [*ARGS, *on_ray, "--iterations", "100000", "--run-dir", str(killed)], tmp_path
    ) as process:
        _wait_for_iterations(killed, 3, process)
        process.kill()
        process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    last = assert_store_consistent(killed)
    target = last + 2
    resumed = run_openelm(
        ["evolve", "--resume", str(killed), "--iterations", str(target), "--quiet", *on_ray],
        tmp_path,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert assert_store_consistent(killed) == target
    uninterrupted = run_openelm(
        [*ARGS, "--iterations", str(target), "--run-dir", str(whole)], tmp_path
    )
    assert uninterrupted.returncode == 0, uninterrupted.stderr
    assert run_fingerprint(killed) == run_fingerprint(whole)


def _one_line_error(args: list[str], cwd: Path) -> str:
    result = run_openelm(["evolve", *args, "--iterations", "1", "--quiet"], cwd)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_an_unreachable_cluster_is_a_one_line_error(tmp_path: Path) -> None:
    line = _one_line_error(["--mutation", "random", "--ray", "127.0.0.1:9"], tmp_path)
    assert "cannot reach the Ray cluster at 127.0.0.1:9" in line
    assert not (tmp_path / "runs").exists()


def test_a_cluster_without_room_is_a_one_line_error(ray_address: str, tmp_path: Path) -> None:
    line = _one_line_error(
        ["--mutation", "random", "--ray", ray_address, "--ray-evaluators", "64"], tmp_path
    )
    assert "free CPU" in line and "64 evaluator actor(s)" in line


def test_ray_flags_are_checked(tmp_path: Path) -> None:
    line = _one_line_error(["--ray", "--ray-evaluators", "0"], tmp_path)
    assert line.startswith("error: --ray-evaluators:") or "--ray-evaluators:" in line
    line = _one_line_error(["--ray-generators", "2"], tmp_path)
    assert "need --ray" in line


def test_a_cluster_with_no_free_cpu_is_refused(
    ray_address: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ray
    from openelm.distributed import backends

    monkeypatch.setattr(backends, "RESOURCE_WAIT_S", 0.5)
    from tests.distributed.conftest import CLUSTER_CPUS, free_cpus

    hog = ray.remote(num_cpus=CLUSTER_CPUS)(_Hog).remote()
    try:
        ray.get(hog.ping.remote(), timeout=60)
        assert free_cpus() == 0
        with pytest.raises(ClusterError, match=r"^the Ray cluster has no free CPU$"):
            start_run(small_config(iterations=1), tmp_path / "run", ray=RayOptions())
    finally:
        ray.kill(hog)
    assert not (tmp_path / "run").exists()


class _Hog:
    """Holds every CPU of the cluster."""

    def ping(self) -> bool:
        return True


DIE_FILE_ENV = "OPENELM_TEST_DIE_FILE"


class DyingGeneratorActor(GeneratorActor):
    """A generator actor whose process dies on the batch's first slice
    whenever the file named by $OPENELM_TEST_DIE_FILE exists."""

    def complete(self, prompts: list[str], seed: int, first_index: int) -> list[Completion]:
        if first_index == 0 and Path(os.environ[DIE_FILE_ENV]).exists():
            os._exit(1)
        return super().complete(prompts, seed, first_index)


def test_a_slice_whose_generators_keep_dying_is_recorded_crashed(
    ray_address: str, tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openelm.distributed import backends

    die_file = tmp_path / "die"
    monkeypatch.setattr(
        backends, "RayCompleter", functools.partial(RayCompleter, actor_type=DyingGeneratorActor)
    )
    monkeypatch.setattr(
        backends,
        "generator_env_vars",
        lambda model, environ: {DIE_FILE_ENV: str(die_file)},
    )

    def kill_iteration_3(report: ProgressReport) -> None:
        # Iteration i+1 is written before iteration i commits: the file is
        # there exactly while iteration 3's prompts go out.
        if report.metrics.iteration == 1:
            die_file.touch()
        elif report.metrics.iteration == 2:
            die_file.unlink()

    config = small_config(operator="prompt", iterations=4, batch_size=5, model=str(tiny_model_dir))
    start_run(
        config,
        tmp_path / "run",
        on_iteration=kill_iteration_3,
        ray=RayOptions(evaluators=1, generators=2),
    )
    assert assert_store_consistent(tmp_path / "run") == 4
    with RunStore.open(tmp_path / "run", read_only=True) as store:
        programs = store.programs()
        lost = sum(m.lost_actors for m in store.iteration_metrics())
    crashed = [p for p in programs if p.status == "crashed"]
    # The first slice of iteration 3 (2 of its 5 children): its actor died
    # MAX_SLICE_ATTEMPTS times; nothing else was lost.
    assert [(p.iteration, p.stopped) for p in crashed] == [(3, "generator_lost")] * 2
    assert all("generator actor" in (p.error or "") for p in crashed)
    assert lost == MAX_SLICE_ATTEMPTS
    assert {p.iteration for p in programs if p.status != "crashed"} >= {1, 2, 3, 4}
