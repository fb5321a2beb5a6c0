"""The parameter types of the compound options: what they parse, how they
print a default, and their one-line errors through a real command."""

from __future__ import annotations

import click
import pytest
from openelm_cli.params import BinCounts, FloatRange, FrameSize, OperatorMix, SeedProgramSpec

from tests.cli.conftest import Invoke, one_error_line


def test_each_type_parses_and_formats_back() -> None:
    assert BinCounts().convert("12", None, None) == (12, 12, 12)
    assert BinCounts().convert("4,5,6", None, None) == (4, 5, 6)
    assert BinCounts.format((12, 12, 12)) == "12" and BinCounts.format((4, 5, 6)) == "4,5,6"
    assert FloatRange().convert("0,6.5", None, None) == (0.0, 6.5)
    assert FloatRange.format((0.0, 24.0)) == "0,24"
    mix = OperatorMix().convert("prompt=0.5, diff=0.3,crossover=0.2", None, None)
    assert mix == (("prompt", 0.5), ("diff", 0.3), ("crossover", 0.2))
    assert OperatorMix.format(mix) == "prompt=0.5,diff=0.3,crossover=0.2"
    assert FrameSize().convert("480X320", None, None) == (480, 320)
    assert FrameSize.format((480, 320)) == "480x320"
    assert SeedProgramSpec().convert("square", None, None).name == "square"


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        (OperatorMix(), "prompt", "not OPERATOR=WEIGHT"),
        (OperatorMix(), "prompt=abc", "is not a number"),
        (BinCounts(), "1,2", "bins"),
        (BinCounts(), "a", "bins"),
        (BinCounts(), "1,2,3,4", "bins"),
        (FrameSize(), "big", "is not WxH"),
        (SeedProgramSpec(), "no_such_seed", "unknown seed program 'no_such_seed'"),
    ],
)
def test_bad_text_fails_with_a_message(kind: click.ParamType, text: str, message: str) -> None:
    with pytest.raises(click.BadParameter, match=message):
        kind.convert(text, None, None)


def test_a_range_names_its_option() -> None:
    height = click.Option(["--height-range"])
    with pytest.raises(click.BadParameter, match="height range must be LOW,HIGH"):
        FloatRange().convert("5", height, None)
    with pytest.raises(click.BadParameter, match="height range must be two numbers"):
        FloatRange().convert("a,b", height, None)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["evolve", "--mix", "prompt"],
            "Invalid value for '--mix': mix entry 'prompt' is not OPERATOR=WEIGHT",
        ),
        (["evolve", "--mix", "prompt=x"], "mix weight 'x' of prompt is not a number"),
        (["evolve", "--bins", "1,2"], "Invalid value for '--bins': bins must be N or H,W,M"),
        (["evolve", "--bins", "a"], "bins must be whole numbers"),
        (
            ["evolve", "--mass-range", "5"],
            "Invalid value for '--mass-range': mass range must be LOW,HIGH",
        ),
        (["evolve", "--width-range", "1,x"], "width range must be two numbers"),
        (
            ["evolve", "--seed-program", "nope.py"],
            "Invalid value for '--seed-program': file not found: nope.py",
        ),
        (
            ["render", "w.json", "--out", "x.gif", "--size", "big"],
            "Invalid value for '--size': 'big' is not WxH",
        ),
    ],
)
def test_bad_text_on_the_command_line_is_one_line_exit_2(
    openelm: Invoke, tmp_path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = openelm(*args)
    assert result.exit_code == 2
    assert message in one_error_line(result)
    assert list(tmp_path.iterdir()) == []  # nothing made
