"""A locked-down worker: `python -I -m openelm.sandbox.worker`.

It loads everything it will ever need, locks itself down for good (see
`openelm._sodarace.lockdown`), says hello, then serves frames from the pool
on stdin until stdin closes: batches of genome sources to interpret and
simulate, or the name of a built-in probe. Answers go to the pipe that was
stdout; fd 1 itself is pointed at /dev/null so that a stray print can never
corrupt the protocol.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import openelm._sodarace as native
from openelm.sandbox.probes import run_probe
from openelm.sandbox.protocol import FRAME_PREFIX, MAX_PARENT_FRAME_BYTES, encode_frame

INPUT_FD = 0


def read_exact(fd: int, size: int) -> bytes | None:
    """Exactly `size` bytes, or None at end of input."""
    chunks = []
    while size > 0:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame() -> tuple[dict[str, Any], bytes] | None:
    prefix = read_exact(INPUT_FD, FRAME_PREFIX.size)
    if prefix is None:
        return None
    head_len, payload_len = FRAME_PREFIX.unpack(prefix)
    if head_len + payload_len > MAX_PARENT_FRAME_BYTES:
        raise SystemExit(f"frame of {head_len + payload_len} bytes from the pool is too large")
    head = read_exact(INPUT_FD, head_len)
    payload = read_exact(INPUT_FD, payload_len)
    if head is None or payload is None:
        return None
    return json.loads(head), payload


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def seccomp_line(status_fd: int) -> str:
    """The `Seccomp:` line of /proc/self/status, re-read through a descriptor
    opened before lockdown (opening it now would be refused)."""
    text = os.pread(status_fd, 1 << 16, 0).decode(errors="replace")
    return next(
        (line for line in text.splitlines() if line.startswith("Seccomp:")), "Seccomp: (missing)"
    )


def evaluate(
    source: bytes, limits: native.InterpLimits, sim_config: native.SimConfig
) -> dict[str, Any]:
    genome = native.interpret(source, limits)
    answer: dict[str, Any] = {
        "status": genome.status,
        "error": genome.error,
        "line": genome.line,
        "col": genome.col,
        "interp_steps": genome.steps,
        "output": genome.output,
        "warnings": genome.warnings,
    }
    if genome.walker is None:  # every status but "ok"
        return answer
    # Simulate the walker as its JSON will rebuild it (float parsing may
    # differ in the last bit), so that walker_json reproduces the fitness.
    walker_json = genome.walker.to_json()
    walker = native.Walker.from_json(walker_json)
    result = native.simulate(walker, sim_config)
    answer["walker"] = walker_json
    answer["sim"] = sim_fields(result)
    return answer


def sim_fields(result: native.SimResult) -> dict[str, Any]:
    """A simulation's outcome as plain JSON fields: a worker's `sim` answer,
    and the core of `openelm simulate --json`."""
    return {
        "valid": result.valid,
        "fitness": result.fitness,
        "height": result.height,
        "width": result.width,
        "mass": result.mass,
        "joints": result.joints,
        "muscles": result.muscles,
        "steps": result.steps,
        "error": result.error,
    }


def serve(out_fd: int, limits: native.InterpLimits, sim_config: native.SimConfig) -> None:
    while (frame := read_frame()) is not None:
        header, payload = frame
        if header["type"] == "eval":
            offset = 0
            for task_id, size in zip(header["ids"], header["sizes"], strict=True):
                source = payload[offset : offset + size]
                offset += size
                try:
                    answer = evaluate(source, limits, sim_config)
                # The interpreter reports genome failures as statuses; an
                # exception here is a fault of this worker (e.g. MemoryError
                # under the address-space cap), charged to this genome only.
                except Exception as e:
                    answer = {
                        "status": "crashed",
                        "error": f"worker error: {type(e).__name__}: {e}",
                    }
                write_all(out_fd, encode_frame({"type": "result", "id": task_id, **answer}))
        elif header["type"] == "probe":
            outcome, detail = run_probe(header["name"])
            write_all(out_fd, encode_frame({"type": "probe", "outcome": outcome, "detail": detail}))
        else:
            raise SystemExit(f"unknown frame type {header['type']!r}")


def main() -> int:
    # Everything that needs a new descriptor happens before lockdown.
    out_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    status_fd = os.open("/proc/self/status", os.O_RDONLY)
    init = read_frame()
    if init is None:
        return 0
    config = init[0]
    # Plain JSON from the parent, checked again by the Rust configs.
    limits = native.InterpLimits.from_dict(config["interp_limits"])
    sim_config = native.SimConfig.from_dict(config["sim_config"])

    lockdown_error = None
    try:
        native.lockdown(max_address_space_bytes=config["max_address_space_bytes"])
    except native.LockdownUnavailableError as e:
        lockdown_error = str(e)
    status = native.lockdown_status()
    sandboxed = lockdown_error is None and status["seccomp_mode"] == 2
    hello = {
        "type": "hello",
        "pid": os.getpid(),
        "sandboxed": sandboxed,
        "seccomp": seccomp_line(status_fd),
        "lockdown_error": lockdown_error,
        "limits": status["limits"],
        "torch_loaded": "torch" in sys.modules,
        "environment": sorted(os.environ),
    }
    write_all(out_fd, encode_frame(hello))
    if not sandboxed and not config["allow_unsandboxed"]:
        return 0
    serve(out_fd, limits, sim_config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
