"""Fine-tuning the tiny Llama with the real Trainer and peft: the output
loads with --model and evolves, training is seeded and resumes from its
checkpoint, the card says what went in, and nothing half-written is left."""

from __future__ import annotations

import json
import warnings
from dataclasses import replace
from pathlib import Path

import torch
from openelm.evolve import run_summary, start_run
from openelm.finetune import build_dataset
from openelm.finetune.training import TrainingSettings, finetune, partial_dir
from openelm.llm import load_language_model
from openelm.store import RunStore
from safetensors.torch import load_file

from tests.evolve.conftest import make_config

ADAPTER = "adapter_model.safetensors"


def _settings(tiny_model_dir: Path, **changes: object) -> TrainingSettings:
    base = TrainingSettings(
        base_model=str(tiny_model_dir),
        max_steps=4,
        batch_size=2,
        max_length=128,
        save_steps=2,
        lora_layers=2,
        device="cpu",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_finetune_loads_and_evolves_end_to_end(
    tiny_model_dir: Path, random_run: Path, tmp_path: Path
) -> None:
    dataset = build_dataset([random_run], "elites", threshold=0.8)
    out = tmp_path / "tuned"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outcome = finetune(dataset, out, _settings(tiny_model_dir))
        tuned = load_language_model(str(out), device="cpu", dtype="float32")
    # peft's read of a deprecated transformers property is not the user's business.
    assert not [w for w in caught if "is_gradient_checkpointing" in str(w.message)]
    assert outcome.finished and outcome.steps == 4 and outcome.final_loss is not None
    assert (out / ADAPTER).is_file() and (out / "adapter_config.json").is_file()
    assert not partial_dir(out).exists() and not (out / "checkpoints").exists()
    # The adapter really changed the model: merged weights differ from the base.
    base = load_language_model(str(tiny_model_dir), device="cpu", dtype="float32")
    changed = [
        name
        for name, weight in tuned.model.state_dict().items()
        if not torch.equal(weight, base.model.state_dict()[name])
    ]
    assert changed and all("layers." in name for name in changed)
    assert tuned.identity.name == "tuned"
    assert tuned.identity.finetuned_from.startswith("lora fine-tune of ")
    run_dir = tmp_path / "evolved"
    start_run(
        make_config(
            operator="prompt", iterations=1, batch_size=2, model=str(out), max_new_tokens=8
        ),
        run_dir,
    )
    with RunStore.open(run_dir, read_only=True) as store:
        assert store.model_identity is not None and store.model_identity["name"] == "tuned"
        summary = run_summary(store)
        assert [p.completion_tokens > 0 for p in store.programs() if p.iteration == 1] == [
            True,
            True,
        ]
    assert "fine-tune of" in summary["model_origin"]
    assert str(tiny_model_dir) in summary["model_origin"]


def test_model_card_records_what_went_in(
    tiny_model_dir: Path, random_run: Path, tmp_path: Path
) -> None:
    dataset = build_dataset([random_run], "elites", threshold=0.8)
    out = tmp_path / "tuned"
    outcome = finetune(dataset, out, _settings(tiny_model_dir, seed=3))
    card = json.loads((out / "openelm.json").read_text())
    assert card["base_model"] == str(tiny_model_dir)
    assert card["base_revision"].startswith("sha256:")
    assert card["method"] == "lora"
    assert card["dataset"] == {
        "kind": "elites",
        "threshold": 0.8,
        "runs": [str(random_run.resolve())],
        "sha256": dataset.sha256,
        "examples": len(dataset.examples),
    }
    assert card["hyperparameters"]["seed"] == 3
    assert card["hyperparameters"]["learning_rate"] == 2e-4
    assert card["hyperparameters"]["max_steps"] == 4
    assert card["hyperparameters"]["lora_rank"] == 16
    assert card["steps"] == 4 and card["final_loss"] == outcome.final_loss
    readme = (out / "README.md").read_text()
    assert dataset.sha256 in readme and str(random_run.resolve()) in readme
    assert f"{len(dataset.examples)} elites examples at threshold 0.8" in readme


def test_same_data_and_seed_give_the_same_weights(
    tiny_model_dir: Path, random_run: Path, tmp_path: Path
) -> None:
    dataset = build_dataset([random_run], "targeted")
    weights = []
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        finetune(dataset, tmp_path / name, _settings(tiny_model_dir, seed=seed))
        weights.append(load_file(tmp_path / name / ADAPTER))
    assert weights[0].keys() == weights[1].keys()
    assert all(torch.equal(weights[0][key], weights[1][key]) for key in weights[0])
    assert any(not torch.equal(weights[0][key], weights[2][key]) for key in weights[0])


def test_a_stopped_finetune_resumes_from_its_checkpoint(
    tiny_model_dir: Path, random_run: Path, tmp_path: Path
) -> None:
    dataset = build_dataset([random_run], "elites", threshold=0.5)
    settings = _settings(tiny_model_dir, max_steps=6, save_steps=2)
    finetune(dataset, tmp_path / "whole", settings)
    out = tmp_path / "stopped"
    steps_seen = []

    def stop_after_three() -> bool:
        steps_seen.append(1)
        return len(steps_seen) >= 3

    stopped = finetune(dataset, out, settings, should_stop=stop_after_three)
    assert not stopped.finished and stopped.steps == 3
    assert not out.exists()
    assert (partial_dir(out) / "checkpoints" / "checkpoint-3").is_dir()
    resumed = finetune(dataset, out, settings)
    assert resumed.finished and resumed.resumed_from == "checkpoint-3" and resumed.steps == 6
    whole = load_file(tmp_path / "whole" / ADAPTER)
    again = load_file(out / ADAPTER)
    assert all(torch.allclose(whole[key], again[key], atol=1e-6) for key in whole)


def test_full_finetune_trains_every_weight(
    tiny_model_dir: Path, random_run: Path, tmp_path: Path
) -> None:
    dataset = build_dataset([random_run], "elites")
    out = tmp_path / "full"
    finetune(
        dataset, out, _settings(tiny_model_dir, method="full", max_steps=2, learning_rate=1e-3)
    )
    assert (out / "config.json").is_file() and not (out / "adapter_config.json").exists()
    tuned = load_language_model(str(out), device="cpu", dtype="float32").model.state_dict()
    base = load_language_model(
        str(tiny_model_dir), device="cpu", dtype="float32"
    ).model.state_dict()
    assert all(not torch.equal(tuned[name], base[name]) for name in base if "layers.0." in name)
    assert json.loads((out / "openelm.json").read_text())["method"] == "full"
