"""Evaluation on a Ray cluster: evaluator actors, each running a local
`SandboxPool` on its node (the same seccomp lockdown, watchdog and
re-validation as on one machine), and the driver-side pool that spreads a
batch over them.

A batch is cut into chunks; each chunk goes to whichever actor is free, and
the results are put back in batch order, so the driver sees exactly what a
local pool would return. An actor that dies (its process killed, its node
lost) costs only the chunks it held: they go back to the queue and another
actor takes them, up to `MAX_CHUNK_ATTEMPTS` times, after which their
genomes are recorded `crashed`. The lost actor is replaced.
"""

from __future__ import annotations

import math
import os
import time
import warnings
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openelm._sodarace import SimConfig
from openelm.distributed.cluster import ClusterError
from openelm.distributed.remote import actor_lost_errors, end_actors, get_result
from openelm.sandbox import EvalResult, SandboxPool, SandboxWarning
from openelm.sandbox.results import crashed

# A chunk whose actor died this many times is recorded `crashed`.
MAX_CHUNK_ATTEMPTS = 3
# Replacements for lost actors, per actor asked for, before giving up.
MAX_REPLACEMENTS_PER_ACTOR = 3
# How long actors may take to start (imports, a pool's workers) before the
# cluster is taken to be unable to place them.
START_TIMEOUT_S = 120.0
# Chunks an actor holds at once: the second hides the round trip.
CHUNKS_PER_ACTOR = 2
MAX_CHUNK_GENOMES = 64


class EvaluatorActor:
    """Runs on a cluster node (wrapped by `ray.remote`): one locked-down
    worker pool. Started by `start`, so that a pool that cannot start
    raises its own error (say SandboxUnavailableError) to the driver."""

    def __init__(
        self,
        workers: int,
        timeout_s: float,
        sim: dict[str, Any],
        allow_unsandboxed: bool,
        secret_names: tuple[str, ...],
    ) -> None:
        # Whatever the node's Ray processes inherited, an evaluator holds no
        # endpoint key (its sandbox workers start with an empty environment
        # anyway).
        for name in secret_names:
            os.environ.pop(name, None)
        self._settings = (workers, timeout_s, sim, allow_unsandboxed)
        self._pool: SandboxPool | None = None

    def start(self) -> list[str]:
        """Starts the pool; returns its warnings (running unsandboxed)."""
        workers, timeout_s, sim, allow_unsandboxed = self._settings
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SandboxWarning)
            self._pool = SandboxPool(
                workers,
                timeout_s=timeout_s,
                sim_config=SimConfig.from_dict(sim),
                allow_unsandboxed=allow_unsandboxed,
            )
        return [str(warning.message) for warning in caught]

    def evaluate(self, sources: list[str]) -> list[EvalResult]:
        assert self._pool is not None, "start() comes first"
        return self._pool.evaluate(sources)

    def environment(self) -> dict[str, Any]:
        """What this actor and its sandbox workers can see (for checks):
        the actor's environment and each worker's variable names."""
        assert self._pool is not None, "start() comes first"
        return {
            "pid": os.getpid(),
            "environ": dict(os.environ),
            "worker_environment": [list(info.environment) for info in self._pool.workers],
            "sandboxed": self._pool.sandboxed,
        }

    def pid(self) -> int:
        return os.getpid()


@dataclass(eq=False)
class _Actor:
    handle: Any
    started: bool = False
    holding: list[int] = field(default_factory=list)  # chunk ids in flight


@dataclass(frozen=True)
class _Chunk:
    start: int
    sources: list[str]


