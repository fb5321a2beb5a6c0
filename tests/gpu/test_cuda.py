"""The GPU paths, on a CUDA device: the transformers engine writes on the
GPU in bfloat16, `evolve --device cuda` runs end to end, and `finetune
--device cuda` trains. Skipped where torch sees no GPU (CI has none); run
on the device machine with `pytest tests/gpu` (docs/backends.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from openelm.evolve import start_run
from openelm.evolve.generation import LanguageModelCompleter
from openelm.records import ModelConfig
from openelm.store import RunStore

from tests.evolve.conftest import make_config, run_openelm
from tests.tiny_llama import WALKER_PROMPT, build_tiny_model_dir

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model_dir(tmp_path_factory.mktemp("tiny-llama"))


def test_the_transformers_engine_writes_on_the_gpu(tiny_model_dir: Path) -> None:
    config = ModelConfig(model=str(tiny_model_dir), device="cuda", max_new_tokens=24)
    completer = LanguageModelCompleter(config)
    assert completer.identity["device"].startswith("cuda")
    assert completer.identity["dtype"] == "bfloat16"
    prompts = [WALKER_PROMPT] * 6 + [WALKER_PROMPT + "    # variant\n"] * 2
    first = completer.complete(prompts, seed=7)
    assert len(first) == len(prompts)
    assert all(c.completion_tokens > 0 and c.prompt_tokens > 0 for c in first)
    # The same seed writes the same batch again; a slice, its part of it.
    assert completer.complete(prompts, seed=7) == first
    assert completer.complete(prompts[3:], seed=7, first_index=3) == first[3:]


def test_evolve_runs_on_the_gpu(tiny_model_dir: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    result = run_openelm(
        [
            "evolve",
            "--model",
            str(tiny_model_dir),
            "--device",
            "cuda",
            "--mutation",
            "prompt",
            "--iterations",
            "2",
            "--batch-size",
            "8",
            "--sim-seconds",
            "4",
            "--seed",
            "3",
            "--run-dir",
            str(run_dir),
            "--quiet",
        ],
        tmp_path,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    with RunStore.open(run_dir, read_only=True) as store:
        programs = store.programs()
        identity = store.model_identity
    assert identity is not None and identity["device"].startswith("cuda")
    written = [p for p in programs if p.iteration > 0]
    assert len(written) == 16
    assert all(p.completion_tokens > 0 for p in written)


def test_finetune_trains_on_the_gpu(tiny_model_dir: Path, tmp_path: Path) -> None:
    start_run(make_config(operator="random", iterations=3, seed=5), tmp_path / "random")
    out = tmp_path / "tuned"
    result = run_openelm(
        [
            "finetune",
            str(tmp_path / "random"),
            "--out",
            str(out),
            "--dataset",
            "elites",
            "--base",
            str(tiny_model_dir),
            "--max-steps",
            "3",
            "--seed",
            "4",
            "--device",
            "cuda",
        ],
        tmp_path,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}: 3 steps" in result.stdout
    card = json.loads((out / "openelm.json").read_text())
    assert card["steps"] == 3 and card["final_loss"] is not None
    # The tuned model loads back and writes on the GPU.
    tuned = LanguageModelCompleter(ModelConfig(model=str(out), device="cuda", max_new_tokens=8))
    assert tuned.identity["finetuned_from"]
    assert len(tuned.complete([WALKER_PROMPT], seed=1)) == 1
