"""Type stubs for the Rust extension `openelm._sodarace`."""

from typing import Sequence

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
