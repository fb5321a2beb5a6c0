"""Shared fixtures for the evolve tests: a tiny random Llama with an offline
tokenizer, seed genomes, and ways to run the CLI."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest
from openelm._sodarace import SimConfig
from openelm.evolve import EvolveConfig, load_seed_program
from openelm.evolve.config import (
    ArchiveConfig,
    BudgetConfig,
    EvaluationConfig,
    ModelConfig,
    MutationConfig,
)

from tests.tiny_llama import build_tiny_model_dir

REPO = Path(__file__).resolve().parents[2]
OPENELM = REPO / ".venv" / "bin" / "openelm"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: runs the real embedded SmolLM2 (a minute or two on 2 cores)"
    )


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared tiny random Llama (tests/tiny_llama.py)."""
    return build_tiny_model_dir(tmp_path_factory.mktemp("tiny-llama"))


def make_config(
    *,
    operator: str = "random",
    mix: tuple[tuple[str, float], ...] = (),
    iterations: int | None = 4,
    evaluations: int | None = None,
    batch_size: int = 12,
    seed: int = 11,
    model: str = "smollm2-135m",
    seeds: Sequence[str] = ("square",),
    archive: ArchiveConfig | None = None,
    max_new_tokens: int = 48,
    engine: str = "transformers",
    hybrid: int = 0,
) -> EvolveConfig:
    """A small, fast run: short simulations, two workers."""
    return EvolveConfig(
        seed=seed,
        seed_programs=tuple(load_seed_program(name) for name in seeds),
        batch_size=batch_size,
        archive=archive or ArchiveConfig(),
        mutation=MutationConfig(
            operator=operator, mix_weights=mix, hybrid_random_iterations=hybrid
        ),
        # transformers: these tests pin its texts; tests/llm covers the llama.cpp engine.
        model=ModelConfig(
            model=model,
            device="cpu",
            max_new_tokens=max_new_tokens,
            engine=engine,  # type: ignore[arg-type]
        ),
        evaluation=EvaluationConfig(sim=SimConfig(seconds=4.0), workers=2, timeout_s=10.0),
        budget=BudgetConfig(iterations=iterations, evaluations=evaluations),
    )


def openelm_process(
    args: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None, **popen: object
) -> subprocess.Popen[str]:
    """`openelm ARGS` as a child process, output captured as text; `env`
    (default: ours, with wide columns) is its whole environment."""
    return subprocess.Popen(
        [str(OPENELM), *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(env) if env is not None else {**os.environ, "COLUMNS": "200"},
        **popen,  # type: ignore[arg-type]
    )


@contextlib.contextmanager
def running_openelm(args: Sequence[str], cwd: Path) -> Iterator[subprocess.Popen[str]]:
    """`openelm ARGS` as a child process that is killed when the block ends,
    so a failing test never leaves a long run behind."""
    process = openelm_process(args, cwd)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def run_openelm(
    args: Sequence[str], cwd: Path, timeout: float = 120.0
) -> subprocess.CompletedProcess[str]:
    with running_openelm(args, cwd) as process:
        stdout, stderr = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def run_fingerprint(run_dir: Path) -> dict[str, object]:
    """Everything a run decided, without wall-clock timings: each program,
    each archive change, each iteration's archive statistics."""
    from openelm.store import RunStore

    with RunStore.open(run_dir, read_only=True) as store:
        programs = [
            (
                p.id,
                p.iteration,
                p.batch_index,
                p.operator,
                p.parent_ids,
                p.source_hash,
                p.status,
                p.fitness,
                p.cell,
                p.prompt_tokens,
                p.completion_tokens,
            )
            for p in store.programs()
        ]
        metrics = [
            (
                m.iteration,
                m.evaluations,
                m.niches_filled,
                m.qd_score,
                m.max_fitness,
                m.funnel,
                m.completion_tokens,
            )
            for m in store.iteration_metrics()
        ]
        return {
            "programs": programs,
            "events": store.archive_events(),
            "elites": store.elites(),
            "metrics": metrics,
        }


def assert_store_consistent(run_dir: Path) -> int:
    """Checks what must hold after any stop, clean or not; returns the last iteration."""
    from openelm.evolve import GridArchive
    from openelm.store import RunStore

    with RunStore.open(run_dir, read_only=True) as store:
        last = store.last_iteration()
        assert last is not None
        programs = store.programs()
        metrics = store.iteration_metrics()
        # Whole iterations only: every program belongs to a committed one,
        # ids run 1..N without gaps, and the counts agree.
        assert [p.id for p in programs] == list(range(1, len(programs) + 1))
        assert [m.iteration for m in metrics] == list(range(last + 1))
        assert metrics[-1].evaluations == len(programs)
        assert all(p.iteration <= last for p in programs)
        assert sum(p.operator == "seed" for p in programs) == len(store.config.seed_programs)
        assert all(p.operator == "seed" for p in programs if p.iteration == 0)
        for program in programs:
            assert all(0 < parent < program.id for parent in program.parent_ids)
        # Replaying the valid programs in id order rebuilds the stored archive.
        archive = GridArchive(store.config.archive)
        for program in programs:
            if program.status == "ok":
                assert program.fitness is not None and program.descriptors is not None
                archive.add(
                    program.id, program.fitness, program.descriptors, program.source, program.joints
                )
        assert [(e.cell, e.program_id) for e in archive.elites()] == [
            (e.cell, e.program_id) for e in store.elites()
        ]
        assert metrics[-1].niches_filled == archive.filled
        return last
