"""Scale-out on Ray (issue 13): evaluation throughput against evaluator
actors, generation throughput of a full language-model run against
generator actors, and the overhead of Ray on a `random` run.

    .venv/bin/python bench/scale.py                          # all three
    .venv/bin/python bench/scale.py --only evaluators --repeats 5
    .venv/bin/python bench/scale.py --only generators --lm-repeats 3

The bench starts one local Ray instance with `--cluster-cpus` logical CPUs
(default 4 on any machine: room for two generators and two evaluators;
on a 2-core machine they share the same two cores, so the figures show
Ray's overhead and scheduling, not added hardware). Every contender runs
beside its baseline in the same invocation; tables show medians.

- evaluators: genomes/s of one batch of genomes (the programs of a random
  run: valid walkers and failures as evolution makes them) through a local
  SandboxPool of 1 and 2 workers, and through 1 and 2 evaluator actors of
  one sandbox worker each.
- generators: evaluations/s of a whole `prompt` run on the embedded model
  with 1 and 2 generator actors, each talking to its own llama.cpp server
  on loopback (the endpoint backend, `--endpoint URL,URL`), and the same
  run without Ray on one server.
- overhead: evaluations/s of the same `random` run with and without Ray
  (2 sandbox workers locally, 2 evaluator actors of 1 worker on Ray).
- driver: the single driver's own work per child (ask, tell, commit to
  run.db) on batches of 512, evaluation excluded: the ceiling on a
  cluster's evaluations/s however many nodes it has (docs/scale.md).

Evaluations/s is over the mutation iterations (`openelm show`'s figure);
start-up (Ray, actors, model loading) is reported apart.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from _machine import cpu_model
from _timed_runs import square_seed_config, timed_run
from openelm._sodarace import SimConfig
from openelm.distributed import RayEvaluatorPool, RayOptions
from openelm.evolve import EvolveConfig, ModelConfig, MutationConfig, start_run
from openelm.sandbox import SandboxPool
from openelm.store import RunStore

SECTIONS = ("evaluators", "generators", "overhead", "driver")
SCRATCH_PREFIX = "openelm-bench-scale-"


def config(
    mutation: str,
    *,
    seed: int,
    iterations: int,
    batch: int,
    workers: int,
    model: str,
    max_new_tokens: int,
) -> EvolveConfig:
    return square_seed_config(
        seed=seed,
        iterations=iterations,
        batch_size=batch,
        mutation=MutationConfig(operator=mutation),
        model=ModelConfig(model=model, device="cpu", max_new_tokens=max_new_tokens),
        workers=workers,
    )


def median(values: list[float]) -> float:
    return statistics.median(values)


def genome_batch(size: int) -> list[str]:
    """The programs of a short random run, repeated up to `size`."""
    with tempfile.TemporaryDirectory(prefix="openelm-bench-genomes-") as scratch:
        run = config(
            "random",
            seed=1,
            iterations=4,
            batch=64,
            workers=2,
            model="smollm2-135m",
            max_new_tokens=1,
        )
        start_run(run, Path(scratch) / "run")
        with RunStore.open(Path(scratch) / "run", read_only=True) as store:
            sources = [program.source for program in store.programs()]
    return [sources[i % len(sources)] for i in range(size)]


def rate(evaluate: Callable[[list[str]], Any], sources: list[str], repeats: int) -> float:
    evaluate(sources[:32])  # warm: workers started, code paths loaded
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        evaluate(sources)
        rates.append(len(sources) / (time.perf_counter() - started))
    return median(rates)


def bench_evaluators(args: argparse.Namespace) -> None:
    sources = genome_batch(args.genomes)
    sim = SimConfig()
    rows = []
    for workers in (1, 2):
        with SandboxPool(workers, sim_config=sim) as pool:
            rows.append(
                (
                    f"local SandboxPool, {workers} worker(s)",
                    rate(pool.evaluate, sources, args.repeats),
                )
            )
    for actors in (1, 2):
        with RayEvaluatorPool(
            actors,
            workers_per_actor=1,
            timeout_s=5.0,
            sim=sim,
            allow_unsandboxed=False,
            secret_names=(),
        ) as pool:
            rows.append(
                (
                    f"Ray, {actors} evaluator actor(s) × 1 worker",
                    rate(pool.evaluate, sources, args.repeats),
                )
            )
    baseline = rows[0][1]
    print(f"\n### evaluation: {len(sources)} genomes per batch, median of {args.repeats}\n")
    print("| evaluator | genomes/s | vs local 1 worker |\n|---|---:|---:|")
    for name, value in rows:
        print(f"| {name} | {value:,.0f} | {value / baseline:.2f}× |")


def bench_generators(args: argparse.Namespace) -> None:
    """Whole `prompt` runs with generator actors each talking to its own
    llama.cpp server (llama_cpp.server on loopback, one thread each, serving
    the embedded GGUF) through the endpoint backend, against the same run
    without Ray on one server."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from openelm.llm.embedded import find_embedded_gguf

    from tests.llm.llama_server import SERVED_NAME, LlamaServer

    logs = Path(tempfile.mkdtemp(prefix="openelm-bench-servers-"))
    servers = [LlamaServer(find_embedded_gguf(), logs, n_ctx=4096).start() for _ in range(2)]
    print(
        f"\n### generation: `prompt` runs, {args.lm_iterations} iterations × {args.lm_batch}, "
        "each generator on its own llama.cpp server (1 thread), median of "
        f"{args.lm_repeats}\n"
    )
    print("| run | evals/s | tokens/s | start-up s |\n|---|---:|---:|---:|")
    contenders: list[tuple[str, int, RayOptions | None]] = [
        ("no Ray: endpoint backend, 1 server", 1, None),
        (
            "Ray: 1 generator actor → 1 server, 1 evaluator",
            1,
            RayOptions(evaluators=1, generators=1),
        ),
        (
            "Ray: 2 generator actors → 2 servers, 1 evaluator",
            2,
            RayOptions(evaluators=1, generators=2),
        ),
    ]
    results: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in contenders}
    try:
        for repeat in range(args.lm_repeats):
            for name, count, ray in contenders:
                run = config(
                    "prompt",
                    seed=repeat + 1,
                    iterations=args.lm_iterations,
                    batch=args.lm_batch,
                    workers=1,
                    model=SERVED_NAME,
                    max_new_tokens=args.max_new_tokens,
                )
                endpoints = ",".join(server.url for server in servers[:count])
                run = replace(
                    run,
                    model=replace(
                        run.model,
                        endpoint=endpoints,
                        device="auto",
                        temperature=0.3,
                        concurrency=args.lm_batch,
                    ),
                )
                results[name].append(timed_run(run, scratch_prefix=SCRATCH_PREFIX, ray=ray))
    finally:
        for server in servers:
            server.stop()
    for name, summaries in results.items():
        print(
            f"| {name} | {median([s['evaluations_per_second'] for s in summaries]):.2f} "
            f"| {median([s['tokens_per_second'] for s in summaries]):.1f} "
            f"| {median([s['startup_seconds'] for s in summaries]):.1f} |"
        )


