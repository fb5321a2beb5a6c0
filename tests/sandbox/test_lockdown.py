"""The lockdown, observed from inside real workers through built-in probes."""

from __future__ import annotations

import os

import pytest
from openelm.sandbox import SandboxPool
from openelm.sandbox.probes import PROBES

from tests.sandbox.conftest import TRIANGLE


def test_every_worker_reports_filter_mode_and_limits(pool):
    assert len(pool.workers) == 2
    for info in pool.workers:
        assert info.sandboxed and info.lockdown_error is None
        assert info.seccomp.split(":")[1].strip() == "2"
        assert info.limits["nofile"] == (0, 0)
        assert info.limits["fsize"] == (0, 0)
        assert info.limits["as"] == (1 << 30, 1 << 30)
        assert not info.torch_loaded


@pytest.mark.parametrize(
    "probe, outcome, detail",
    [
        ("open_read", "refused", "PermissionError"),
        ("create_file", "refused", "PermissionError"),
        ("socket", "killed", "SIGSYS"),
        ("fork", "killed", "SIGSYS"),
        ("exec", "killed", "SIGSYS"),
        ("signal_parent", "killed", "SIGSYS"),
        ("thread", "refused", "can't start new thread"),
        ("huge_allocation", "refused", "MemoryError"),
    ],
)
def test_probe_is_contained_and_pool_carries_on(pool, probe, outcome, detail):
    before = pool.respawns
    result = pool.probe(probe)
    assert (result.outcome, result.contained) == (outcome, True)
    assert detail in result.detail
    assert pool.respawns == before + (outcome == "killed")
    assert len(pool.workers) == 2 and pool.sandboxed
    assert not os.path.exists("/tmp/openelm-sandbox-probe")
    assert all(r.ok for r in pool.evaluate([TRIANGLE] * 4))


def test_every_probe_is_covered():
    assert set(PROBES) == {
        "open_read",
        "create_file",
        "socket",
        "fork",
        "exec",
        "signal_parent",
        "thread",
        "huge_allocation",
    }


def test_unknown_probe_is_a_value_error(pool):
    with pytest.raises(ValueError, match="unknown probe"):
        pool.probe("rm_rf")


def test_worker_does_not_inherit_secrets(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "secret")
    monkeypatch.setenv("HF_TOKEN", "secret")
    with SandboxPool(1) as pool:
        environment = pool.workers[0].environment
    assert "OPENAI_API_KEY" not in environment and "HF_TOKEN" not in environment
    # Only what CPython's own locale coercion may add.
    assert set(environment) <= {"LC_CTYPE"}


def test_address_space_cap_is_configurable():
    with SandboxPool(1, max_address_space_bytes=512 << 20) as pool:
        assert pool.workers[0].limits["as"] == (512 << 20, 512 << 20)
        assert pool.probe("huge_allocation").outcome == "refused"
