"""What the pool returns for one genome, and how a worker's answer becomes
one without trusting the worker."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

from openelm._sodarace import InvalidWalkerError, Walker
from openelm.sandbox.protocol import ProtocolError

# Statuses the interpreter itself reports (docs/genomes.md).
InterpStatus = Literal[
    "ok", "syntax", "forbidden", "unsupported", "runtime", "limit", "invalid_walker"
]
# Added by the pool: the watchdog killed the worker, or the worker died,
# broke the protocol or lied about its result.
PoolStatus = Literal["timeout", "crashed"]
EvalStatus = InterpStatus | PoolStatus
INTERP_STATUSES: tuple[InterpStatus, ...] = get_args(InterpStatus)
POOL_STATUSES: tuple[PoolStatus, ...] = get_args(PoolStatus)
STATUSES: tuple[EvalStatus, ...] = INTERP_STATUSES + POOL_STATUSES

# Bounds on text a worker may hand back; longer text is clipped, not trusted.
MAX_MESSAGE_CHARS = 2000
MAX_OUTPUT_CHARS = 1 << 16
# The interpreter lists at most 10 warnings and a summary line.
MAX_WARNINGS = 11


@dataclass(frozen=True)
class EvalResult:
    """One genome's outcome. Sizes and scores are filled in when `status` is
    `ok`; `walker_json` also when the walker was built but its simulation
    diverged (`invalid_walker` with `sim_error`). `walker_json` reproduces
    the simulated walker bit for bit."""

    status: EvalStatus
    error: str | None = None
    line: int = 0
    col: int = 0
    joints: int = 0
    muscles: int = 0
    interp_steps: int = 0
    sim_steps: int = 0
    fitness: float | None = None
    height: float | None = None
    width: float | None = None
    mass: float | None = None
    walker_json: str | None = None
    sim_error: str | None = None
    output: str = ""
    warnings: tuple[str, ...] = ()
    """What validation repaired rather than rejected (a self-connection
    dropped), one line each."""
    wall_s: float = 0.0
    """Wall-clock time the pool saw this genome take in its worker."""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def crashed(reason: str) -> EvalResult:
    return EvalResult(status="crashed", error=reason)


def timed_out(timeout_s: float) -> EvalResult:
    return EvalResult(
        status="timeout", error=f"killed by the watchdog after {timeout_s:g} s of wall-clock time"
    )


def _text(answer: dict[str, Any], key: str, limit: int) -> str | None:
    value = answer.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProtocolError(f"{key} is not a string")
    return value[:limit]


def _count(container: dict[str, Any], key: str) -> int:
    value = container.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ProtocolError(f"{key} is not a non-negative integer")
    return value


def _number(container: dict[str, Any], key: str) -> float:
    value = container.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ProtocolError(f"{key} is not a finite number")
    return float(value)


def _warnings(answer: dict[str, Any]) -> tuple[str, ...]:
    value = answer.get("warnings", [])
    if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
        raise ProtocolError("warnings is not a list of strings")
    return tuple(w[:MAX_MESSAGE_CHARS] for w in value[:MAX_WARNINGS])


def check_result(
    answer: dict[str, Any], walker_limits: dict[str, int], wall_s: float = 0.0
) -> EvalResult:
    """Turns a worker's `result` frame into an EvalResult. Every field is
    type-checked, and a returned walker is rebuilt from its JSON, validated
    (under `walker_limits`, the keyword arguments of `Walker.validate`) and
    measured here: a worker that lies raises ProtocolError (the pool records
    `crashed` and replaces the worker)."""
    status = answer.get("status")
    if status not in INTERP_STATUSES and status != "crashed":
        raise ProtocolError(f"unknown status {status!r}")
    result = EvalResult(
        status=status,
        error=_text(answer, "error", MAX_MESSAGE_CHARS),
        output=_text(answer, "output", MAX_OUTPUT_CHARS) or "",
        wall_s=wall_s,
    )
    if status == "crashed":
        return result
    result = replace(
        result,
        line=_count(answer, "line"),
        col=_count(answer, "col"),
        interp_steps=_count(answer, "interp_steps"),
        warnings=_warnings(answer),
    )
    if status != "ok":
        return result

    walker_json, sim = answer.get("walker"), answer.get("sim")
    if not isinstance(walker_json, str) or not isinstance(sim, dict):
        raise ProtocolError("ok result without a walker and its simulation")
    try:
        walker = Walker.from_json(walker_json)
    except ValueError as e:
        raise ProtocolError(f"walker JSON does not parse: {e}") from None
    try:
        walker.validate(**walker_limits)
        invalid = None
    except InvalidWalkerError as e:
        invalid = str(e)
    if not isinstance(sim.get("valid"), bool):
        raise ProtocolError("sim.valid is not a bool")
    if invalid is not None:
        if sim["valid"]:
            raise ProtocolError(f"worker simulated a walker that fails validation: {invalid}")
        return replace(
            result,
            status="invalid_walker",
            error=invalid,
            sim_error=invalid,
            walker_json=walker_json,
        )

    height, width, mass = walker.descriptors()
    claimed = (_number(sim, "height"), _number(sim, "width"), _number(sim, "mass"))
    if claimed != (height, width, mass):
        raise ProtocolError(
            f"worker claims descriptors {claimed}, the walker has {(height, width, mass)}"
        )
    joints, muscles = _count(sim, "joints"), _count(sim, "muscles")
    if (joints, muscles) != (len(walker), walker.muscle_count):
        raise ProtocolError("worker's joint or muscle count does not match its walker")
    result = replace(
        result,
        joints=joints,
        muscles=muscles,
        sim_steps=_count(sim, "steps"),
        walker_json=walker_json,
    )
    if not sim["valid"]:
        sim_error = _text(sim, "error", MAX_MESSAGE_CHARS) or "simulation failed"
        return replace(result, status="invalid_walker", error=sim_error, sim_error=sim_error)
    fitness = _number(sim, "fitness")
    if fitness < 0:
        raise ProtocolError("negative fitness")
    return replace(result, fitness=fitness, height=height, width=width, mass=mass)
