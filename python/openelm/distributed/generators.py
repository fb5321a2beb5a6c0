"""Generation on a Ray cluster: generator actors, each holding one
language-model backend (`Completer`) built from the run's `ModelConfig`,
and the driver-side `RayCompleter` that splits an iteration's prompts
among them.

Reproducibility. Every backend draws completion i of a call seeded `seed`
from (seed, i) alone, and the runner seeds each iteration's call from (run
seed, iteration); so child i's stream comes from (run seed, iteration, i).
A backend whose `complete` takes `first_index` (the batch position of its
first prompt) can be handed any contiguous slice of the batch and draws as
the whole-batch call would: the prompts are cut into one slice per actor.
A backend without it gets the whole batch on one actor, so that its
results still never depend on which actor served them.

Faults. A slice whose actor dies goes to another actor (the lost one is
replaced) up to `MAX_SLICE_ATTEMPTS` times; past that its completions come
back empty with `stopped` GENERATOR_LOST, and the runner records those
children `crashed` without running them. The run goes on.
"""

from __future__ import annotations

import inspect
import os
from collections import deque
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from openelm.distributed.actors import ActorGroup, GroupOwner, Member
from openelm.distributed.cluster import ClusterError
from openelm.distributed.remote import actor_lost_errors, get_result
from openelm.evolve import generation
from openelm.evolve.generation import Completer
from openelm.llm.completion import Completion
from openelm.records import CompletionStop, ModelConfig

MAX_SLICE_ATTEMPTS = 3
# Loading a model (torch imports, weights) on a busy node.
START_TIMEOUT_S = 600.0
# What a slice lost past MAX_SLICE_ATTEMPTS returns for each of its prompts.
LOST_COMPLETION = Completion("", 0, 0, CompletionStop.GENERATOR_LOST)


def build_completer(model: ModelConfig) -> Completer:
    """The backend the run's model config names, as the local run builds it."""
    return generation.load_completer(model)


def takes_first_index(completer: Completer) -> bool:
    return "first_index" in inspect.signature(completer.complete).parameters


class GeneratorActor:
    """Runs on a cluster node (wrapped by `ray.remote`): one backend."""

    def __init__(self, model: ModelConfig) -> None:
        self._model = model
        self._completer: Completer | None = None

    def start(self) -> tuple[dict[str, str], bool]:
        """Loads the backend; returns its identity and whether it takes slices."""
        self._completer = build_completer(self._model)
        return dict(self._completer.identity), takes_first_index(self._completer)

    def complete(self, prompts: list[str], seed: int, first_index: int) -> list[Completion]:
        completer = self._completer
        assert completer is not None, "start() comes first"
        if first_index:
            sliced: Any = completer
            result: list[Completion] = sliced.complete(prompts, seed=seed, first_index=first_index)
            return result
        return completer.complete(prompts, seed=seed)

    def environment(self) -> dict[str, str]:
        """This actor's environment (for checks)."""
        return dict(os.environ)


class RayCompleter(GroupOwner):
    """A `Completer` whose completions are written by generator actors.

    `count` actors, each reserving one GPU when `gpu` and `cpus` CPUs (0 for
    an endpoint backend, which only waits on its server). `env_vars` (the
    endpoint key) reach these actors only.
    """

    def __init__(
        self,
        model: ModelConfig,
        count: int,
        *,
        gpu: bool,
        cpus: float,
        env_vars: dict[str, str],
        actor_type: type[GeneratorActor] = GeneratorActor,
    ) -> None:
        import ray

        self.count = count
        self.identity: dict[str, str] = {}
        self.sliceable = False
        options: dict[str, Any] = {
            "num_cpus": cpus,
            "num_gpus": 1 if gpu else 0,
            "max_restarts": 0,
            "max_task_retries": 0,
        }
        if env_vars:
            options["runtime_env"] = {"env_vars": env_vars}
        # Several servers of the model: actor i talks to server i mod n.
        urls = model.endpoint_urls()
        self._endpoints = ",".join(urls)
        self._group = ActorGroup(
            "generator",
            ray.remote(actor_type).options(**options),
            lambda slot: (replace(model, endpoint=urls[slot % len(urls)]) if urls else model,),
            count=count,
            resources=f"{'1 GPU and ' if gpu else ''}{cpus:g} CPU(s)",
            start_timeout_s=START_TIMEOUT_S,
            on_started=self._check_identity,
        )
        self._group.start()

    def complete(self, prompts: Sequence[str], *, seed: int) -> list[Completion]:
        """One completion per prompt, in order, as one backend would write them."""
        prompts = list(prompts)
        if not prompts:
            return []
        slices = self._slices(len(prompts))
        written: list[list[Completion] | None] = [None] * len(slices)
        attempts = [0] * len(slices)
        queue = deque(range(len(slices)))
        inflight: dict[Any, tuple[Member, int]] = {}
        while queue or inflight:
            for member in self._group.live():
                if queue and not member.holding:
                    index = queue.popleft()
                    start, end = slices[index]
                    member.holding.append(index)
                    inflight[member.handle.complete.remote(prompts[start:end], seed, start)] = (
                        member,
                        index,
                    )
            for ref in self._group.wait(list(inflight)):
                member, index = inflight.pop(ref)
                member.holding.remove(index)
                try:
                    written[index] = get_result(ref)
                except actor_lost_errors():
                    self._group.lose(member)
                    attempts[index] += 1
                    if attempts[index] < MAX_SLICE_ATTEMPTS:
                        queue.appendleft(index)
                    else:
                        start, end = slices[index]
                        written[index] = [LOST_COMPLETION] * (end - start)
        return [completion for part in written if part is not None for completion in part]

    def _check_identity(self, started: tuple[dict[str, str], bool]) -> None:
        """Every actor must have loaded the same model as the first (on
        several servers, the same model at different addresses)."""
        identity, sliceable = started
        if self._endpoints:
            identity = {**identity, "path": self._endpoints}
        if self.identity and identity != self.identity:
            raise ClusterError("the generator actors loaded different models (check every node)")
        if not self.identity:
            self.identity, self.sliceable = identity, sliceable

    def _slices(self, count: int) -> list[tuple[int, int]]:
        """Contiguous (start, end) slices of a batch: one per live actor."""
        live = len(self._group.live())
        parts = min(count, max(1, live)) if self.sliceable else 1
        bounds = [round(part * count / parts) for part in range(parts + 1)]
        return [(bounds[i], bounds[i + 1]) for i in range(parts) if bounds[i] < bounds[i + 1]]
