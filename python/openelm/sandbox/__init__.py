"""Running untrusted genomes: a pool of locked-down worker processes that
interpret each genome in Rust, simulate its walker and hand back plain data.
See docs/sandbox.md for the threat model."""

from openelm.sandbox.errors import SandboxError, SandboxUnavailableError, SandboxWarning
from openelm.sandbox.limits import InterpLimits
from openelm.sandbox.pool import DEFAULT_TIMEOUT_S, ProbeResult, SandboxPool, WorkerInfo
from openelm.sandbox.results import STATUSES, EvalResult

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "STATUSES",
    "EvalResult",
    "InterpLimits",
    "ProbeResult",
    "SandboxError",
    "SandboxPool",
    "SandboxUnavailableError",
    "SandboxWarning",
    "WorkerInfo",
]