def bench_overhead(args: argparse.Namespace) -> None:
    print(
        f"\n### overhead: `random` runs, {args.iterations} iterations × {args.batch}, median of {args.repeats}\n"
    )
    print("| run | evals/s | start-up s |\n|---|---:|---:|")
    base = config(
        "random",
        seed=1,
        iterations=args.iterations,
        batch=args.batch,
        workers=2,
        model="smollm2-135m",
        max_new_tokens=1,
    )
    contenders: list[tuple[str, EvolveConfig, RayOptions | None]] = [
        ("local, 2 sandbox workers", base, None),
        (
            "Ray, 2 evaluator actors × 1 worker",
            replace(base, evaluation=replace(base.evaluation, workers=1)),
            RayOptions(evaluators=2),
        ),
    ]
    figures: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in contenders}
    for _ in range(args.repeats):
        for name, run, ray in contenders:
            figures[name].append(timed_run(run, scratch_prefix=SCRATCH_PREFIX, ray=ray))
    baseline = median([s["evaluations_per_second"] for s in figures[contenders[0][0]]])
    for name, summaries in figures.items():
        value = median([s["evaluations_per_second"] for s in summaries])
        print(
            f"| {name} | {value:,.1f} ({value / baseline:.2f}×) | {median([s['startup_seconds'] for s in summaries]):.1f} |"
        )


