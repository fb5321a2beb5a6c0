"""A Ray evaluator actor runs genomes in the same locked-down pool as one
machine: hostile genomes from the built-in battery get exactly the results
the local pool gives them, and the endpoint key reaches the generator
actors only, never an evaluator or its sandbox workers (the run store:
test_same_archive). Generator actors split a batch and write what one
backend writes, also after one of them is killed."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from openelm._sodarace import SimConfig
from openelm.distributed import RayEvaluatorPool, RayOptions, ray_backends
from openelm.evolve.generation import LanguageModelCompleter
from openelm.sandbox import SandboxPool
from openelm.sandbox.hostile import battery, judge

from tests.distributed.conftest import actor_pids, small_config

# Escapes of every kind the battery knows: imports, files, exits, memory,
# recursion, output floods and bad walkers.
CASES = (
    "import_os",
    "open_file",
    "exit_call",
    "dunder_import",
    "list_doubling",
    "deep_recursion",
    "print_flood",
    "nan_coordinates",
    "hundred_k_joints",
)
CANARY = "sk-canary-6f1d0c-never-in-an-evaluator"


def _comparable(result: object) -> tuple[object, ...]:
    from dataclasses import astuple, replace

    return astuple(replace(result, wall_s=0.0))  # type: ignore[type-var]


def test_hostile_genomes_are_contained_as_in_the_local_pool(ray_address: str) -> None:
    cases = [case for case in battery() if case.name in CASES]
    assert len(cases) == len(CASES)
    sources = [case.source for case in cases for _ in range(case.repeat)]
    sim = SimConfig(seconds=4.0)
    with SandboxPool(1, timeout_s=10.0, sim_config=sim) as local:
        expected = local.evaluate(sources)
    with RayEvaluatorPool(
        2,
        workers_per_actor=1,
        timeout_s=10.0,
        sim=sim,
        allow_unsandboxed=False,
        secret_names=(),
    ) as pool:
        results = pool.evaluate(sources)
        import ray

        # The actors' pools are locked down, as the local one is.
        assert all(ray.get(actor.environment.remote())["sandboxed"] for actor in pool.actors())
    assert [_comparable(r) for r in results] == [_comparable(r) for r in expected]
    offset = 0
    for case in cases:
        mine = tuple(results[offset : offset + case.repeat])
        offset += case.repeat
        assert judge(case, mine) == ("expected", ""), (case.name, mine[0])


def test_the_endpoint_key_reaches_generators_only_and_they_write_as_one(
    ray_address: str, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ray

    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    config = small_config(operator="prompt", iterations=1, batch_size=5, model=str(tiny_model_dir))
    with ray_backends(config, RayOptions(evaluators=1, generators=2), lambda _: None) as backends:
        completer, pool = backends.completer, backends.evaluator
        assert completer is not None
        generators = [ray.get(a.environment.remote()) for a in completer.actors()]  # type: ignore[attr-defined]
        evaluators = [ray.get(a.environment.remote()) for a in pool.actors()]  # type: ignore[attr-defined]
        # Split across both generators, the batch reads as one backend's.
        assert completer.sliceable  # type: ignore[attr-defined]
        prompts = [f"def make_walker():\n    # walker {i}\n" for i in range(5)]
        local = LanguageModelCompleter(config.model).complete(prompts, seed=3)
        assert completer.complete(prompts, seed=3) == local
        # A generator lost between calls costs nothing but a retry.
        os.kill(actor_pids("GeneratorActor")[0], signal.SIGKILL)
        assert completer.complete(prompts, seed=3) == local
        assert backends.lost_actors() == 1
    assert all(env.get("OPENAI_API_KEY") == CANARY for env in generators)
    assert len(evaluators) == 1
    for evaluator in evaluators:
        assert CANARY not in repr(evaluator["environ"])
        assert evaluator["worker_environment"]
        assert all("OPENAI_API_KEY" not in names for names in evaluator["worker_environment"])
