"""Running `openelm` in-process with click's CliRunner, and checking that an
error is exactly one line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result
from openelm_cli.main import cli


@pytest.fixture
def openelm() -> Invoke:
    return Invoke()


class Invoke:
    """`openelm(*args)`: the command's Result (exit code, stdout, stderr)."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str) -> Result:
        return self.runner.invoke(cli, list(args), catch_exceptions=False)


def one_error_line(result: Result) -> str:
    """The single `error: ...` line on stderr; fails on anything else there."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]
