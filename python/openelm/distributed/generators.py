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
replaced) up to `MAX_SLICE_ATTEMPTS` times; past that the run stops with a
ClusterError (a lost completion has no program to record; the committed
iterations are saved and a resume writes the batch again, identically).
"""

from __future__ import annotations

import inspect
import os
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from openelm.distributed.cluster import ClusterError
from openelm.distributed.remote import actor_lost_errors, end_actors, get_result
from openelm.evolve import generation
from openelm.evolve.generation import Completer
from openelm.records import ModelConfig

if TYPE_CHECKING:
    from openelm.llm import Completion

MAX_SLICE_ATTEMPTS = 3
MAX_REPLACEMENTS_PER_ACTOR = 3
# Loading a model (torch imports, weights) on a busy node.
START_TIMEOUT_S = 600.0


def build_completer(model: ModelConfig) -> Completer:
    """The backend the run's model config names, as the local run builds it."""
    # The endpoint-aware loader, where this openelm has it; else the
    # in-process model, the only backend there is.
    load: Callable[..., Completer] | None = getattr(generation, "load_completer", None)
    if load is not None:
        return load(model)
    return generation.LanguageModelCompleter(model)


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


@dataclass(eq=False)
class _Actor:
    handle: Any
    started: bool = False
    busy: bool = False


class RayCompleter:
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
    ) -> None:
        import ray

        self.count = count
        self.lost_actors = 0
        self.identity: dict[str, str] = {}
        self.sliceable = False
        self._model = model
        self._gpu = gpu
        self._replacements_left = MAX_REPLACEMENTS_PER_ACTOR * count
        options: dict[str, Any] = {
            "num_cpus": cpus,
            "num_gpus": 1 if gpu else 0,
            "max_restarts": 0,
            "max_task_retries": 0,
        }
        if env_vars:
            options["runtime_env"] = {"env_vars": env_vars}
        self._actor_class = ray.remote(GeneratorActor).options(**options)
        self._actors: list[_Actor] = []
        self._starting: dict[Any, _Actor] = {}
        self._closed = False
        try:
            for _ in range(count):
                self._launch()
            self._await_first_starts()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> RayCompleter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def actors(self) -> list[Any]:
        """Handles of the live, started actors (for checks and tests)."""
        return [actor.handle for actor in self._actors if actor.started]

    def complete(self, prompts: Sequence[str], *, seed: int) -> list[Completion]:
        """One completion per prompt, in order, as one backend would write them."""
        prompts = list(prompts)
        if not prompts:
            return []
        slices = self._slices(len(prompts))
        written: list[list[Completion] | None] = [None] * len(slices)
        attempts = [0] * len(slices)
        queue = deque(range(len(slices)))
        inflight: dict[Any, tuple[_Actor, int]] = {}
        while queue or inflight:
            for actor in self._actors:
                if queue and actor.started and not actor.busy:
                    index = queue.popleft()
                    start, end = slices[index]
                    actor.busy = True
                    inflight[actor.handle.complete.remote(prompts[start:end], seed, start)] = (
                        actor,
                        index,
                    )
            for ref in self._wait(list(inflight)):
                if ref in self._starting:
                    self._on_started(ref)
                    continue
                actor, index = inflight.pop(ref)
                actor.busy = False
                try:
                    written[index] = get_result(ref)
                except actor_lost_errors():
                    self._lose(actor)
                    attempts[index] += 1
                    if attempts[index] >= MAX_SLICE_ATTEMPTS:
                        raise ClusterError(
                            f"generator actors were lost {attempts[index]} times on one slice of "
                            "the batch; committed iterations are saved, resume to write it again"
                        ) from None
                    queue.appendleft(index)
        return [completion for part in written if part is not None for completion in part]

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        end_actors([actor.handle for actor in self._actors])
        self._actors = []
        self._starting = {}

    # -- actors -------------------------------------------------------------

    def _launch(self) -> None:
        actor = _Actor(self._actor_class.remote(self._model))
        self._actors.append(actor)
        self._starting[actor.handle.start.remote()] = actor

    def _await_first_starts(self) -> None:
        """Waits for every first actor; a backend that fails to load raises
        its own error here (a missing model, a device this node lacks)."""
        for ref, actor in list(self._starting.items()):
            try:
                identity, sliceable = get_result(ref, timeout_s=START_TIMEOUT_S)
            except _timeout_error():
                raise ClusterError(
                    f"the cluster did not start {self.count} generator actor(s) within "
                    f"{START_TIMEOUT_S:g} s (are there free {'GPUs' if self._gpu else 'CPUs'}?)"
                ) from None
            except actor_lost_errors() as error:
                raise ClusterError(
                    f"a generator actor died while loading the model ({type(error).__name__})"
                ) from None
            del self._starting[ref]
            if self.identity and identity != self.identity:
                raise ClusterError(
                    "the generator actors loaded different models (check every node)"
                )
            self.identity, self.sliceable, actor.started = identity, sliceable, True

    def _on_started(self, ref: Any) -> None:
        """A replacement actor finished loading (or died doing so)."""
        actor = self._starting.pop(ref)
        try:
            identity, _ = get_result(ref)
        except actor_lost_errors():
            self._lose(actor)
            return
        if identity != self.identity:
            raise ClusterError("a replacement generator actor loaded a different model")
        actor.started = True

    def _lose(self, actor: _Actor) -> None:
        """Counts and drops a dead actor, and starts another in its place."""
        if actor not in self._actors:
            return
        self._actors.remove(actor)
        self.lost_actors += 1
        if self._replacements_left > 0 and not self._closed:
            self._replacements_left -= 1
            self._launch()

    def _wait(self, inflight: list[Any]) -> list[Any]:
        """The references that are ready: slices written, replacements started."""
        import ray

        waiting = inflight + list(self._starting)
        if not waiting:
            raise ClusterError(
                f"every generator actor was lost ({self.lost_actors} in all) and none could be "
                "replaced; committed iterations are saved, resume when the cluster is back"
            )
        # A slice in flight ends by itself (or Ray reports its actor dead);
        # only replacements that never start could keep us waiting.
        ready, _ = ray.wait(waiting, num_returns=1, timeout=None if inflight else START_TIMEOUT_S)
        if not ready:
            raise ClusterError(
                f"no generator actor started within {START_TIMEOUT_S:g} s to replace the lost ones"
            )
        return list(ready)

    def _slices(self, count: int) -> list[tuple[int, int]]:
        """Contiguous (start, end) slices of a batch: one per live actor."""
        live = sum(actor.started for actor in self._actors)
        parts = min(count, max(1, live)) if self.sliceable else 1
        bounds = [round(part * count / parts) for part in range(parts + 1)]
        return [(bounds[i], bounds[i + 1]) for i in range(parts) if bounds[i] < bounds[i + 1]]


def _timeout_error() -> type[BaseException]:
    from ray.exceptions import GetTimeoutError

    return GetTimeoutError
