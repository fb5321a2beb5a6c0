"""Reading walkers from the files a user names on the command line."""

from __future__ import annotations

from pathlib import Path

from openelm._sodarace import Walker
from openelm.errors import InputFileError


def read_text(path: str | Path) -> str:
    """Returns the file's text, or raises InputFileError naming the problem."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"file not found: {path}")
    if not path.is_file():
        raise InputFileError(f"not a file: {path}")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise InputFileError(f"{path} is not UTF-8 text: {e.reason} at byte {e.start}") from None
    except OSError as e:
        raise InputFileError(f"cannot read {path}: {e.strerror}") from None


def load_walker_json(path: str | Path) -> Walker:
    """Parses a walker JSON file. Shape errors raise InputFileError; the
    physical rules are checked later by validation/simulation."""
    text = read_text(path)
    try:
        return Walker.from_json(text)
    except ValueError as e:
        raise InputFileError(f"{path}: {e}") from None
