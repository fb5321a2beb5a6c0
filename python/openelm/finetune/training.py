"""Fine-tuning a causal language model on a `Dataset` with transformers'
`Trainer` and peft's LoRA (or every weight with `method="full"`).

The model trains in a temporary directory beside the output
(`.<name>.partial`); its checkpoints live there, so a stopped fine-tune
rerun with the same data and settings resumes from the last one. Only a
finished model is renamed into place, so the output directory is never
half-written. Loss is taken on the completion only (the prompt's labels are
masked). On CPU, the same data, settings and seed give the same weights.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

import torch
from transformers import PrinterCallback, TrainerCallback

from openelm.errors import OpenelmError
from openelm.finetune.card import write_model_card
from openelm.finetune.datasets import DEFAULT_MAX_LENGTH, Dataset
from openelm.llm.embedded import EMBEDDED_MODEL_NAME
from openelm.llm.healing import healed_split
from openelm.llm.models import resolve_device, resolve_dtype, resolve_model
from openelm.llm.transformers_compat import peft_wrapping

Method = Literal["lora", "full"]
LORA_TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
SETTINGS_RECORD = "openelm-finetune-settings.json"
CHECKPOINTS = "checkpoints"
IGNORE_INDEX = -100


class FinetuneError(OpenelmError):
    exit_code = 2


@dataclass(frozen=True)
class TrainingSettings:
    """Every training default lives here (see docs/finetune.md for why)."""

    base_model: str = EMBEDDED_MODEL_NAME
    method: Method = "lora"
    epochs: float = 1.0
    max_steps: int | None = None  # overrides epochs when set
    seed: int = 0
    batch_size: int = 4
    learning_rate: float | None = None  # None: 2e-4 for LoRA, 2e-5 for full
    # Prompt tokens are cut from the left to fit: the end of the prompt (the
    # parent's make_walker and the instruction) matters most, and on 2 CPU
    # cores the cost of a step grows with its length (see DEFAULT_MAX_LENGTH).
    max_length: int = DEFAULT_MAX_LENGTH
    lora_rank: int = 16
    lora_alpha: int = 32
    # LoRA on the last N decoder layers only: backward stops there, which
    # roughly halves a step on CPU against adapting all 30 of SmolLM2's.
    lora_layers: int = 8
    save_steps: int = 50
    device: Literal["auto", "cpu", "cuda"] = "auto"
    # None: on for CUDA (memory-bound), off on CPU (it costs a third more compute).
    gradient_checkpointing: bool | None = None

    @property
    def resolved_learning_rate(self) -> float:
        if self.learning_rate is not None:
            return self.learning_rate
        return 2e-4 if self.method == "lora" else 2e-5


@dataclass(frozen=True)
class TrainingOutcome:
    out_dir: Path
    finished: bool  # False: stopped early; rerun the same command to resume
    steps: int
    final_loss: float | None
    resumed_from: str | None
    train_seconds: float


def finetune(
    dataset: Dataset,
    out_dir: str | Path,
    settings: TrainingSettings = TrainingSettings(),
    *,
    callbacks: Sequence[Any] = (),
    should_stop: Callable[[], bool] = lambda: False,
) -> TrainingOutcome:
    """Train on `dataset` and write the model (LoRA adapter or full weights)
    and its card to `out_dir`. `callbacks` are transformers TrainerCallbacks
    (a progress bar); `should_stop` is polled after every step: when it
    turns true, a checkpoint is saved and training stops unfinished."""
    from transformers import Trainer

    out_dir = Path(out_dir)
    check_output_dir(out_dir)
    resolved = _resolve_base(settings.base_model)
    partial = _prepare_partial(out_dir, dataset, settings)
    device = resolve_device(settings.device)
    model, tokenizer = _load_trainable(resolved.path, settings, device)
    examples = tokenize_examples(dataset, tokenizer, settings.max_length)
    checkpoint = _last_checkpoint(partial / CHECKPOINTS)
    trainer = Trainer(
        model=model,
        args=_training_arguments(partial / CHECKPOINTS, settings, device, model),
        train_dataset=examples,
        data_collator=_PadCollator(tokenizer.pad_token_id),
        callbacks=[*callbacks, _StopWhen(should_stop)],
    )
    # With tqdm off, Trainer prints every log dict; the caller shows progress.
    trainer.remove_callback(PrinterCallback)
    result = trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    steps = trainer.state.global_step
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    final_loss = losses[-1] if losses else None
    seconds = float(result.metrics.get("train_runtime", 0.0))
    if steps < trainer.state.max_steps:
        return TrainingOutcome(partial, False, steps, final_loss, _name(checkpoint), seconds)
    _save_model(trainer.model, tokenizer, settings, partial)
    write_model_card(
        partial,
        dataset,
        base_model=settings.base_model,
        base_revision=resolved.revision,
        method=settings.method,
        hyperparameters=_hyperparameters(settings),
        steps=steps,
        final_loss=final_loss,
    )
    shutil.rmtree(partial / CHECKPOINTS, ignore_errors=True)
    (partial / SETTINGS_RECORD).unlink(missing_ok=True)
    try:
        partial.rename(out_dir)
    except OSError as error:
        raise FinetuneError(f"cannot move the model into {out_dir}: {error.strerror}") from None
    return TrainingOutcome(out_dir, True, steps, final_loss, _name(checkpoint), seconds)


def partial_dir(out_dir: Path) -> Path:
    """Where the model for `out_dir` trains: a hidden sibling, same filesystem."""
    return out_dir.parent / f".{out_dir.name}.partial"


def check_output_dir(out_dir: Path) -> None:
    """FinetuneError unless `out_dir` is new and its parent is writable."""
    if out_dir.exists():
        raise FinetuneError(f"{out_dir} already exists; give a new directory for the model")
    parent = out_dir.parent
    if not parent.is_dir():
        raise FinetuneError(f"cannot write {out_dir}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise FinetuneError(f"cannot write {out_dir}: {parent} is not writable")


def tokenize_examples(
    dataset: Dataset, tokenizer: Any, max_length: int
) -> list[dict[str, list[int]]]:
    """input_ids and labels per example, tokenized as generation sees them:
    a trailing whitespace token of the prompt moves to the completion (token
    healing, `openelm.llm.healing`), labels mask the prompt, the completion
    ends with EOS, and the prompt is cut from the left to fit."""

    def text_of(token_id: int) -> str:
        return str(tokenizer.decode([token_id], clean_up_tokenization_spaces=False))

    rows = []
    for example in dataset.examples:
        prompt_ids = tokenizer(example.prompt, add_special_tokens=False)["input_ids"]
        prompt, healed_text = healed_split(prompt_ids, text_of)
        completion = tokenizer(healed_text + example.completion, add_special_tokens=False)[
            "input_ids"
        ]
        completion = [*completion, tokenizer.eos_token_id][: max_length - 1]
        room = max_length - len(completion)  # at least 1
        prompt = prompt[-room:]
        rows.append(
            {
                "input_ids": prompt + completion,
                "labels": [IGNORE_INDEX] * len(prompt) + completion,
            }
        )
    return rows


class _PadCollator:
    """Right-pads a batch; padded positions are masked out of attention and loss."""

    def __init__(self, pad_token_id: int) -> None:
        self.pad_token_id = pad_token_id

    def __call__(self, rows: Sequence[dict[str, list[int]]]) -> dict[str, torch.Tensor]:
        width = max(len(row["input_ids"]) for row in rows)
        ids, labels, mask = [], [], []
        for row in rows:
            pad = width - len(row["input_ids"])
            ids.append(row["input_ids"] + [self.pad_token_id] * pad)
            labels.append(row["labels"] + [IGNORE_INDEX] * pad)
            mask.append([1] * len(row["input_ids"]) + [0] * pad)
        return {
            "input_ids": torch.tensor(ids),
            "labels": torch.tensor(labels),
            "attention_mask": torch.tensor(mask),
        }


class _StopWhen(TrainerCallback):
    """Saves a checkpoint and stops when `should_stop()` turns true (Ctrl-C)."""

    def __init__(self, should_stop: Callable[[], bool]) -> None:
        self.should_stop = should_stop

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        if self.should_stop():
            control.should_save = True
            control.should_training_stop = True
        return control


def _prepare_partial(out_dir: Path, dataset: Dataset, settings: TrainingSettings) -> Path:
    """The temp dir for this fine-tune; one left by an earlier, stopped run
    with the same data and settings is reused (its checkpoints resume)."""
    check_output_dir(out_dir)
    partial = partial_dir(out_dir)
    record = {"dataset_sha256": dataset.sha256, "settings": asdict(settings)}
    record_path = partial / SETTINGS_RECORD
    if partial.exists():
        try:
            previous = json.loads(record_path.read_text())
        except (OSError, ValueError):
            previous = None
        if previous != json.loads(json.dumps(record)):
            raise FinetuneError(
                f"{partial} holds an unfinished fine-tune of other data or settings; "
                "rerun it with the same arguments to resume, or delete it"
            )
        return partial
    try:
        partial.mkdir()
        record_path.write_text(json.dumps(record, indent=2) + "\n")
    except OSError as error:
        raise FinetuneError(f"cannot write {out_dir}: {error.strerror or error}") from None
    return partial


def _resolve_base(spec: str) -> Any:
    from openelm.llm.models import ModelNotFoundError

    try:
        return resolve_model(spec)
    except ModelNotFoundError as error:
        raise FinetuneError(f"base {error}") from None


def _load_trainable(
    path: Path, settings: TrainingSettings, device: torch.device
) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    # LoRA: frozen base weights in bfloat16 where the hardware has it (fast
    # matmuls), adapters in float32. Full: float32 master weights, bfloat16
    # autocast, so small updates are not rounded away.
    low_precision = resolve_dtype("auto", device) == torch.bfloat16
    base_dtype = torch.bfloat16 if settings.method == "lora" and low_precision else torch.float32
    torch.manual_seed(settings.seed)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=base_dtype, local_files_only=True)
    if settings.method == "lora":
        from peft import LoraConfig, get_peft_model

        layer_count = int(model.config.num_hidden_layers)
        first = max(0, layer_count - settings.lora_layers)
        config = LoraConfig(
            r=settings.lora_rank,
            lora_alpha=settings.lora_alpha,
            lora_dropout=0.0,
            target_modules=list(LORA_TARGET_MODULES),
            layers_to_transform=list(range(first, layer_count)),
            task_type="CAUSAL_LM",
        )
        with peft_wrapping():
            return get_peft_model(model, config), tokenizer
    return model, tokenizer


def _training_arguments(
    checkpoints: Path, settings: TrainingSettings, device: torch.device, model: Any
) -> Any:
    from transformers import TrainingArguments

    on_cuda = device.type == "cuda"
    checkpointing = (
        on_cuda if settings.gradient_checkpointing is None else settings.gradient_checkpointing
    )
    if checkpointing and settings.method == "lora":
        model.enable_input_require_grads()
    return TrainingArguments(
        output_dir=str(checkpoints),
        num_train_epochs=settings.epochs,
        max_steps=settings.max_steps if settings.max_steps is not None else -1,
        per_device_train_batch_size=settings.batch_size,
        learning_rate=settings.resolved_learning_rate,
        lr_scheduler_type="linear",
        warmup_steps=0,
        seed=settings.seed,
        data_seed=settings.seed,
        bf16=resolve_dtype("auto", device) == torch.bfloat16,
        use_cpu=not on_cuda,
        activation_checkpointing=checkpointing,
        logging_steps=1,
        save_strategy="steps",
        save_steps=settings.save_steps,
        save_total_limit=1,
        report_to="none",
        disable_tqdm=True,
        log_level="error",
        dataloader_num_workers=0,
        remove_unused_columns=False,
    )


def _last_checkpoint(checkpoints: Path) -> Path | None:
    if not checkpoints.is_dir():
        return None
    from transformers.trainer_utils import get_last_checkpoint

    found = get_last_checkpoint(str(checkpoints))  # type: ignore[no-untyped-call]
    return Path(found) if found else None


def _save_model(model: Any, tokenizer: Any, settings: TrainingSettings, out: Path) -> None:
    """A LoRA adapter (loaded on top of its base) or the full weights, with the tokenizer."""
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


def _hyperparameters(settings: TrainingSettings) -> dict[str, Any]:
    values = asdict(replace(settings, learning_rate=settings.resolved_learning_rate))
    values.pop("base_model")
    values.pop("device")
    return values


def _name(checkpoint: Path | None) -> str | None:
    return checkpoint.name if checkpoint else None
