"""SandboxPool: evaluates untrusted genome sources in locked-down worker
processes, with a wall-clock watchdog, crash containment and re-validation
of everything that comes back.

One thread in the parent drives all workers through a selector: it keeps
every ready worker busy with a small batch of tasks, streams results back as
each genome finishes, and kills (SIGKILL) and replaces a worker whose current
genome overruns `timeout_s` or that dies, breaks the protocol or lies. Such a
genome costs only itself (`timeout` or `crashed`); the rest of its batch goes
back to the queue.
"""

from __future__ import annotations

import math
import os
import selectors
import signal
import subprocess
import sys
import time
import warnings
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from openelm._sodarace import DEFAULT_MAX_ADDRESS_SPACE_BYTES, InterpLimits, SimConfig
from openelm.sandbox.errors import SandboxError, SandboxUnavailableError, SandboxWarning
from openelm.sandbox.probes import PROBES
from openelm.sandbox.protocol import (
    MAX_WORKER_FRAME_BYTES,
    FrameDecoder,
    ProtocolError,
    encode_frame,
)
from openelm.sandbox.results import EvalResult, check_result, crashed, timed_out

DEFAULT_TIMEOUT_S = 5.0
# Python start-up plus imports take ~50 ms; a loaded 2-core box can be slow.
STARTUP_TIMEOUT_S = 60.0
# Batching amortises the per-message cost for the common tiny genome while
# leaving enough tasks in the queue to balance the workers at the end.
MAX_CHUNK_TASKS = 16
MAX_CHUNK_BYTES = 256 << 10
STDERR_TAIL_BYTES = 4096
# How long close() waits for workers to exit on end of input before SIGKILL.
CLOSE_GRACE_S = 2.0


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker reported right after locking itself down."""

    pid: int
    sandboxed: bool
    seccomp: str
    """The `Seccomp:` line of the worker's /proc/self/status after lockdown."""
    lockdown_error: str | None
    limits: dict[str, tuple[int, int]]
    torch_loaded: bool
    environment: tuple[str, ...]
    """Names of the environment variables the worker sees."""


@dataclass(frozen=True)
class ProbeResult:
    name: str
    attack: str
    outcome: str
    """refused (error returned), killed (SIGSYS), allowed (escape), crashed, timeout."""
    detail: str

    @property
    def contained(self) -> bool:
        return self.outcome in ("refused", "killed")


class _Worker:
    """Parent-side state of one worker process."""

    def __init__(self, proc: subprocess.Popen[bytes], started: float, max_frame_bytes: int) -> None:
        # Popen types its pipes as optional; _spawn always asks for all three.
        assert proc.stdin and proc.stdout and proc.stderr
        self.proc = proc
        self._pipes = (proc.stdin, proc.stdout, proc.stderr)
        self.stdin_fd = proc.stdin.fileno()
        self.stdout_fd = proc.stdout.fileno()
        self.stderr_fd = proc.stderr.fileno()
        os.set_blocking(self.stdin_fd, False)
        os.set_blocking(self.stderr_fd, False)
        self.decoder = FrameDecoder(max_frame_bytes)
        self.outbuf = bytearray()
        self.writing = False
        self.stderr_tail = bytearray()
        self.info: WorkerInfo | None = None
        # Task indices sent and not yet answered, in the order it runs them.
        self.inflight: deque[int] = deque()
        self.probe: str | None = None
        self.probe_answer: tuple[str, str] | None = None
        # Wall-clock deadline of whatever it is doing now (start-up included).
        self.deadline = started + STARTUP_TIMEOUT_S
        # When its current task started (the previous one's answer came in).
        self.task_started = started
        self.dead = False

    @property
    def ready(self) -> bool:
        return self.info is not None and not self.dead and not self.inflight and self.probe is None

    def end_input(self) -> None:
        """Closes its stdin: a worker exits on end of input."""
        self._pipes[0].close()

    def reap(self, timeout_s: float) -> None:
        """Waits up to `timeout_s` for it to exit, SIGKILLs it after that,
        and closes its output pipes."""
        try:
            self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._pipes[1].close()
        self._pipes[2].close()

    def stderr_last_line(self) -> str:
        lines = bytes(self.stderr_tail).decode(errors="replace").strip().splitlines()
        last = lines[-1] if lines else ""
        return "".join(ch if ch.isprintable() else "?" for ch in last)[:300]


def _death_reason(worker: _Worker) -> str:
    code = worker.proc.returncode
    if code is None:
        reason = "worker closed its output"
    elif code < 0 and -code == signal.SIGSYS:
        reason = "worker killed by seccomp (SIGSYS)"
    elif code < 0:
        try:
            reason = f"worker died from {signal.Signals(-code).name}"
        except ValueError:
            reason = f"worker died from signal {-code}"
    else:
        reason = f"worker exited with code {code}"
    last = worker.stderr_last_line()
    return f"{reason} ({last})" if last else reason


