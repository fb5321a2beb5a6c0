"""The model card of a fine-tuned model: `openelm.json` (for programs) and
`README.md` (for people), written into the model directory.

`openelm.json` gives the base model and its revision, the method (LoRA or
full), the dataset kind, its source runs and sha256, the example count, the
threshold, the hyperparameters, the steps and the final loss. The model
loader reads it to find an adapter's base; `show` names the model a run
came from with it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openelm.finetune.datasets import Dataset

CARD_NAME = "openelm.json"
README_NAME = "README.md"
CARD_FORMAT = 1


def write_model_card(
    model_dir: Path,
    dataset: Dataset,
    *,
    base_model: str,
    base_revision: str,
    method: str,
    hyperparameters: dict[str, Any],
    steps: int,
    final_loss: float | None,
) -> dict[str, Any]:
    card = {
        "format": CARD_FORMAT,
        "kind": "openelm-finetune",
        "base_model": base_model,
        "base_revision": base_revision,
        "method": method,
        "dataset": {
            "kind": dataset.kind,
            "threshold": dataset.threshold,
            "runs": list(dataset.runs),
            "sha256": dataset.sha256,
            "examples": len(dataset.examples),
        },
        "hyperparameters": hyperparameters,
        "steps": steps,
        "final_loss": final_loss,
    }
    (model_dir / CARD_NAME).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    (model_dir / README_NAME).write_text(_readme(model_dir.name, card), encoding="utf-8")
    return card


def read_model_card(model_dir: str | Path) -> dict[str, Any] | None:
    """The card in `model_dir`, or None when there is none (not a fine-tune)."""
    try:
        card = json.loads((Path(model_dir) / CARD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return card if isinstance(card, dict) and card.get("kind") == "openelm-finetune" else None


def describe_origin(card: dict[str, Any]) -> str:
    """One line: what the model was fine-tuned from and on."""
    dataset = card["dataset"]
    threshold = (
        f" at threshold {dataset['threshold']}" if dataset.get("threshold") is not None else ""
    )
    return (
        f"{card['method']} fine-tune of {card['base_model']} on {dataset['examples']} "
        f"{dataset['kind']} examples{threshold} from {len(dataset['runs'])} run(s)"
    )


def _readme(name: str, card: dict[str, Any]) -> str:
    dataset = card["dataset"]
    loss = "n/a" if card["final_loss"] is None else f"{card['final_loss']:.4f}"
    lines = [
        f"# {name}",
        "",
        f"A {describe_origin(card)}, made by `openelm finetune`.",
        "",
        "Use it with `openelm evolve --model " + name + "` (the path to this directory).",
        "",
        "| | |",
        "|---|---|",
        f"| base model | `{card['base_model']}` ({card['base_revision']}) |",
        f"| method | {card['method']} |",
        f"| dataset | {dataset['kind']}, sha256 `{dataset['sha256']}` |",
        f"| examples | {dataset['examples']} |",
        f"| threshold | {dataset['threshold'] if dataset['threshold'] is not None else '-'} |",
        f"| steps | {card['steps']} |",
        f"| final loss | {loss} |",
        "",
        "Source runs:",
        "",
        *[f"- `{run}`" for run in dataset["runs"]],
        "",
        "Hyperparameters:",
        "",
        *[f"- {key}: {value}" for key, value in card["hyperparameters"].items()],
        "",
    ]
    return "\n".join(lines)
