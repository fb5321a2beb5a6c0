"""Click parameter types for the compound options: ranges, bin counts,
operator mixes, frame sizes and seed programs.

Each type turns the text a user typed into the value a config field holds
and back (`format`, for the defaults `--help` shows). Bad text fails with
click's one-line usage error naming the option; whether a well-formed
value is acceptable (a range with low < high, weights summing to 1) is the
library's check, not the parser's.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import click
from openelm.errors import InputFileError
from openelm.evolve import SeedProgram, load_seed_program

T = TypeVar("T")


class BadText(Exception):
    """What `parse` raises for text it cannot read: the message click shows."""


class TextParam(click.ParamType, Generic[T]):
    """A type read from text by `parse`. A value of `parsed` type is already
    read (a default given as a value) and passes through."""

    parsed: type[Any] = tuple

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> T:
        if isinstance(value, self.parsed):
            return value
        try:
            return self.parse(str(value), param)
        except BadText as error:
            self.fail(str(error), param, ctx)

    def parse(self, text: str, param: click.Parameter | None) -> T:
        raise NotImplementedError


def _what(param: click.Parameter | None, fallback: str) -> str:
    """ "height range" for --height-range: how a message names the value."""
    return param.name.replace("_", " ") if param is not None and param.name else fallback


class FloatRange(TextParam[tuple[float, float]]):
    """`LOW,HIGH` -> (low, high)."""

    name = "LO,HI"

    def parse(self, text: str, param: click.Parameter | None) -> tuple[float, float]:
        what = _what(param, "range")
        parts = text.split(",")
        if len(parts) != 2:
            raise BadText(f"{what} must be LOW,HIGH, not {text!r}")
        try:
            return (float(parts[0]), float(parts[1]))
        except ValueError:
            raise BadText(f"{what} must be two numbers, not {text!r}") from None

    @staticmethod
    def format(value: tuple[float, float]) -> str:
        return f"{value[0]:g},{value[1]:g}"


class BinCounts(TextParam[tuple[int, int, int]]):
    """`12` (every descriptor) or `12,10,8` (height, width, mass) -> a triple."""

    name = "N|H,W,M"

    def parse(self, text: str, param: click.Parameter | None) -> tuple[int, int, int]:
        parts = text.split(",")
        if len(parts) not in (1, 3):
            raise BadText(f"bins must be N or H,W,M, not {text!r}")
        try:
            counts = [int(part) for part in parts]
        except ValueError:
            raise BadText(f"bins must be whole numbers, not {text!r}") from None
        if len(counts) == 1:
            return (counts[0], counts[0], counts[0])
        return (counts[0], counts[1], counts[2])

    @staticmethod
    def format(value: tuple[int, int, int]) -> str:
        return str(value[0]) if len(set(value)) == 1 else ",".join(map(str, value))


class OperatorMix(TextParam[tuple[tuple[str, float], ...]]):
    """`prompt=0.5,diff=0.3,crossover=0.2` -> (("prompt", 0.5), ...)."""

    name = "OP=W,..."

    def parse(self, text: str, param: click.Parameter | None) -> tuple[tuple[str, float], ...]:
        pairs: list[tuple[str, float]] = []
        for item in text.split(","):
            name, equals, weight_text = item.strip().partition("=")
            if not equals:
                raise BadText(f"mix entry {item.strip()!r} is not OPERATOR=WEIGHT")
            try:
                weight = float(weight_text)
            except ValueError:
                raise BadText(
                    f"mix weight {weight_text!r} of {name.strip()} is not a number"
                ) from None
            pairs.append((name.strip(), weight))
        return tuple(pairs)

    @staticmethod
    def format(value: tuple[tuple[str, float], ...]) -> str:
        return ",".join(f"{name}={weight:g}" for name, weight in value)


class FrameSize(TextParam[tuple[int, int]]):
    """`480x320` -> (480, 320)."""

    name = "WxH"

    def parse(self, text: str, param: click.Parameter | None) -> tuple[int, int]:
        parts = text.lower().split("x")
        try:
            width, height = (int(part) for part in parts)
        except ValueError:
            raise BadText(f"{text!r} is not WxH, e.g. 480x320") from None
        return (width, height)

    @staticmethod
    def format(value: tuple[int, int]) -> str:
        return f"{value[0]}x{value[1]}"


class SeedProgramSpec(TextParam[SeedProgram]):
    """A built-in seed's name or a path to a `.py` genome -> its SeedProgram."""

    name = "NAME|FILE.py"
    parsed = SeedProgram

    def parse(self, text: str, param: click.Parameter | None) -> SeedProgram:
        try:
            return load_seed_program(text)
        except InputFileError as error:
            raise BadText(str(error)) from None
