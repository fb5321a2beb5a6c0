"""`openelm finetune RUN_DIR... --out MODEL_DIR`: Stage 2, fine-tuning the
mutation model on runs' datasets, with a live progress bar (loss, ETA)."""

from __future__ import annotations

import signal
from pathlib import Path
from types import FrameType
from typing import Any

import click
from openelm.finetune import (
    DATASET_KINDS,
    DEFAULT_DATASET,
    DEFAULT_MAX_LENGTH,
    MIN_EXAMPLES,
)
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from openelm_cli.common_options import out_option, threshold_option
from openelm_cli.output import console


@click.command("finetune")
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(path_type=Path))
@out_option("The new model directory.", metavar="MODEL_DIR", path_type=Path)
@click.option(
    "--dataset",
    type=click.Choice(DATASET_KINDS),
    default=DEFAULT_DATASET,
    show_default=True,
    help="What to train on.",
)
@threshold_option
@click.option(
    "--base", default=None, metavar="MODEL", help="Base model (default: the embedded SmolLM2-135M)."
)
@click.option(
    "--lora/--full", default=True, show_default=True, help="Train a LoRA adapter, or every weight."
)
@click.option(
    "--epochs",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Passes over the data [default: 1].",
)
@click.option(
    "--max-steps",
    type=click.IntRange(min=1),
    default=None,
    help="Stop after N optimizer steps (overrides --epochs).",
)
@click.option(
    "--max-length",
    type=click.IntRange(min=16),
    default=None,
    help="Tokens per example; the prompt is cut from the left to fit [default: "
    f"{DEFAULT_MAX_LENGTH}].",
)
@click.option("--seed", type=int, default=None, help="Training seed [default: 0].")
@click.option(
    "--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True
)
def finetune_command(
    run_dirs: tuple[Path, ...],
    out: Path,
    dataset: str,
    threshold: float,
    base: str | None,
    lora: bool,
    epochs: float | None,
    max_steps: int | None,
    max_length: int | None,
    seed: int | None,
    device: str,
) -> None:
    """Fine-tune a language model on what runs found, into MODEL_DIR, which
    then loads with --model MODEL_DIR. Datasets: accepted (children that
    entered the archive, in their operator's prompt), elites (programs at
    --threshold of their niche's best), targeted (parent -> child with the
    child's descriptors in the prompt), structural (targeted pairs across
    runs whose child has another joint count). Ctrl-C saves a checkpoint; the same
    command resumes it.

    \b
    Examples:
      openelm finetune runs/a runs/b --out models/tuned
      openelm finetune runs/a --dataset elites --threshold 0.8 --out models/stage2
      openelm finetune runs/square runs/radial --dataset structural --out models/shapes
      openelm evolve --model models/tuned --mutation prompt
    """
    from dataclasses import replace

    from openelm.finetune import build_dataset
    from openelm.finetune.training import TrainingSettings, check_output_dir, finetune

    check_output_dir(out)
    data = build_dataset(list(run_dirs), dataset, threshold=threshold, min_examples=MIN_EXAMPLES)  # type: ignore[arg-type]
    defaults = TrainingSettings()
    settings = replace(
        defaults,
        base_model=base or defaults.base_model,
        method="lora" if lora else "full",
        epochs=defaults.epochs if epochs is None else epochs,
        max_steps=max_steps,
        max_length=defaults.max_length if max_length is None else max_length,
        seed=defaults.seed if seed is None else seed,
        device=device,  # type: ignore[arg-type]
    )
    console.print(
        f"{len(data.examples)} {dataset} examples from {len(run_dirs)} run(s); training {settings.method} on {settings.base_model}"
    )
    stop = _SigintFlag()
    with _progress() as progress, stop:
        outcome = finetune(
            data, out, settings, callbacks=[_progress_callback(progress)], should_stop=stop.is_set
        )
    if not outcome.finished:
        console.print(f"stopped at step {outcome.steps}; resume with the same command")
        return
    loss = "-" if outcome.final_loss is None else f"{outcome.final_loss:.4f}"
    resumed = f" (resumed from {outcome.resumed_from})" if outcome.resumed_from else ""
    console.print(
        f"wrote {out}: {outcome.steps} steps{resumed}, final loss {loss}, {outcome.train_seconds:.0f} s"
    )


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]fine-tuning"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("loss {task.fields[loss]}"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def _progress_callback(progress: Progress) -> Any:
    """A TrainerCallback driving the rich bar (transformers is imported only here)."""
    from transformers import TrainerCallback

    class ProgressCallback(TrainerCallback):  # type: ignore[misc]
        task: Any = None

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.task = progress.add_task(
                "train", total=state.max_steps, completed=state.global_step, loss="-"
            )

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            progress.update(self.task, completed=state.global_step)

        def on_log(
            self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any
        ) -> None:
            if logs and "loss" in logs:
                progress.update(self.task, loss=f"{logs['loss']:.4f}")

    return ProgressCallback()


class _SigintFlag:
    """The first Ctrl-C asks training to checkpoint and stop; a second stops at once."""

    def __init__(self) -> None:
        self._set = False
        self._previous: Any = None

    def is_set(self) -> bool:
        return self._set

    def __enter__(self) -> _SigintFlag:
        self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._set:
            raise KeyboardInterrupt
        self._set = True
