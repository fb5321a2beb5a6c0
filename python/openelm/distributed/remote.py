"""What every actor kind shares: waiting on Ray references, telling a lost
actor from an error the actor raised, and handing back the raised error
itself (not Ray's wrapper, whose text carries a remote traceback)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# How long ending actors may take to die (their CPUs free only then).
END_TIMEOUT_S = 10.0


def actor_lost_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that mean the actor (its process or node) is gone."""
    from ray.exceptions import ActorDiedError, ActorUnavailableError, RayActorError

    return (ActorDiedError, ActorUnavailableError, RayActorError)


def get_result(ref: Any, timeout_s: float | None = None) -> Any:
    """`ray.get(ref)`; an exception the remote method raised is raised here
    as itself. Lost actors raise one of `actor_lost_errors()`."""
    import ray
    from ray.exceptions import RayTaskError

    try:
        return ray.get(ref, timeout=timeout_s)
    except RayTaskError as error:
        cause = error.cause
        if isinstance(cause, Exception):
            raise cause from None
        raise


def end_actors(handles: Sequence[Any]) -> None:
    """Kills the actors and waits (bounded) until they are gone, so that a
    run started right after finds their CPUs free."""
    import ray

    for handle in handles:
        ray.kill(handle, no_restart=True)
    # A call to a killed actor fails once it is dead.
    probes = [handle.__ray_ready__.remote() for handle in handles]
    if probes:
        ray.wait(probes, num_returns=len(probes), timeout=END_TIMEOUT_S)
