"""The genome contract's one leniency: an entry that returns the
`walker_creator` itself (`return wc`) is read as `return wc.get_walker()`,
with a warning, in the interpreter and through the sandbox alike. Any other
non-walker return stays a `runtime` error."""

from __future__ import annotations

from openelm import interpret
from openelm.sandbox import SandboxPool

from tests.sandbox.conftest import TRIANGLE

RETURNS_WC = TRIANGLE.replace("return wc.get_walker()", "return wc")
WARNING = "make_walker returned the walker_creator; read as wc.get_walker()"


def test_return_wc_builds_the_same_walker_with_one_warning() -> None:
    strict, lenient = interpret(TRIANGLE), interpret(RETURNS_WC)
    assert (lenient.status, lenient.error, lenient.warnings) == ("ok", None, [WARNING])
    assert strict.warnings == []
    assert lenient.walker is not None and strict.walker is not None
    assert lenient.walker.joints == strict.walker.joints
    assert lenient.walker.connections == strict.walker.connections


def test_other_returns_stay_errors() -> None:
    source = TRIANGLE.replace("return wc.get_walker()", "return [wc]")
    result = interpret(source)
    assert (result.status, result.error) == (
        "runtime",
        "make_walker must return wc.get_walker(), got list",
    )
    assert result.warnings == []


def test_the_warning_reaches_eval_results_through_the_sandbox() -> None:
    with SandboxPool(1, timeout_s=10.0) as pool:
        strict, lenient = pool.evaluate([TRIANGLE, RETURNS_WC])
    assert (lenient.status, lenient.warnings) == ("ok", (WARNING,))
    assert lenient.fitness == strict.fitness and lenient.walker_json == strict.walker_json
