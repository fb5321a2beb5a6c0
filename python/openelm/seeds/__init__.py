"""The seed genomes: Python sources defining `make_walker()`, interpreted by
`openelm.interpret`. square, radial, cppn_fixed and cppn_mutable follow the
ELM paper's seeds; galloper and inchworm are our own."""

from __future__ import annotations

from importlib import resources

SEED_NAMES: tuple[str, ...] = (
    "square",
    "radial",
    "cppn_fixed",
    "cppn_mutable",
    "galloper",
    "inchworm",
)


def seed_names() -> list[str]:
    """Names of the bundled seeds, paper seeds first."""
    return list(SEED_NAMES)


def seed_source(name: str) -> str:
    """The source text of seed `name`; ValueError for an unknown name."""
    if name not in SEED_NAMES:
        raise ValueError(f"unknown seed {name!r}; choose from {', '.join(SEED_NAMES)}")
    return resources.files(__package__).joinpath(f"{name}.py").read_text(encoding="utf-8")
