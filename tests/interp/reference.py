"""A trusted reference: runs a genome with CPython `exec` against a plain
Python walker_creator, so our interpreter can be compared with it.

Only benign genomes go through here. `math` is replaced by a module whose
functions are the interpreter's own (`openelm._sodarace.math_call`): its
libm is bit-exact on every machine, and the platform's differs from it in
the last bit for some inputs (exp(1) among them), which would make an exact
comparison fail for reasons that have nothing to do with the interpreter.
"""

from __future__ import annotations

import builtins
import io
import types
from dataclasses import dataclass, field
from typing import Any

from openelm._sodarace import math_call

MATH_CONSTANTS = ("pi", "e", "tau", "inf", "nan")
MATH_FUNCTIONS = (
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "atan2",
    "sinh",
    "cosh",
    "tanh",
    "sqrt",
    "exp",
    "log",
    "log2",
    "log10",
    "pow",
    "floor",
    "ceil",
    "fabs",
    "hypot",
    "radians",
    "degrees",
    "isnan",
    "isinf",
    "isfinite",
    "copysign",
    "fmod",
    "trunc",
)


def _math_function(name: str):
    def call(*args: float):
        if name in ("floor", "ceil", "trunc") and len(args) == 1 and isinstance(args[0], int):
            return int(args[0])
        try:
            return math_call(name, *[float(a) for a in args])
        except ValueError as e:
            kind, _, message = str(e).partition(": ")
            raise getattr(builtins, kind, ValueError)(message) from None

    call.__name__ = name
    return call


def math_module() -> types.ModuleType:
    module = types.ModuleType("math")
    for name in MATH_CONSTANTS:
        setattr(module, name, math_call(name))
    for name in MATH_FUNCTIONS:
        setattr(module, name, _math_function(name))
    return module


@dataclass(frozen=True)
class Joint:
    creator: ReferenceCreator
    index: int


@dataclass
class ReferenceWalker:
    joints: list[tuple[float, float]]
    connections: list[tuple[int, int, float, float]]


@dataclass
class ReferenceCreator:
    """The walker API as documented in docs/genomes.md, in plain Python."""

    joints: list[tuple[float, float]] = field(default_factory=list)
    connections: list[tuple[int, int, float, float]] = field(default_factory=list)

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    def add_joint(self, x: float, y: float) -> Joint:
        self.joints.append((float(x), float(y)))
        return Joint(self, len(self.joints) - 1)

    def _index(self, joint: Any) -> int:
        if not isinstance(joint, Joint) or joint.creator is not self:
            raise TypeError("foreign joint handle")
        return joint.index

    def add_muscle(self, j0: Any, j1: Any, *args: Any, **kwargs: Any) -> None:
        a, b = self._index(j0), self._index(j1)
        names = (
            ("is_distance", "amplitude", "phase")
            if args and isinstance(args[0], bool)
            else ("amplitude", "phase")
        )
        values = dict(zip(names, args))
        values.update(kwargs)
        amplitude = float(values.get("amplitude", 0.0))
        phase = float(values.get("phase", 0.0))
        if values.get("is_distance", False):
            amplitude, phase = 0.0, 0.0
        self.connections.append((a, b, amplitude, phase))

    add_connection = add_muscle

    def get_walker(self) -> ReferenceWalker:
        return ReferenceWalker(list(self.joints), list(self.connections))


def reference_query_cppn(
    wc: ReferenceCreator,
    xgrid: int,
    ygrid: int,
    scale: float,
    connect_func: Any,
    amp_func: Any,
    phase_func: Any,
) -> dict[tuple[int, int], Joint]:
    """OpenELM's `query_cppn` as docs/genomes.md describes it, written here
    independently of the interpreter: a grid of joints (x outer, y inner)
    at (x * scale, y * scale), then every pair (x1, y1) -> (x2, y2) with
    x2 >= x1 and y2 >= y1, skipping x1 == y1 and x2 == y2, linked with
    amp_func's amplitude and phase_func's phase where connect_func says so."""
    grid = {(x, y): wc.add_joint(x * scale, y * scale) for x in range(xgrid) for y in range(ygrid)}
    for (x1, y1), start in grid.items():
        for (x2, y2), end in grid.items():
            if x2 < x1 or y2 < y1 or (x1 == y1 and x2 == y2):
                continue
            if connect_func(x1, y1, x2, y2):
                amplitude = amp_func(x1, y1, x2, y2)
                phase = phase_func(x1, y1, x2, y2)
                wc.add_muscle(start, end, amplitude=amplitude, phase=phase)
    return grid


def run_reference(source: str, entry: str = "make_walker") -> tuple[ReferenceWalker, str]:
    """Runs `source` with CPython; returns the walker and what it printed.
    `numpy` is the real numpy."""
    walker_module = types.ModuleType("walker")
    walker_module.walker_creator = ReferenceCreator  # type: ignore[attr-defined]
    walker_module.query_cppn = reference_query_cppn  # type: ignore[attr-defined]
    math = math_module()
    real_import = builtins.__import__

    def genome_import(name: str, globals=None, locals=None, fromlist=(), level=0):
        if name == "math":
            return math
        if name in ("walker", "walker_creator", "openelm") or name.startswith("openelm."):
            return walker_module
        return real_import(name, globals, locals, fromlist, level)

    output = io.StringIO()

    def genome_print(*args: Any, sep: str | None = " ", end: str | None = "\n") -> None:
        print(*args, sep=sep, end=end, file=output)

    genome_builtins = dict(vars(builtins))
    genome_builtins.update(
        __import__=genome_import, print=genome_print, walker_creator=ReferenceCreator
    )
    namespace: dict[str, Any] = {"__builtins__": genome_builtins, "__name__": "genome"}
    exec(compile(source, "genome", "exec"), namespace)
    walker = namespace[entry]()
    assert isinstance(walker, ReferenceWalker), f"{entry} returned {walker!r}"
    return walker, output.getvalue()
