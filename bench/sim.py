"""Simulator throughput: spring-steps per second.

Rust single thread (`simulate`) and batch (`simulate_many`, all cores) on
lattice walkers of 10, 50 and 200 connections, against a vectorised NumPy
implementation of the same model written here as the baseline. The NumPy
version is checked against Rust first so the comparison is like for like.

    .venv/bin/python bench/sim.py [--repeats 5] [--seconds 15]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import time

import numpy as np
from openelm import MUSCLE_RATE, STEPS_PER_SECOND, SimConfig, Walker, simulate, simulate_many

# The model's constants, as documented in docs/physics.md; the ones Python
# can read come from the Rust core.
DEFAULTS = SimConfig()
DT = 1.0 / STEPS_PER_SECOND
GENOME_TO_WORLD = 0.1
AMPLITUDE_SCALE = 0.05
GRAVITY = DEFAULTS.gravity
LINEAR_DAMPING = 1.1
SPRING_HZ = 3.0
DAMPING_RATIO = 0.3
FRICTION = DEFAULTS.friction
RESTITUTION = 0.1
BOUNCE_THRESHOLD = 1.0
DROP_HEIGHT = 0.01
SETTLE_SECONDS = DEFAULTS.settle_seconds


def lattice_walker(connections: int) -> Walker:
    """A grid of joints 2 units apart joined to right, upper and diagonal
    neighbours until `connections` links exist; every third is a muscle."""
    columns = max(3, math.ceil(math.sqrt(connections / 3)) + 1)
    rows = math.ceil(connections / (3 * columns)) + 2
    joints = [(2.0 * c, 2.0 * r) for r in range(rows) for c in range(columns)]
    links = []
    for r in range(rows):
        for c in range(columns):
            i = r * columns + c
            for dr, dc in ((0, 1), (1, 0), (1, 1)):
                if r + dr < rows and c + dc < columns:
                    links.append((i, (r + dr) * columns + c + dc))
    links = links[:connections]
    used = sorted({j for link in links for j in link})
    index = {j: k for k, j in enumerate(used)}
    conns = []
    for k, (a, b) in enumerate(links):
        amplitude = 4.0 + (k % 5) if k % 3 == 0 else 0.0
        conns.append((index[a], index[b], amplitude, (k * 0.37) % 1.0))
    walker = Walker([joints[j] for j in used], conns)
    walker.validate()
    return walker


def numpy_simulate(walker: Walker, seconds: float) -> float:
    """The same model as the Rust core, vectorised over springs and nodes."""
    joints = np.array(walker.joints, dtype=np.float64)
    conns = walker.connections
    a = np.array([c[0] for c in conns])
    b = np.array([c[1] for c in conns])
    amplitude = np.array([c[2] for c in conns])
    phase = np.array([c[3] for c in conns])
    x = joints[:, 0] * GENOME_TO_WORLD
    y = (joints[:, 1] - joints[:, 1].min()) * GENOME_TO_WORLD + DROP_HEIGHT
    n = len(x)
    vx, vy = np.zeros(n), np.zeros(n)
    rest = np.hypot(x[b] - x[a], y[b] - y[a])
    swing = rest * AMPLITUDE_SCALE * amplitude
    cos_coef = swing * np.cos(2 * np.pi * phase)
    sin_coef = -swing * np.sin(2 * np.pi * phase)
    omega = 2 * np.pi * SPRING_HZ
    stiffness, damping = 0.5 * omega**2, 2 * 0.5 * DAMPING_RATIO * omega
    damping_factor = 1.0 / (1.0 + DT * LINEAR_DAMPING)
    settle = round(SETTLE_SECONDS / DT)
    total = settle + round(seconds / DT)
    start = x.mean()
    for step in range(total):
        angle = MUSCLE_RATE * step * DT
        dx, dy = x[b] - x[a], y[b] - y[a]
        length = np.hypot(dx, dy)
        nx, ny = dx / length, dy / length
        target = rest + cos_coef * math.cos(angle) + sin_coef * math.sin(angle)
        closing = (vx[b] - vx[a]) * nx + (vy[b] - vy[a]) * ny
        magnitude = stiffness * (length - target) + damping * closing
        fx = np.bincount(a, magnitude * nx, n) - np.bincount(b, magnitude * nx, n)
        fy = np.bincount(a, magnitude * ny, n) - np.bincount(b, magnitude * ny, n) - GRAVITY
        vx = (vx + fx * DT) * damping_factor
        vy = (vy + fy * DT) * damping_factor
        contact = y + vy * DT < 0.0
        target_vy = np.where(vy < -BOUNCE_THRESHOLD, -RESTITUTION * vy, -y / DT)
        normal = np.where(contact, target_vy - vy, 0.0)
        vy = np.where(contact, target_vy, vy)
        limit = FRICTION * normal
        vx = np.where(contact, np.where(np.abs(vx) <= limit, 0.0, vx - np.copysign(limit, vx)), vx)
        x = x + vx * DT
        y = y + vy * DT
        if step + 1 == settle:
            start = x.mean()
    return abs(x.mean() - start)


def median_seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=DEFAULTS.seconds)
    parser.add_argument("--batch", type=int, default=64, help="walkers per simulate_many call")
    args = parser.parse_args()
    steps = round((SETTLE_SECONDS + args.seconds) / DT)
    cores = os.cpu_count()
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} {cores} cores; {steps} steps per walker\n"
    )
    print(
        f"| connections | Rust 1 thread (M spring-steps/s) | Rust batch ×{args.batch} ({cores} cores) | NumPy baseline | Rust 1 thread / NumPy |"
    )
    print("|---|---|---|---|---|")
    for size in (10, 50, 200):
        walker = lattice_walker(size)
        config = DEFAULTS.replace(seconds=args.seconds)
        rust_fitness = simulate(walker, config).fitness
        numpy_fitness = numpy_simulate(walker, args.seconds)
        # Same model, different summation order: agreement to ~1e-6 m.
        assert abs(rust_fitness - numpy_fitness) < 1e-6 * max(1.0, rust_fitness), (
            rust_fitness,
            numpy_fitness,
        )
        # Repeat short walkers inside one timing so the clock resolution is not the measurement.
        inner = max(1, 2000 // size)
        single = (
            median_seconds(lambda: [simulate(walker, config) for _ in range(inner)], args.repeats)
            / inner
        )
        walkers = [walker] * args.batch
        batch = median_seconds(lambda: simulate_many(walkers, config), args.repeats) / args.batch
        baseline = median_seconds(
            lambda: numpy_simulate(walker, args.seconds), max(1, args.repeats // 2)
        )
        rate = lambda seconds: size * steps / seconds / 1e6  # noqa: E731
        print(
            f"| {size} | {rate(single):.1f} | {rate(batch):.1f} | {rate(baseline):.2f} | {baseline / single:.0f}× |"
        )


if __name__ == "__main__":
    main()
