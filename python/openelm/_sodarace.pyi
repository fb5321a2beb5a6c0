"""Type stubs for the Rust extension `openelm._sodarace`."""

from collections.abc import Mapping, Sequence
from typing import (
    Any,
    Final,
    Generic,
    Literal,
    Self,
    TypeAlias,
    TypedDict,
    TypeVar,
    Unpack,
    final,
    type_check_only,
)

import numpy as np
import numpy.typing as npt

__all__ = [
    "DEFAULT_MAX_ADDRESS_SPACE_BYTES",
    "MUSCLE_RATE",
    "SIMULATOR_VERSION",
    "STEPS_PER_SECOND",
    "TERRAINS",
    "GenomeResult",
    "InterpLimits",
    "InvalidWalkerError",
    "LockdownUnavailableError",
    "SimConfig",
    "SimResult",
    "Walker",
    "interpret",
    "interpret_many",
    "lockdown",
    "lockdown_status",
    "math_call",
    "simulate",
    "simulate_many",
]

class InvalidWalkerError(ValueError):
    """A walker broke a validation rule; the message names the rule."""

@final
class Walker:
    """Joints (x, y) plus connections (i, j, amplitude, phase), genome units.

    Amplitude 0 is a passive spring; phase is measured in cycles.
    """

    def __new__(
        cls,
        joints: Sequence[tuple[float, float]],
        connections: Sequence[tuple[int, int, float, float]],
    ) -> Self: ...
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
    def validate(self, *, max_joints: int = ..., max_connections: int = ...) -> None:
        """Raises InvalidWalkerError naming the first broken rule."""
    def __len__(self) -> int: ...
    def __eq__(self, value: object, /) -> bool: ...

_V = TypeVar("_V")

@type_check_only
class _FrozenConfig(Generic[_V]):
    """What `SimConfig` and `InterpLimits` share (one Rust macro,
    `bindings/config.rs`, makes both): frozen, a copy is itself, a JSON
    round trip through `to_dict`/`from_dict` is exact, and both carry the
    walker caps. Stub-only: it does not exist at runtime."""

    def to_dict(self) -> dict[str, _V]:
        """Every field as plain JSON-able values."""
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """The inverse of `to_dict`; missing fields take the Rust default."""
    @property
    def max_joints(self) -> int: ...
    @property
    def max_connections(self) -> int: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: object, /) -> Self: ...

@type_check_only
class _SimConfigFields(TypedDict, total=False):
    """`SimConfig`'s keyword arguments; None (or leaving one out) keeps the
    default, or in `replace` the current value."""

    seconds: float | None
    settle_seconds: float | None
    gravity: float | None
    friction: float | None
    initial_velocity: Sequence[float] | None
    max_joints: int | None
    max_connections: int | None
    terrain: str | None
    substeps: int | None
    iterations: int | None
    stray_tolerance: float | None

@final
class SimConfig(_FrozenConfig[Any]):
    """How a walker is scored: the scored window, the settling time before
    it, the physics and the walker caps. Frozen; defined in Rust
    (`evaluate::SimConfig`), whose `Default` gives every omitted field.
    Bad values raise ValueError naming the field."""

    def __new__(cls, **fields: Unpack[_SimConfigFields]) -> Self: ...
    def replace(self, **fields: Unpack[_SimConfigFields]) -> SimConfig:
        """A copy with the given fields changed (None keeps a field)."""
    @property
    def seconds(self) -> float:
        """Length of the scored window, simulated seconds."""
    @property
    def settle_seconds(self) -> float:
        """Time given to land and settle before scoring starts, seconds."""
    @property
    def gravity(self) -> float:
        """Downward acceleration, m/s²."""
    @property
    def friction(self) -> float:
        """Coulomb friction coefficient at ground contact."""
    @property
    def initial_velocity(self) -> tuple[float, float]:
        """Velocity given to every joint at the start, m/s."""
    @property
    def terrain(self) -> str:
        """The terrain joints collide with, by name (see `TERRAINS`)."""
    @property
    def substeps(self) -> int:
        """Solver substeps per 60 Hz step (docs/physics.md)."""
    @property
    def iterations(self) -> int:
        """Gauss-Seidel sweeps over the connections per substep."""
    @property
    def stray_tolerance(self) -> float:
        """Bone stray (fraction of rest length) above which a step is redone
        in finer substeps (docs/physics.md); infinity never refines."""

STEPS_PER_SECOND: Final[int]
"""The simulator's fixed steps per simulated second."""
SIMULATOR_VERSION: Final[int]
"""Changes whenever simulation results change; runs record it."""
TERRAINS: Final[tuple[str, ...]]
"""The terrain names `SimConfig.terrain` accepts; the first is the default."""
MUSCLE_RATE: Final[float]
"""The muscles' oscillator rate, rad/s: a muscle's phase advances
MUSCLE_RATE·t/(2π) cycles by time t."""

