"""Rendering speed: a 15-second GIF at 30 fps and 480×320 for each seed
(simulation + drawing + GIF encoding, in process). Target: ≤ 2 s.

    .venv/bin/python bench/render.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from openelm import interpret
from openelm.render import RenderOptions, Subject, render_subjects
from openelm.seeds import seed_names, seed_source


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    options = RenderOptions(format="gif", seconds=15.0, fps=30, size=(480, 320))
    print("| seed | joints | connections | frames | median s (GIF, 15 s @ 30 fps, 480×320) |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for name in seed_names():
            walker = interpret(seed_source(name)).walker
            out = Path(folder) / f"{name}.gif"
            times = []
            for _ in range(args.repeats):
                began = time.perf_counter()
                render_subjects([Subject(walker, name)], out, options)
                times.append(time.perf_counter() - began)
            frames = 1 + round((options.seconds + 1.0) * options.fps)
            print(
                f"| {name} | {len(walker)} | {len(walker.connections)} | {frames} | {statistics.median(times):.2f} |"
            )


if __name__ == "__main__":
    main()
