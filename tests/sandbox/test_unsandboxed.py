"""Where the kernel refuses seccomp: a loud refusal unless explicitly allowed.
Each test runs in a process tree whose seccomp() calls fail with EINVAL."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.sandbox.conftest import OPENELM, REFUSE_SECCOMP


def run_refused(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, REFUSE_SECCOMP, *command], capture_output=True, text=True, timeout=120
    )


POOL_SCRIPT = textwrap.dedent(
    """
    import warnings
    from openelm.sandbox import SandboxPool, SandboxUnavailableError, SandboxWarning
    try:
        SandboxPool(1)
        print("no error")
    except SandboxUnavailableError as e:
        print("refused:", e)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with SandboxPool(1, allow_unsandboxed=True) as pool:
            print("sandboxed:", pool.sandboxed)
            print("nofile:", pool.workers[0].limits["nofile"])
    print("warned:", any(issubclass(w.category, SandboxWarning) for w in caught))
    """
)


def test_pool_refuses_then_warns_when_allowed():
    done = run_refused(sys.executable, "-c", POOL_SCRIPT)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("refused: seccomp lockdown unavailable")
    assert "allow_unsandboxed=True" in lines[0]
    # The rlimits still apply without seccomp.
    assert lines[1:] == ["sandboxed: False", "nofile: (0, 0)", "warned: True"]


def test_sandbox_check_exits_3_when_lockdown_is_missing():
    refused = run_refused(OPENELM, "sandbox-check")
    assert refused.returncode == 3
    assert "seccomp lockdown unavailable" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    allowed = run_refused(OPENELM, "sandbox-check", "--allow-unsandboxed", "--json")
    assert allowed.returncode == 3
    assert '"lockdown_active": false' in allowed.stdout
