"""Genome throughput.

Interpreter section: genomes per second for `interpret` on one thread and
for an `interpret_many` batch, per seed (parse, check, lower, run and
validate; no simulation).

Pool section: genomes per second end to end (interpret in Rust inside a
locked-down worker, simulate, re-validate in the parent) through
`SandboxPool`, against the peers' way of running a genome: CPython `exec` of
the same source in a fresh subprocess with a timeout (a reference Python
`walker_creator`), then the same Rust simulation in the parent. Both sides
use one worker per core and the same seeds.

    .venv/bin/python bench/interp.py [--repeats 3] [--genomes 2000] [--baseline-genomes 60]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys
import time

from _machine import machine_line

# interpreter section
from openelm import SimConfig, Walker, interpret, interpret_many, simulate
from openelm.sandbox import SandboxPool
from openelm.seeds import seed_names, seed_source


def interpret_rate(source: bytes, genomes: int) -> float:
    """Genomes/s for `interpret` in this one thread: parse, check, lower,
    run and validate, plus building the Python result."""
    started = time.perf_counter()
    for _ in range(genomes):
        result = interpret(source)
    elapsed = time.perf_counter() - started
    assert result.status == "ok", result.error
    return genomes / elapsed


def interpret_many_rate(sources: list[bytes]) -> float:
    """Genomes/s for one `interpret_many` batch (all cores, GIL released)."""
    started = time.perf_counter()
    results = interpret_many(sources)
    elapsed = time.perf_counter() - started
    assert all(r.status == "ok" for r in results)
    return len(sources) / elapsed


def interpreter_section(repeats: int, genomes: int) -> dict[str, dict[str, float]]:
    """Median genomes/s per seed, single-threaded and batched."""
    single: dict[str, float] = {}
    batch: dict[str, float] = {}
    for name in seed_names():
        source = seed_source(name).encode()
        interpret_rate(source, max(genomes // 20, 10))  # warm up
        single[name] = statistics.median(interpret_rate(source, genomes) for _ in range(repeats))
        batch[name] = statistics.median(
            interpret_many_rate([source] * genomes) for _ in range(repeats)
        )
    return {"interpret_genomes_per_s": single, "interpret_many_genomes_per_s": batch}


def print_interpreter_table(
    figures: dict[str, dict[str, float]], repeats: int, genomes: int
) -> None:
    print(f"interpreter, genomes/s (median of {repeats} runs of {genomes} genomes):")
    print()
    print("| seed | interpret (1 thread) | interpret_many (all cores) |")
    print("|---|---:|---:|")
    for name, rate in figures["interpret_genomes_per_s"].items():
        print(f"| {name} | {rate:,.0f} | {figures['interpret_many_genomes_per_s'][name]:,.0f} |")
    print()


# pool section

# What the peers do: exec the genome in a fresh interpreter against a plain
# Python walker_creator, with a timeout, and print the walker as JSON. The
# genome may import the API from `walker` or use the injected name.
REFERENCE_RUNNER = r"""
import json, math, sys, types

class walker_creator:
    def __init__(self):
        self.joints, self.connections = [], []

    def add_joint(self, x, y):
        self.joints.append((float(x), float(y)))
        return len(self.joints) - 1

    def add_muscle(self, j0, j1, *args, is_distance=False, amplitude=0.0, phase=0.0):
        if args and isinstance(args[0], bool):  # paper form: is_distance, amplitude, phase
            is_distance, args = args[0], args[1:]
        if args:
            amplitude = args[0]
        if len(args) > 1:
            phase = args[1]
        if is_distance:
            amplitude = phase = 0.0
        self.connections.append({"a": j0, "b": j1, "amplitude": float(amplitude), "phase": float(phase)})

    def get_walker(self):
        return {"joints": [list(j) for j in self.joints], "connections": self.connections}

