"""Shared fixtures for the fine-tuning tests: real runs made with the
`random` operator, with the tiny Llama, and with a completer that echoes the
parent's `make_walker` with its numbers moved (so that language-model
children do enter the archive, which the tiny random Llama's never do)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from openelm.evolve import start_run
from openelm.evolve.genome_source import split_genome
from openelm.evolve.operators import RandomNumbersOperator
from openelm.evolve.prompts import PROMPT_INSTRUCTION, WALKER_API_DOC
from openelm.llm import Completion, StopReason

from tests.evolve.conftest import make_config
from tests.tiny_llama import build_tiny_model_dir


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model_dir(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="session")
def random_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real `random` run from the square seed: 6 iterations x 12 children."""
    run_dir = tmp_path_factory.mktemp("runs") / "random"
    start_run(make_config(operator="random", iterations=6, seed=5), run_dir)
    return run_dir


@pytest.fixture(scope="session")
def radial_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real `random` run from the radial seed (8 joints, helpers, `import math`)."""
    run_dir = tmp_path_factory.mktemp("runs") / "radial"
    start_run(make_config(operator="random", iterations=4, seed=6, seeds=("radial",)), run_dir)
    return run_dir


@pytest.fixture(scope="session")
def tiny_lm_run(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> Path:
    """A real run with the tiny Llama writing `prompt` and `diff` children."""
    run_dir = tmp_path_factory.mktemp("runs") / "tiny-lm"
    config = make_config(
        operator="mix",
        mix=(("prompt", 0.5), ("diff", 0.5)),
        iterations=2,
        batch_size=4,
        seed=3,
        model=str(tiny_model_dir),
        max_new_tokens=16,
    )
    start_run(config, run_dir)
    return run_dir


class EchoCompleter:
    """Writes the parent's make_walker body from a `prompt`-operator prompt,
    with the random operator's noise on its numbers: a stand-in for a model
    good enough to have children accepted."""

    def __init__(self, config: object) -> None:
        self.identity = {"name": "echo", "source": "test", "revision": "1"}
        self._noise = RandomNumbersOperator(rate=0.3, sigma=0.25)

    def complete(self, prompts: Sequence[str], *, seed: int) -> list[Completion]:
        texts = []
        for index, prompt in enumerate(prompts):
            parent = prompt.removeprefix(WALKER_API_DOC + "\n").split("\n" + PROMPT_INSTRUCTION)[0]
            body = split_genome(parent).make_walker.partition("\n")[2]
            moved = self._noise.mutate(body, np.random.default_rng([seed, index]))
            texts.append(Completion(moved, 100, 50, StopReason.SCOPE_END))
        return texts


@pytest.fixture(scope="session")
def accepted_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A `prompt` run whose children come from `EchoCompleter`."""
    run_dir = tmp_path_factory.mktemp("runs") / "echo"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "openelm.evolve.runner.load_completer", lambda model, on_note=None: EchoCompleter(model)
        )
        start_run(make_config(operator="prompt", iterations=4, seed=9), run_dir)
    yield run_dir


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: runs the real embedded SmolLM2 on 2 cores")
