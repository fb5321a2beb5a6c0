"""Errors of the sandbox pool."""

from openelm.errors import OpenelmError


class SandboxError(OpenelmError):
    """The pool cannot run: workers fail to start, or it was used after close."""


class SandboxUnavailableError(SandboxError):
    """The kernel refuses the seccomp lockdown, and running genomes without it
    was not explicitly allowed (`allow_unsandboxed=True`)."""


class SandboxWarning(UserWarning):
    """Genomes are being run without the seccomp lockdown."""


class GenomeError(OpenelmError):
    """A genome built no valid walker; the message names file, position,
    status and reason."""