def bench_driver(args: argparse.Namespace) -> None:
    from openelm.evolve.archive import build_archive
    from openelm.evolve.operators import Child
    from openelm.evolve.scheduler import Scheduler
    from openelm.records import IterationMetrics

    run = config(
        "random",
        seed=1,
        iterations=args.driver_iterations,
        batch=512,
        workers=2,
        model="smollm2-135m",
        max_new_tokens=1,
    )
    archive = build_archive(run.archive, None)
    scheduler = Scheduler(run, archive, None)
    prompting = replace(run, mutation=MutationConfig(operator="prompt"))
    prompt_emitter = Scheduler(prompting, archive, None).emitter
    asking = telling = planning = 0.0
    children = asked = planned = 0
    with (
        tempfile.TemporaryDirectory(prefix="openelm-bench-driver-") as scratch,
        SandboxPool(2) as pool,
    ):
        store = RunStore.create(Path(scratch) / "run", run, None)
        with store:
            seeds = [Child("seed", (), program.source) for program in run.seed_programs]
            batches: list[tuple[int, list[Child]]] = [(0, seeds)]
            for iteration in range(1, args.driver_iterations + 1):
                for number, batch in batches:
                    results = pool.evaluate([child.source for child in batch])
                    started = time.perf_counter()
                    first = store.program_count() + 1
                    told = scheduler.tell(number, batch, results, first)
                    store.commit_iteration(
                        IterationMetrics(
                            number,
                            first - 1 + len(batch),
                            len(batch),
                            archive.filled,
                            archive.cell_count,
                            archive.qd_score,
                            archive.max_fitness,
                            archive.mean_fitness,
                            told.funnel,
                            told.new_cells,
                            told.improved_cells,
                            0,
                            0,
                            0.0,
                            0.0,
                            0.0,
                        ),
                        told.programs,
                        told.events,
                    )
                    if number > 0:
                        telling += time.perf_counter() - started
                        children += len(batch)
                started = time.perf_counter()
                generated = scheduler.ask(iteration, archive.snapshot(), 512)
                asking += time.perf_counter() - started
                asked += len(generated.children)
                started = time.perf_counter()
                plans = prompt_emitter.ask(
                    archive.snapshot(), 512, run_seed=run.seed, iteration=iteration
                )
                planning += time.perf_counter() - started
                planned += len(plans)
                batches = [(iteration, list(generated.children))]
    ask_us, plan_us = asking / asked * 1e6, planning / planned * 1e6
    tell_us = telling / children * 1e6
    print(f"\n### driver: {children} children in batches of 512, `random` operator\n")
    print("| driver work | µs per child |\n|---|---:|")
    print(f"| ask, `random` (select parents, mutate the source) | {ask_us:.0f} |")
    print(f"| ask, `prompt` (select parents, write the prompt) | {plan_us:.0f} |")
    print(f"| tell + commit to run.db | {tell_us:.0f} |")
    for name, per_child in (("random", ask_us + tell_us), ("prompt", plan_us + tell_us)):
        print(f"| **ceiling, `{name}`: {1e6 / per_child:,.0f} children/s** | {per_child:.0f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=SECTIONS, action="append")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--genomes", type=int, default=2048)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lm-iterations", type=int, default=3)
    parser.add_argument("--lm-batch", type=int, default=16)
    parser.add_argument("--lm-repeats", type=int, default=1)
    parser.add_argument("--max-new-tokens", type=int, default=128)
    parser.add_argument("--cluster-cpus", type=int, default=4)
    parser.add_argument("--driver-iterations", type=int, default=8)
    args = parser.parse_args(argv)
    import ray

    ray.init(
        address="local", num_cpus=args.cluster_cpus, include_dashboard=False, log_to_driver=False
    )
    print(
        f"CPU: {cpu_model()}; Ray {ray.__version__}, local instance of {args.cluster_cpus} logical CPUs"
    )
    try:
        for section in args.only or SECTIONS:
            {
                "evaluators": bench_evaluators,
                "generators": bench_generators,
                "overhead": bench_overhead,
                "driver": bench_driver,
            }[section](args)
            sys.stdout.flush()
    finally:
        ray.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
