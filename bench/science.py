"""The science bench: does the language model beat random mutation at an
equal evaluation budget?

Every configuration (a mutation operator, or an operator with a given model)
runs from the same seed program with several run seeds, each to the same
number of evaluations (seeds included). Per configuration it reports niches
filled and QD score (median and range over run seeds), validity and the full
funnel, new niches per 100 evaluations, wall time, tokens and evaluations/s,
and it draws niches against evaluations, one line per configuration with its
range as a band.

    .venv/bin/python bench/science.py                               # every operator, 512 evaluations
    .venv/bin/python bench/science.py --only random --only prompt --budget 256
    .venv/bin/python bench/science.py --only random --time-limit 600  # equal wall-clock instead
    .venv/bin/python bench/science.py --only random --only target+hybrid=200 --time-limit 600
    .venv/bin/python bench/science.py --only prompt --model runs/ft-model   # a fine-tuned model
    .venv/bin/python bench/science.py --combine a/science.json b/science.json  # one table, one plot

A configuration is `OPERATOR` or `OPERATOR@MODEL` (`--only prompt@DIR`); a
mix with its own weights is `mix:random=0.5,target=0.5` (`mix` alone takes
the library's default weights); `target+hybrid=200` is a hybrid (`evolve
--hybrid 200`). `--keep DIR` keeps every run's store.
When a fine-tuned model is compared, its training runs must use other seeds
than `--seeds`: pass `--training-evaluations N` to print the evaluations
spent making its data next to its row.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from _machine import cpu_model
from openelm.evolve.config import (
    BudgetConfig,
    EvolveConfig,
    ModelConfig,
    MutationConfig,
)
from openelm.evolve.runner import start_run
from openelm.evolve.seed_programs import load_seed_program
from openelm.evolve.summary import run_summary
from openelm.records import LANGUAGE_MODEL_OPERATORS, ProgramStatus
from openelm.store import RunStore

# Every operator the bench knows, in the order of the table; `mix` uses the
# documented default weights when the library has them.
OPERATORS = ("random", "prompt", "diff", "crossover", "mix", "target")
DEFAULT_OUT = Path("bench/out/science")


@dataclass(frozen=True)
class Configuration:
    operator: str
    model: str | None  # None: the default model
    mix_weights: tuple[tuple[str, float], ...] = ()  # () with `mix`: the default weights
    hybrid: int = 0  # random iterations per model batch (`--hybrid N`); 0: no hybrid

    @classmethod
    def parse(cls, text: str) -> Configuration:
        spec, _, model = text.partition("@")
        spec, _, hybrid = spec.partition("+hybrid=")
        operator, _, weights = spec.partition(":")
        mix = tuple(
            (name, float(weight))
            for name, _, weight in (pair.partition("=") for pair in weights.split(",") if pair)
        )
        return cls(operator, model or None, mix, int(hybrid or 0))

    @property
    def label(self) -> str:
        label = self.operator
        if self.mix_weights:
            label += ":" + ",".join(f"{name}={weight:g}" for name, weight in self.mix_weights)
        if self.hybrid:
            label += f"+hybrid={self.hybrid}"
        return label if self.model is None else f"{label}@{Path(self.model).name}"


@dataclass(frozen=True)
class RunCurve:
    """One run: its summary and its niches after every committed iteration."""

    summary: dict[str, Any]
    evaluations: list[int]
    niches: list[int]
    seconds: float
    lm_generated: int  # children the language model wrote
    lm_valid: int


def evolve_config(
    configuration: Configuration, args: argparse.Namespace, seed: int
) -> EvolveConfig:
    # An equal wall-clock comparison drops the evaluation budget.
    evaluations = None if args.time_limit is not None else args.budget
    budget = BudgetConfig(iterations=None, evaluations=evaluations, time_limit_s=args.time_limit)
    model = ModelConfig()
    if configuration.model is not None:
        model = replace(model, model=configuration.model)
    if args.max_new_tokens is not None:
        model = replace(model, max_new_tokens=args.max_new_tokens)
    if args.temperature is not None:
        model = replace(model, temperature=args.temperature)
    model = replace(model, engine=args.engine, device=args.device)
    return EvolveConfig(
        seed=seed,
        seed_programs=(load_seed_program(args.seed_program),),
        batch_size=args.batch_size,
        mutation=MutationConfig(
            operator=configuration.operator,
            mix_weights=configuration.mix_weights,
            hybrid_random_iterations=configuration.hybrid,
        ),
        model=model,
        budget=budget,
    )


def run_once(configuration: Configuration, args: argparse.Namespace, seed: int) -> RunCurve:
    config = evolve_config(configuration, args, seed)
    with tempfile.TemporaryDirectory(prefix=f"openelm-science-{configuration.operator}-") as tmp:
        run_dir = Path(tmp) / "run"
        if args.keep is not None:
            run_dir = args.keep / f"{configuration.label.replace('/', '_')}-seed{seed}"
            shutil.rmtree(run_dir, ignore_errors=True)
        started = time.perf_counter()
        start_run(config, run_dir)
        seconds = time.perf_counter() - started
        with RunStore.open(run_dir, read_only=True) as store:
            summary = run_summary(store)
            history = store.iteration_metrics()
            written = [p for p in store.programs() if p.operator in LANGUAGE_MODEL_OPERATORS]
    return RunCurve(
        summary=summary,
        evaluations=[metrics.evaluations for metrics in history],
        niches=[metrics.niches_filled for metrics in history],
        seconds=seconds,
        lm_generated=len(written),
        lm_valid=sum(p.status == ProgramStatus.OK for p in written),
    )


def new_niches_per_100(curve: RunCurve) -> float:
    """Niches gained per 100 mutation evaluations (the seeds' own excluded)."""
    spent = curve.evaluations[-1] - curve.evaluations[0]
    gained = curve.niches[-1] - curve.niches[0]
    return 100.0 * gained / spent if spent > 0 else 0.0


def spread(values: Sequence[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def aggregate(
    label: str, curves: list[RunCurve], training_evaluations: int | None
) -> dict[str, Any]:
    summaries = [curve.summary for curve in curves]
    funnel_total: dict[str, int] = {}
    for summary in summaries:
        for stage, count in summary["funnel"].items():
            funnel_total[stage] = funnel_total.get(stage, 0) + count
    return {
        "configuration": label,
        "runs": len(curves),
        "seeds": [summary["seed"] for summary in summaries],
        "evaluations": spread([summary["evaluations"] for summary in summaries]),
        "niches": spread([summary["niches_filled"] for summary in summaries]),
        "qd_score": spread([summary["qd_score"] for summary in summaries]),
        "valid_fraction": spread([summary["valid_fraction"] for summary in summaries]),
        "new_niches_per_100": spread([new_niches_per_100(curve) for curve in curves]),
        "seconds": spread([curve.seconds for curve in curves]),
        "tokens": spread([summary["tokens_generated"] for summary in summaries]),
        "evaluations_per_second": spread(
            [summary["evaluations"] / curve.seconds for summary, curve in zip(summaries, curves)]
        ),
        "funnel": funnel_total,
        "lm_valid": (
            sum(c.lm_valid for c in curves),
            sum(c.lm_generated for c in curves),
        ),
        "training_evaluations": training_evaluations,
        "curves": [{"evaluations": c.evaluations, "niches": c.niches} for c in curves],
    }


def fmt(triple: Sequence[float], spec: str) -> str:
    median, low, high = triple
    return f"{median:{spec}} ({low:{spec}}–{high:{spec}})"


def markdown_table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| configuration | evaluations | niches | QD score | valid | LM children valid "
        "| new niches / 100 evals | wall s | tokens | evals/s "
        "| funnel generated/parsed/ran/valid/walked | target hits | training evals |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for row in rows:
        funnel = row["funnel"]
        stages = "/".join(
            str(funnel.get(k, 0)) for k in ("generated", "parsed", "ran", "valid", "walked")
        )
        extra = "" if row["training_evaluations"] is None else str(row["training_evaluations"])
        lm_valid, lm_generated = row["lm_valid"]
        lm = f"{lm_valid / lm_generated:.0%} of {lm_generated}" if lm_generated else "-"
        hits = f"{funnel['on_target']} of {funnel['targeted']}" if funnel.get("targeted") else "-"
        lines.append(
            f"| {row['configuration']} | {row['evaluations'][0]:.0f} | {fmt(row['niches'], '.0f')} "
            f"| {fmt(row['qd_score'], '.2f')} | {fmt(row['valid_fraction'], '.0%')} | {lm} "
            f"| {fmt(row['new_niches_per_100'], '.1f')} | {fmt(row['seconds'], '.1f')} "
            f"| {row['tokens'][0]:.0f} | {fmt(row['evaluations_per_second'], '.2f')} | {stages} "
            f"| {hits} | {extra} |"
        )
    return "\n".join(lines)


def plot(rows: list[dict[str, Any]], out: Path, title: str) -> None:
    """Niches against evaluations: the median line and the min–max band."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4.5), dpi=120)
    axes = figure.add_subplot()
    for row in rows:
        curves = row["curves"]
        grid = sorted({e for curve in curves for e in curve["evaluations"]})
        sampled = [[step_value(curve, e) for e in grid] for curve in curves]
        median = [statistics.median(column) for column in zip(*sampled)]
        low = [min(column) for column in zip(*sampled)]
        high = [max(column) for column in zip(*sampled)]
        (line,) = axes.plot(grid, median, label=row["configuration"], drawstyle="steps-post")
        axes.fill_between(grid, low, high, step="post", alpha=0.2, color=line.get_color())
    axes.set_xlabel("evaluations (seeds included)")
    axes.set_ylabel("niches filled")
    axes.set_title(title, fontsize=9)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out)


def step_value(curve: dict[str, list[int]], evaluations: int) -> int:
    """The niches a run had after its last commit at or before `evaluations`."""
    value = curve["niches"][0]
    for spent, niches in zip(curve["evaluations"], curve["niches"]):
        if spent > evaluations:
            break
        value = niches
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="OPERATOR[@MODEL]",
        help="configurations to run (repeatable; default: every operator)",
    )
    parser.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="MODEL",
        help="also run `prompt` with this model (e.g. a fine-tuned MODEL_DIR)",
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument(
        "--budget", type=int, default=512, help="evaluations per run, seeds included"
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="seconds per run instead of an evaluation budget (equal wall-clock)",
    )
    parser.add_argument("--seed-program", default="square")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-new-tokens", type=int, default=None)
    parser.add_argument("--temperature", type=float, default=None, help="default: the library's")
    parser.add_argument("--engine", choices=("auto", "llamacpp", "transformers"), default="auto")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument(
        "--training-evaluations",
        type=int,
        default=None,
        help="evaluations spent making a fine-tuned model's data (reported)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="directory for JSON and PNG")
    parser.add_argument(
        "--keep", type=Path, default=None, help="keep each run's store under this directory"
    )
    parser.add_argument(
        "--combine",
        type=Path,
        nargs="+",
        default=None,
        metavar="JSON",
        help="run nothing: merge earlier science.json files into one table and plot",
    )
    args = parser.parse_args(argv)
    if args.budget < 1:
        parser.error("--budget must be at least 1")
    if len(set(args.seeds)) != len(args.seeds):
        parser.error("--seeds must be distinct")
    return args


def combine(paths: list[Path], out: Path) -> int:
    """One table and one plot from several runs of the bench (e.g. one
    configuration per invocation, so that a long grid keeps what it finished)."""
    loaded = [json.loads(path.read_text()) for path in paths]
    rows = [row for result in loaded for row in result["rows"]]
    titles = list(dict.fromkeys(result["title"] for result in loaded))
    write_results(rows, " | ".join(titles), out)
    return 0


def write_results(rows: list[dict[str, Any]], title: str, out: Path) -> None:
    print(f"\n{title}; median (min–max) over run seeds\n")
    print(markdown_table(rows))
    out.mkdir(parents=True, exist_ok=True)
    (out / "science.json").write_text(json.dumps({"title": title, "rows": rows}, indent=2))
    plot(rows, out / "niches.png", title)
    print(f"\nwrote {out / 'science.json'} and {out / 'niches.png'}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.combine:
        return combine(args.combine, args.out)
    configurations = [Configuration.parse(text) for text in (args.only or OPERATORS)]
    configurations += [Configuration("prompt", model) for model in args.model]
    rows = []
    for configuration in configurations:
        curves = []
        for seed in args.seeds:
            curve = run_once(configuration, args, seed)
            curves.append(curve)
            print(
                f"{configuration.label} seed {seed}: {curve.summary['niches_filled']} niches, "
                f"{curve.summary['evaluations']} evaluations, {curve.seconds:.1f} s",
                file=sys.stderr,
            )
        training = args.training_evaluations if configuration.model else None
        rows.append(aggregate(configuration.label, curves, training))
    budget = f"{args.time_limit:g} s per run" if args.time_limit else f"{args.budget} evaluations"
    title = (
        f"{args.seed_program} seed, {budget}, batch {args.batch_size}, run seeds "
        f"{' '.join(map(str, args.seeds))}; {cpu_model()}, {len(os.sched_getaffinity(0))} cores"
    )
    write_results(rows, title, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