@final
class SimResult:
    @property
    def valid(self) -> bool: ...
    @property
    def fitness(self) -> float:
        """The centre of mass's x travel over the scored window, metres, in
        the direction the terrain allows (|Δx| on flat and bumpy ground)."""
    @property
    def bone_stray(self) -> float:
        """Largest |length − rest| / rest of any bone at the end of any step."""
    @property
    def height(self) -> float: ...
    @property
    def width(self) -> float: ...
    @property
    def mass(self) -> float: ...
    @property
    def joints(self) -> int: ...
    @property
    def muscles(self) -> int: ...
    @property
    def steps(self) -> int: ...
    @property
    def settle_steps(self) -> int: ...
    @property
    def record_every(self) -> int: ...
    @property
    def error(self) -> str | None: ...
    @property
    def terrain(self) -> list[tuple[float, float, float, float]]:
        """The terrain as segments (x0, y0, x1, y1) in metres when recording, else []."""
    @property
    def trajectory(self) -> npt.NDArray[np.float32] | None:
        """Joint positions, shape (frames, joints, 2), metres; frame k is step k·record_every."""

def simulate(
    walker: Walker, config: SimConfig | None = None, *, record_every: int = 0
) -> SimResult:
    """Validates and simulates one walker under `config` (default
    `SimConfig()`), recording a pose every `record_every` steps (0: none).
    The GIL is released while it runs."""

def simulate_many(
    walkers: Sequence[Walker], config: SimConfig | None = None, *, record_every: int = 0
) -> list[SimResult]:
    """`simulate` over a batch in parallel (rayon, GIL released); results
    are bit-identical to one-by-one calls and keep the order of `walkers`."""

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

@type_check_only
class _InterpLimitsFields(TypedDict, total=False):
    """`InterpLimits`' keyword arguments; None (or leaving one out) keeps
    the default, or in `replace` the current value."""

    max_steps: int | None
    max_depth: int | None
    max_heap_bytes: int | None
    max_container_len: int | None
    max_str_len: int | None
    max_source_bytes: int | None
    max_output_bytes: int | None
    max_nesting: int | None
    max_joints: int | None
    max_connections: int | None

@final
class InterpLimits(_FrozenConfig[int]):
    """Deterministic limits of the genome interpreter (docs/genomes.md),
    plus the caps of the walker a genome may build. Frozen; defined in Rust
    (`interp::InterpLimits`, `walker::WalkerLimits`), whose `Default` gives
    every omitted field. Bad values raise ValueError naming the field."""

    def __new__(cls, **fields: Unpack[_InterpLimitsFields]) -> Self: ...
    def replace(self, **fields: Unpack[_InterpLimitsFields]) -> InterpLimits:
        """A copy with the given fields changed (None keeps a field)."""
    @property
    def max_steps(self) -> int:
        """Statements, loop iterations and calls."""
    @property
    def max_depth(self) -> int:
        """Nested calls of genome functions."""
    @property
    def max_heap_bytes(self) -> int:
        """Total bytes allocated over the run."""
    @property
    def max_container_len(self) -> int:
        """Elements in one list, tuple, dict or set."""
    @property
    def max_str_len(self) -> int:
        """Bytes (UTF-8) in one string."""
    @property
    def max_source_bytes(self) -> int:
        """Source size, checked before parsing."""
    @property
    def max_output_bytes(self) -> int:
        """Captured print output; anything past it is dropped."""
    @property
    def max_nesting(self) -> int:
        """Syntactic nesting of statements and expressions."""

_GenomeStatus: TypeAlias = Literal[
    "ok", "syntax", "forbidden", "unsupported", "runtime", "limit", "invalid_walker"
]
"""What interpreting a genome can give: "ok" or the error kind."""

@final
class GenomeResult:
    """What interpreting one genome gave."""

    @property
    def status(self) -> _GenomeStatus: ...
    @property
    def error(self) -> str | None:
        """One-line message, None when status is "ok"."""
    @property
    def line(self) -> int:
        """1-based line of the error; 0 when it has no position."""
    @property
    def col(self) -> int:
        """1-based column (in characters) of the error; 0 when none."""
    @property
    def steps(self) -> int:
        """Steps executed (statements, loop iterations, calls)."""
    @property
    def output(self) -> str:
        """What the genome printed, capped at max_output_bytes."""
    @property
    def warnings(self) -> list[str]:
        """Leniencies applied (`return wc` read as `wc.get_walker()`) and what
        validation repaired (self-connections dropped), one line each."""
    @property
    def walker(self) -> Walker | None:
        """The validated walker when status is "ok"."""
    @property
    def ok(self) -> bool: ...

def interpret(
    source: bytes | str, limits: InterpLimits | None = None, *, entry: str | None = None
) -> GenomeResult:
    """Runs a genome in the sandboxed interpreter (GIL released) under
    `limits` (default `InterpLimits()`), calling `entry` (default
    "make_walker"). Never raises for anything the genome does; TypeError
    only if `source` is neither bytes nor str."""

def interpret_many(
    sources: Sequence[bytes | str], limits: InterpLimits | None = None, *, entry: str | None = None
) -> list[GenomeResult]:
    """`interpret` over many genomes in parallel (rayon, GIL released);
    results keep the order of `sources`."""

def math_call(name: str, *args: float) -> float | int | bool:
    """The interpreter's `math.<name>(*args)` (or the constant, with no
    arguments), bit for bit, for trusted Python that must reproduce genome
    arithmetic exactly. ValueError carries the message a genome would see."""

# --- end genome interpreter ---
