"""Options that set config fields: one row per option, one table per config.

A row names the dotted config field it sets (e.g. "model.top_p") and its
click option. The table turns the rows into click options whose help shows
the library's default, and turns what the user typed into
{dotted path: value} overrides, the one form both a new run and a resumed
one take. Only typed options become overrides, so an untyped option means
"the library default" for a new run and "as stored" on resume. The table
also maps a field back to its flag, for error messages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click
from click.core import ParameterSource

F = TypeVar("F", bound=Callable[..., Any])

# Where a value comes from when the user supplied it.
_TYPED = (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)


@dataclass(frozen=True)
class ConfigOption:
    """One option: `flag` sets config field `path`.

    `click_kwargs` go to `click.option` as they are (type, help, metavar,
    multiple, is_flag...). `default_text` replaces the shown default where
    the library's is not a plain value ("one per core"). Rows of one
    `group` replace the group's fields together: typing any of them sets
    the untyped ones to None (the budget: `--evaluations N` alone means "no
    iteration limit", also on resume).
    """

    path: str
    flag: str
    click_kwargs: Mapping[str, Any] = field(default_factory=dict)
    default_text: str | None = None
    group: str | None = None

    @property
    def param(self) -> str:
        """The click parameter name: `--top-p` -> `top_p`."""
        return self.flag.lstrip("-").replace("-", "_")


def option(
    path: str,
    flag: str,
    *,
    default_text: str | None = None,
    group: str | None = None,
    **click_kwargs: Any,
) -> ConfigOption:
    """A table row; see ConfigOption."""
    return ConfigOption(path, flag, click_kwargs, default_text, group)


class OptionTable:
    """The rows of one config, with the library's defaults for their help."""

    def __init__(self, defaults: Mapping[str, Any], *rows: ConfigOption) -> None:
        self.rows = rows
        self._defaults = defaults
        unknown = [row.path for row in rows if row.path not in defaults]
        if unknown:
            raise ValueError(f"options for unknown config fields: {', '.join(unknown)}")

    def options(self, command: F) -> F:
        """Decorates a command with every row's click option, in table order."""
        for row in reversed(self.rows):
            command = click.option(row.flag, row.param, **self._click_kwargs(row))(command)
        return command

    def overrides(self, ctx: click.Context, values: Mapping[str, Any]) -> dict[str, Any]:
        """{config path: value} for what the user typed (and its groups)."""
        typed = {row.param for row in self.rows if ctx.get_parameter_source(row.param) in _TYPED}
        groups = {row.group for row in self.rows if row.param in typed and row.group}
        return {
            row.path: values[row.param] if row.param in typed else None
            for row in self.rows
            if row.param in typed or (row.group is not None and row.group in groups)
        }

    def flag_for(self, path: str) -> str | None:
        return next((row.flag for row in self.rows if row.path == path), None)

    def _click_kwargs(self, row: ConfigOption) -> dict[str, Any]:
        """The row's click kwargs, with the library's default as the shown
        one; the value itself is never used (see `overrides`)."""
        kwargs = dict(row.click_kwargs)
        if row.default_text is not None:
            help_text = kwargs.get("help")
            shown = f"[default: {row.default_text}]"
            kwargs["help"] = f"{help_text} {shown}" if help_text else shown
            return kwargs
        value = self._defaults[row.path]
        if value is None or value == () or kwargs.get("is_flag"):
            return kwargs
        formatter = getattr(kwargs.get("type"), "format", None)
        kwargs["default"] = formatter(value) if callable(formatter) else value
        kwargs["show_default"] = True
        return kwargs