class RayEvaluatorPool:
    """The driver's side of the evaluator actors; `evaluate` as in SandboxPool.

    `count` actors, each with a pool of `workers_per_actor` processes and
    as many CPUs reserved. `on_warning` hears each actor's pool warnings.
    """

    def __init__(
        self,
        count: int,
        *,
        workers_per_actor: int,
        timeout_s: float,
        sim: SimConfig,
        allow_unsandboxed: bool,
        secret_names: tuple[str, ...],
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        import ray

        self.count = count
        self.workers_per_actor = workers_per_actor
        self.lost_actors = 0
        self._on_warning = on_warning or (lambda _: None)
        self._warned: set[str] = set()
        self._replacements_left = MAX_REPLACEMENTS_PER_ACTOR * count
        self._actor_class = ray.remote(EvaluatorActor).options(
            num_cpus=workers_per_actor, max_restarts=0, max_task_retries=0
        )
        self._arguments = (
            workers_per_actor,
            timeout_s,
            sim.to_dict(),
            allow_unsandboxed,
            secret_names,
        )
        self._actors: list[_Actor] = []
        self._starting: dict[Any, _Actor] = {}
        self._closed = False
        try:
            for _ in range(count):
                self._launch()
            self._wait_started(count)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> RayEvaluatorPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def size(self) -> int:
        """Sandbox worker processes over all live actors."""
        return self.workers_per_actor * sum(actor.started for actor in self._actors)

    def actors(self) -> list[Any]:
        """Handles of the live, started actors (for checks and tests)."""
        return [actor.handle for actor in self._actors if actor.started]

    def evaluate(self, sources: Sequence[str | bytes]) -> list[EvalResult]:
        """One result per source, in order, whichever actors ran them."""
        texts = [s if isinstance(s, str) else s.decode("utf-8", "surrogatepass") for s in sources]
        chunks = self._chunks(texts)
        results: list[EvalResult | None] = [None] * len(texts)
        attempts = [0] * len(chunks)
        pending = deque(range(len(chunks)))
        inflight: dict[Any, tuple[_Actor, int]] = {}
        while pending or inflight:
            self._dispatch(chunks, pending, inflight)
            waiting = list(inflight) + list(self._starting)
            if not waiting:
                raise ClusterError(
                    f"every evaluator actor was lost ({self.lost_actors} in all) and none could be "
                    "replaced; committed iterations are saved, resume when the cluster is back"
                )
            # In-flight chunks end by themselves (each genome has its
            # watchdog; Ray reports a dead actor or node); only actors that
            # never start could keep us waiting.
            ready, _ = _wait(waiting, None if inflight else START_TIMEOUT_S)
            if not ready:
                raise ClusterError(
                    f"no evaluator actor started within {START_TIMEOUT_S:g} s to replace the "
                    "lost ones (is the cluster out of CPUs?)"
                )
            for ref in ready:
                if ref in self._starting:
                    self._on_started(ref)
                    continue
                actor, chunk_id = inflight.pop(ref)
                actor.holding.remove(chunk_id)
                try:
                    chunk_results = get_result(ref)
                except actor_lost_errors() as error:
                    self._lose(actor)
                    attempts[chunk_id] += 1
                    if attempts[chunk_id] < MAX_CHUNK_ATTEMPTS:
                        pending.appendleft(chunk_id)
                    else:
                        self._give_up(chunks[chunk_id], results, attempts[chunk_id], error)
                    continue
                chunk = chunks[chunk_id]
                results[chunk.start : chunk.start + len(chunk.sources)] = chunk_results
        assert all(result is not None for result in results)
        return [result for result in results if result is not None]

    def close(self) -> None:
        """Ends every actor (its pool's workers exit on end of input)."""
        if self._closed:
            return
        self._closed = True
        end_actors([actor.handle for actor in self._actors])
        self._actors = []
        self._starting = {}

    # -- actors -------------------------------------------------------------

    def _launch(self) -> None:
        actor = _Actor(self._actor_class.remote(*self._arguments))
        self._actors.append(actor)
        self._starting[actor.handle.start.remote()] = actor

    def _wait_started(self, count: int) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while self._starting:
            ready, _ = _wait(list(self._starting), max(0.0, deadline - time.monotonic()))
            if not ready:
                raise ClusterError(
                    f"the cluster did not start {count} evaluator actor(s) of "
                    f"{self.workers_per_actor} CPU(s) each within {START_TIMEOUT_S:g} s"
                )
            for ref in ready:
                self._on_started(ref)
        if not any(actor.started for actor in self._actors):
            raise ClusterError("no evaluator actor could start")

    def _on_started(self, ref: Any) -> None:
        actor = self._starting.pop(ref)
        try:
            messages = get_result(ref)
        except actor_lost_errors():
            self._lose(actor)
            return
        actor.started = True
        for message in messages:
            if message not in self._warned:
                self._warned.add(message)
                self._on_warning(message)

    def _lose(self, actor: _Actor) -> None:
        """Counts and drops a dead actor, and starts another in its place."""
        if actor not in self._actors:
            return
        self.lost_actors += 1
        self._actors.remove(actor)
        if self._replacements_left > 0 and not self._closed:
            self._replacements_left -= 1
            self._launch()

    # -- chunks -------------------------------------------------------------

    def _chunks(self, sources: list[str]) -> list[_Chunk]:
        live = max(1, len(self._actors))
        # Several chunks per actor so that the last ones balance the load,
        # each big enough to keep an actor's workers busy.
        size = math.ceil(len(sources) / (live * CHUNKS_PER_ACTOR * 2))
        size = max(min(self.workers_per_actor, len(sources)), min(size, MAX_CHUNK_GENOMES), 1)
        return [
            _Chunk(start, sources[start : start + size]) for start in range(0, len(sources), size)
        ]

    def _dispatch(
        self, chunks: list[_Chunk], pending: deque[int], inflight: dict[Any, tuple[_Actor, int]]
    ) -> None:
        for actor in sorted(self._actors, key=lambda a: len(a.holding)):
            while pending and actor.started and len(actor.holding) < CHUNKS_PER_ACTOR:
                chunk_id = pending.popleft()
                actor.holding.append(chunk_id)
                inflight[actor.handle.evaluate.remote(chunks[chunk_id].sources)] = (
                    actor,
                    chunk_id,
                )

    def _give_up(
        self,
        chunk: _Chunk,
        results: list[EvalResult | None],
        attempts: int,
        error: BaseException,
    ) -> None:
        reason = f"evaluator actor lost {attempts} times ({type(error).__name__})"
        for offset in range(len(chunk.sources)):
            results[chunk.start + offset] = crashed(reason)


def _wait(refs: list[Any], timeout_s: float | None) -> tuple[list[Any], list[Any]]:
    import ray

    ready, rest = ray.wait(refs, num_returns=1, timeout=timeout_s)
    return list(ready), list(rest)
