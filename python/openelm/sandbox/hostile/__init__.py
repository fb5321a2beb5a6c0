"""The hostile battery: genomes that attack the sandbox, each with the exact
status the pool must give it.

Most cases are files in `programs/` (so that `openelm sandbox-check FILE`
can run any one of them); each starts with `# attack: ...` and
`# expect: <status>` header lines, plus `# repeat: N` for cases that must be
run several times in a row (state leaking from one genome to the next).
Cases whose source cannot live in a tidy .py file (10 MB, NUL bytes, bad
UTF-8) are built here.

`run_battery` evaluates the whole battery in one batch and judges every
outcome: `expected`, `escaped` (the attack got further than it may: an
attack that must fail came back `ok`, or a result broke its case's extra
check) or `mismatch` (contained, but not the way the battery says).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openelm.sandbox.pool import SandboxPool
from openelm.sandbox.results import STATUSES, EvalResult

PROGRAMS = Path(__file__).with_name("programs")

# A body every valid-walker case shares: a triangle with one muscle.
TRIANGLE_BODY = b"""\
    wc = walker_creator()
    a = wc.add_joint(0.0, 0.0)
    b = wc.add_joint(10.0, 0.0)
    c = wc.add_joint(5.0, 8.0)
    wc.add_muscle(a, b)
    wc.add_muscle(b, c, 5.0, 0.25)
    wc.add_muscle(c, a)
    return wc.get_walker()
"""


@dataclass(frozen=True)
class HostileCase:
    name: str
    attack: str
    source: bytes = field(repr=False)
    expected: str
    repeat: int = 1
    # Extra condition a result must meet, or the attack got through (e.g.
    # print output beyond the cap). Returns a reason, or None when fine.
    check: Callable[[EvalResult], str | None] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class CaseOutcome:
    case: HostileCase
    results: tuple[EvalResult, ...]
    verdict: str
    """expected | mismatch | escaped"""
    reason: str
    wall_s: float
    """Wall-clock time of the slowest run of this case in its worker."""


def _header(text: str, key: str) -> str | None:
    prefix = f"# {key}:"
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if line.startswith(prefix):
            return line[len(prefix) :].strip()
    return None


def _program_case(path: Path) -> HostileCase:
    source = path.read_bytes()
    text = source.decode()
    attack, expected = _header(text, "attack"), _header(text, "expect")
    if attack is None or expected not in STATUSES:
        raise ValueError(f"{path.name}: needs '# attack:' and '# expect: <status>' header lines")
    repeat = int(_header(text, "repeat") or 1)
    check = _output_capped if path.stem == "print_flood" else None
    return HostileCase(path.stem, attack, source, expected, repeat, check)


def _output_capped(result: EvalResult) -> str | None:
    # The interpreter's default output cap is 4 KiB.
    if len(result.output.encode()) > 4096:
        return f"print output of {len(result.output)} characters was not capped"
    return None


def _generated_cases() -> list[HostileCase]:
    valid = b"def make_walker():\n" + TRIANGLE_BODY
    huge_comment = b"# " + b"x" * (10 << 20) + b"\n"
    return [
        HostileCase(
            "ten_mb_source",
            "10 MB of source (a valid genome behind a huge comment)",
            huge_comment + valid,
            "limit",
        ),
        HostileCase(
            "nul_byte",
            "a NUL byte inside the source",
            valid.replace(b"0.0, 0.0", b"0.0,\x00 0.0", 1),
            "syntax",
        ),
        HostileCase(
            "invalid_utf8", "bytes that are not UTF-8", b"# \xff\xfe\xc3\x28\n" + valid, "syntax"
        ),
        HostileCase(
            "lone_surrogate",
            "an encoded lone surrogate (CESU-style UTF-8)",
            b"s = '\xed\xa0\x80'\n" + valid,
            "syntax",
        ),
        # Grouping parentheses add no nesting: the parser must simply survive.
        HostileCase(
            "deep_parentheses",
            "20k nested parentheses (parser stack)",
            b"x = " + b"(" * 20_000 + b"1" + b")" * 20_000 + b"\n" + valid,
            "ok",
        ),
        HostileCase(
            "deep_unary",
            "20k nested unary minus",
            b"x = " + b"-" * 20_000 + b"1\n" + valid,
            "limit",
        ),
        HostileCase(
            "long_operator_chain",
            "1+1+...+1 with 20k operators",
            b"x = 1" + b"+1" * 20_000 + b"\n" + valid,
            "limit",
        ),
        HostileCase(
            "deep_lists",
            "a list literal nested 10k deep",
            b"x = " + b"[" * 10_000 + b"]" * 10_000 + b"\n" + valid,
            "limit",
        ),
        HostileCase(
            "huge_int_literal",
            "a 60k-digit integer literal",
            b"x = 1" + b"0" * 60_000 + b"\n" + valid,
            "limit",
        ),
    ]


def battery() -> list[HostileCase]:
    """Every case, programs first (sorted by name), then generated ones."""
    programs = [_program_case(path) for path in sorted(PROGRAMS.glob("*.py"))]
    return programs + _generated_cases()


def judge(case: HostileCase, results: tuple[EvalResult, ...]) -> tuple[str, str]:
    """(verdict, reason) for one case's results."""
    for result in results:
        if result.status != case.expected:
            got = f"got {result.status}: {result.error}"
            if result.status == "ok":
                return "escaped", f"the attack ran to completion ({got})"
            return "mismatch", got
        if case.check is not None and (reason := case.check(result)) is not None:
            return "escaped", reason
    return "expected", ""


def run_battery(pool: SandboxPool, cases: list[HostileCase] | None = None) -> list[CaseOutcome]:
    """Runs the cases through `pool` in one batch. Repeated cases go first and
    stay contiguous, so that each worker runs several copies back to back."""
    cases = battery() if cases is None else cases
    ordered = sorted(cases, key=lambda c: c.repeat == 1)
    sources = [case.source for case in ordered for _ in range(case.repeat)]
    results = pool.evaluate(sources)
    outcomes: dict[str, CaseOutcome] = {}
    offset = 0
    for case in ordered:
        mine = tuple(results[offset : offset + case.repeat])
        offset += case.repeat
        verdict, reason = judge(case, mine)
        outcomes[case.name] = CaseOutcome(case, mine, verdict, reason, max(r.wall_s for r in mine))
    return [outcomes[case.name] for case in cases]
