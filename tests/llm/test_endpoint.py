"""The OpenAI-compatible endpoint backend against a real llama.cpp server
(llama_cpp.server on 127.0.0.1 serving the embedded model's GGUF file):
whole runs, start-up errors, a server killed or refusing mid-run, context
overflow, and an API key that must never leave the process's environment.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from openelm.evolve import ResumeConflictError, resume_run, start_run
from openelm.evolve.config import ModelConfig
from openelm.llm.completion import CompletionError, StopReason
from openelm.llm.embedded import find_embedded_gguf
from openelm.llm.endpoint import (
    EndpointCompleter,
    EndpointSettings,
    body_from_chat_reply,
    connect_endpoints,
)
from openelm.records import ProgramStatus
from openelm.sandbox import SandboxPool
from openelm.store import RunStore
from openelm_cli.main import cli

from tests.cli.conftest import one_error_line
from tests.evolve.conftest import assert_store_consistent, make_config, openelm_process
from tests.llm.llama_server import SERVED_NAME, LlamaServer, free_port, require_llama_cpp_server

CANARY = "sk-canary-3f9a1c7e5b2d4f60"
PROMPT = (
    "# Sodarace walker API.\n#   wc = walker_creator()\n#   j = wc.add_joint(x, y)\n"
    "#   wc.add_muscle(j0, j1, False, amplitude, phase)\n#   return wc.get_walker()\n"
    "def make_walker():\n"
)


@pytest.fixture(scope="module")
def gguf() -> Path:
    require_llama_cpp_server()
    return find_embedded_gguf()


@pytest.fixture(scope="module")
def keyed_server(gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """A server that wants the canary key."""
    with LlamaServer(gguf, tmp_path_factory.mktemp("logs"), api_key=CANARY) as server:
        yield server


def endpoint_config(server: LlamaServer, **changes: object) -> ModelConfig:
    fields: dict[str, object] = {
        "model": SERVED_NAME,
        "endpoint": server.url,
        "max_new_tokens": 160,
        "concurrency": 2,
        **changes,
    }
    return ModelConfig(**fields)  # type: ignore[arg-type]


def settings(server: LlamaServer, **changes: object) -> EndpointSettings:
    fields: dict[str, object] = {
        "base_url": server.url,
        "model": SERVED_NAME,
        "max_new_tokens": 160,
        "concurrency": 2,
        **changes,
    }
    return EndpointSettings(**fields)  # type: ignore[arg-type]


def cli_env(**extra: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    return {**environment, "COLUMNS": "200", **extra}


def run_cli(
    args: list[str], cwd: Path, env: dict[str, str], timeout: float = 600
) -> tuple[int, str, str]:
    process = openelm_process(args, cwd, env=env)
    stdout, stderr = process.communicate(timeout=timeout)
    return process.returncode, stdout, stderr


def evolve_args(server: LlamaServer, run_dir: Path, *extra: str) -> list[str]:
    return [
        "evolve",
        "--endpoint",
        server.url,
        "--model",
        SERVED_NAME,
        "--mutation",
        "prompt",
        "--batch-size",
        "6",
        # SmolLM2-135M writes a valid child about half the time at 0.3, one
        # time in ten at the default 0.8 (measured with the llama.cpp engine).
        "--temperature",
        "0.3",
        "--seed",
        "5",
        "--sim-seconds",
        "4",
        "--workers",
        "2",
        "--run-dir",
        str(run_dir),
        "--quiet",
        *extra,
    ]


def wait_for_iteration(run_dir: Path, iteration: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 400
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        if (run_dir / "run.db").exists():
            with RunStore.open(run_dir, read_only=True) as store:
                last = store.last_iteration()
            if last is not None and last >= iteration:
                return
        time.sleep(0.5)
    raise AssertionError(f"iteration {iteration} was not committed in time")


# -- a whole run ---------------------------------------------------------------


def test_evolve_through_a_real_server_writes_valid_children_and_never_stores_the_key(
    keyed_server: LlamaServer, tmp_path: Path
) -> None:
    run_dir = tmp_path / "run"
    env = cli_env(OPENAI_API_KEY=CANARY)
    seeds = ["--seed-program", "square", "--seed-program", "radial", "--seed-program", "galloper"]
    code, stdout, stderr = run_cli(
        evolve_args(keyed_server, run_dir, "--iterations", "2", *seeds), tmp_path, env
    )
    assert code == 0, stderr
    assert assert_store_consistent(run_dir) == 2
    with RunStore.open(run_dir, read_only=True) as store:
        identity = store.model_identity
        children = [p for p in store.programs() if p.iteration > 0]
        metrics = store.iteration_metrics()
    assert identity is not None
    assert identity["source"] == "endpoint" and identity["name"] == SERVED_NAME
    assert identity["path"] == keyed_server.url and identity["api"] == "completions"
    assert "reproducible only if the server" in identity["sampling"]
    assert len(children) == 12
    # Token counts come from the server's usage field.
    assert all(p.prompt_tokens > 100 and p.completion_tokens > 0 for p in children)
    assert sum(m.completion_tokens for m in metrics) == sum(p.completion_tokens for p in children)
    valid = [p for p in children if p.status == ProgramStatus.OK]
    assert valid, [(p.status, p.error, p.completion) for p in children]
    # Every body was cut where make_walker ends.
    assert all("\ndef " not in (p.completion or "") for p in children)

    export = tmp_path / "archive.jsonl"
    code, _, stderr = run_cli(["export", str(run_dir), "--out", str(export)], tmp_path, env)
    assert code == 0, stderr
    code, shown, stderr = run_cli(["show", str(run_dir), "--json"], tmp_path, env)
    assert code == 0, stderr
    # The key is in no file of the run (database, WAL, export), nor printed.
    for path in [*run_dir.rglob("*"), export]:
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
    assert CANARY not in stdout + stderr + shown


def test_the_sandbox_workers_never_see_the_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    monkeypatch.setenv("OPENELM_TEST_KEY", CANARY)
    with SandboxPool(1) as pool:
        pool.evaluate(["def make_walker():\n    return 1\n"])
        workers = pool.workers
    assert workers
    for info in workers:
        assert "OPENAI_API_KEY" not in info.environment
        assert "OPENELM_TEST_KEY" not in info.environment


# -- the backend on its own ------------------------------------------------------


def test_completions_report_usage_truncation_and_scope_end(keyed_server: LlamaServer) -> None:
    os.environ["OPENELM_TEST_KEY"] = CANARY
    try:
        completer = EndpointCompleter(settings(keyed_server, api_key_env="OPENELM_TEST_KEY"))
        try:
            full = completer.complete([PROMPT] * 3, seed=1)
            short = EndpointCompleter(
                settings(keyed_server, api_key_env="OPENELM_TEST_KEY", max_new_tokens=3)
            ).complete([PROMPT], seed=1)
        finally:
            completer.close()
    finally:
        del os.environ["OPENELM_TEST_KEY"]
    assert CANARY not in repr(completer.identity)
    for completion in full:
        assert completion.prompt_tokens > 20 and completion.completion_tokens > 0
        assert completion.stopped in (StopReason.SCOPE_END, StopReason.MAX_NEW_TOKENS)
        lines = [line for line in completion.text.splitlines() if line.strip()]
        assert all(line[0].isspace() for line in lines), completion.text
    assert short[0].stopped is StopReason.MAX_NEW_TOKENS
    assert short[0].completion_tokens == 3


def test_chat_completions_are_read_as_a_make_walker_body(
    keyed_server: LlamaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    completer = EndpointCompleter(settings(keyed_server, max_new_tokens=48))
    completer.uses_chat = True  # llama_cpp.server has both APIs; take the fallback's path
    [completion] = completer.complete([PROMPT], seed=2)
    completer.close()
    assert completion.completion_tokens > 0
    assert all(line[0].isspace() for line in completion.text.splitlines() if line.strip())


def test_a_chat_reply_becomes_an_indented_body() -> None:
    reply = "Here it is:\n```python\ndef make_walker():\n    wc = walker_creator()\n    return wc.get_walker()\n```\nEnjoy."
    assert body_from_chat_reply(reply) == "    wc = walker_creator()\n    return wc.get_walker()\n"
    assert body_from_chat_reply("wc = walker_creator()\nreturn wc.get_walker()") == (
        "    wc = walker_creator()\n    return wc.get_walker()\n"
    )


# -- start-up errors: one line, exit 2, the key never echoed ----------------------


def test_startup_errors_are_one_line_and_exit_2(
    keyed_server: LlamaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    def evolve(*args: str, key: str | None = None) -> str:
        environment = {"OPENAI_API_KEY": key} if key is not None else {}
        if key is None:
            monkeypatch.delenv("OPENAI_API_KEY", raising=False)
        result = CliRunner().invoke(
            cli,
            ["evolve", "--iterations", "1", "--quiet", "--run-dir", str(tmp_path / "r"), *args],
            env=environment,
            catch_exceptions=False,
        )
        assert result.exit_code == 2, result.output
        line = one_error_line(result)
        assert CANARY not in line and "wrong-key-123" not in line
        assert not (tmp_path / "r" / "run.db").exists()
        return line

    url = keyed_server.url
    assert "refused the API key (HTTP 401" in evolve(
        "--endpoint", url, "--model", SERVED_NAME, key="wrong-key-123"
    )
    line = evolve("--endpoint", url, "--model", SERVED_NAME)
    assert line.startswith("error: --api-key-env: ") and "read from OPENAI_API_KEY" in line
    line = evolve("--endpoint", url, "--model", "no-such-model", key=CANARY)
    assert line.startswith("error: --model: ")
    assert f"does not serve model 'no-such-model' (it serves: {SERVED_NAME})" in line
    line = evolve("--endpoint", url, "--model", SERVED_NAME, "--api-key-env", "OPENELM_UNSET_KEY")
    assert (
        line == "error: --api-key-env: the environment variable OPENELM_UNSET_KEY holds no API key"
    )
    line = evolve("--endpoint", f"http://127.0.0.1:{free_port()}/v1", "--model", SERVED_NAME)
    assert line.startswith("error: --endpoint: cannot reach the endpoint http://127.0.0.1:")
    line = evolve("--endpoint", f"http://user:{CANARY}@127.0.0.1:1/v1", "--model", SERVED_NAME)
    assert line.startswith("error: --endpoint: endpoint URL must not carry credentials")
    line = evolve("--api-key-env", CANARY, "--endpoint", url)
    assert line.startswith("error: --api-key-env: ")
    line = evolve("--endpoint", url, "--engine", "transformers")
    assert line.startswith("error: --engine: ") and "--endpoint" in line
    line = evolve("--endpoint", f"{url},{url}", "--model", SERVED_NAME, key=CANARY)
    assert line == "error: --endpoint: the same endpoint URL is named twice"
    unreachable = f"http://127.0.0.1:{free_port()}/v1"
    line = evolve("--endpoint", f"{url},{unreachable}", "--model", SERVED_NAME, key=CANARY)
    assert line.startswith(f"error: --endpoint: cannot reach the endpoint {unreachable}")


def test_a_batch_is_split_among_several_servers_of_one_model(
    gguf: Path,
    keyed_server: LlamaServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    with LlamaServer(gguf, tmp_path, api_key=CANARY) as second:
        urls = f"{keyed_server.url},{second.url}"
        config = replace(
            make_config(operator="prompt", iterations=1, batch_size=4),
            model=endpoint_config(keyed_server, endpoint=urls, max_new_tokens=48),
        )
        start_run(config, tmp_path / "run")
        with RunStore.open(tmp_path / "run", read_only=True) as store:
            assert store.model_identity is not None
            assert store.model_identity["path"] == urls
            written = [p for p in store.programs() if p.iteration == 1]
        assert len(written) == 4 and all(p.completion_tokens > 0 for p in written)
        # The second half of a batch goes to the second server: without it,
        # the batch fails naming that server.
        pool = connect_endpoints(
            [settings(keyed_server, max_retries=0), settings(second, max_retries=0)]
        )
        second.stop()
        with pytest.raises(CompletionError, match=f"the endpoint {second.url} failed"):
            pool.complete([PROMPT] * 4, seed=1)
        # The first half alone is still the first server's.
        assert len(pool.complete([PROMPT], seed=1)) == 1
        pool.close()


def test_resume_with_another_served_model_is_refused(
    keyed_server: LlamaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    config = replace(
        make_config(operator="prompt", iterations=1, batch_size=2),
        model=endpoint_config(keyed_server),
    )
    run_dir = tmp_path / "run"
    start_run(config, run_dir)
    with pytest.raises(ResumeConflictError, match=r"model\.model"):
        resume_run(run_dir, {"model.model": "another-model", "budget.iterations": 2})


# -- failures during a run --------------------------------------------------------


def test_a_server_killed_mid_run_ends_the_run_cleanly_and_resume_continues(
    gguf: Path, tmp_path: Path
) -> None:
    run_dir = tmp_path / "run"
    server = LlamaServer(gguf, tmp_path).start()
    try:
        process = openelm_process(
            evolve_args(server, run_dir, "--iterations", "6"), tmp_path, env=cli_env()
        )
        wait_for_iteration(run_dir, 1, process)
        server.stop()
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 1, stderr
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "Traceback" not in stderr, stderr
        assert f"the endpoint {server.url} failed after 5 attempts" in lines[0]
        assert f"resume with: openelm evolve --resume {run_dir}" in lines[0]
        stopped_at = assert_store_consistent(run_dir)
        assert 1 <= stopped_at < 6

        server.start()
        code, _, stderr = run_cli(
            ["evolve", "--resume", str(run_dir), "--iterations", str(stopped_at + 1), "--quiet"],
            tmp_path,
            cli_env(),
        )
        assert code == 0, stderr
        assert assert_store_consistent(run_dir) == stopped_at + 1
    finally:
        server.stop()


def test_a_server_that_refuses_requests_mid_run_ends_the_run_cleanly(
    gguf: Path, tmp_path: Path
) -> None:
    run_dir = tmp_path / "run"
    port = free_port()
    server = LlamaServer(gguf, tmp_path, port=port, api_key=CANARY).start()
    try:
        process = openelm_process(
            evolve_args(server, run_dir, "--iterations", "6"),
            tmp_path,
            env=cli_env(OPENAI_API_KEY=CANARY),
        )
        wait_for_iteration(run_dir, 1, process)
        # The server comes back wanting another key: the run's requests are
        # refused (after retrying while it was down).
        server.stop()
        server = LlamaServer(gguf, tmp_path, port=port, api_key="sk-other-key").start()
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 1, stderr
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "Traceback" not in stderr, stderr
        assert "refused a request (HTTP 401" in lines[0], lines[0]
        assert CANARY not in stderr
        stopped_at = assert_store_consistent(run_dir)

        code, _, stderr = run_cli(
            ["evolve", "--resume", str(run_dir), "--iterations", str(stopped_at + 1), "--quiet"],
            tmp_path,
            cli_env(OPENAI_API_KEY="sk-other-key"),
        )
        assert code == 0, stderr
        assert assert_store_consistent(run_dir) == stopped_at + 1
    finally:
        server.stop()


def test_prompts_over_the_context_drop_crossover_parents_or_are_skipped(
    gguf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with LlamaServer(gguf, tmp_path, n_ctx=512) as server:
        config = make_config(
            operator="crossover",
            iterations=1,
            batch_size=4,
            seeds=("square", "inchworm", "cppn_mutable"),
        )
        config = replace(config, model=endpoint_config(server, max_new_tokens=96))
        start_run(config, tmp_path / "run")
    with RunStore.open(tmp_path / "run", read_only=True) as store:
        children = [p for p in store.programs() if p.iteration == 1]
        seeds = {p.id: p for p in store.programs() if p.iteration == 0}
    assert len(children) == 4
    for child in children:
        # The full prompt (three parents) never fits 512 tokens: each child
        # was written from fewer parents, or skipped with its reason.
        assert len(child.parent_ids) < 3 or child.stopped == StopReason.CONTEXT_OVERFLOW
        if child.stopped == StopReason.CONTEXT_OVERFLOW:
            assert not child.completion and child.completion_tokens == 0
        else:
            assert child.prompt is not None
            assert all(seeds[i].source.strip() in child.prompt for i in child.parent_ids)
