"""Whole runs driven by a tiny random Llama: the language-model path end to
end (prompts, batched seeded generation, child assembly, token accounting)
and exact resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openelm.evolve import ResumeConflictError, resume_run, run_summary, start_run
from openelm.evolve.genome_source import split_genome
from openelm.records import CompletionStop
from openelm.store import RunStore

from tests.evolve.conftest import assert_store_consistent, make_config, run_fingerprint

MIX = (("prompt", 0.2), ("diff", 0.2), ("crossover", 0.2), ("target", 0.2), ("random", 0.2))


def test_language_model_run_stores_programs_tokens_and_identity(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    config = make_config(
        operator="mix",
        mix=MIX,
        iterations=3,
        batch_size=10,
        model=str(tiny_model_dir),
        seeds=("square", "inchworm", "cppn_mutable"),
    )
    start_run(config, tmp_path / "run")
    assert assert_store_consistent(tmp_path / "run") == 3
    with RunStore.open(tmp_path / "run", read_only=True) as store:
        assert store.model_identity is not None
        assert store.model_identity["source"] == "local-directory"
        assert store.model_identity["name"] == tiny_model_dir.name
        programs = {program.id: program for program in store.programs()}
        metrics = store.iteration_metrics()
        # Batch i is bred from the archive after iteration i-2 (the pipeline's lag).
        bred_from = {i: {e.program_id for e in store.elites(max(i - 2, 0))} for i in range(1, 4)}
    operators = {program.operator for program in programs.values()}
    assert {"prompt", "diff", "crossover", "target", "random"} <= operators
    for program in programs.values():
        # Only target children carry a target cell.
        assert (program.target_cell is not None) == (program.operator == "target")
        if program.operator in ("prompt", "diff", "crossover", "target"):
            assert program.prompt_tokens > 0 and program.completion_tokens > 0
            # The child keeps its (best) parent's helpers and gets one new make_walker.
            base = max(
                (programs[i] for i in program.parent_ids), key=lambda p: (p.fitness or 0.0, p.id)
            )
            assert program.source.startswith(split_genome(base.source).prefix)
            assert (
                program.source.count("\ndef make_walker():\n")
                + program.source.startswith("def make_walker():\n")
                == 1
            )
        if program.iteration > 0:
            assert set(program.parent_ids) <= bred_from[program.iteration]
        if program.operator == "crossover":
            # Distinct cells, as many as the archive had, up to three.
            expected = min(3, len(bred_from[program.iteration]))
            assert len(set(program.parent_ids)) == len(program.parent_ids) == expected
    generated = [m for m in metrics if m.iteration > 0]
    assert all(m.completion_tokens > 0 and m.generation_seconds > 0 for m in generated)
    assert sum(m.funnel.targeted for m in metrics) == sum(
        p.operator == "target" for p in programs.values()
    )
    assert sum(m.funnel.on_target for m in metrics) == sum(p.on_target for p in programs.values())
    assert sum(m.completion_tokens for m in metrics) == sum(
        p.completion_tokens for p in programs.values()
    )


def test_completions_cut_off_by_the_token_budget_are_stored_and_counted(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    # The tiny random Llama rarely ends a body within 6 tokens: most are cut off.
    config = make_config(
        operator="mix",
        mix=(("prompt", 0.7), ("random", 0.3)),
        iterations=2,
        batch_size=8,
        model=str(tiny_model_dir),
        max_new_tokens=6,
    )
    start_run(config, tmp_path / "run")
    with RunStore.open(tmp_path / "run", read_only=True) as store:
        programs = store.programs()
        metrics = store.iteration_metrics()
        summary = run_summary(store)
    for program in programs:
        if program.operator == "prompt":
            assert isinstance(program.stopped, CompletionStop)
        else:
            assert program.stopped is None  # seeds and `random` use no model
    truncated = [p for p in programs if p.stopped is CompletionStop.MAX_NEW_TOKENS]
    assert truncated
    assert all(p.completion_tokens == 6 for p in truncated)
    assert sum(m.funnel.truncated for m in metrics) == len(truncated)
    assert summary["funnel"]["truncated"] == len(truncated)


def test_language_model_run_resumes_exactly(tmp_path: Path, tiny_model_dir: Path) -> None:
    def config(iterations: int):
        return make_config(
            operator="mix",
            mix=(("prompt", 0.5), ("random", 0.5)),
            iterations=iterations,
            batch_size=8,
            seed=21,
            model=str(tiny_model_dir),
        )

    start_run(config(4), tmp_path / "whole")
    start_run(config(1), tmp_path / "split")
    resume_run(tmp_path / "split", {"budget.iterations": 2})
    resume_run(tmp_path / "split", {"budget.iterations": 4})
    whole = run_fingerprint(tmp_path / "whole")
    assert run_fingerprint(tmp_path / "split") == whole
    # The language model really took part: its children and tokens are in the fingerprint.
    assert any(row[3] == "prompt" and row[10] > 0 for row in whole["programs"])  # type: ignore[union-attr]


def test_resume_refuses_a_model_whose_weights_changed(tmp_path: Path, tiny_model_dir: Path) -> None:
    import shutil

    model_copy = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_copy)
    config = make_config(operator="prompt", iterations=1, batch_size=2, model=str(model_copy))
    start_run(config, tmp_path / "run")
    # Same path, different checkpoint: its config.json (the revision) differs.
    settings = json.loads((model_copy / "config.json").read_text())
    settings["rms_norm_eps"] = 1e-5 if settings.get("rms_norm_eps") != 1e-5 else 1e-6
    (model_copy / "config.json").write_text(json.dumps(settings))
    with pytest.raises(ResumeConflictError, match="model revision"):
        resume_run(tmp_path / "run", {"budget.iterations": 2})
    assert assert_store_consistent(tmp_path / "run") == 1
