"""The interpreter limits a pool hands to each of its workers: the Rust
`InterpLimits` (defined, defaulted and checked in rust/sodarace_sim), re-
exported here for the sandbox's callers."""

from openelm._sodarace import InterpLimits

__all__ = ["InterpLimits"]
