"""The interpreter's numpy subset against the real numpy: the same
expressions, the same values and types (int64 or float64), the same
exceptions. Construction, arithmetic, sign, abs and sqrt must match bit
for bit; sin, cos, tan, tanh and exp come from the pure-Rust libm (as
`math` does), so they may differ from numpy's in the last bits: they are
held to 4 ulp. Then what is outside the subset, and the limits."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from openelm import InterpLimits, interpret, interpret_many

SETUP = "a = np.array([-7, -2, 0, 3, 8])\nf = np.array([-2.5, -0.0, 0.0, 1.5, 7.25])"
EXCEPTIONS = ("ValueError", "TypeError", "IndexError", "ZeroDivisionError", "OverflowError")

EXACT = [
    "np.linspace(0, 1, 5)",
    "np.linspace(-3, 7.5, 7)",
    "np.linspace(0, 1, 5, endpoint=False)",
    "np.linspace(0.1, 0.7, num=13)",
    "np.linspace(2, 2, 4)",
    "np.linspace(0, 1, 1)",
    "np.linspace(0, 1, 0)",
    "np.linspace(1e-300, 1e300, 3)",
    "np.linspace(5, -5, 6, False)",
    "np.linspace(0, 1, -1)",
    "np.arange(5)",
    "np.arange(2, 9)",
    "np.arange(2, 9, 3)",
    "np.arange(9, 2, -2)",
    "np.arange(5, 1)",
    "np.arange(0.1, 1, 0.3)",
    "np.arange(0, 1, 0.1)",
    "np.arange(-1.5, 2)",
    "np.arange(3.0)",
    "np.arange(1, 2, 0.25)",
    "np.arange(0, 5, 0)",
    "np.arange(-9223372036854775807 - 1, 9223372036854775807, 2**62)",
    "np.arange(9223372036854775807, -9223372036854775807 - 1, -(2**62))",
    "np.array([-9223372036854775807 - 1, 7]) % -1",
    "np.array([1, 2, 3])",
    "np.array([1, 2.5])",
    "np.array([True, 2])",
    "np.array([])",
    "np.array((4, 5))",
    "np.array(range(4))",
    "np.array(a)",
    "np.zeros(3)",
    "np.ones(2)",
    "np.zeros(0)",
    "np.zeros(-1)",
    "np.sign(a)",
    "np.sign(f)",
    "np.sign(-3)",
    "np.sign(2.5)",
    "np.sign(-0.0)",
    "np.sign(0)",
    "np.sign(float('nan'))",
    "np.sign([1.5, -2])",
    "np.abs(a)",
    "np.abs(f)",
    "np.abs(-7)",
    "np.absolute(f)",
    "abs(f)",
    "np.sqrt(f)",
    "np.sqrt(a)",
    "np.sqrt(2)",
    "a + 1",
    "a + 0.5",
    "1 + a",
    "a * a",
    "a - f",
    "f / a",
    "a / 2",
    "2 / a",
    "a // 2",
    "a % 3",
    "a // -2",
    "a % -3",
    "-7 // a",
    "a ** 2",
    "2 ** np.abs(a)",
    "a ** -1",
    "a // 0",
    "a % 0",
    "f // 0.0",
    "f % 0.0",
    "f // 2",
    "f % 2.5",
    "f % -2.5",
    "-f // 3",
    "f ** 2",
    "f ** 0.5",
    "np.array([-np.inf, 4.0]) ** 0.5",
    "a ** 0.5",
    "~a",
    "not np.array([0])",
    "bool(a)",
    "1 / f",
    "-a",
    "+f",
    "-f",
    "a & 3",
    "a | 4",
    "a ^ 1",
    "a + np.array([1])",
    "np.array([10]) - a",
    "a + np.array([1, 2])",
    "a + [1, 2, 3, 4, 5]",
    "(a * 2 + 1) / (f - 3)",
    "a[0]",
    "a[-1]",
    "f[1]",
    "a[1:3]",
    "a[::-1]",
    "f[::2]",
    "a[10]",
    "len(a)",
    "list(a)",
    "sum(a)",
    "max(f)",
    "[x * 2 for x in a]",
    "3 in a",
    "4 in a",
    "a.tolist()",
    "np.pi",
    "np.e",
    "np.inf",
    "np.sign(np.linspace(-1, 1, 5))",
    "float(np.linspace(0, 1, 3)[1])",
    "int(np.arange(7)[-1])",
]

TRANSCENDENTAL = [
    "np.sin(f)",
    "np.cos(f)",
    "np.tan(f)",
    "np.tanh(f)",
    "np.exp(f)",
    "np.sin(a)",
    "np.cos(a)",
    "np.exp(a)",
    "np.tanh(a)",
    "np.sin(np.linspace(0, 2 * np.pi, 17))",
    "np.cos(np.linspace(-10, 10, 33))",
    "np.exp(np.linspace(-700, 700, 9))",
    "np.tan(np.arange(0.1, 1.5, 0.2))",
    "np.sin(2)",
    "np.exp(1)",
    "np.tanh(-0.5)",
]


def interpreter_values(expressions: list[str]) -> list[Any]:
    handlers = "".join(f'    except {e}:\n        r = "!{e}"\n' for e in EXCEPTIONS)
    sources = [
        "import numpy as np\n\n\ndef make_walker():\n"
        + "".join(f"    {line}\n" for line in SETUP.splitlines())
        + f"    try:\n        r = {expression}\n"
        + "        if not isinstance(r, (int, float, bool, list, str)):\n"
        + "            r = r.tolist()\n"
        + f"{handlers}    print(repr(r))\n"
        + "    wc = walker_creator()\n"
        + "    wc.add_muscle(wc.add_joint(0, 0), wc.add_joint(1, 0))\n"
        + "    return wc.get_walker()\n"
        for expression in expressions
    ]
    values: list[Any] = []
    for result in interpret_many(sources):
        assert result.status == "ok", result.error
        text = result.output.strip()
        values.append(
            text if text.startswith("'!") else eval(text, {"nan": math.nan, "inf": math.inf})
        )
    return values


def plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def numpy_values(expressions: list[str]) -> list[Any]:
    out: list[Any] = []
    for expression in expressions:
        scope: dict[str, Any] = {"np": np}
        exec(SETUP, scope)
        try:
            with np.errstate(all="ignore"):
                out.append(plain(eval(expression, scope)))
        except Exception as e:  # the exception's name is the outcome
            out.append(f"'!{type(e).__name__}'")
    return out


def same(got: Any, want: Any, ulps: int) -> bool:
    if isinstance(want, list):
        return (
            isinstance(got, list)
            and len(got) == len(want)
            and all(same(g, w, ulps) for g, w in zip(got, want, strict=True))
        )
    if type(got) is not type(want):
        return False
    if isinstance(want, float):
        if math.isnan(want) or math.isnan(got):
            return math.isnan(want) and math.isnan(got)
        if ulps == 0 or math.isinf(want):
            return got == want and math.copysign(1, got) == math.copysign(1, want)
        return abs(got - want) <= ulps * math.ulp(want)
    return bool(got == want)


@pytest.mark.parametrize(("expressions", "ulps"), [(EXACT, 0), (TRANSCENDENTAL, 4)])
def test_same_values_and_types_as_numpy(expressions: list[str], ulps: int) -> None:
    got, want = interpreter_values(expressions), numpy_values(expressions)
    differ = [
        f"{e}: numpy {w!r}, interpreter {g!r}"
        for e, g, w in zip(expressions, got, want, strict=True)
        if not same(g, w, ulps)
    ]
    assert not differ, "\n".join(differ)


def run(body: str, limits: InterpLimits | None = None) -> tuple[str, str | None]:
    source = (
        "import numpy as np\n\n\ndef make_walker():\n"
        + "".join(f"    {line}\n" for line in (SETUP + "\n" + body).splitlines())
        + "    return None\n"
    )
    result = interpret(source, limits)
    return result.status, result.error


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("np.sum(a)", "numpy.sum is not in the supported subset"),
        ("np.random.rand(3)", "numpy.random is not in the supported subset"),
        ("a.mean()", "numpy.ndarray.mean is not in the supported subset"),
        ("a.shape", "numpy.ndarray.shape is not in the supported subset"),
        ("a > 0", "comparing numpy arrays is not supported (compare a.tolist() or elements)"),
        ("a == a", "comparing numpy arrays is not supported (compare a.tolist() or elements)"),
        ("print(a)", "printing a numpy array is not supported; print a.tolist() instead"),
        ("a[0] = 1", "numpy arrays are read-only in the subset (build a new one)"),
        (
            "np.zeros((2, 2))",
            "numpy.zeros() of a tuple is not supported (only one int: 1-D arrays)",
        ),
        (
            "np.linspace(0, 1, 5, dtype=int)",
            "numpy.linspace(..., dtype=...) is not in the supported subset",
        ),
        (
            "np.array([[1, 2]])",
            "numpy arrays of list are not supported (only 1-D arrays of numbers)",
        ),
        ("np.array([True])", "numpy bool arrays are not supported"),
        ("a << 1", "'<<' on numpy int arrays is not supported"),
        ("~f", "'~' on numpy float arrays is not supported"),
    ],
)
def test_outside_the_subset_is_unsupported_naming_it(body: str, error: str) -> None:
    assert run(body) == ("unsupported", error)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("np.zeros(10**6)", "container of 1000000 elements exceeds the limit of 100000"),
        (
            "np.arange(10**9)",
            "container of 18446744073709551615 elements exceeds the limit of 100000",
        ),
        ("np.linspace(0, 1, 10**6)", "container of 1000000 elements exceeds the limit of 100000"),
        (
            "np.arange(2**62, 2**63 - 1, 2**61) * 4",
            "integer overflow: the result does not fit in 64 bits",
        ),
        (
            "-np.array([-9223372036854775807 - 1])",
            "integer overflow: the result does not fit in 64 bits",
        ),
        (
            "np.array([-9223372036854775807 - 1]) // -1",
            "integer overflow: the result does not fit in 64 bits",
        ),
    ],
)
def test_limits_apply_to_arrays(body: str, error: str) -> None:
    assert run(body) == ("limit", error)


def test_array_work_is_metered() -> None:
    loop = "for _ in range(20):\n    x = np.zeros({n}) * 2 + 1"
    small = interpret_steps(loop.format(n=10))
    large = interpret_steps(loop.format(n=50_000))
    # Three arrays of 50 000 elements per iteration, one step per 16.
    assert large - small >= 20 * 3 * (50_000 - 10) // 16
    status, error = run(loop.format(n=50_000), InterpLimits(max_steps=100_000))
    assert (status, error) == ("limit", "step limit of 100000 exceeded")


def interpret_steps(body: str) -> int:
    source = (
        "import numpy as np\n\n\ndef make_walker():\n"
        + "".join(f"    {line}\n" for line in body.splitlines())
        + "    return None\n"
    )
    return interpret(source).steps


EDGES = [-(2**63), -(2**63) + 1, -3, -1, 0, 1, 2, 7, 2**62, 2**63 - 1]
INT_OPS = ["+", "-", "*", "//", "%", "**", "&", "|", "^"]


def exact_int64(x: int, op: str, y: int) -> str:
    """numpy's int64 answer where it does not wrap, from Python's ints:
    dividing by zero gives 0, a negative power is a ValueError; an answer
    outside int64 (numpy wraps it) is our limit error."""
    if op in ("//", "%") and y == 0:
        return "[0]"
    if op == "**":
        if y < 0:
            return "'!ValueError'"
        if abs(x) >= 2 and y >= 64:
            return "limit"
    value = eval(f"x {op} y", {"x": x, "y": y})
    return f"[{value}]" if -(2**63) <= value < 2**63 else "limit"


def test_int64_elements_on_edge_values() -> None:
    cases = [(x, op, y) for x in EDGES for op in INT_OPS for y in EDGES]
    handlers = "".join(f'    except {e}:\n        r = "!{e}"\n' for e in EXCEPTIONS)
    sources = [
        "import numpy as np\n\n\ndef make_walker():\n"
        f"    x = np.array([{x if x != -(2**63) else '-9223372036854775807 - 1'}])\n"
        f"    try:\n        r = (x {op} {y if y >= 0 else f'({y})'}).tolist()\n{handlers}"
        "    print(repr(r))\n    return None\n"
        for x, op, y in cases
    ]
    differ = []
    for (x, op, y), result in zip(cases, interpret_many(sources), strict=True):
        got = "limit" if result.status == "limit" else result.output.strip()
        want = exact_int64(x, op, y)
        if want.startswith("[") and want != "limit":
            with np.errstate(all="ignore"):
                assert (
                    str(plain(np.array([x]) ** y if op == "**" else eval(f"np.array([x]) {op} y")))
                    == want
                )
        if result.status not in ("limit", "runtime") or "interpreter bug" in (result.error or ""):
            differ.append(f"{x} {op} {y}: {result.status} {result.error}")
        elif got != want:
            differ.append(f"{x} {op} {y}: expected {want}, interpreter {got}")
    assert not differ, "\n".join(differ[:30])
