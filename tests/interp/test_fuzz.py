"""Fuzz: thousands of randomly mutated seeds (deleted and duplicated lines,
swapped tokens, changed numbers, spliced garbage) never crash the
interpreter or hang it, and every result is classified."""

from __future__ import annotations

import random
import re
import time

from openelm import InterpLimits, interpret_many
from openelm.seeds import seed_names, seed_source

STATUSES = {"ok", "syntax", "forbidden", "unsupported", "runtime", "limit", "invalid_walker"}
SNIPPETS = [
    "while True:\n    pass\n",
    "x = [0] * 10**9\n",
    "import os\n",
    "().__class__\n",
    "def f(): return f()\nf()\n",
    "raise ValueError('x')\n",
    "a = []\na.append(a)\nprint(a)\n",
    "x = 2 ** 64\n",
    "{}[[]]\n",
    "(" * 200,
    "lambda: (yield)\n",
    "try:\n    1/0\nexcept:\n    raise\n",
    "'%d' % 3\n",
    "x = -9223372036854775808 // -1\n",
]
TOKEN = re.compile(r"\w+|[^\w\s]")


def mutate(source: str, rng: random.Random) -> str:
    lines = source.split("\n")
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        i = rng.randrange(len(lines))
        if choice < 0.2 and len(lines) > 1:
            del lines[i]
        elif choice < 0.3:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif choice < 0.55:
            tokens = TOKEN.findall(lines[i])
            if len(tokens) >= 2:
                a, b = rng.sample(range(len(tokens)), 2)
                tokens[a], tokens[b] = tokens[b], tokens[a]
                lines[i] = " " * (len(lines[i]) - len(lines[i].lstrip())) + " ".join(tokens)
        elif choice < 0.8:
            number = rng.choice(
                ["0", "-1", "1e308", "10**6", "0.05", "999", "-7.5", "2**62", "True"]
            )
            lines[i] = re.sub(r"\d+(\.\d+)?", number, lines[i], count=rng.randint(1, 3))
        else:
            lines.insert(i, rng.choice(SNIPPETS).rstrip("\n"))
    return "\n".join(lines)


def test_mutated_seeds_never_crash_or_hang() -> None:
    rng = random.Random(20240611)
    seeds = [seed_source(name) for name in seed_names()]
    sources = [mutate(rng.choice(seeds), rng) for _ in range(3000)]
    started = time.perf_counter()
    results = interpret_many(sources, InterpLimits(max_steps=100_000))
    elapsed = time.perf_counter() - started
    assert len(results) == len(sources)
    statuses = [r.status for r in results]
    assert set(statuses) <= STATUSES
    assert all((r.walker is not None) == (r.status == "ok") for r in results)
    assert all(r.error for r in results if r.status != "ok")
    assert not any("interpreter bug" in (r.error or "") for r in results)
    # Several outcomes show up, so the mutations really exercise the checks.
    assert len(set(statuses)) >= 4
    assert elapsed < 60, f"{elapsed:.1f}s for {len(sources)} genomes"


def test_random_bytes_never_crash() -> None:
    rng = random.Random(7)
    sources = [bytes(rng.randrange(256) for _ in range(rng.randrange(200))) for _ in range(500)]
    results = interpret_many(sources)
    assert {r.status for r in results} <= STATUSES
