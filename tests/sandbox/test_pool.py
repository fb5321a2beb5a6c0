"""Pool behaviour: ordering, the watchdog, crash containment, lifecycle."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from openelm import SimConfig
from openelm.sandbox import InterpLimits, SandboxError, SandboxPool

from tests.sandbox.conftest import FOREVER, SLOW_TEMPLATE, TRIANGLE


def sized(joints: int) -> str:
    """A chain of `joints` joints: a genome whose result says which it was."""
    lines = ["def make_walker():", "    wc = walker_creator()", "    prev = wc.add_joint(0.0, 0.0)"]
    lines += [
        f"    for i in range(1, {joints}):",
        "        j = wc.add_joint(i * 1.0, 0.0)",
        "        wc.add_muscle(prev, j)",
        "        prev = j",
    ]
    lines += ["    return wc.get_walker()"]
    return "\n".join(lines) + "\n"


def test_results_come_back_in_order(pool):
    sources = [sized(2 + i % 30) for i in range(200)]
    results = pool.evaluate(sources)
    assert [r.joints for r in results] == [2 + i % 30 for i in range(200)]
    assert all(r.ok and r.fitness is not None for r in results)


def test_str_and_bytes_sources_agree(pool):
    as_str, as_bytes = pool.evaluate([TRIANGLE, TRIANGLE.encode()])
    assert (
        as_str.ok
        and as_str.fitness == as_bytes.fitness
        and as_str.walker_json == as_bytes.walker_json
    )


def test_empty_batch(pool):
    assert pool.evaluate([]) == []


def test_watchdog_kills_an_overrunning_genome_and_the_batch_completes():
    # Finite, so that without the watchdog the test fails (limit) instead of hanging.
    limits = InterpLimits(max_steps=3 * 10**8)
    with SandboxPool(2, timeout_s=0.5, interp_limits=limits) as pool:
        pids = set(pool.worker_pids())
        started = time.monotonic()
        results = pool.evaluate([TRIANGLE, FOREVER, TRIANGLE, TRIANGLE, FOREVER, TRIANGLE])
        elapsed = time.monotonic() - started
        assert [r.status for r in results] == ["ok", "timeout", "ok", "ok", "timeout", "ok"]
        assert "0.5 s" in results[1].error and results[1].wall_s >= 0.5
        assert pool.respawns == 2
        assert len(set(pool.worker_pids()) - pids) == 2
        assert elapsed < 5.0
        assert all(r.ok for r in pool.evaluate([TRIANGLE] * 4))


def test_a_killed_worker_costs_only_its_current_genome():
    slow = SLOW_TEMPLATE.format(iterations=1_500_000)
    limits = InterpLimits(max_steps=10**9)
    with SandboxPool(2, timeout_s=30.0, interp_limits=limits) as pool:
        (probe,) = pool.evaluate([slow])
        assert probe.ok and probe.wall_s > 0.05, probe
        victim = pool.worker_pids()[0]
        # Kill one worker from outside while it is inside its second genome.
        killer = threading.Timer(1.5 * probe.wall_s, os.kill, (victim, signal.SIGKILL))
        killer.start()
        results = pool.evaluate([slow] * 12)
        killer.join()
        statuses = [r.status for r in results]
        assert statuses.count("crashed") == 1, statuses
        assert statuses.count("ok") == 11
        crashed = next(r for r in results if r.status == "crashed")
        assert "SIGKILL" in crashed.error
        assert victim not in pool.worker_pids() and pool.respawns == 1


def test_closed_pool_refuses_work():
    pool = SandboxPool(1)
    pool.close()
    pool.close()
    with pytest.raises(SandboxError, match="closed"):
        pool.evaluate([TRIANGLE])


@pytest.mark.parametrize(
    "make_pool",
    [
        lambda: SandboxPool(workers=0),
        lambda: SandboxPool(timeout_s=0),
        lambda: SandboxPool(timeout_s=float("nan")),
        lambda: SandboxPool(sim_config=SimConfig(seconds=-1.0)),
    ],
    ids=["workers", "timeout", "timeout-nan", "sim-seconds"],
)
def test_bad_settings_are_value_errors(make_pool):
    with pytest.raises(ValueError):
        make_pool()


def test_bad_interp_limit_is_a_value_error():
    with pytest.raises(ValueError, match="max_steps"):
        InterpLimits(max_steps=0)


def test_interp_limits_reach_the_interpreter():
    with SandboxPool(1, interp_limits=InterpLimits(max_steps=50)) as pool:
        (result,) = pool.evaluate([SLOW_TEMPLATE.format(iterations=1000)])
    assert result.status == "limit"


def test_close_leaves_no_worker_behind():
    pool = SandboxPool(2)
    pids = pool.worker_pids()
    pool.close()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
