"""Library exceptions. Each carries a one-line message and the exit code the
command line should use, so the CLI never has to guess."""


class OpenelmError(Exception):
    """Base class for errors a user can act on; `exit_code` is 1 by default."""

    exit_code = 1


class InputFileError(OpenelmError):
    """A file the user named is missing, unreadable or malformed (usage error)."""

    exit_code = 2
