"""The CPU a bench ran on, by model name, for its header: timings are only
comparable on the same CPU (docs/benchmarks.md). Not a bench itself; the
scripts import it as `_machine`."""

from __future__ import annotations

import os
import platform


def cpu_model() -> str:
    """The CPU's model name (`/proc/cpuinfo`), or what `platform` knows."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_line() -> str:
    """`machine: <CPU model>, <n> cores`."""
    return f"machine: {cpu_model()}, {os.cpu_count()} cores"
