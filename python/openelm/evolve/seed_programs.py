"""Finding the starting genomes a run names: a built-in seed
(`openelm.seeds`) or a path to a `.py` file."""

from __future__ import annotations

from pathlib import Path

from openelm.errors import InputFileError
from openelm.evolve.config import SeedProgram
from openelm.seeds import seed_names, seed_source
from openelm.walker_files import read_text

DEFAULT_SEED_PROGRAM = "square"


def load_seed_program(spec: str) -> SeedProgram:
    """`spec` is a built-in seed's name or a path to a `.py` genome."""
    if spec in seed_names():
        return SeedProgram(name=spec, source=seed_source(spec))
    if spec.endswith(".py") or "/" in spec or Path(spec).exists():
        return SeedProgram(name=spec, source=read_text(spec))
    raise InputFileError(
        f"unknown seed program {spec!r} (built-in seeds: {', '.join(seed_names())}; or give a path to a .py file)"
    )
