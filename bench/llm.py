"""Language-model throughput: new tokens/s against batch size, for plain
transformers `generate()` and for openelm's engine, in the same run.

    .venv/bin/python bench/llm.py                     # the full table (~5 min on 2 cores)
    .venv/bin/python bench/llm.py --batch-sizes 4,32 --repeats 1

Workload: a ~360-token walker prompt (API comment block, a square-walker
parent, the instruction and `def make_walker():`), `batch` samples of it.

- Baseline: `model.generate()` on float32, the prompt repeated `batch`
  times, exactly 128 new tokens per sample (`min_new_tokens`), temperature
  0.8, top-p 0.95 (top-k 50, transformers' default). All 128 count.
- Engine: `Generator(load_language_model())` at its default settings
  (dtype auto, so bfloat16 on CPUs with native bfloat16; up to 256 new
  tokens; stop at the end of `make_walker`), one request of `batch`
  samples. Only the tokens it generated count; samples stop early, so a
  sample has fewer tokens than the baseline's 128 on average.
- With `--float32-engine`, the engine also runs in float32 at the largest
  batch, to split the speed-up between the engine and the dtype.

Both count wall time including prefill. The engine runs `--repeats` times
(seeds 1, 2, ...) and reports the median; the baseline runs once per batch
(it is the slow part). The headline compares the engine at its default
batch (`DEFAULT_MAX_BATCH_ROWS` samples) with the best baseline batch.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections import Counter

import torch
from openelm.llm import (
    DEFAULT_MAX_BATCH_ROWS,
    EMBEDDED_MODEL_NAME,
    Generator,
    LanguageModel,
    load_language_model,
    resolve_model,
)

PROMPT = """# Walker API:
#   wc = walker_creator()  starts an empty walker.
#   j = wc.add_joint(x, y)  adds a point mass at (x, y) and returns its handle.
#   wc.add_muscle(j0, j1, amplitude=0.0, phase=0.0)  connects two joints:
#       amplitude 0.0 is a spring, up to 10.0 a muscle; phase is in cycles.
#   wc.get_walker()  returns the finished walker.
import math


def make_walker():
    wc = walker_creator()

    corners = []
    for x, y in [(0, 0), (0, 10), (10, 10), (10, 0)]:
        corners.append(wc.add_joint(x, y))
    center = wc.add_joint(5, 5)

    for i in range(len(corners)):
        wc.add_muscle(corners[i], corners[(i + 1) % len(corners)])
    for i, amplitude in enumerate([4.0, 2.0, 1.0]):
        wc.add_muscle(center, corners[i], amplitude=amplitude, phase=0.25 * i)
    wc.add_muscle(center, corners[3])

    return wc.get_walker()


# Create a new walker by modifying the starting function above.
def make_walker():
"""

BASELINE_NEW_TOKENS = 128


@torch.inference_mode()
def plain_generate_tokens_per_second(
    model: LanguageModel, batch: int, new_tokens: int = BASELINE_NEW_TOKENS
) -> float:
    tokenizer = model.tokenizer
    tokenizer.padding_side = "left"
    inputs = tokenizer([PROMPT] * batch, return_tensors="pt").to(model.device)
    torch.manual_seed(0)
    started = time.perf_counter()
    output = model.model.generate(
        **inputs,
        max_new_tokens=new_tokens,
        min_new_tokens=new_tokens,
        do_sample=True,
        temperature=0.8,
        top_p=0.95,
        pad_token_id=tokenizer.eos_token_id,
    )
    seconds = time.perf_counter() - started
    new_tokens = (output.shape[1] - inputs["input_ids"].shape[1]) * batch
    return new_tokens / seconds


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def engine_runs(
    model: LanguageModel, batch: int, repeats: int
) -> tuple[float, float, Counter[str]]:
    """Median new tokens/s, mean completion length, stop reasons (all runs)."""
    generator = Generator(model)
    rates: list[float] = []
    stops: Counter[str] = Counter()
    tokens = completions = 0
    for seed in range(1, repeats + 1):
        [samples] = generator.generate([(PROMPT, batch)], seed=seed)
        rates.append(generator.last_stats.completion_tokens_per_second)
        stops.update(sample.stopped.value for sample in samples)
        tokens += generator.last_stats.completion_tokens
        completions += len(samples)
    return statistics.median(rates), tokens / completions, stops


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--batch-sizes", default=f"4,16,32,{DEFAULT_MAX_BATCH_ROWS}")
    parser.add_argument(
        "--repeats", type=int, default=3, help="engine runs per batch size (median)"
    )
    parser.add_argument(
        "--float32-engine", action="store_true", help="also run the engine in float32"
    )
    args = parser.parse_args()
    batch_sizes = [int(size) for size in args.batch_sizes.split(",")]

    started = time.perf_counter()
    resolve_model(EMBEDDED_MODEL_NAME)  # converts the GGUF on the very first run only
    load_started = time.perf_counter()
    engine_model = load_language_model()
    warm_load_seconds = time.perf_counter() - load_started
    baseline_model = load_language_model(dtype="float32")
    prompt_tokens = len(engine_model.tokenizer(PROMPT)["input_ids"])
    print(
        f"machine: {cpu_name()}, {os.cpu_count()} cores, "
        f"torch {torch.__version__} with {torch.get_num_threads()} threads"
    )
    print(f"model: {engine_model.identity.name}, warm load {warm_load_seconds:.2f} s")
    print(f"prompt: {prompt_tokens} tokens; engine dtype {engine_model.identity.dtype}\n")
    # One short call each so that one-time setup is not timed.
    Generator(engine_model).generate([(PROMPT, 2)], max_new_tokens=4)
    plain_generate_tokens_per_second(baseline_model, 1, new_tokens=4)

    rows = []
    for batch in batch_sizes:
        baseline = plain_generate_tokens_per_second(baseline_model, batch)
        engine, mean_length, stops = engine_runs(engine_model, batch, args.repeats)
        rows.append((batch, baseline, engine, mean_length, stops))
        print(f"  batch {batch}: plain {baseline:.1f} tok/s, engine {engine:.1f} tok/s", flush=True)

    print(
        f"\n| batch | plain generate (float32) tok/s | engine tok/s (median of {args.repeats}) | ratio "
        "| engine mean tokens/sample | engine stops |"
    )
    print("|---|---|---|---|---|---|")
    for batch, baseline, engine, mean_length, stops in rows:
        stop_text = ", ".join(f"{reason} {count}" for reason, count in sorted(stops.items()))
        print(
            f"| {batch} | {baseline:.1f} | {engine:.1f} | {engine / baseline:.2f}x | {mean_length:.0f} | {stop_text} |"
        )

    best_batch, best_baseline = max(((row[0], row[1]) for row in rows), key=lambda pair: pair[1])
    default_rows = [row for row in rows if row[0] == DEFAULT_MAX_BATCH_ROWS]
    if default_rows:
        engine_default = default_rows[0][2]
        print(
            f"\nengine at default settings ({DEFAULT_MAX_BATCH_ROWS} samples): {engine_default:.1f} tok/s (median); "
            f"best plain generate: {best_baseline:.1f} tok/s at batch {best_batch}; "
            f"ratio {engine_default / best_baseline:.2f}x"
        )
    if args.float32_engine:
        largest = max(batch_sizes)
        engine, _, _ = engine_runs(baseline_model, largest, 1)
        print(f"engine in float32 at batch {largest}: {engine:.1f} tok/s")
    print(f"bench time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
