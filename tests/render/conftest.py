"""Shared pieces of the render and report tests: the CLI, a walking square,
and one small real run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openelm import Walker

OPENELM = str(Path(sys.executable).with_name("openelm"))


def square_walker(amplitude: float, phases: tuple[float, float, float, float]) -> Walker:
    """A square of passive sides, joints 0-3 its corners, with four muscles
    of `amplitude` from the centre (joint 4) to the corners at `phases`."""
    sides = [(k, (k + 1) % 4, 0.0, 0.0) for k in range(4)]
    spokes = [(4, k, amplitude, phase) for k, phase in enumerate(phases)]
    return Walker([(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (5.0, 5.0)], sides + spokes)


# A square that walks (feet a quarter cycle apart), as in the simulator tests.
WALKER = square_walker(10.0, (0.0, 0.25, 0.25, 0.75))
INVALID_WALKER = Walker([(0.0, 0.0), (1.0, 0.0)], [(0, 0, 0.0, 0.0)])

# Random mutation needs no model, and a random run is the same on every
# machine (seeded choices, bit-exact simulation). Seed 4 of this setup gives
# a best elite four programs down from a seed, so the lineage has diffs.
RUN_ARGS = [
    "--mutation",
    "random",
    "--seed-program",
    "square",
    "--seed-program",
    "radial",
    "--iterations",
    "6",
    "--batch-size",
    "16",
    "--seed",
    "4",
    "--sim-seconds",
    "4",
]


def run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [OPENELM, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd
    )


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real run: 6 iterations of 16 random children."""
    path = tmp_path_factory.mktemp("render-run") / "run"
    done = run_cli("evolve", *RUN_ARGS, "--run-dir", str(path), "--quiet")
    assert done.returncode == 0, done.stderr
    return path
