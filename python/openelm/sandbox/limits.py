"""The interpreter limits a pool hands to each of its workers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class InterpLimits:
    """Deterministic limits of the genome interpreter; None keeps the
    interpreter's own default (see docs/genomes.md). Field names are the
    keyword arguments of `openelm._sodarace.interpret`."""

    max_steps: int | None = None
    max_depth: int | None = None
    max_heap_bytes: int | None = None
    max_container_len: int | None = None
    max_str_len: int | None = None
    max_source_bytes: int | None = None
    max_output_bytes: int | None = None
    # Walker caps: the interpreter, the worker's simulation and the parent's
    # re-validation all apply the same ones.
    max_joints: int | None = None
    max_connections: int | None = None

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1
            ):
                raise ValueError(
                    f"interp limit {field.name} must be a positive integer, got {value!r}"
                )

    def as_kwargs(self) -> dict[str, int]:
        """Keyword arguments for `interpret` (only the limits that are set)."""
        return {name: value for name, value in asdict(self).items() if value is not None}

    def walker_kwargs(self) -> dict[str, int]:
        """Keyword arguments for `Walker.validate` and `simulate`."""
        return {k: v for k, v in self.as_kwargs().items() if k in ("max_joints", "max_connections")}