def _worker_environment() -> dict[str, str]:
    # Nothing from the parent: no API keys, tokens or paths. `-I` already
    # makes Python ignore PYTHON* variables and the user's site directory.
    return {}


def _parse_hello(header: dict[str, Any]) -> WorkerInfo:
    try:
        limits = {str(k): (int(v[0]), int(v[1])) for k, v in header["limits"].items()}
        info = WorkerInfo(
            pid=int(header["pid"]),
            sandboxed=header["sandboxed"] is True,
            seccomp=str(header["seccomp"])[:100],
            lockdown_error=None
            if header["lockdown_error"] is None
            else str(header["lockdown_error"])[:500],
            limits=limits,
            torch_loaded=header["torch_loaded"] is True,
            environment=tuple(str(name) for name in header["environment"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
        raise ProtocolError(f"malformed hello: {type(e).__name__}") from None
    return info


class SandboxPool:
    """A pool of locked-down worker processes that interpret and simulate
    genome sources. Use it as a context manager::

        with SandboxPool(workers=2, timeout_s=5.0) as pool:
            results = pool.evaluate(sources)

    Raises SandboxUnavailableError when the kernel refuses seccomp, unless
    `allow_unsandboxed=True` (then it warns with SandboxWarning). One pool
    is driven by one thread at a time. `interp_limits` and `sim_config`
    (default: the Rust defaults) reach every worker as plain JSON.
    """

    def __init__(
        self,
        workers: int | None = None,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        interp_limits: InterpLimits | None = None,
        sim_config: SimConfig | None = None,
        max_address_space_bytes: int = DEFAULT_MAX_ADDRESS_SPACE_BYTES,
        allow_unsandboxed: bool = False,
    ) -> None:
        # The cores this process may run on (cgroup/affinity aware), not all.
        size = len(os.sched_getaffinity(0)) if workers is None else workers
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"workers must be a positive integer, got {workers!r}")
        if not (isinstance(timeout_s, (int, float)) and math.isfinite(timeout_s) and timeout_s > 0):
            raise ValueError(f"timeout_s must be a positive number, got {timeout_s!r}")
        interp_limits = InterpLimits() if interp_limits is None else interp_limits
        sim_config = SimConfig() if sim_config is None else sim_config
        self.size = size
        self.timeout_s = float(timeout_s)
        self.allow_unsandboxed = allow_unsandboxed
        self.respawns = 0
        self._walker_limits = {
            "max_joints": interp_limits.max_joints,
            "max_connections": interp_limits.max_connections,
        }
        # Print output travels JSON-escaped: up to 6 bytes per byte printed.
        self._max_frame_bytes = MAX_WORKER_FRAME_BYTES + 6 * interp_limits.max_output_bytes
        self._init_frame = encode_frame(
            {
                "type": "init",
                "interp_limits": interp_limits.to_dict(),
                "sim_config": sim_config.to_dict(),
                "max_address_space_bytes": max_address_space_bytes,
                "allow_unsandboxed": allow_unsandboxed,
            }
        )
        self._selector = selectors.DefaultSelector()
        self._workers: list[_Worker] = []
        self._closed = False
        self._fatal: SandboxError | None = None
        self._warned = False
        # State of the evaluate() call in progress.
        self._tasks: list[bytes] = []
        self._results: list[EvalResult | None] = []
        self._pending: deque[int] = deque()
        self._remaining = 0
        try:
            for _ in range(size):
                self._spawn()
            self._wait_ready()
        except BaseException:
            self.close()
            raise

    # -- public API -------------------------------------------------------

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def workers(self) -> list[WorkerInfo]:
        """Hello reports of the live, started workers."""
        return [w.info for w in self._workers if w.info is not None and not w.dead]

    @property
    def sandboxed(self) -> bool:
        return all(info.sandboxed for info in self.workers)

    def evaluate(self, sources: Sequence[str | bytes]) -> list[EvalResult]:
        """Interprets and simulates every source; one result each, in order."""
        self._check_open()
        self._tasks = [
            s.encode("utf-8", "surrogatepass") if isinstance(s, str) else bytes(s) for s in sources
        ]
        self._results = [None] * len(self._tasks)
        self._pending = deque(range(len(self._tasks)))
        self._remaining = len(self._tasks)
        try:
            while self._remaining:
                self._dispatch()
                self._pump()
        except BaseException:
            # Half-finished batches leave workers in unknown states.
            self.close()
            raise
        results = [r for r in self._results if r is not None]
        self._tasks, self._results = [], []
        return results

    def probe(self, name: str) -> ProbeResult:
        """Runs built-in probe `name` (see `probes.PROBES`) in one worker and
        returns once the pool is back at full strength."""
        self._check_open()
        probe = PROBES.get(name)
        if probe is None:
            raise ValueError(f"unknown probe {name!r}; known: {', '.join(PROBES)}")
        try:
            self._wait_ready()
            worker = next(w for w in self._workers if w.ready)
            worker.probe, worker.probe_answer = name, None
            worker.deadline = time.monotonic() + self.timeout_s
            self._send(worker, encode_frame({"type": "probe", "name": name}))
            while worker.probe_answer is None:
                self._pump()
            outcome, detail = worker.probe_answer
            if not worker.dead:
                worker.probe = None
            self._wait_ready()
        except BaseException:
            self.close()
            raise
        return ProbeResult(name=name, attack=probe.attack, outcome=outcome, detail=detail)

    def worker_pids(self) -> list[int]:
        return [w.proc.pid for w in self._workers if not w.dead]

    def close(self) -> None:
        """Ends every worker: end of input first, SIGKILL after a grace period."""
        if self._closed:
            return
        self._closed = True
        for worker in self._workers:
            worker.end_input()
        give_up = time.monotonic() + CLOSE_GRACE_S
        for worker in self._workers:
            worker.reap(max(0.0, give_up - time.monotonic()))
        self._workers = []
        self._selector.close()

    # -- workers ----------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise SandboxError("the sandbox pool is closed")

    def _spawn(self) -> None:
        proc = subprocess.Popen(
            [sys.executable, "-I", "-m", "openelm.sandbox.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_worker_environment(),
            cwd="/",
            close_fds=True,
            # Its own session: a terminal's Ctrl-C goes to the parent only,
            # which then shuts the workers down in order.
            start_new_session=True,
            bufsize=0,
        )
        worker = _Worker(proc, time.monotonic(), self._max_frame_bytes)
        self._workers.append(worker)
        self._selector.register(worker.stdout_fd, selectors.EVENT_READ, ("out", worker))
        self._selector.register(worker.stderr_fd, selectors.EVENT_READ, ("err", worker))
        self._send(worker, self._init_frame)

    def _wait_ready(self) -> None:
        while any(w.info is None for w in self._workers):
            self._pump()

    def _retire(self, worker: _Worker, kill: bool) -> None:
        """Stops tracking a worker (killing it first if asked) and reaps it."""
        if worker.dead:
            return
        worker.dead = True
        if kill:
            worker.proc.kill()
        for fd in (worker.stdout_fd, worker.stderr_fd) + (
            (worker.stdin_fd,) if worker.writing else ()
        ):
            self._selector.unregister(fd)
        worker.end_input()
        worker.reap(CLOSE_GRACE_S)
        self._workers.remove(worker)

    def _replace(
        self, worker: _Worker, kill: bool, current: EvalResult, probe_outcome: tuple[str, str]
    ) -> None:
        """Retires `worker`; its current task gets `current`, the rest of its
        batch is queued again, an open probe gets `probe_outcome`, and a new
        worker takes its place."""
        self._retire(worker, kill)
        if worker.inflight:
            wall_s = time.monotonic() - worker.task_started
            self._store(worker.inflight.popleft(), replace(current, wall_s=wall_s))
            self._pending.extendleft(reversed(worker.inflight))
            worker.inflight.clear()
        if worker.probe is not None:
            worker.probe_answer = probe_outcome
        if worker.info is None:
            self._fatal = SandboxError(f"sandbox worker failed to start: {current.error}")
            return
        self.respawns += 1
        self._spawn()

    def _store(self, index: int, result: EvalResult) -> None:
        self._results[index] = result
        self._remaining -= 1

    # -- I/O --------------------------------------------------------------

    def _send(self, worker: _Worker, data: bytes) -> None:
        worker.outbuf += data
        self._flush(worker)

    def _flush(self, worker: _Worker) -> None:
        try:
            while worker.outbuf:
                written = os.write(worker.stdin_fd, worker.outbuf)
                del worker.outbuf[:written]
        except BlockingIOError:
            pass
        except BrokenPipeError:
            # It died; the end of its output reports that.
            worker.outbuf.clear()
        if worker.outbuf and not worker.writing:
            self._selector.register(worker.stdin_fd, selectors.EVENT_WRITE, ("in", worker))
            worker.writing = True
        elif not worker.outbuf and worker.writing:
            self._selector.unregister(worker.stdin_fd)
            worker.writing = False

    def _dispatch(self) -> None:
        for worker in self._workers:
            if not self._pending:
                return
            if not worker.ready:
                continue
            ids = self._take_chunk()
            sizes = [len(self._tasks[i]) for i in ids]
            payload = b"".join(self._tasks[i] for i in ids)
            worker.inflight.extend(ids)
            worker.task_started = time.monotonic()
            worker.deadline = worker.task_started + self.timeout_s
            self._send(worker, encode_frame({"type": "eval", "ids": ids, "sizes": sizes}, payload))

    def _take_chunk(self) -> list[int]:
        # Small chunks near the end so that no worker is left with a long tail.
        target = max(1, min(MAX_CHUNK_TASKS, len(self._pending) // (2 * self.size)))
        ids = [self._pending.popleft()]
        total = len(self._tasks[ids[0]])
        while self._pending and len(ids) < target:
            size = len(self._tasks[self._pending[0]])
            if total + size > MAX_CHUNK_BYTES:
                break
            ids.append(self._pending.popleft())
            total += size
        return ids

    def _pump(self) -> None:
        """Waits for I/O or the nearest deadline, handles it, and raises a
        fatal error if one came up."""
        now = time.monotonic()
        busy = [
            w.deadline for w in self._workers if w.info is None or w.inflight or w.probe is not None
        ]
        timeout = max(0.0, min(busy) - now) if busy else None
        for key, _ in self._selector.select(timeout):
            kind, worker = key.data
            if worker.dead:
                continue
            if kind == "out":
                self._read_output(worker)
            elif kind == "err":
                self._read_stderr(worker)
            else:
                self._flush(worker)
        self._enforce_deadlines()
        if self._fatal is not None:
            raise self._fatal

    def _read_stderr(self, worker: _Worker) -> None:
        try:
            while data := os.read(worker.stderr_fd, 1 << 16):
                worker.stderr_tail += data
                del worker.stderr_tail[:-STDERR_TAIL_BYTES]
        except BlockingIOError:
            pass

    def _read_output(self, worker: _Worker) -> None:
        data = os.read(worker.stdout_fd, 1 << 16)
        if not data:
            self._on_exit(worker)
            return
        try:
            for header, _payload in worker.decoder.feed(data):
                self._on_frame(worker, header)
                if worker.dead:
                    return
        except ProtocolError as e:
            reason = f"worker broke the protocol: {e}"
            self._replace(
                worker, kill=True, current=crashed(reason), probe_outcome=("crashed", reason)
            )

    def _on_exit(self, worker: _Worker) -> None:
        try:
            worker.proc.wait(timeout=CLOSE_GRACE_S)
        except subprocess.TimeoutExpired:
            pass
        # What it wrote to stderr on the way out goes into the reason.
        self._read_stderr(worker)
        reason = _death_reason(worker)
        killed = worker.proc.returncode == -signal.SIGSYS
        self._replace(
            worker,
            kill=True,
            current=crashed(reason),
            probe_outcome=("killed" if killed else "crashed", reason),
        )

    def _on_frame(self, worker: _Worker, header: dict[str, Any]) -> None:
        kind = header.get("type")
        if worker.info is None:
            if kind != "hello":
                raise ProtocolError(f"expected hello, got {kind!r}")
            self._on_hello(worker, _parse_hello(header))
        elif kind == "result" and worker.inflight and header.get("id") == worker.inflight[0]:
            now = time.monotonic()
            result = check_result(header, self._walker_limits, wall_s=now - worker.task_started)
            self._store(worker.inflight.popleft(), result)
            worker.task_started = now
            worker.deadline = now + self.timeout_s
        elif kind == "probe" and worker.probe is not None:
            outcome, detail = header.get("outcome"), header.get("detail")
            if outcome not in ("allowed", "refused") or not isinstance(detail, str):
                raise ProtocolError("malformed probe answer")
            worker.probe_answer = (outcome, detail[:500])
        else:
            raise ProtocolError(f"unexpected {kind!r} frame")

    def _on_hello(self, worker: _Worker, info: WorkerInfo) -> None:
        worker.info = info
        if info.sandboxed:
            return
        if not self.allow_unsandboxed:
            self._fatal = SandboxUnavailableError(
                f"{info.lockdown_error or 'worker is not under a seccomp filter'}; "
                "refusing to run untrusted genomes without it (allow_unsandboxed=True overrides)"
            )
        elif not self._warned:
            self._warned = True
            warnings.warn(
                f"running genomes WITHOUT the seccomp lockdown: {info.lockdown_error}",
                SandboxWarning,
                stacklevel=2,
            )

    def _enforce_deadlines(self) -> None:
        now = time.monotonic()
        for worker in list(self._workers):
            if now < worker.deadline or worker.dead:
                continue
            if worker.info is None:
                self._retire(worker, kill=True)
                self._fatal = SandboxError(
                    f"sandbox worker did not start within {STARTUP_TIMEOUT_S:g} s"
                )
            elif worker.inflight or worker.probe is not None:
                reason = timed_out(self.timeout_s)
                self._replace(
                    worker, kill=True, current=reason, probe_outcome=("timeout", reason.error or "")
                )
