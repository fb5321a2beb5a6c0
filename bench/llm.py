"""Language-model speed and child validity for every backend, in one run:
plain transformers `generate()`, the transformers engine (with its
prompt-lookup drafts, and without them as `transformers-nodrafts`), the
llama.cpp engine, and a llama.cpp server (llama_cpp.server on 127.0.0.1) through the
endpoint backend, all on the embedded SmolLM2-135M.

    .venv/bin/python bench/llm.py                          # everything (long on 2 cores)
    .venv/bin/python bench/llm.py --batches 16 --validity 32 --skip server

Workloads (real `prompt`-operator prompts, ~620 tokens each):
- shared: `batch` completions of one prompt (the square seed's);
- distinct: 32 completions of 32 different prompts (the seeds and numeric
  variants of them, as a growing archive gives), decoded `batch` at a time.

`batch` is how many completions a backend decodes together: the engines'
row or sequence count, plain `generate()`'s batch (distinct prompts go in
chunks of `batch`, left-padded), the server's request concurrency.

- plain `generate()`: float32, exactly 128 new tokens per sample
  (`min_new_tokens`), temperature 0.8, top-p 0.95; all 128 count.
- engines and server: their defaults (up to 256 new tokens, stopping at the
  end of `make_walker`); only the tokens generated count.

Speed is new tokens per wall second, prefill included, median of
`--repeats` runs for the engines (one run for plain generate() and the
server). Validity: `--validity` children of the square seed per backend
(prompt operator, default sampling), evaluated in the sandbox.

The headline is the default engine (`choose_engine` for the embedded model)
at its default width against the best plain generate() batch.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from openelm.evolve.genome_source import split_genome
from openelm.evolve.operators.base import PromptPlan
from openelm.evolve.operators.random_numbers import RandomNumbersOperator
from openelm.evolve.prompts import modification_prompt
from openelm.evolve.seed_programs import load_seed_program
from openelm.llm import EMBEDDED_MODEL_NAME, Generator, LanguageModel, load_language_model
from openelm.llm.completion import Completion
from openelm.llm.embedded import find_embedded_gguf
from openelm.llm.endpoint import EndpointCompleter, EndpointSettings
from openelm.llm.llamacpp import DEFAULT_MAX_SEQUENCES, choose_engine, load_llamacpp_engine
from openelm.sandbox import SandboxPool

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _machine import machine_line

from tests.llm.llama_server import SERVED_NAME, LlamaServer

BASELINE_NEW_TOKENS = 128
DISTINCT_PROMPTS = 32
SEED_NAMES = ("square", "radial", "galloper", "inchworm", "cppn_fixed", "cppn_mutable")
BACKENDS = ("plain", "transformers", "transformers-nodrafts", "llamacpp", "server")

Complete = Callable[[Sequence[str], int], list[Completion]]


@dataclass
class Row:
    backend: str
    workload: str
    batch: int
    tokens_per_second: float
    mean_tokens: float


def shared_prompt() -> str:
    return modification_prompt(load_seed_program("square").source)


def distinct_prompts(count: int = DISTINCT_PROMPTS) -> list[str]:
    """The seeds, then numeric variants of them: distinct parents, one API doc."""
    sources = [load_seed_program(name).source for name in SEED_NAMES]
    mutate = RandomNumbersOperator(rate=0.3, sigma=0.25)
    rng = np.random.default_rng(0)
    while len(sources) < count:
        sources.append(mutate.mutate(sources[len(sources) % len(SEED_NAMES)], rng))
    return [modification_prompt(source) for source in sources[:count]]


@torch.inference_mode()
def plain_generate(model: LanguageModel, prompts: Sequence[str], batch: int) -> float:
    """New tokens/s of `model.generate()` over `prompts`, `batch` at a time."""
    tokenizer = model.tokenizer
    tokenizer.padding_side = "left"
    torch.manual_seed(0)
    tokens = 0
    started = time.perf_counter()
    for start in range(0, len(prompts), batch):
        chunk = list(prompts[start : start + batch])
        inputs = tokenizer(chunk, return_tensors="pt", padding=True).to(model.device)
        output = model.model.generate(
            **inputs,
            max_new_tokens=BASELINE_NEW_TOKENS,
            min_new_tokens=BASELINE_NEW_TOKENS,
            do_sample=True,
            temperature=0.8,
            top_p=0.95,
            pad_token_id=tokenizer.eos_token_id,
        )
        tokens += (output.shape[1] - inputs["input_ids"].shape[1]) * len(chunk)
    return tokens / (time.perf_counter() - started)


def timed(complete: Complete, prompts: Sequence[str], seed: int) -> tuple[float, float]:
    """(new tokens/s, mean tokens per completion) of one call."""
    started = time.perf_counter()
    completions = complete(prompts, seed)
    seconds = time.perf_counter() - started
    tokens = sum(completion.completion_tokens for completion in completions)
    return tokens / seconds, tokens / len(completions)


def validity(complete: Complete, count: int, pool: SandboxPool) -> tuple[int, int]:
    """(valid, total) children of the square seed written by `complete`."""
    square = load_seed_program("square").source
    parts = split_genome(square)
    plan = PromptPlan("prompt", (1,), modification_prompt(square), parts.prefix, parts.suffix)
    completions = complete([plan.prompt] * count, 1234)
    sources = [plan.child_from_completion(completion.text) for completion in completions]
    results = pool.evaluate(sources)
    return sum(result.status == "ok" for result in results), count


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--batches", default="16,64", help="decode widths")
    parser.add_argument("--repeats", type=int, default=3, help="engine runs per cell (median)")
    parser.add_argument("--validity", type=int, default=128, help="children per backend (0: none)")
    parser.add_argument(
        "--skip", default="", help=f"backends to leave out, of {','.join(BACKENDS)}"
    )
    parser.add_argument("--threads", type=int, default=None, help="llama.cpp threads")
    args = parser.parse_args()
    batches = [int(size) for size in args.batches.split(",")]
    skip = {name for name in args.skip.split(",") if name}
    started = time.perf_counter()

    shared = shared_prompt()
    distinct = distinct_prompts()
    default_engine, why = choose_engine(EMBEDDED_MODEL_NAME, "auto", "cpu")
    engine_model = load_language_model()
    baseline_model = load_language_model(dtype="float32")
    load_started = time.perf_counter()
    llama = load_llamacpp_engine(EMBEDDED_MODEL_NAME, threads=args.threads)
    llama_load = time.perf_counter() - load_started
    shared_tokens = len(engine_model.tokenizer(shared)["input_ids"])
    print(
        f"{machine_line()}, torch {torch.__version__} "
        f"({torch.get_num_threads()} threads), llama.cpp {llama.threads} threads"
    )
    print(
        f"model: {EMBEDDED_MODEL_NAME}; plain generate() float32; transformers engine "
        f"{engine_model.identity.dtype}; llama.cpp engine and server {llama.quantisation} "
        f"(GGUF loads in {llama_load:.2f} s)"
    )
    print(f"prompts: shared {shared_tokens} tokens; distinct {len(distinct)} prompts")
    print(f"default engine for the embedded model: {default_engine} ({why})\n", flush=True)

    server: LlamaServer | None = None
    if "server" not in skip:
        server = LlamaServer(find_embedded_gguf(), Path("/tmp"), n_ctx=4096).start()

    def transformers_complete(batch: int, **options: int) -> Complete:
        generator = Generator(engine_model, max_batch_rows=batch, **options)
        return lambda prompts, seed: [
            sample for (sample,) in generator.generate([(p, 1) for p in prompts], seed=seed)
        ]

    def llamacpp_complete(batch: int) -> Complete:
        llama.max_sequences = batch
        return lambda prompts, seed: llama.generate(prompts, seed=seed)

    def server_complete(batch: int) -> Complete:
        assert server is not None
        completer = EndpointCompleter(
            EndpointSettings(server.url, SERVED_NAME, concurrency=batch, timeout_s=3600)
        )
        return lambda prompts, seed: completer.complete(prompts, seed=seed)

    makers: dict[str, Callable[[int], Complete]] = {
        "transformers": transformers_complete,
        "transformers-nodrafts": lambda batch: transformers_complete(batch, max_draft_tokens=0),
        "llamacpp": llamacpp_complete,
        "server": server_complete,
    }
    # One short call each, so that one-time setup is not timed.
    transformers_complete(2)([shared] * 2, 0)
    llamacpp_complete(2)([shared] * 2, 0)

    rows: list[Row] = []
    try:
        for batch in batches:
            for workload, prompts in (("shared", [shared] * batch), ("distinct", distinct)):
                if "plain" not in skip:
                    rate = plain_generate(baseline_model, prompts, batch)
                    rows.append(Row("plain", workload, batch, rate, BASELINE_NEW_TOKENS))
                    print(f"  plain {workload} batch {batch}: {rate:.1f} tok/s", flush=True)
                for backend, make in makers.items():
                    if backend in skip:
                        continue
                    complete = make(batch)
                    repeats = 1 if backend == "server" else args.repeats
                    runs = [timed(complete, prompts, seed) for seed in range(1, repeats + 1)]
                    rate = statistics.median(run[0] for run in runs)
                    mean = statistics.mean(run[1] for run in runs)
                    rows.append(Row(backend, workload, batch, rate, mean))
                    print(f"  {backend} {workload} batch {batch}: {rate:.1f} tok/s", flush=True)

        quality: dict[str, tuple[int, int]] = {}
        if args.validity:
            with SandboxPool(None) as pool:
                for backend, make in makers.items():
                    if backend not in skip:
                        quality[backend] = validity(
                            make(DEFAULT_MAX_SEQUENCES), args.validity, pool
                        )
                        print(f"  validity {backend}: {quality[backend]}", flush=True)
    finally:
        if server is not None:
            server.stop()

    report(rows, quality, default_engine)
    print(f"bench time {time.perf_counter() - started:.0f} s")


def report(rows: list[Row], quality: dict[str, tuple[int, int]], default_engine: str) -> None:
    print(
        "\n| workload | batch | backend | tok/s | vs plain generate() same batch | mean new tokens |"
    )
    print("|---|---|---|---|---|---|")
    plain = {
        (row.workload, row.batch): row.tokens_per_second for row in rows if row.backend == "plain"
    }
    for row in rows:
        base = plain.get((row.workload, row.batch))
        ratio = f"{row.tokens_per_second / base:.2f}x" if base else "-"
        print(
            f"| {row.workload} | {row.batch} | {row.backend} | {row.tokens_per_second:.1f} | {ratio} | {row.mean_tokens:.0f} |"
        )
    if quality:
        print("\n| backend | valid children of square |")
        print("|---|---|")
        for backend, (valid, total) in quality.items():
            print(f"| {backend} | {valid}/{total} ({valid / total:.0%}) |")
    for workload in ("shared", "distinct"):
        best_plain = max(
            (r for r in rows if r.backend == "plain" and r.workload == workload),
            key=lambda r: r.tokens_per_second,
            default=None,
        )
        engine_rows = [r for r in rows if r.backend == default_engine and r.workload == workload]
        if best_plain is None or not engine_rows:
            continue
        widest = max(engine_rows, key=lambda r: r.batch)
        slowest_ratio = min(
            r.tokens_per_second / plain[(workload, r.batch)]
            for r in engine_rows
            if (workload, r.batch) in plain
        )
        print(
            f"\n{workload}: default engine ({default_engine}) at batch {widest.batch}: "
            f"{widest.tokens_per_second:.1f} tok/s; best plain generate(): "
            f"{best_plain.tokens_per_second:.1f} tok/s at batch {best_plain.batch}; ratio "
            f"{widest.tokens_per_second / best_plain.tokens_per_second:.2f}x; lowest ratio to plain "
            f"at the same batch {slowest_ratio:.2f}x"
        )


if __name__ == "__main__":
    main()
