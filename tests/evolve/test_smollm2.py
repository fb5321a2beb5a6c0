"""The real embedded SmolLM2-135M drives a few iterations (the slow test:
about a minute on 2 cores, plus a one-time GGUF conversion into the cache)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openelm.evolve import start_run
from openelm.store import RunStore

from tests.evolve.conftest import assert_store_consistent, make_config


@pytest.mark.slow
def test_embedded_smollm2_writes_valid_walkers(tmp_path: Path) -> None:
    config = make_config(
        operator="mix",
        mix=(("prompt", 0.5), ("diff", 0.5)),
        iterations=2,
        batch_size=8,
        seed=1,
        model="smollm2-135m",
        max_new_tokens=256,
    )
    start_run(config, tmp_path / "run")
    assert assert_store_consistent(tmp_path / "run") == 2
    with RunStore.open(tmp_path / "run", read_only=True) as store:
        assert store.model_identity is not None
        assert store.model_identity["name"] == "smollm2-135m"
        assert store.model_identity["revision"].startswith("sha256:")
        children = [program for program in store.programs() if program.iteration > 0]
    assert len(children) == 16
    assert all(child.completion_tokens > 0 for child in children)
    valid = [child for child in children if child.status == "ok"]
    assert valid, [child.error for child in children]
    assert all(child.source.count("def make_walker():") == 1 for child in valid)
