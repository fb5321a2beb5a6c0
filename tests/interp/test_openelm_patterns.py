"""Genomes written the way OpenELM's walker seeds are (issue 10), each with
its exact expected status and warnings: OpenELM's import paths,
`query_cppn`, `import numpy as np`, self-links, joints 0.016 apart,
duplicate connections and over-cap amplitudes. These genomes are our own;
OpenELM's files are not copied here. Where a genome builds a walker, the
walker is also compared with CPython running it against
`reference.py`'s walker API, `query_cppn` and the real numpy."""

from __future__ import annotations

import pytest
from openelm import interpret

from .reference import run_reference

GRID_HEADER = {
    "openelm_package": "from openelm.environments.sodaracer.walker import walker_creator, query_cppn",
    "paper_module": "from walker import walker_creator, query_cppn",
    "module_attribute": "import walker\nquery_cppn = walker.query_cppn\nwalker_creator = walker.walker_creator",
}

# A 3 x 2 grid (joint index x * 2 + y). query_cppn's skip rule,
# x1 == y1 and x2 == y2, skips (0, 0) -> (0, 0) and (1, 1) -> (1, 1) but
# also the real pair (0, 0) -> (1, 1), and keeps the off-diagonal
# self-pairs (0, 1), (1, 0), (2, 0) and (2, 1): joints 1, 2, 4 and 5 are
# linked to themselves, as OpenELM's CPPN seeds' joints are.
GRID_BODY = """
import numpy as np


def make_walker():
    wc = walker_creator()

    def connect(x1, y1, x2, y2):
        return (x1 - x2) ** 2 + (y1 - y2) ** 2 <= 2

    def amp(x1, y1, x2, y2):
        return abs(x1 - x2) + abs(y1 - y2)

    def phase(x1, y1, x2, y2):
        return float(np.sign(x1 - 0.5)) / 4

    joints = query_cppn(wc, 3, 2, 1.5, connect, amp, phase)
    assert len(joints) == 6 and joints[(2, 1)] is not None
    return wc.get_walker()
"""

GRID_WARNINGS = [
    "connection 2 connects joint 1 to itself: dropped",
    "connection 4 connects joint 2 to itself: dropped",
    "connection 9 connects joint 4 to itself: dropped",
    "connection 11 connects joint 5 to itself: dropped",
]


@pytest.mark.parametrize("header", sorted(GRID_HEADER))
def test_query_cppn_from_every_import_path(header: str) -> None:
    source = GRID_HEADER[header] + "\n" + GRID_BODY
    result = interpret(source)
    assert (result.status, result.error) == ("ok", None)
    assert result.warnings == GRID_WARNINGS
    expected, _ = run_reference(source)
    kept = [c for c in expected.connections if c[0] != c[1]]
    assert result.walker is not None
    assert result.walker.joints == expected.joints
    assert result.walker.connections == kept
    assert len(kept) == 8


NUMPY_RING = """
from openelm.environments.sodaracer.walker.walk_creator import walker_creator
import numpy as np


def make_walker():
    wc = walker_creator()
    angles = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    xs = 5 + 4 * np.cos(angles)
    ys = 5 + 4 * np.sin(angles)
    rim = [wc.add_joint(x, y) for x, y in zip(xs, ys)]
    hub = wc.add_joint(5, 5)
    amplitudes = np.abs(np.tanh(np.arange(8) - 3.5)) * np.sqrt(16) + np.exp(0)
    phases = (np.sign(np.sin(angles)) + 1) / 4
    for k in range(8):
        wc.add_muscle(rim[k], rim[(k + 1) % 8])
        wc.add_muscle(rim[k], hub, float(amplitudes[k]), float(phases[k]))
    return wc.get_walker()
"""


def test_numpy_ring_walker() -> None:
    result = interpret(NUMPY_RING)
    assert (result.status, result.error, result.warnings) == ("ok", None, [])
    assert result.walker is not None
    assert len(result.walker.joints) == 9 and len(result.walker.connections) == 16
    # sin, cos, tanh and exp come from the pure-Rust libm, which may differ
    # from numpy's in the last bit: positions agree to 1e-12.
    expected, _ = run_reference(NUMPY_RING)
    for (x, y), (ex, ey) in zip(result.walker.joints, expected.joints, strict=True):
        assert abs(x - ex) < 1e-12 and abs(y - ey) < 1e-12
    for got, want in zip(result.walker.connections, expected.connections, strict=True):
        assert got[:2] == want[:2]
        assert abs(got[2] - want[2]) < 1e-12 and got[3] == want[3]


