"""The life of a group of actors of one kind, shared by the evaluator and
generator sides: launching them, waiting for their `start`, counting and
replacing the lost ones within a bound, and ending them all.

Each actor class has a `start` method that readies it (a sandbox pool, a
model) and returns what the driver should check; `on_started` hears that
result for every actor, the first ones and their replacements, and may
refuse it by raising. The group never dispatches work: its owner does, and
passes the references it waits on through `wait`, which also finishes the
starts that are ready.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

from openelm.distributed.cluster import ClusterError
from openelm.distributed.remote import actor_lost_errors, end_actors, get_result

# Replacements for lost actors, per actor asked for, before giving up.
MAX_REPLACEMENTS_PER_ACTOR = 3


@dataclass(eq=False)
class Member:
    """One actor: its handle, its slot (0 to count - 1; a replacement takes
    the lost actor's), whether its `start` returned, and the ids of the work
    it holds (its owner's bookkeeping)."""

    handle: Any
    slot: int
    started: bool = False
    holding: list[int] = field(default_factory=list)


class ActorGroup:
    """`count` actors of `actor_class` (a `ray.remote(...).options(...)`
    class), the one in slot i built from `arguments(i)`. `kind` names them in errors;
    `resources` says what each needs, for the error when none start in
    `start_timeout_s`."""

    def __init__(
        self,
        kind: str,
        actor_class: Any,
        arguments: Callable[[int], tuple[Any, ...]],
        *,
        count: int,
        resources: str,
        start_timeout_s: float,
        on_started: Callable[[Any], None],
    ) -> None:
        self.kind = kind
        self.count = count
        self.lost = 0
        self._actor_class = actor_class
        self._arguments = arguments
        self._resources = resources
        self._start_timeout_s = start_timeout_s
        self._on_started = on_started
        self._replacements_left = MAX_REPLACEMENTS_PER_ACTOR * count
        self._members: list[Member] = []
        self._starting: dict[Any, Member] = {}
        self._closed = False

    def start(self) -> None:
        """Launches the actors and waits until each has started (or was
        lost and replaced); ClusterError if they do not start in time. An
        error an actor's `start` raises (a model that does not load) is
        raised here as itself."""
        try:
            for slot in range(self.count):
                self._launch(slot)
            deadline = time.monotonic() + self._start_timeout_s
            while self._starting:
                ready = _wait(list(self._starting), max(0.0, deadline - time.monotonic()))
                if not ready:
                    raise ClusterError(
                        f"the cluster did not start {self.count} {self.kind} actor(s) "
                        f"({self._resources} each) within {self._start_timeout_s:g} s"
                    )
                for ref in ready:
                    self.finish_start(ref)
            if not self.live():
                raise ClusterError(f"no {self.kind} actor could start ({self.lost} lost)")
        except BaseException:
            self.close()
            raise

    def live(self) -> list[Member]:
        """The started actors that are not lost."""
        return [member for member in self._members if member.started]

    def wait(self, inflight: list[Any]) -> list[Any]:
        """The references of `inflight` that are ready, after finishing any
        replacement starts that are ready too. ClusterError when there is
        nothing left to wait on (every actor lost, none replaceable) or no
        replacement starts in time."""
        waiting = inflight + list(self._starting)
        if not waiting:
            raise ClusterError(
                f"every {self.kind} actor was lost ({self.lost} in all) and none could be "
                "replaced; committed iterations are saved, resume when the cluster is back"
            )
        # Work in flight ends by itself (or Ray reports its actor dead);
        # only replacements that never start could keep us waiting.
        ready = _wait(waiting, None if inflight else self._start_timeout_s)
        if not ready:
            raise ClusterError(
                f"no {self.kind} actor started within {self._start_timeout_s:g} s to replace "
                f"the lost ones ({self._resources} each)"
            )
        done = []
        for ref in ready:
            if ref in self._starting:
                self.finish_start(ref)
            else:
                done.append(ref)
        return done

    def finish_start(self, ref: Any) -> None:
        """An actor's `start` returned (or the actor died starting)."""
        member = self._starting.pop(ref)
        try:
            result = get_result(ref)
        except actor_lost_errors():
            self.lose(member)
            return
        self._on_started(result)
        member.started = True

    def lose(self, member: Member) -> None:
        """Counts and drops a dead actor, and starts another in its place."""
        if member not in self._members:
            return
        self._members.remove(member)
        self.lost += 1
        if self._replacements_left > 0 and not self._closed:
            self._replacements_left -= 1
            self._launch(member.slot)

    def close(self) -> None:
        """Ends every actor and waits (bounded) until they are gone."""
        if self._closed:
            return
        self._closed = True
        end_actors([member.handle for member in self._members])
        self._members = []
        self._starting = {}

    def _launch(self, slot: int) -> None:
        member = Member(self._actor_class.remote(*self._arguments(slot)), slot)
        self._members.append(member)
        self._starting[member.handle.start.remote()] = member


class GroupOwner:
    """What the evaluator pool and the generator completer share as owners
    of one `ActorGroup`: a context manager ending the actors, the count of
    lost ones, and the live actors' handles."""

    _group: ActorGroup

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def lost_actors(self) -> int:
        return self._group.lost

    def actors(self) -> list[Any]:
        """Handles of the live, started actors (for checks and tests)."""
        return [member.handle for member in self._group.live()]

    def close(self) -> None:
        """Ends every actor and waits (bounded) until they are gone."""
        self._group.close()


def _wait(refs: list[Any], timeout_s: float | None) -> list[Any]:
    import ray

    ready, _ = ray.wait(refs, num_returns=1, timeout=timeout_s)
    return list(ready)
