"""The hostile battery through real locked-down workers: every case gets its
exact status, quickly, and the pool is healthy afterwards."""

from __future__ import annotations

import pytest
from openelm.sandbox.hostile import battery, run_battery

from tests.sandbox.conftest import TRIANGLE

CASES = battery()


@pytest.fixture(scope="module")
def outcomes(pool):
    return {outcome.case.name: outcome for outcome in run_battery(pool)}


def test_battery_is_broad():
    assert len(CASES) >= 40
    assert len({case.name for case in CASES}) == len(CASES)
    expected = {case.expected for case in CASES}
    assert {"syntax", "forbidden", "runtime", "limit", "invalid_walker", "ok"} <= expected
    assert any(case.repeat > 1 for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case_gets_its_exact_status(outcomes, case):
    outcome = outcomes[case.name]
    statuses = [result.status for result in outcome.results]
    assert statuses == [case.expected] * case.repeat, outcome.results[0].error
    assert outcome.verdict == "expected", outcome.reason


def test_every_case_is_stopped_quickly(outcomes):
    # Deterministic limits, not the 10 s watchdog, stop every attack.
    slow = {name: round(o.wall_s, 2) for name, o in outcomes.items() if o.wall_s > 2.0}
    assert not slow


def test_print_flood_is_capped(outcomes):
    (result,) = outcomes["print_flood"].results
    assert 0 < len(result.output.encode()) <= 4096


def test_errors_carry_positions(outcomes):
    (result,) = outcomes["import_os"].results
    assert (result.line, result.col) == (3, 8)
    assert "os" in result.error


def test_pool_is_healthy_afterwards(pool, outcomes):
    assert len(pool.workers) == pool.size and pool.sandboxed
    results = pool.evaluate([TRIANGLE] * 8)
    assert all(r.ok and r.joints == 3 for r in results)


def test_judge_flags_an_attack_that_ran_to_completion():
    from openelm.sandbox.hostile import judge
    from openelm.sandbox.results import EvalResult

    case = next(c for c in CASES if c.name == "import_os")
    assert judge(case, (EvalResult(status="ok"),))[0] == "escaped"
    assert judge(case, (EvalResult(status="runtime", error="x"),))[0] == "mismatch"
    assert judge(case, (EvalResult(status="forbidden"),))[0] == "expected"
