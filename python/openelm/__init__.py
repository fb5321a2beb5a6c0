"""openelm: Evolution through Large Models for Sodarace walkers.

The native core (`openelm._sodarace`, written in Rust) holds the walker
model, the simulator and the genome interpreter; this package re-exports its
typed API and adds the Python-side pieces.
"""

from openelm._sodarace import (
    GenomeResult,
    InvalidWalkerError,
    SimResult,
    Walker,
    interpret,
    interpret_many,
    simulate,
    simulate_many,
)
from openelm.errors import InputFileError, OpenelmError

__all__ = [
    "GenomeResult",
    "InputFileError",
    "InvalidWalkerError",
    "OpenelmError",
    "SimResult",
    "Walker",
    "interpret",
    "interpret_many",
    "simulate",
    "simulate_many",
]
