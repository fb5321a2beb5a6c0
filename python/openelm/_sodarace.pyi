"""Type stubs for the Rust extension `openelm._sodarace`."""

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

class InvalidWalkerError(ValueError):
    """A walker broke a validation rule; the message names the rule."""

class Walker:
    """Joints (x, y) plus connections (i, j, amplitude, phase), genome units.

    Amplitude 0 is a passive spring; phase is measured in cycles.
    """

    def __init__(
        self,
        joints: Sequence[tuple[float, float]],
        connections: Sequence[tuple[int, int, float, float]],
    ) -> None: ...
    @classmethod
    def from_json(cls, text: str) -> Walker:
        """Parses `{"joints": [[x, y], ...], "connections": [{"a", "b", "amplitude", "phase"}, ...]}`.

        Raises ValueError on malformed JSON.
        """
    def to_json(self) -> str: ...
    @property
    def joints(self) -> list[tuple[float, float]]: ...
    @property
    def connections(self) -> list[tuple[int, int, float, float]]: ...
    @property
    def muscle_count(self) -> int: ...
    def descriptors(self) -> tuple[float, float, float]:
        """(height, width, mass) of the initial morphology."""
    def validate(self, *, max_joints: int = 256, max_connections: int = 1024) -> None:
        """Raises InvalidWalkerError naming the first broken rule."""
    def __len__(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...

class SimResult:
    valid: bool
    fitness: float
    """|Δx| of the centre of mass over the scored window, metres."""
    height: float
    width: float
    mass: float
    joints: int
    muscles: int
    steps: int
    settle_steps: int
    record_every: int
    error: str | None
    trajectory: npt.NDArray[np.float32] | None
    """Joint positions, shape (frames, joints, 2), metres; frame k is step k·record_every."""

def simulate(
    walker: Walker,
    *,
    seconds: float = 15.0,
    settle_seconds: float = 1.0,
    record_every: int = 0,
    gravity: float = 15.0,
    friction: float = 1.0,
    initial_velocity: tuple[float, float] = (0.0, 0.0),
    max_joints: int = 256,
    max_connections: int = 1024,
) -> SimResult: ...
def simulate_many(
    walkers: Sequence[Walker],
    *,
    seconds: float = 15.0,
    settle_seconds: float = 1.0,
    record_every: int = 0,
    gravity: float = 15.0,
    friction: float = 1.0,
    initial_velocity: tuple[float, float] = (0.0, 0.0),
    max_joints: int = 256,
    max_connections: int = 1024,
) -> list[SimResult]: ...

# --- Worker lockdown (rust/sodarace_sim/src/lockdown.rs; Linux only) ---

DEFAULT_MAX_ADDRESS_SPACE_BYTES: int
"""RLIMIT_AS a locked-down worker gets unless told otherwise (1 GiB)."""

class LockdownUnavailableError(OSError):
    """The kernel or container refuses seccomp filters (nothing was filtered;
    the rlimits may already be lowered)."""

def lockdown(*, max_address_space_bytes: int = ...) -> None:
    """Locks this process down for good: rlimits (AS as given; NOFILE, FSIZE,
    CORE, NPROC, MEMLOCK, MSGQUEUE 0), no_new_privs and a seccomp filter that
    kills on exec/fork/socket/ptrace/signalling others, answers ENOSYS to
    clone3 and EPERM to everything outside a small allowlist (file opens
    included). Raises LockdownUnavailableError or OSError."""

def lockdown_status() -> dict[str, object]:
    """`{"seccomp_mode": 0|1|2, "no_new_privs": bool, "limits": {name: (soft, hard)}}`."""

# --- Genome interpreter (rust/sodarace_sim/src/interp; docs/genomes.md) ---

class GenomeResult:
    """What interpreting one genome gave."""

    status: str
    """"ok", or the error kind: "syntax", "forbidden", "unsupported",
    "runtime", "limit" or "invalid_walker"."""
    error: str | None
    """One-line message, None when status is "ok"."""
    line: int
    """1-based line of the error; 0 when it has no position."""
    col: int
    """1-based column (in characters) of the error; 0 when none."""
    steps: int
    """Steps executed (statements, loop iterations, calls)."""
    output: str
    """What the genome printed, capped at max_output_bytes."""
    walker: Walker | None
    """The validated walker when status is "ok"."""
    @property
    def ok(self) -> bool: ...

def interpret(
    source: bytes | str,
    *,
    entry: str = "make_walker",
    max_steps: int = 200_000,
    max_depth: int = 64,
    max_heap_bytes: int = 33_554_432,
    max_container_len: int = 100_000,
    max_str_len: int = 100_000,
    max_source_bytes: int = 65_536,
    max_output_bytes: int = 4_096,
    max_joints: int = 256,
    max_connections: int = 1024,
) -> GenomeResult:
    """Runs a genome in the sandboxed interpreter (GIL released). Never
    raises for anything the genome does; TypeError only if `source` is
    neither bytes nor str."""

def interpret_many(
    sources: Sequence[bytes | str],
    *,
    entry: str = "make_walker",
    max_steps: int = 200_000,
    max_depth: int = 64,
    max_heap_bytes: int = 33_554_432,
    max_container_len: int = 100_000,
    max_str_len: int = 100_000,
    max_source_bytes: int = 65_536,
    max_output_bytes: int = 4_096,
    max_joints: int = 256,
    max_connections: int = 1024,
) -> list[GenomeResult]:
    """`interpret` over many genomes in parallel (rayon, GIL released);
    results keep the order of `sources`."""

def math_call(name: str, *args: float) -> float | int | bool:
    """The interpreter's `math.<name>(*args)` (or the constant, with no
    arguments), bit for bit, for trusted Python that must reproduce genome
    arithmetic exactly. ValueError carries the message a genome would see."""

# --- end genome interpreter ---
