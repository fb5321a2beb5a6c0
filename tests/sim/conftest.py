"""Walkers shared by the simulator tests (genome units)."""

import pytest
from openelm import Walker

SQUARE_JOINTS = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (5.0, 5.0)]
OUTLINE = [(0, 1, 0.0, 0.0), (1, 2, 0.0, 0.0), (2, 3, 0.0, 0.0), (3, 0, 0.0, 0.0)]


def square(spokes):
    """Square with a centre joint; `spokes` gives (amplitude, phase) per corner."""
    connections = OUTLINE + [(4, corner, a, p) for corner, (a, p) in enumerate(spokes)]
    return Walker(SQUARE_JOINTS, connections)


@pytest.fixture
def passive_square():
    return square([(0.0, 0.0)] * 4)


@pytest.fixture
def walking_square():
    # Feet a quarter cycle apart: the body rocks and drifts (~2 m in 15 s).
    return square([(10.0, 0.0), (10.0, 0.25), (10.0, 0.25), (10.0, 0.75)])
