"""Simulator speed and fidelity against Box2D, the engine of IESoR and OpenELM.

The baseline builds the same walkers in Box2D (PyPI `Box2D`, installed by
`make bench` from requirements-bench.txt; the tests never need it) the way
OpenELM does: every joint a circle of density 25, friction 1 and restitution
0.1 that collides only with the ground; every bone a distance joint with no
frequency (rigid), every muscle a distance joint at 3 Hz and damping ratio
0.3 whose length is set from Python every step; gravity, linear damping,
the drop, the settling time and the scored window as in our simulator, and
Box2D stepping at 60 Hz with OpenELM's 10 velocity and 10 position
iterations.

Speed: M spring-steps/s (connections × steps) for the square seed (5 joints)
and lattices of 50 and 200 connections: ours on one thread (`simulate`),
ours in batches (`simulate_many`, per core), and Box2D. Fidelity: for
`--walkers` random valid walkers, the Spearman rank correlation of fitness
between the two simulators and each one's worst bone-length error; then
how many of those walkers' passive copies (every amplitude 0) still move
15 s after landing, which a solver that feeds energy into resting bodies
shows as creep.

    make bench            # installs the baseline, then runs this
    .venv/bin/python bench/sim.py [--repeats 3] [--walkers 200]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from _machine import machine_line
from openelm import (
    MUSCLE_RATE,
    SIMULATOR_VERSION,
    STEPS_PER_SECOND,
    SimConfig,
    Walker,
    interpret,
    simulate,
    simulate_many,
)
from openelm.seeds import seed_source

try:
    import Box2D
except ImportError as error:  # pragma: no cover - the bench installs it
    raise SystemExit(f"bench/sim.py needs Box2D: run `make bench` ({error})") from None

# Our model's constants (docs/physics.md); those Python can read come from Rust.
DEFAULTS = SimConfig()
DT = 1.0 / STEPS_PER_SECOND
GENOME_TO_WORLD = 0.1
AMPLITUDE_SCALE = 0.05
DROP_HEIGHT = 0.001
LINEAR_DAMPING = 1.1
MUSCLE_HZ, DAMPING_RATIO = 3.0, 0.3
# Box2D's joint bodies (IESoR / OpenELM): small circles, so the bodies
# touch the ground where our point joints do.
DENSITY, RESTITUTION, RADIUS = 25.0, 0.1, 0.02
VELOCITY_ITERATIONS, POSITION_ITERATIONS = 10, 10
GROUND_BITS, JOINT_BITS = 0x1, 0x2
# Passive creep (`passive_creep`): seconds to land, then seconds watched.
CREEP_SETTLE, CREEP_WINDOW = 15.0, 15.0


@dataclass(frozen=True)
class Box2DResult:
    fitness: float
    bone_stray: float


def box2d_simulate(
    walker: Walker,
    seconds: float,
    *,
    measure_stray: bool = True,
    settle_seconds: float = DEFAULTS.settle_seconds,
) -> Box2DResult:
    """Our scoring procedure (drop, settle, window, |Δx̄|) on the Box2D model."""
    world = Box2D.b2World(gravity=(0.0, -DEFAULTS.gravity), doSleep=False)
    ground = world.CreateStaticBody(position=(0.0, 0.0))
    ground.CreateEdgeFixture(
        vertices=[(-1000.0, 0.0), (1000.0, 0.0)],
        friction=DEFAULTS.friction,
        categoryBits=GROUND_BITS,
        maskBits=JOINT_BITS,
    )
    min_y = min(y for _, y in walker.joints)
    bodies = []
    for x, y in walker.joints:
        body = world.CreateDynamicBody(
            position=(x * GENOME_TO_WORLD, (y - min_y) * GENOME_TO_WORLD + RADIUS + DROP_HEIGHT),
            linearDamping=LINEAR_DAMPING,
            fixedRotation=True,
        )
        body.CreateCircleFixture(
            radius=RADIUS,
            density=DENSITY,
            friction=DEFAULTS.friction,
            restitution=RESTITUTION,
            categoryBits=JOINT_BITS,
            maskBits=GROUND_BITS,
        )
        bodies.append(body)
    bones, muscles = [], []
    for a, b, amplitude, phase in walker.connections:
        pa, pb = bodies[a].position, bodies[b].position
        rest = math.hypot(pb[0] - pa[0], pb[1] - pa[1])
        joint = world.CreateDistanceJoint(
            bodyA=bodies[a],
            bodyB=bodies[b],
            anchorA=pa,
            anchorB=pb,
            collideConnected=False,
            frequencyHz=MUSCLE_HZ if amplitude else 0.0,
            dampingRatio=DAMPING_RATIO if amplitude else 0.0,
        )
        if amplitude:
            muscles.append((joint, rest, rest * AMPLITUDE_SCALE * amplitude, 2 * math.pi * phase))
        else:
            bones.append((bodies[a], bodies[b], rest))
    settle = round(settle_seconds / DT)
    total = settle + round(seconds / DT)
    start = _mean_x(bodies)
    stray = 0.0
    for step in range(total):
        angle = MUSCLE_RATE * step * DT
        for joint, rest, swing, offset in muscles:
            joint.length = rest + swing * math.cos(angle + offset)
        world.Step(DT, VELOCITY_ITERATIONS, POSITION_ITERATIONS)
        if measure_stray:
            for body_a, body_b, rest in bones:
                pa, pb = body_a.position, body_b.position
                length = math.hypot(pb[0] - pa[0], pb[1] - pa[1])
                stray = max(stray, abs(length - rest) / rest)
        if step + 1 == settle:
            start = _mean_x(bodies)
    return Box2DResult(abs(_mean_x(bodies) - start), stray)


def _mean_x(bodies: Sequence[Box2D.b2Body]) -> float:
    return sum(body.position[0] for body in bodies) / len(bodies)


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


def random_walker(rng: random.Random) -> Walker | None:
    """A random body of 4–12 joints in a 12-unit box, 1.5–2.5 connections per
    joint (half of them muscles), or None when it breaks a validation rule."""
    count = rng.randint(4, 12)
    joints = [(rng.uniform(0, 12), rng.uniform(0, 12)) for _ in range(count)]
    pairs = [(a, b) for a in range(count) for b in range(a + 1, count)]
    rng.shuffle(pairs)
    chosen = pairs[: min(len(pairs), round(count * rng.uniform(1.5, 2.5)))]
    conns = [
        (a, b, rng.uniform(1.0, 10.0) if rng.random() < 0.5 else 0.0, rng.random())
        for a, b in chosen
    ]
    walker = Walker(joints, conns)
    try:
        walker.validate()
    except ValueError:
        return None
    return walker


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(xs, ys).statistic)


def speed(args: argparse.Namespace) -> None:
    steps = round((DEFAULTS.settle_seconds + args.seconds) / DT)
    cores = os.cpu_count() or 1
    config = DEFAULTS.replace(seconds=args.seconds)
    square = interpret(seed_source("square")).walker
    assert square is not None
    print(f"simulator version {SIMULATOR_VERSION}; {steps} steps per walker\n")
    print(
        "| walker | connections | ours, 1 thread (`simulate`) | ours, batch per core "
        f"(`simulate_many` ×{args.batch} on {cores} cores) | Box2D | batch per core / Box2D |"
    )
    print("|---|---|---|---|---|---|")
    for name, walker in (
        ("square seed", square),
        ("lattice", lattice_walker(50)),
        ("lattice", lattice_walker(200)),
    ):
        size = len(walker.connections)
        inner = max(1, 400 // size)
        single = (
            median_seconds(lambda: [simulate(walker, config) for _ in range(inner)], args.repeats)
            / inner
        )
        walkers = [walker] * args.batch
        batch = median_seconds(lambda: simulate_many(walkers, config), args.repeats) / args.batch
        per_core = batch * cores
        baseline = median_seconds(
            lambda: box2d_simulate(walker, args.seconds, measure_stray=False), args.repeats
        )

        def rate(seconds: float, size: int = size) -> float:
            return size * steps / seconds / 1e6

        print(
            f"| {name} | {size} | {rate(single):.2f} | {rate(per_core):.2f} | "
            f"{rate(baseline):.2f} | {baseline / per_core:.1f}× |"
        )


def fidelity(args: argparse.Namespace) -> None:
    rng = random.Random(args.rng_seed)
    walkers: list[Walker] = []
    while len(walkers) < args.walkers:
        walker = random_walker(rng)
        if walker is not None:
            walkers.append(walker)
    config = DEFAULTS.replace(seconds=args.seconds)
    ours = simulate_many(walkers, config)
    theirs = [box2d_simulate(walker, args.seconds) for walker in walkers]
    both = [(o.fitness, t.fitness) for o, t in zip(ours, theirs) if o.valid]
    rho = spearman([o for o, _ in both], [t for _, t in both])
    ours_stray = sorted(o.bone_stray for o in ours if o.valid)
    theirs_stray = sorted(t.bone_stray for t in theirs)
    print(
        f"\nfidelity over {len(walkers)} random valid walkers "
        f"(rng seed {args.rng_seed}; {len(both)} simulated without blow-up by ours):\n"
    )
    print("| measure | ours | Box2D |")
    print("|---|---|---|")
    print(f"| Spearman ρ of fitness | {rho:.3f} | |")
    print(
        f"| median fitness (m) | {statistics.median(o for o, _ in both):.3f} | "
        f"{statistics.median(t for _, t in both):.3f} |"
    )
    print(
        f"| median worst bone stray | {statistics.median(ours_stray):.3%} | "
        f"{statistics.median(theirs_stray):.3%} |"
    )
    print(f"| worst bone stray | {ours_stray[-1]:.3%} | {theirs_stray[-1]:.3%} |")
    passive_creep(walkers)


def passive(walker: Walker) -> Walker:
    return Walker(walker.joints, [(a, b, 0.0, phase) for a, b, _, phase in walker.connections])


def passive_creep(walkers: Sequence[Walker]) -> None:
    """How far each walker's passive copy (every amplitude 0) still travels
    in the CREEP_WINDOW seconds after CREEP_SETTLE seconds of landing: a body
    with no muscles has nothing to walk with, so anything above a few
    millimetres is the solver feeding it energy."""
    copies = [passive(walker) for walker in walkers]
    config = DEFAULTS.replace(settle_seconds=CREEP_SETTLE, seconds=CREEP_WINDOW)
    ours = sorted(r.fitness for r in simulate_many(copies, config) if r.valid)
    theirs = sorted(
        box2d_simulate(c, CREEP_WINDOW, measure_stray=False, settle_seconds=CREEP_SETTLE).fitness
        for c in copies
    )
    print(
        f"\npassive copies of the same walkers, |Δx̄| over {CREEP_WINDOW:.0f} s "
        f"after {CREEP_SETTLE:.0f} s of landing:\n"
    )
    print("| measure | ours | Box2D |")
    print("|---|---|---|")
    for label, limit in (("still moving (> 1 cm)", 0.01), ("> 10 cm", 0.1)):
        print(
            f"| {label} | {sum(d > limit for d in ours)} of {len(ours)} | "
            f"{sum(d > limit for d in theirs)} of {len(theirs)} |"
        )
    print(f"| farthest (m) | {ours[-1]:.3f} | {theirs[-1]:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=DEFAULTS.seconds)
    parser.add_argument("--batch", type=int, default=64, help="walkers per simulate_many call")
    parser.add_argument("--walkers", type=int, default=200, help="random walkers for fidelity")
    parser.add_argument("--rng-seed", type=int, default=1)
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    print(machine_line())
    if not args.skip_speed:
        speed(args)
    fidelity(args)


if __name__ == "__main__":
    main()
