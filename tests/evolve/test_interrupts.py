"""Stopping a real `openelm evolve` process: Ctrl-C (SIGINT) and kill -9,
then resuming it."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

import pytest

from tests.evolve.conftest import (
    assert_store_consistent,
    run_fingerprint,
    run_openelm,
    running_openelm,
)

COMMON = [
    "--seed-program",
    "square",
    "--batch-size",
    "6",
    "--max-new-tokens",
    "24",
    "--sim-seconds",
    "4",
    "--workers",
    "2",
    "--quiet",
]


def _committed_iterations(run_dir: Path) -> int:
    """Iterations committed so far, read while the run writes (WAL allows it)."""
    try:
        connection = sqlite3.connect(f"file:{run_dir / 'run.db'}?mode=ro", uri=True, timeout=5)
        try:
            return connection.execute("SELECT COUNT(*) FROM iterations").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error:
        return 0


# Generous: the machine may be busy with builds; the guard only stops a run
# that never gets going from hanging the suite.
def _wait_for_iterations(
    run_dir: Path, count: int, process: object, timeout: float = 300.0
) -> None:
    deadline = time.monotonic() + timeout
    while _committed_iterations(run_dir) < count:
        assert process.poll() is None, process.communicate()  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, "the run did not get going"
        time.sleep(0.05)


@pytest.mark.parametrize(
    "mutation",
    [["random"], ["prompt"], ["prompt", "--hybrid", "3"]],
    ids=["random", "prompt", "hybrid"],
)
def test_ctrl_c_commits_the_iteration_and_the_run_resumes(
    tmp_path: Path, tiny_model_dir: Path, mutation: list[str]
) -> None:
    # The hybrid: Ctrl-C lands while the model writes in its background thread.
    run_dir = tmp_path / "run"
    args = [
        "evolve",
        "--mutation",
        *mutation,
        "--model",
        str(tiny_model_dir),
        "--seed",
        "5",
        *COMMON,
    ]
    with running_openelm(
        [*args, "--iterations", "100000", "--run-dir", str(run_dir)], tmp_path
    ) as process:
        _wait_for_iterations(run_dir, 3, process)
        process.send_signal(signal.SIGINT)
        _stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert f"resume with: openelm evolve --resume {run_dir}" in stderr
    last = assert_store_consistent(run_dir)
    assert 2 <= last < 100000
    resumed = run_openelm(
        ["evolve", "--resume", str(run_dir), "--iterations", str(last + 2), "--quiet"], tmp_path
    )
    assert resumed.returncode == 0, resumed.stderr
    assert assert_store_consistent(run_dir) == last + 2


def test_kill_9_loses_nothing_committed_and_resumes_to_the_same_archive(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    args = ["evolve", "--mutation", "random", "--seed", "9", *COMMON]
    with running_openelm(
        [*args, "--iterations", "100000", "--run-dir", str(killed)], tmp_path
    ) as process:
        _wait_for_iterations(killed, 4, process)
        process.kill()
        process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    last = assert_store_consistent(killed)
    target = last + 3
    resumed = run_openelm(
        ["evolve", "--resume", str(killed), "--iterations", str(target), "--quiet"], tmp_path
    )
    assert resumed.returncode == 0, resumed.stderr
    assert assert_store_consistent(killed) == target
    uninterrupted = run_openelm(
        [*args, "--iterations", str(target), "--run-dir", str(whole)], tmp_path
    )
    assert uninterrupted.returncode == 0, uninterrupted.stderr
    assert run_fingerprint(killed) == run_fingerprint(whole)
