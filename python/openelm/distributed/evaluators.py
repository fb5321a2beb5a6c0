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
import warnings
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from openelm._sodarace import SimConfig
from openelm.distributed.actors import ActorGroup, GroupOwner, Member
from openelm.distributed.remote import actor_lost_errors, get_result
from openelm.sandbox import EvalResult, SandboxPool, SandboxWarning
from openelm.sandbox.results import crashed

# A chunk whose actor died this many times is recorded `crashed`.
MAX_CHUNK_ATTEMPTS = 3
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


@dataclass(frozen=True)
class _Chunk:
    start: int
    sources: list[str]


class RayEvaluatorPool(GroupOwner):
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
        self._on_warning = on_warning or (lambda _: None)
        self._warned: set[str] = set()
        actor_class = ray.remote(EvaluatorActor).options(
            num_cpus=workers_per_actor, max_restarts=0, max_task_retries=0
        )
        arguments = (workers_per_actor, timeout_s, sim.to_dict(), allow_unsandboxed, secret_names)
        self._group = ActorGroup(
            "evaluator",
            actor_class,
            lambda _: arguments,
            count=count,
            resources=f"{workers_per_actor} CPU(s)",
            start_timeout_s=START_TIMEOUT_S,
            on_started=self._pass_on_warnings,
        )
        self._group.start()

    @property
    def size(self) -> int:
        """Sandbox worker processes over all live actors."""
        return self.workers_per_actor * len(self._group.live())

    def evaluate(self, sources: Sequence[str | bytes]) -> list[EvalResult]:
        """One result per source, in order, whichever actors ran them."""
        texts = [s if isinstance(s, str) else s.decode("utf-8", "surrogatepass") for s in sources]
        chunks = self._chunks(texts)
        results: list[EvalResult | None] = [None] * len(texts)
        attempts = [0] * len(chunks)
        pending = deque(range(len(chunks)))
        inflight: dict[Any, tuple[Member, int]] = {}
        while pending or inflight:
            self._dispatch(chunks, pending, inflight)
            # In-flight chunks end by themselves: each genome has its watchdog.
            for ref in self._group.wait(list(inflight)):
                member, chunk_id = inflight.pop(ref)
                member.holding.remove(chunk_id)
                try:
                    chunk_results = get_result(ref)
                except actor_lost_errors() as error:
                    self._group.lose(member)
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

    def _pass_on_warnings(self, messages: list[str]) -> None:
        """An actor started: its pool's warnings, each told once."""
        for message in messages:
            if message not in self._warned:
                self._warned.add(message)
                self._on_warning(message)

    # -- chunks -------------------------------------------------------------

    def _chunks(self, sources: list[str]) -> list[_Chunk]:
        live = max(1, len(self._group.live()))
        # Several chunks per actor so that the last ones balance the load,
        # each big enough to keep an actor's workers busy.
        size = math.ceil(len(sources) / (live * CHUNKS_PER_ACTOR * 2))
        size = max(min(self.workers_per_actor, len(sources)), min(size, MAX_CHUNK_GENOMES), 1)
        return [
            _Chunk(start, sources[start : start + size]) for start in range(0, len(sources), size)
        ]

    def _dispatch(
        self, chunks: list[_Chunk], pending: deque[int], inflight: dict[Any, tuple[Member, int]]
    ) -> None:
        for member in sorted(self._group.live(), key=lambda m: len(m.holding)):
            while pending and len(member.holding) < CHUNKS_PER_ACTOR:
                chunk_id = pending.popleft()
                member.holding.append(chunk_id)
                inflight[member.handle.evaluate.remote(chunks[chunk_id].sources)] = (
                    member,
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
