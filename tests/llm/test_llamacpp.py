"""The llama.cpp engine on the embedded model's GGUF file: batched decoding
with shared prompts, where completions stop, seeding, context overflow,
which engine `auto` picks, and a run that resumes across engines."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest
from openelm.evolve import resume_run, start_run
from openelm.evolve.prompts import modification_prompt
from openelm.evolve.seed_programs import load_seed_program
from openelm.llm.completion import StopReason
from openelm.llm.embedded import EMBEDDED_MODEL_NAME, find_embedded_gguf
from openelm.llm.llamacpp import (
    LlamaCppEngine,
    LlamaCppModelError,
    _starts_module_level_line,
    choose_engine,
    load_llamacpp_engine,
)
from openelm.llm.transformers_compat import cpu_has_native_bfloat16
from openelm.store import RunStore
from openelm_cli.main import cli

from tests.cli.conftest import one_error_line
from tests.evolve.conftest import assert_store_consistent, make_config
from tests.llm.llama_server import require_llama_cpp_server


@pytest.fixture(scope="module")
def engine() -> LlamaCppEngine:
    require_llama_cpp_server()
    # One thread: robust on a busy machine (see tests/llm/llama_server.py).
    return load_llamacpp_engine(EMBEDDED_MODEL_NAME, threads=1)


def test_the_gguf_loads_with_an_identity_that_pins_the_file(engine: LlamaCppEngine) -> None:
    gguf = find_embedded_gguf()
    assert engine.identity["name"] == EMBEDDED_MODEL_NAME
    assert engine.identity["source"] == "embedded"
    assert engine.identity["revision"] == "sha256:" + hashlib.sha256(gguf.read_bytes()).hexdigest()
    assert engine.identity["dtype"] == engine.quantisation == "Q4_1"
    assert engine.identity["engine"] == "llamacpp"


def test_batched_completions_share_prompts_stop_at_the_body_end_and_repeat_by_seed(
    engine: LlamaCppEngine,
) -> None:
    square = modification_prompt(load_seed_program("square").source)
    radial = modification_prompt(load_seed_program("radial").source)
    prompts = [square, radial, square, square, radial, square]
    engine.max_sequences = 4  # fewer sequences than completions: rows wait and take over
    first = engine.generate(prompts, max_new_tokens=48, seed=7)
    stats = engine.last_stats
    assert stats.prefill_tokens == len(engine.tokenize(square.rstrip())) + len(
        engine.tokenize(radial.rstrip())
    )
    assert stats.completions == 6
    assert stats.prompt_tokens == 4 * len(engine.tokenize(square.rstrip())) + 2 * len(
        engine.tokenize(radial.rstrip())
    )
    for completion in first:
        assert 0 < completion.completion_tokens <= 48
        assert completion.stopped in (
            StopReason.SCOPE_END,
            StopReason.EOS,
            StopReason.MAX_NEW_TOKENS,
        )
        lines = [line for line in completion.text.splitlines() if line.strip()]
        assert all(line[0].isspace() for line in lines), completion.text
    assert any(completion.text.strip() for completion in first)
    # Samples of one prompt differ; the same seed gives the same texts.
    assert len({first[i].text for i in (0, 2, 3, 5)}) > 1
    again = engine.generate(prompts, max_new_tokens=48, seed=7)
    assert [c.text for c in again] == [c.text for c in first]
    other = engine.generate(prompts, max_new_tokens=48, seed=8)
    assert [c.text for c in other] != [c.text for c in first]


def test_a_prompt_over_the_context_is_reported_not_raised(engine: LlamaCppEngine) -> None:
    too_long = "# a comment line\n" * (engine.context_train // 2) + "def make_walker():\n"
    short = modification_prompt(load_seed_program("square").source)
    over, fine = engine.generate([too_long, short], max_new_tokens=8, seed=1)
    assert over.stopped is StopReason.CONTEXT_OVERFLOW
    assert over.text == "" and over.completion_tokens == 0
    assert fine.completion_tokens > 0


def test_temperature_zero_is_greedy(engine: LlamaCppEngine) -> None:
    prompt = modification_prompt(load_seed_program("square").source)
    a, b = engine.generate([prompt, prompt], max_new_tokens=16, temperature=0.0, seed=1)
    assert a.text == b.text


def test_the_body_ends_at_the_first_column_0_line() -> None:
    assert not _starts_module_level_line(bytearray(b"\n    wc"), 0)
    assert not _starts_module_level_line(bytearray(b"\n    wc = 1\n"), 11)
    assert _starts_module_level_line(bytearray(b"\n    wc = 1\nd"), 12)
    assert _starts_module_level_line(bytearray(b"\n    wc = 1\n\n# x"), 11)
    assert not _starts_module_level_line(bytearray(b"\n    wc = 1\n\n  # x"), 11)
    # Text before the first newline finishes the `def` line: not a body line.
    assert not _starts_module_level_line(bytearray(b" # comment"), 0)
    # A line whose first character came earlier was decided then.
    assert not _starts_module_level_line(bytearray(b"\nreturn x"), 3)


def test_auto_picks_by_the_cpu_for_gguf_models(tiny_model_dir: Path) -> None:
    require_llama_cpp_server()
    # docs/benchmarks.md: with native bfloat16 the transformers engine is faster.
    expected = "transformers" if cpu_has_native_bfloat16() else "llamacpp"
    assert choose_engine(EMBEDDED_MODEL_NAME, "auto", "auto")[0] == expected
    assert choose_engine(str(find_embedded_gguf()), "auto", "cpu")[0] == expected
    assert choose_engine(EMBEDDED_MODEL_NAME, "auto", "cuda")[0] == "transformers"
    assert choose_engine(EMBEDDED_MODEL_NAME, "transformers", "cpu")[0] == "transformers"
    assert choose_engine(str(tiny_model_dir), "auto", "cpu")[0] == "transformers"
    with pytest.raises(LlamaCppModelError, match="runs GGUF models"):
        choose_engine(str(tiny_model_dir), "llamacpp", "cpu")


def test_engine_llamacpp_on_a_checkpoint_directory_is_one_line_exit_2(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(
        cli,
        [
            *("evolve", "--engine", "llamacpp", "--model", str(tiny_model_dir), "--quiet"),
            *("--run-dir", str(tmp_path / "run"), "--iterations", "1"),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 2
    assert "engine llamacpp runs GGUF models" in one_error_line(result)


def test_a_run_on_the_llamacpp_engine_resumes_on_the_transformers_engine(
    tmp_path: Path, embedded_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_llama_cpp_server()
    monkeypatch.setenv("OPENELM_CACHE_DIR", str(embedded_cache_dir))
    monkeypatch.setattr("openelm.llm.llamacpp.DEFAULT_THREADS", 1)
    config = make_config(operator="prompt", iterations=1, batch_size=4, max_new_tokens=64)
    config = replace(config, model=replace(config.model, engine="llamacpp"))
    start_run(config, tmp_path / "run")
    with RunStore.open(tmp_path / "run", read_only=True) as store:
        assert store.model_identity is not None
        assert store.model_identity["engine"] == "llamacpp"
        children = [p for p in store.programs() if p.iteration == 1]
    assert len(children) == 4
    assert all(p.completion_tokens > 0 and p.prompt_tokens > 100 for p in children)
    resume_run(tmp_path / "run", {"budget.iterations": 2, "model.engine": "transformers"})
    assert assert_store_consistent(tmp_path / "run") == 2
