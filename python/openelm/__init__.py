"""openelm: Evolution through Large Models for Sodarace walkers.

The native core (`openelm._sodarace`, written in Rust) holds the walker
model, the simulator and the genome interpreter; this package re-exports its
typed API and adds the Python-side pieces.
"""

from openelm._sodarace import (
    MUSCLE_RATE,
    SIMULATOR_VERSION,
    STEPS_PER_SECOND,
    TERRAINS,
    GenomeResult,
    InterpLimits,
    InvalidWalkerError,
    SimConfig,
    SimResult,
    Walker,
    interpret,
    interpret_many,
    simulate,
    simulate_many,
)
from openelm.errors import InputFileError, OpenelmError

__all__ = [
    "MUSCLE_RATE",
    "SIMULATOR_VERSION",
    "STEPS_PER_SECOND",
    "TERRAINS",
    "GenomeResult",
    "InputFileError",
    "InterpLimits",
    "InvalidWalkerError",
    "OpenelmError",
    "SimConfig",
    "SimResult",
    "Walker",
    "interpret",
    "interpret_many",
    "simulate",
    "simulate_many",
]
