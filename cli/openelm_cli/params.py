"""Click parameter types for the compound options: ranges, bin counts,
operator mixes, frame sizes and seed programs.

Each type turns the text a user typed into the value a config field holds
and back (`format`, for the defaults `--help` shows). Bad text fails with
click's one-line usage error naming the option; whether a well-formed
value is acceptable (a range with low < high, weights summing to 1) is the
library's check, not the parser's.
"""

from __future__ import annotations

from typing import Any

import click
from openelm.errors import InputFileError
from openelm.evolve import SeedProgram, load_seed_program


def _what(param: click.Parameter | None, fallback: str) -> str:
    """ "height range" for --height-range: how a message names the value."""
    return param.name.replace("_", " ") if param is not None and param.name else fallback


class FloatRange(click.ParamType):
    """`LOW,HIGH` -> (low, high)."""

    name = "LO,HI"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[float, float]:
        if isinstance(value, tuple):
            return value
        what = _what(param, "range")
        parts = str(value).split(",")
        if len(parts) != 2:
            self.fail(f"{what} must be LOW,HIGH, not {value!r}", param, ctx)
        try:
            return (float(parts[0]), float(parts[1]))
        except ValueError:
            self.fail(f"{what} must be two numbers, not {value!r}", param, ctx)

    @staticmethod
    def format(value: tuple[float, float]) -> str:
        return f"{value[0]:g},{value[1]:g}"


class BinCounts(click.ParamType):
    """`12` (every descriptor) or `12,10,8` (height, width, mass) -> a triple."""

    name = "N|H,W,M"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[int, int, int]:
        if isinstance(value, tuple):
            return value
        parts = str(value).split(",")
        if len(parts) not in (1, 3):
            self.fail(f"bins must be N or H,W,M, not {value!r}", param, ctx)
        try:
            counts = [int(part) for part in parts]
        except ValueError:
            self.fail(f"bins must be whole numbers, not {value!r}", param, ctx)
        if len(counts) == 1:
            return (counts[0], counts[0], counts[0])
        return (counts[0], counts[1], counts[2])

    @staticmethod
    def format(value: tuple[int, int, int]) -> str:
        return str(value[0]) if len(set(value)) == 1 else ",".join(map(str, value))


class OperatorMix(click.ParamType):
    """`prompt=0.5,diff=0.3,crossover=0.2` -> (("prompt", 0.5), ...)."""

    name = "OP=W,..."

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[tuple[str, float], ...]:
        if isinstance(value, tuple):
            return value
        pairs: list[tuple[str, float]] = []
        for item in str(value).split(","):
            name, equals, weight_text = item.strip().partition("=")
            if not equals:
                self.fail(f"mix entry {item.strip()!r} is not OPERATOR=WEIGHT", param, ctx)
            try:
                weight = float(weight_text)
            except ValueError:
                self.fail(
                    f"mix weight {weight_text!r} of {name.strip()} is not a number", param, ctx
                )
            pairs.append((name.strip(), weight))
        return tuple(pairs)

    @staticmethod
    def format(value: tuple[tuple[str, float], ...]) -> str:
        return ",".join(f"{name}={weight:g}" for name, weight in value)


class FrameSize(click.ParamType):
    """`480x320` -> (480, 320)."""

    name = "WxH"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[int, int]:
        if isinstance(value, tuple):
            return value
        parts = str(value).lower().split("x")
        try:
            width, height = (int(part) for part in parts)
        except ValueError:
            self.fail(f"{value!r} is not WxH, e.g. 480x320", param, ctx)
        return (width, height)

    @staticmethod
    def format(value: tuple[int, int]) -> str:
        return f"{value[0]}x{value[1]}"


class SeedProgramSpec(click.ParamType):
    """A built-in seed's name or a path to a `.py` genome -> its SeedProgram."""

    name = "NAME|FILE.py"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> SeedProgram:
        if isinstance(value, SeedProgram):
            return value
        try:
            return load_seed_program(str(value))
        except InputFileError as error:
            self.fail(str(error), param, ctx)
