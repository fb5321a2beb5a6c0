"""The non-LLM baseline: Gaussian noise on the parent's numeric literals.

Python's `tokenize` finds the NUMBER tokens, so numbers inside names,
strings and comments are left alone and the layout of the source is kept.
Each literal moves with probability `rate` (at least one always moves).
Noise is relative: sigma times the literal's magnitude, with a floor so a
zero can move too (0.1 for floats, 1 for integers). Integers stay integers,
move by at least one, and a non-negative integer is reflected at zero so it
stays non-negative (integers count loop iterations and index lists); a float
may change sign and is then parenthesised.
Complex, hexadecimal, octal and binary literals are left alone.
"""

from __future__ import annotations

import ast
import io
import math
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from openelm.evolve.archive import ArchiveSnapshot
from openelm.evolve.operators.base import Child
from openelm.records import Elite

_FLOAT_NOISE_FLOOR = 0.1
_INT_NOISE_FLOOR = 1.0
_FLOAT_DECIMALS = 4


@dataclass(frozen=True)
class _NumberLiteral:
    row: int  # 1-based, as tokenize counts
    start: int
    end: int
    value: int | float


class RandomNumbersOperator:
    name = "random"
    parent_count = 1

    def __init__(self, *, rate: float, sigma: float) -> None:
        self.rate = rate
        self.sigma = sigma

    def plan(
        self, parents: Sequence[Elite], rng: np.random.Generator, snapshot: ArchiveSnapshot
    ) -> Child:
        (parent,) = parents
        return Child(self.name, (parent.program_id,), self.mutate(parent.source, rng))

    def mutate(self, source: str, rng: np.random.Generator) -> str:
        literals = number_literals(source)
        if not literals:
            return source
        chosen = rng.random(len(literals)) < self.rate
        if not chosen.any():
            chosen[int(rng.integers(len(literals)))] = True
        lines = source.splitlines(keepends=True)
        # Right to left, so earlier columns on the same line stay valid.
        for literal, is_chosen in reversed(list(zip(literals, chosen))):
            if not is_chosen:
                continue
            text = self._perturbed_text(literal.value, rng)
            line = lines[literal.row - 1]
            lines[literal.row - 1] = line[: literal.start] + text + line[literal.end :]
        return "".join(lines)

    def _perturbed_text(self, value: int | float, rng: np.random.Generator) -> str:
        if isinstance(value, int):
            step = round(self.sigma * max(abs(value), _INT_NOISE_FLOOR) * rng.standard_normal())
            if step == 0:
                # A chosen integer moves at least one step, up or down.
                step = 1 if rng.random() < 0.5 else -1
            moved = value + step
            # A non-negative integer is reflected at zero, so it stays a count.
            return str(abs(moved) if value >= 0 else moved)
        noise = self.sigma * max(abs(value), _FLOAT_NOISE_FLOOR) * rng.standard_normal()
        moved_float = round(value + noise, _FLOAT_DECIMALS)
        if not math.isfinite(moved_float):
            return repr(value)
        # repr keeps a float a float ("2.0", not "2"); "-0.0" becomes "0.0".
        text = repr(moved_float + 0.0)
        return f"({text})" if moved_float < 0 else text


def number_literals(source: str) -> list[_NumberLiteral]:
    """The decimal int and float literals of `source`, in order; [] when it
    does not tokenize."""
    literals: list[_NumberLiteral] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type != tokenize.NUMBER or token.start[0] != token.end[0]:
                continue
            text = token.string.lower()
            if text.endswith("j") or text.startswith(("0x", "0o", "0b")):
                continue
            value = ast.literal_eval(text)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                literals.append(_NumberLiteral(token.start[0], token.start[1], token.end[1], value))
    except (tokenize.TokenError, SyntaxError, ValueError, IndentationError):
        return []
    return literals
