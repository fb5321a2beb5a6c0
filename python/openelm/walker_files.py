"""Reading walkers from the files a user names on the command line: walker
JSON, or a genome (`.py`) run through the locked-down sandbox pool."""

from __future__ import annotations

from pathlib import Path

from openelm._sodarace import SimConfig, Walker
from openelm.errors import InputFileError
from openelm.sandbox import SandboxPool
from openelm.sandbox.errors import GenomeError


def _existing_file(path: str | Path) -> Path:
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"file not found: {path}")
    if not path.is_file():
        raise InputFileError(f"not a file: {path}")
    return path


def read_bytes(path: str | Path) -> bytes:
    """Returns the file's bytes, or raises InputFileError naming the problem."""
    path = _existing_file(path)
    try:
        return path.read_bytes()
    except OSError as e:
        raise InputFileError(f"cannot read {path}: {e.strerror}") from None


def read_text(path: str | Path) -> str:
    """Returns the file's text, or raises InputFileError naming the problem."""
    data = read_bytes(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputFileError(f"{path} is not UTF-8 text: {e.reason} at byte {e.start}") from None


def load_walker_json(path: str | Path) -> Walker:
    """Parses a walker JSON file. Shape errors raise InputFileError; the
    physical rules are checked later by validation/simulation."""
    text = read_text(path)
    try:
        return Walker.from_json(text)
    except ValueError as e:
        raise InputFileError(f"{path}: {e}") from None


def load_genome(path: str | Path, *, timeout_s: float, allow_unsandboxed: bool = False) -> Walker:
    """Runs a genome file's `make_walker()` in a locked-down sandbox worker
    and returns the walker it built (validated by the pool). A genome that
    builds no valid walker raises GenomeError naming status and position;
    the bytes go to the interpreter as they are, so bad encodings are its
    `syntax` errors."""
    source = read_bytes(path)
    # Simulation is the caller's job; the worker only has to build the body.
    with SandboxPool(
        1,
        timeout_s=timeout_s,
        sim_config=SimConfig(seconds=0.0, settle_seconds=0.0),
        allow_unsandboxed=allow_unsandboxed,
    ) as pool:
        (result,) = pool.evaluate([source])
    if not result.ok or result.walker_json is None:
        where = f"{path}:{result.line}:{result.col}" if result.line else str(path)
        raise GenomeError(f"{where}: {result.status}: {result.error}")
    return Walker.from_json(result.walker_json)


def load_walker(path: str | Path, *, timeout_s: float, allow_unsandboxed: bool = False) -> Walker:
    """A walker from `.py` (genome, through the sandbox) or any other file (JSON)."""
    if Path(path).suffix == ".py":
        return load_genome(path, timeout_s=timeout_s, allow_unsandboxed=allow_unsandboxed)
    return load_walker_json(path)
