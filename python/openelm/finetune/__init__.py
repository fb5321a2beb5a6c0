"""Stage 2 of ELM: fine-tuning the mutation model on what evolution found.

- `datasets`: the `accepted`, `elites` and `targeted` datasets of run stores,
  and writing them as JSON lines;
- `training`: transformers' Trainer with a peft LoRA adapter (or every
  weight), seeded, resumable, written atomically;
- `card`: the model card (`openelm.json` + `README.md`).

See docs/finetune.md.
"""

from openelm.finetune.card import describe_origin, read_model_card
from openelm.finetune.datasets import (
    DATASET_KINDS,
    DEFAULT_DATASET,
    DEFAULT_MAX_LENGTH,
    DEFAULT_THRESHOLD,
    MIN_EXAMPLES,
    Dataset,
    DatasetError,
    Example,
    build_dataset,
    write_jsonl,
)

__all__ = [
    "DATASET_KINDS",
    "DEFAULT_DATASET",
    "DEFAULT_MAX_LENGTH",
    "DEFAULT_THRESHOLD",
    "MIN_EXAMPLES",
    "Dataset",
    "DatasetError",
    "Example",
    "build_dataset",
    "describe_origin",
    "read_model_card",
    "write_jsonl",
]
