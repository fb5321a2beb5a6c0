"""Entry point: the command group and the one place errors become exit codes."""

from __future__ import annotations

import sys

import click
from openelm.errors import OpenelmError

from openelm_cli.commands.evolve import evolve_command
from openelm_cli.commands.export import export_command
from openelm_cli.commands.render import render_command
from openelm_cli.commands.report import report_command
from openelm_cli.commands.runs import runs_command
from openelm_cli.commands.sandbox_check import sandbox_check_command
from openelm_cli.commands.show import show_command
from openelm_cli.commands.simulate import simulate_command
from openelm_cli.output import print_error


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="openelm", prog_name="openelm")
def cli() -> None:
    """openelm: Evolution through Large Models for Sodarace walkers.

    \b
    Examples:
      openelm simulate walker.json
      openelm simulate walker.json --json --seconds 30
    """


cli.add_command(simulate_command)
cli.add_command(evolve_command)
cli.add_command(runs_command)
cli.add_command(show_command)
cli.add_command(export_command)
cli.add_command(sandbox_check_command)
cli.add_command(render_command)
cli.add_command(report_command)


def main(argv: list[str] | None = None) -> int:
    """Runs the CLI. Usage errors exit 2, library errors exit with their own
    code; both print one line, never a traceback."""
    try:
        code = cli.main(args=argv, prog_name="openelm", standalone_mode=False)
    except click.UsageError as e:
        print_error(e.format_message())
        return 2
    except click.ClickException as e:
        print_error(e.format_message())
        return e.exit_code
    except click.Abort:
        print_error("aborted")
        return 130
    except OpenelmError as e:
        print_error(str(e))
        return e.exit_code
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
