"""CPython's answer for integer edge cases, run as a child process.

Reads a JSON list of `[setup, expression]` pairs on stdin and writes one
outcome per pair on stdout (JSON): `repr` of the value, `!Name` for an
exception, or `limit` where CPython's exact answer does not fit the
interpreter's 64-bit ints (an int outside i64, anywhere in a tuple or list)
or where CPython itself runs out of memory. The address space is capped,
so a huge allocation fails at once with MemoryError instead of filling
the machine.
"""

from __future__ import annotations

import json
import math
import resource
import sys
from typing import Any

ADDRESS_SPACE = 2 << 30
I64_MIN, I64_MAX = -(2**63), 2**63 - 1


def fits(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return I64_MIN <= value <= I64_MAX
    if isinstance(value, (tuple, list)):
        return all(fits(v) for v in value)
    return True


def outcome(setup: str, expression: str) -> str:
    scope: dict[str, Any] = {"math": math}
    try:
        exec(setup, scope)
        value = eval(expression, scope)
    except MemoryError:
        return "limit"
    except Exception as e:  # the exception's name is the outcome
        return f"!{type(e).__name__}"
    return repr(value) if fits(value) else "limit"


def main() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, hard))
    cases = json.load(sys.stdin)
    json.dump([outcome(setup, expression) for setup, expression in cases], sys.stdout)


if __name__ == "__main__":
    main()
