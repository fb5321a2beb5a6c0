"""The one place an exception becomes an exit code and a one-line message.

Usage and config errors exit 2, a genome or walker that fails and other
library errors exit 1, an interrupt 130. Errors about a config field
name the field's flag, taken from the option tables. Nothing reaches the
user as a traceback: an unexpected OSError (an unwritable path, a missing
file) or a database error is one line too, and so is a bug, whose line
says how to see the traceback.
"""

from __future__ import annotations

import sqlite3

import click
from openelm._sodarace import InvalidWalkerError
from openelm.errors import ConfigFieldError, OpenelmError

from openelm_cli.evolve_options import EVOLVE_OPTIONS, RAY_FLAGS

EXIT_USAGE = 2
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130
# Set to see the traceback of an unexpected error.
TRACEBACK_ENV = "OPENELM_TRACEBACK"

# Library errors by class, most specific first, as "module.Class": by name
# so that mapping an error never imports its module (openelm.llm pulls in
# torch). A class not listed exits as its nearest listed base.
LIBRARY_EXIT_CODES: dict[str, int] = {
    "openelm.errors.ConfigFieldError": EXIT_USAGE,
    "openelm.errors.InputFileError": EXIT_USAGE,
    "openelm.store.RunStoreError": EXIT_USAGE,
    "openelm.distributed.cluster.ClusterError": EXIT_USAGE,
    "openelm.evolve.export.ExportError": EXIT_USAGE,
    "openelm.llm.models.ModelNotFoundError": EXIT_USAGE,
    "openelm.llm.llamacpp.LlamaCppModelError": EXIT_USAGE,
    "openelm.llm.completion.CompletionError": EXIT_FAILURE,
    "openelm.finetune.datasets.DatasetError": EXIT_USAGE,
    "openelm.finetune.training.FinetuneError": EXIT_USAGE,
    "openelm.render.writers.UnknownFormatError": EXIT_USAGE,
    "openelm.render.animate.RenderOptionsError": EXIT_USAGE,
    "openelm.sandbox.errors.GenomeError": EXIT_FAILURE,
    "openelm.errors.OpenelmError": EXIT_FAILURE,
}

# OS errors about a path the user named: usage errors.
_PATH_ERRORS = (
    FileNotFoundError,
    FileExistsError,
    IsADirectoryError,
    NotADirectoryError,
    PermissionError,
)


def exit_code_and_message(error: BaseException) -> tuple[int, str]:
    """What the user sees for `error`: the exit code and one line."""
    code, message = _classify(error)
    return code, one_line(message)


def _classify(error: BaseException) -> tuple[int, str]:
    if isinstance(error, click.UsageError):
        return EXIT_USAGE, error.format_message()
    if isinstance(error, click.ClickException):
        return error.exit_code, error.format_message()
    if isinstance(error, (click.Abort, KeyboardInterrupt)):
        return EXIT_INTERRUPTED, "interrupted"
    if isinstance(error, ConfigFieldError):
        return EXIT_USAGE, config_field_message(error)
    if isinstance(error, OpenelmError):
        return library_exit_code(error), str(error)
    if isinstance(error, InvalidWalkerError):
        return EXIT_FAILURE, f"invalid walker: {error}"
    if isinstance(error, OSError):
        return (EXIT_USAGE if isinstance(error, _PATH_ERRORS) else EXIT_FAILURE), os_message(error)
    if isinstance(error, sqlite3.Error):
        return EXIT_USAGE, f"not a readable run database ({error})"
    hint = f"; set {TRACEBACK_ENV}=1 for the traceback"
    return EXIT_FAILURE, f"internal error: {type(error).__name__}: {error}{hint}"


def one_line(message: str) -> str:
    return " ".join(message.split())


def config_field_message(error: ConfigFieldError) -> str:
    """The library's message with flags in place of the fields it names."""
    message = str(error)
    for path in error.mentions:
        flag = EVOLVE_OPTIONS.flag_for(path)
        if flag is not None:
            message = message.replace(path, flag)
    flag = EVOLVE_OPTIONS.flag_for(error.field) or RAY_FLAGS.get(error.field)
    return f"{flag}: {message}" if flag is not None else message


def library_exit_code(error: OpenelmError) -> int:
    for cls in type(error).__mro__:
        code = LIBRARY_EXIT_CODES.get(f"{cls.__module__}.{cls.__qualname__}")
        if code is not None:
            return code
    return EXIT_FAILURE


def os_message(error: OSError) -> str:
    reason = error.strerror or str(error)
    return f"{error.filename}: {reason}" if error.filename else reason
