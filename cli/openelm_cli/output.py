"""Printing helpers shared by the commands: rich tables for people, JSON for
programs, and one-line errors on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console()
error_console = Console(stderr=True, highlight=False, soft_wrap=True)


def print_error(message: str) -> None:
    # soft_wrap keeps the message on one line however narrow the terminal.
    error_console.print(f"[bold red]error:[/] {message}", markup=True, emoji=False)


def print_warning(message: str) -> None:
    error_console.print(f"[bold yellow]warning:[/] {message}", markup=True, emoji=False)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def key_value_table(title: str, rows: list[tuple[str, str]]) -> Table:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for key, value in rows:
        table.add_row(key, value)
    return table
