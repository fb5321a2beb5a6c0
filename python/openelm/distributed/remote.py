"""What every actor kind shares: waiting on Ray references, telling a lost
actor from an error the actor raised, and handing back the raised error
itself (not Ray's wrapper, whose text carries a remote traceback)."""

from __future__ import annotations

from typing import Any


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