SELF_LINK = """
from walker import walker_creator


def make_walker():
    wc = walker_creator()
    points = [wc.add_joint(x, y) for x, y in [(0, 0), (4, 0), (4, 4), (0, 4)]]
    for j in range(4):
        for i in range(2):
            wc.add_muscle(points[j], points[(i + j) % 4], 1.0, j / 4)
    return wc.get_walker()
"""


def test_self_links_are_dropped_with_a_warning() -> None:
    result = interpret(SELF_LINK)
    assert result.status == "ok"
    assert result.warnings == [
        f"connection {2 * j} connects joint {j} to itself: dropped" for j in range(4)
    ]
    assert result.walker is not None
    assert [c[:2] for c in result.walker.connections] == [(0, 1), (1, 2), (2, 3), (3, 0)]


def close_joints(gap: float) -> str:
    return f"""
import math
from openelm.environments.sodaracer.walker import walker_creator


def make_walker():
    wc = walker_creator()
    a = wc.add_joint(0, 0)
    b = wc.add_joint({gap}, 0)
    c = wc.add_joint(0, 5)
    wc.add_muscle(a, c, amplitude=2.0, phase=0.5)
    wc.add_muscle(b, c)
    return wc.get_walker()
"""


def test_joints_0016_apart_validate() -> None:
    result = interpret(close_joints(0.016))
    assert (result.status, result.error, result.warnings) == ("ok", None, [])


def test_joints_closer_than_openelms_tolerance_are_invalid() -> None:
    result = interpret(close_joints(0.013))
    assert result.status == "invalid_walker"
    assert result.error == "joints 0 and 1 are 0.0130 apart (min 0.0136)"


DUPLICATES = """
from walker import walker_creator


def make_walker():
    wc = walker_creator()
    a, b = wc.add_joint(0, 0), wc.add_joint(3, 0)
    wc.add_muscle(a, b)
    wc.add_muscle(a, b, 4.0, 0.25)
    wc.add_muscle(b, a, 4.0, 0.25)
    return wc.get_walker()
"""


def test_duplicate_connections_are_kept_as_they_are() -> None:
    result = interpret(DUPLICATES)
    assert (result.status, result.warnings) == ("ok", [])
    assert result.walker is not None
    assert result.walker.connections == [(0, 1, 0.0, 0.0), (0, 1, 4.0, 0.25), (1, 0, 4.0, 0.25)]


def over_cap(amplitude: str) -> str:
    return f"""
from openelm.environments.sodaracer.walker import walker_creator, query_cppn


def make_walker():
    wc = walker_creator()
    query_cppn(wc, 2, 2, 3, lambda *c: True, lambda x1, y1, x2, y2: {amplitude}, lambda *c: 0)
    return wc.get_walker()
"""


def test_over_cap_amplitude_is_rejected_naming_cap_and_connection() -> None:
    result = interpret(over_cap("10 + (x1 == 1 and y2 == 1)"))
    assert result.status == "invalid_walker"
    # Connections in order: (0,0)-(0,1), (0,0)-(1,0), (0,1)-(0,1) self,
    # (0,1)-(1,1), (1,0)-(1,0) self, (1,0)-(1,1) with amplitude 11. Numbers
    # count every connection the genome added, self-links included.
    assert result.error == "connection 5 amplitude 11 is outside [0, 10]"


def test_query_cppn_errors_are_genome_errors() -> None:
    result = interpret(over_cap("'loud'"))
    assert result.status == "runtime"
    assert result.error == ("TypeError: add_muscle() argument must be a real number, not 'str'")
    source = over_cap("1").replace("query_cppn(wc, 2, 2, 3,", "query_cppn(wc, 2.5, 2, 3,")
    result = interpret(source)
    assert (result.status, result.error) == (
        "runtime",
        "TypeError: 'float' object cannot be interpreted as an integer",
    )


@pytest.mark.parametrize(
    ("line", "status", "error"),
    [
        (
            "from walker import Walker",
            "forbidden",
            "only walker_creator and query_cppn can be imported from 'walker'",
        ),
        ("import numpy.linalg", "unsupported", "numpy.linalg is not in the supported subset"),
        (
            "from numpy.random import rand",
            "unsupported",
            "numpy.random is not in the supported subset",
        ),
        (
            "from numpy import *",
            "unsupported",
            "from numpy import * is not supported; use import numpy as np",
        ),
        ("from numpy import cumsum", "unsupported", "numpy.cumsum is not in the supported subset"),
        (
            "import scipy",
            "forbidden",
            "import of 'scipy' is not allowed (only math, numpy and the walker API)",
        ),
    ],
)
def test_imports_outside_the_subset(line: str, status: str, error: str) -> None:
    result = interpret(line + "\n\ndef make_walker():\n    return None\n")
    assert (result.status, result.error) == (status, error)
