"""Error classification, positions, limits and the binding's arguments."""

from __future__ import annotations

import time

import pytest
from openelm import InterpLimits, interpret, interpret_many

OK_TAIL = """
def make_walker():
    wc = walker_creator()
    a = wc.add_joint(0, 0)
    b = wc.add_joint(2, 0)
    wc.add_muscle(a, b)
    return wc.get_walker()
"""


@pytest.mark.parametrize(
    ("source", "status", "line", "col"),
    [
        ("def make_walker(:\n    pass\n", "syntax", 1, 17),
        ("x = 1\nimport os\n", "forbidden", 2, 8),
        ("x = ().__class__.__bases__\n", "forbidden", 1, 8),
        ("def make_walker():\n    return eval('1')\n", "forbidden", 2, 12),
        ("x = [1, 2]\ny = x @ x\n", "unsupported", 2, 5),
        ("class A(dict):\n    pass\n", "unsupported", 1, 8),
        ("def make_walker():\n    return 1 / 0\n", "runtime", 2, 12),
        ("def make_walker():\n    return 3\n", "runtime", 0, 0),
        ("x = [0] * 10**9\n", "limit", 1, 5),
        (
            "def make_walker():\n    wc = walker_creator()\n    a = wc.add_joint(0, 0)\n"
            "    wc.add_muscle(a, a)\n    return wc.get_walker()\n",
            "invalid_walker",
            5,
            5,
        ),
    ],
)
def test_classification_with_position(source: str, status: str, line: int, col: int) -> None:
    result = interpret(source)
    assert (result.status, result.line, result.col) == (status, line, col), result
    assert result.error
    assert result.walker is None


def test_bytes_and_str_sources_agree() -> None:
    text = OK_TAIL
    assert interpret(text).walker == interpret(text.encode()).walker


def test_invalid_utf8_and_nul_are_syntax_errors() -> None:
    assert interpret(b"x = '\xff'\n" + OK_TAIL.encode()).status == "syntax"
    result = interpret(b"x = 1\0\n")
    assert (result.status, result.line, result.col) == ("syntax", 1, 6)
    assert "NUL" in (result.error or "")


def test_huge_source_is_a_limit_before_parsing() -> None:
    started = time.perf_counter()
    result = interpret(b"#" * 10_000_000)
    assert result.status == "limit"
    assert time.perf_counter() - started < 1.0


def test_limits_are_uncatchable() -> None:
    body = "try:\n    while True:\n        pass\nexcept:\n    pass\n"
    result = interpret(body + OK_TAIL, InterpLimits(max_steps=10_000))
    assert result.status == "limit"
    assert result.steps == 10_001


def test_limit_arguments_are_honoured() -> None:
    loop = "for i in range(1000):\n    x = [i]\n" + OK_TAIL
    assert interpret(loop).status == "ok"
    assert interpret(loop, InterpLimits(max_steps=500)).status == "limit"
    assert interpret(loop, InterpLimits(max_heap_bytes=4_000)).status == "limit"
    assert interpret("x = 'a' * 50\n" + OK_TAIL, InterpLimits(max_str_len=10)).status == "limit"
    assert (
        interpret("x = list(range(50))\n" + OK_TAIL, InterpLimits(max_container_len=10)).status
        == "limit"
    )
    assert interpret(OK_TAIL, InterpLimits(max_source_bytes=20)).status == "limit"
    assert interpret(OK_TAIL, InterpLimits(max_joints=1)).status == "limit"
    assert interpret(OK_TAIL, InterpLimits(max_connections=0)).status == "limit"
    deep = "def f(n):\n    return 0 if n == 0 else f(n - 1)\nf(30)\n" + OK_TAIL
    assert interpret(deep).status == "ok"
    assert interpret(deep, InterpLimits(max_depth=10)).status == "limit"


def test_entry_name_is_configurable() -> None:
    source = OK_TAIL.replace("make_walker", "build")
    assert interpret(source, entry="build").status == "ok"
    result = interpret(source)
    assert result.status == "runtime"
    assert "make_walker" in (result.error or "")


def test_output_is_captured_and_capped() -> None:
    source = "for i in range(100):\n    print('line', i)\n" + OK_TAIL
    result = interpret(source, InterpLimits(max_output_bytes=64))
    assert result.status == "ok"
    assert result.output == "".join(f"line {i}\n" for i in range(100))[:64]


def test_interpret_many_keeps_order() -> None:
    sources = [OK_TAIL, "import os\n", b"\xff", OK_TAIL.replace("(2, 0)", "(3, 0)")]
    results = interpret_many(sources)
    assert [r.status for r in results] == ["ok", "forbidden", "syntax", "ok"]
    assert results[3].walker is not None and results[3].walker.joints[1] == (3.0, 0.0)
    with pytest.raises(TypeError):
        interpret(3)  # type: ignore[arg-type]
