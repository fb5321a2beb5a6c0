"""Entry point: the command group, which turns every error into one line and
an exit code (openelm_cli.errors decides which)."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import click

from openelm_cli.commands.evolve import evolve_command
from openelm_cli.commands.export import export_command
from openelm_cli.commands.finetune import finetune_command
from openelm_cli.commands.render import render_command
from openelm_cli.commands.report import report_command
from openelm_cli.commands.runs import runs_command
from openelm_cli.commands.sandbox_check import sandbox_check_command
from openelm_cli.commands.show import show_command
from openelm_cli.commands.simulate import simulate_command
from openelm_cli.errors import TRACEBACK_ENV, exit_code_and_message
from openelm_cli.output import print_error


class OpenelmGroup(click.Group):
    """A group whose `main` never lets an exception out: each becomes one
    line on stderr and an exit code, in standalone mode (the `openelm`
    script, CliRunner) and when called as a function alike."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> int:
        try:
            result = super().main(
                args, prog_name or "openelm", complete_var, standalone_mode=False, **extra
            )
            code = result if isinstance(result, int) else 0
        except (Exception, KeyboardInterrupt) as error:
            code, message = exit_code_and_message(error)
            if os.environ.get(TRACEBACK_ENV) and not isinstance(error, click.ClickException):
                traceback.print_exception(error)
            print_error(message)
        if standalone_mode:
            sys.exit(code)
        return code


@click.group(cls=OpenelmGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="openelm", prog_name="openelm")
def cli() -> None:
    """openelm: Evolution through Large Models for Sodarace walkers.

    \b
    Examples:
      openelm simulate walker.json
      openelm evolve --mutation random --iterations 20
      openelm show runs/20250101-120000
    """


cli.add_command(simulate_command)
cli.add_command(evolve_command)
cli.add_command(runs_command)
cli.add_command(show_command)
cli.add_command(export_command)
cli.add_command(finetune_command)
cli.add_command(sandbox_check_command)
cli.add_command(render_command)
cli.add_command(report_command)


def main(argv: list[str] | None = None) -> int:
    """Runs the CLI and returns its exit code (the `openelm` script)."""
    return cli.main(args=argv, prog_name="openelm", standalone_mode=False)


if __name__ == "__main__":
    sys.exit(main())
