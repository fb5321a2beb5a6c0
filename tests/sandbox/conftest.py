"""Shared pieces of the sandbox tests: a running pool and small genomes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from openelm.sandbox import SandboxPool

OPENELM = str(Path(sys.executable).with_name("openelm"))
REFUSE_SECCOMP = str(Path(__file__).with_name("refuse_seccomp.py"))

TRIANGLE = """\
def make_walker():
    wc = walker_creator()
    a = wc.add_joint(0.0, 0.0)
    b = wc.add_joint(10.0, 0.0)
    c = wc.add_joint(5.0, 8.0)
    wc.add_muscle(a, b)
    wc.add_muscle(b, c, 5.0, 0.25)
    wc.add_muscle(c, a)
    return wc.get_walker()
"""

# Busy for a while, then builds the triangle: `iterations` loop turns.
SLOW_TEMPLATE = """\
def make_walker():
    n = 0
    while n < {iterations}:
        n += 1
""" + TRIANGLE.split("\n", 1)[1]

FOREVER = "def make_walker():\n    while True:\n        pass\n"


@pytest.fixture(scope="module")
def pool():
    with SandboxPool(2, timeout_s=10.0) as pool:
        yield pool