api = types.ModuleType("walker")
api.walker_creator = walker_creator
sys.modules["walker"] = sys.modules["walker_creator"] = api
namespace = {"walker_creator": walker_creator, "math": math, "__name__": "genome"}
exec(compile(sys.stdin.read(), "genome", "exec"), namespace)
print(json.dumps(namespace["make_walker"]()))
"""


def run_in_fresh_subprocess(source: str, timeout_s: float, sim_seconds: float) -> float:
    done = subprocess.run(
        [sys.executable, "-c", REFERENCE_RUNNER],
        input=source,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
    if done.returncode != 0:
        raise RuntimeError(f"reference run failed: {done.stderr.strip().splitlines()[-1]}")
    walker = Walker.from_json(done.stdout)
    return simulate(walker, SimConfig(seconds=sim_seconds)).fitness


def baseline_rate(sources: list[str], workers: int, sim_seconds: float) -> float:
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(workers) as executor:
        list(executor.map(lambda s: run_in_fresh_subprocess(s, 5.0, sim_seconds), sources))
    return len(sources) / (time.perf_counter() - started)


def pool_rate(pool: SandboxPool, sources: list[str]) -> float:
    started = time.perf_counter()
    results = pool.evaluate(sources)
    elapsed = time.perf_counter() - started
    failed = [r for r in results if not r.ok]
    if failed:
        raise RuntimeError(
            f"{len(failed)} seeds failed in the pool, e.g. {failed[0].status}: {failed[0].error}"
        )
    return len(sources) / elapsed


def check_same_walkers(pool: SandboxPool, seeds: dict[str, str], sim_seconds: float) -> None:
    """Both paths must build the same bodies, or the comparison is void."""
    for name, source in seeds.items():
        (ours,) = pool.evaluate([source])
        reference = run_in_fresh_subprocess(source, 5.0, sim_seconds)
        if not ours.ok or abs(ours.fitness - reference) > 1e-9:
            raise SystemExit(
                f"seed {name}: pool gives {ours.status} {ours.fitness}, reference exec gives {reference}"
            )


def pool_section(
    repeats: int, genomes: int, baseline_genomes: int, sim_seconds: float
) -> dict[str, object]:
    seeds = {name: seed_source(name) for name in seed_names()}
    names = list(seeds)
    sources = [seeds[names[i % len(names)]] for i in range(genomes)]
    workers = os.cpu_count() or 1
    with SandboxPool(workers, sim_config=SimConfig(seconds=sim_seconds)) as pool:
        check_same_walkers(pool, seeds, sim_seconds)
        pool.evaluate(sources[: 4 * workers])  # warm caches and allocators
        per_seed = {}
        for name in names:
            per_seed[name] = statistics.median(
                pool_rate(pool, [seeds[name]] * genomes) for _ in range(repeats)
            )
        mixed = statistics.median(pool_rate(pool, sources) for _ in range(repeats))
    baseline = statistics.median(
        baseline_rate(sources[:baseline_genomes], workers, sim_seconds) for _ in range(repeats)
    )
    return {
        "workers": workers,
        "sim_seconds": sim_seconds,
        "pool_genomes_per_s": {"mixed": mixed, **per_seed},
        "subprocess_exec_genomes_per_s": baseline,
        "speedup": mixed / baseline,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--genomes", type=int, default=2000, help="genomes per pool measurement")
    parser.add_argument(
        "--baseline-genomes", type=int, default=60, help="genomes per subprocess measurement"
    )
    parser.add_argument(
        "--seconds", type=float, default=SimConfig().seconds, help="simulated seconds per walker"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    interpreter = interpreter_section(args.repeats, args.genomes)
    figures = pool_section(args.repeats, args.genomes, args.baseline_genomes, args.seconds)
    if args.json:
        print(json.dumps({"interpreter": interpreter, **figures}, indent=2))
        return
    print_interpreter_table(interpreter, args.repeats, args.genomes)
    print(f"{machine_line()}; {figures['workers']} workers")
    print(
        f"sandbox pool, genomes/s (median of {args.repeats}, {args.genomes} genomes, {args.seconds:g} s simulated):"
    )
    for name, rate in figures["pool_genomes_per_s"].items():  # type: ignore[union-attr]
        print(f"  {name:<14} {rate:9.0f}")
    print(f"fresh subprocess + exec, genomes/s:  {figures['subprocess_exec_genomes_per_s']:9.1f}")
    print(f"speed-up (mixed seeds):              {figures['speedup']:9.1f}x")


if __name__ == "__main__":
    main()
