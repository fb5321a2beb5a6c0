"""Joining (or starting) the Ray cluster a run uses, checking that it can
hold the run's actors, and keeping secrets out of the processes that must
not see them.

Ray itself is imported only here and in the actor modules, and only when a
run asks for it: `openelm evolve` without `--ray` never loads it.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from openelm.errors import ConfigFieldError, OpenelmError
from openelm.records import DEFAULT_API_KEY_ENV, ModelConfig

# How long reaching the cluster's address may take before we give up: Ray's
# own client retries an unreachable address for minutes.
CONNECT_TIMEOUT_S = 5.0
# The Ray Client port `ray start --head` opens, for `ray://host` without one.
RAY_CLIENT_PORT = 10001


class ClusterError(OpenelmError):
    """The Ray cluster cannot be reached, cannot hold the run's actors, or
    lost every actor of a kind for good (a usage/config error: exit 2)."""

    exit_code = 2


class RayOptionsError(ConfigFieldError):
    """A Ray option is out of range; `field` is `ray.address`, `ray.evaluators`
    or `ray.generators`."""


@dataclass(frozen=True)
class RayOptions:
    """Where a run's generation and evaluation happen. Not part of the run's
    config: a run gives the same archive on any number of actors, so a
    resume may use another cluster, or none.

    `address`: None starts a local Ray instance; `auto` joins the cluster
    named by RAY_ADDRESS (or the one started on this machine); otherwise a
    GCS address `host:port` or a Ray Client address `ray://host:port`.
    `evaluators`: evaluator actors (None: as many as the free CPUs hold).
    `generators`: generator actors (used only when the run needs a model).
    """

    address: str | None = None
    evaluators: int | None = None
    generators: int = 1

    def validate(self) -> RayOptions:
        if self.evaluators is not None and self.evaluators < 1:
            raise RayOptionsError(
                "ray.evaluators", f"evaluator actors must be at least 1, not {self.evaluators}"
            )
        if self.generators < 1:
            raise RayOptionsError(
                "ray.generators", f"generator actors must be at least 1, not {self.generators}"
            )
        if self.address is not None and not self.address.strip():
            raise RayOptionsError("ray.address", "the Ray address must not be empty")
        return self


def api_key_env_name(model: ModelConfig) -> str:
    """The variable the run's endpoint key is read from."""
    named = getattr(model, "api_key_env", None)
    return named if isinstance(named, str) and named else DEFAULT_API_KEY_ENV


def generator_env_vars(model: ModelConfig, environ: Mapping[str, str]) -> dict[str, str]:
    """What the generator actors' runtime_env carries from the driver: the
    endpoint key, if the driver has one. Nothing else crosses."""
    name = api_key_env_name(model)
    return {name: environ[name]} if environ.get(name) else {}


@contextmanager
def ray_connection(options: RayOptions, secret_names: tuple[str, ...]) -> Iterator[None]:
    """Ray, connected to the cluster `options` names, for the block; then
    disconnected (a local instance it started is shut down). An existing
    connection in this process (a program embedding openelm) is used as it
    is and left open. `secret_names` are environment variables hidden while
    a local instance starts: its processes inherit the driver's environment
    and evaluator actors run in them."""
    import ray

    if ray.is_initialized():
        yield
        return
    address = _resolve_address(options.address)
    if address is not None:
        _require_reachable(address)
    common: dict[str, Any] = {
        "logging_level": logging.ERROR,
        "log_to_driver": False,
        "configure_logging": True,
    }
    try:
        if address is None:
            with _hidden(secret_names):
                ray.init(address="local", include_dashboard=False, **common)
        else:
            ray.init(address=address, **common)
    except ImportError as error:
        # ray:// needs Ray Client's extra packages (grpcio).
        raise ClusterError(
            f"cannot join the Ray cluster at {address}: {error.name or error} is missing "
            "(pip install 'openelm[ray]' installs Ray with its client)"
        ) from None
    except (ConnectionError, RuntimeError, ValueError, TimeoutError) as error:
        raise ClusterError(
            f"cannot join the Ray cluster at {address or 'a new local instance'}: {_first_line(error)}"
        ) from None
    try:
        yield
    finally:
        ray.shutdown()


def free_cpus() -> float:
    import ray

    resources: dict[str, float] = ray.available_resources()  # type: ignore[no-untyped-call]
    return float(resources.get("CPU", 0.0))


def cluster_gpus() -> float:
    import ray

    resources: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
    return float(resources.get("GPU", 0.0))


def _resolve_address(address: str | None) -> str | None:
    if address != "auto":
        return address
    named = os.environ.get("RAY_ADDRESS")
    if named:
        return named
    # Ray's own `auto`: the cluster `ray start` left on this machine.
    return "auto"


def _require_reachable(address: str) -> None:
    """A one-line ClusterError unless something listens at `address`."""
    if address == "auto":
        return
    parsed = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parsed.hostname, parsed.port
    except ValueError:
        host, port = None, None
    if parsed.scheme == "ray" and port is None:
        port = RAY_CLIENT_PORT
    if not host or port is None:
        raise ClusterError(f"bad Ray address {address!r}: give host:port, ray://host:port or auto")
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ClusterError(f"cannot reach the Ray cluster at {address}: {reason}") from None


@contextmanager
def _hidden(names: tuple[str, ...]) -> Iterator[None]:
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
