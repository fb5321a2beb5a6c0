"""Fixed-budget evolution runs from the square seed: throughput, how busy the
language model is, the validity funnel and the archive reached.

    .venv/bin/python bench/evolve.py                      # random, prompt, mix
    .venv/bin/python bench/evolve.py --only random --repeats 5
    .venv/bin/python bench/evolve.py --iterations 4 --batch-size 32

Each configuration runs `--repeats` times with seeds 1, 2, ...; the table
shows medians. "LLM busy" is the share of wall time the generator spent
generating (target >= 90%): with evaluation overlapped, only tell/commit
and the first batch's wait should keep it below 100%.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from typing import Any

from _timed_runs import square_seed_config, timed_run
from openelm.evolve import ModelConfig, MutationConfig

CONFIGURATIONS: dict[str, MutationConfig] = {
    "random": MutationConfig(operator="random"),
    "prompt": MutationConfig(operator="prompt"),
    "mix": MutationConfig(
        operator="mix", mix_weights=(("prompt", 0.5), ("diff", 0.3), ("crossover", 0.2))
    ),
}


def run_once(
    name: str, *, seed: int, iterations: int, batch_size: int, model: str, max_new_tokens: int
) -> dict[str, Any]:
    config = square_seed_config(
        seed=seed,
        iterations=iterations,
        batch_size=batch_size,
        mutation=CONFIGURATIONS[name],
        model=ModelConfig(model=model, max_new_tokens=max_new_tokens),
    )
    return timed_run(config, scratch_prefix=f"openelm-bench-{name}-")


def median(values: list[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only",
        choices=sorted(CONFIGURATIONS),
        action="append",
        help="run only these (repeatable)",
    )
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--max-new-tokens", type=int, default=ModelConfig().max_new_tokens)
    args = parser.parse_args(argv)

    rows: list[str] = []
    for name in args.only or list(CONFIGURATIONS):
        summaries = []
        for repeat in range(args.repeats):
            summary = run_once(
                name,
                seed=repeat + 1,
                iterations=args.iterations,
                batch_size=args.batch_size,
                model=args.model,
                max_new_tokens=args.max_new_tokens,
            )
            summaries.append(summary)
            print(f"{name} seed {repeat + 1}: {summary['total_seconds']:.1f} s", file=sys.stderr)

        def med(key: str, summaries: list[dict[str, Any]] = summaries) -> float | None:
            return median([summary[key] for summary in summaries])

        funnel = summaries[len(summaries) // 2]["funnel"]
        busy = med("llm_busy_fraction")
        rows.append(
            f"| {name} | {med('evaluations'):.0f} | {med('total_seconds'):.1f} | {med('evaluations_per_second'):.2f} "
            f"| {'-' if busy is None else f'{busy:.2%}'} | {med('tokens_per_second'):.1f} "
            f"| {funnel['generated']}/{funnel['parsed']}/{funnel['ran']}/{funnel['valid']}/{funnel['walked']} "
            f"| {med('valid_fraction'):.1%} | {med('niches_filled'):.0f} | {med('qd_score'):.2f} | {med('max_fitness'):.3f} |"
        )
    print(
        f"\n{args.iterations} iterations x {args.batch_size} children from the square seed, "
        f"model {args.model}, median of {args.repeats} run(s)\n"
    )
    print(
        "| mutation | evaluations | wall s | evals/s | LLM busy | tokens/s "
        "| funnel gen/parsed/ran/valid/walked | valid | niches | QD score | best m |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
