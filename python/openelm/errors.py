"""Library exceptions. Each carries a one-line message and the exit code the
command line should use, so the CLI never has to guess."""


class OpenelmError(Exception):
    """Base class for errors a user can act on; `exit_code` is 1 by default."""

    exit_code = 1


class InputFileError(OpenelmError):
    """A file the user named is missing, unreadable or malformed (usage error)."""

    exit_code = 2


class ConfigFieldError(OpenelmError):
    """A config field holds a bad value (usage error).

    `field` is the dotted path of the field at fault, e.g.
    "mutation.mix_weights"; `mentions` are other dotted paths the message
    names word for word. Messages speak of fields, never of flags, so a
    front end can put its own names (the CLI's flags) in their place.
    """

    exit_code = 2

    def __init__(self, field: str, message: str, *, mentions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.field = field
        self.mentions = mentions
