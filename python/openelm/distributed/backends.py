"""A run's generation and evaluation on a Ray cluster, behind the same
interfaces as the local model and sandbox pool (`Backends`), so the
driver, the store, resume, the live view and the report do not change.
The driver alone touches run.db; actors get sources and prompts and hand
back results and completions."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from openelm.distributed.cluster import (
    ClusterError,
    RayOptions,
    api_key_env_name,
    cluster_gpus,
    free_cpus,
    generator_env_vars,
    ray_connection,
)
from openelm.distributed.evaluators import RayEvaluatorPool
from openelm.distributed.generators import RayCompleter
from openelm.evolve.runner import Backends
from openelm.records import EvolveConfig, ModelConfig

PhaseCallback = Callable[[str], None]
RESOURCE_WAIT_S = 5.0


@contextmanager
def ray_backends(
    config: EvolveConfig, options: RayOptions, phase: PhaseCallback
) -> Iterator[Backends]:
    """Connects to the cluster, starts the generator actors (when the run
    needs a model) and the evaluator actors, and ends them all afterwards."""
    options.validate()
    secrets = (api_key_env_name(config.model),)
    where = options.address or "a local Ray instance"
    phase(f"joining {where}")
    with ray_connection(options, secrets), ExitStack() as stack:
        workers = config.evaluation.workers or 1
        needs_model = config.mutation.uses_language_model()
        gpu = needs_model and _wants_gpu(config.model)
        generator_cpus = _generator_cpus(config.model) if needs_model else 0.0
        evaluators = _evaluator_count(options, workers, options.generators * generator_cpus)
        completer = None
        if needs_model:
            phase(
                f"starting {options.generators} generator actor(s) with {config.model.model}"
                + (" on GPUs" if gpu else "")
            )
            completer = stack.enter_context(
                RayCompleter(
                    config.model,
                    options.generators,
                    gpu=gpu,
                    cpus=generator_cpus,
                    env_vars=generator_env_vars(config.model, os.environ),
                )
            )
        phase(f"starting {evaluators} evaluator actor(s) of {workers} sandbox worker(s)")
        evaluation = config.evaluation
        pool = stack.enter_context(
            RayEvaluatorPool(
                evaluators,
                workers_per_actor=workers,
                timeout_s=evaluation.timeout_s,
                sim=evaluation.sim,
                allow_unsandboxed=evaluation.allow_unsandboxed,
                secret_names=secrets,
                on_warning=lambda message: phase(f"warning: {message}"),
            )
        )

        def lost_actors() -> int:
            return pool.lost_actors + (completer.lost_actors if completer else 0)

        yield Backends(completer, pool, lost_actors)


def _free_cpus_for(needed: float) -> float:
    """The cluster's free CPUs, once `needed` are free or after
    `RESOURCE_WAIT_S`: actors that just ended (a previous run's) free
    theirs a moment later."""
    deadline = time.monotonic() + RESOURCE_WAIT_S
    while (free := free_cpus()) < needed and time.monotonic() < deadline:
        time.sleep(0.2)
    return free


def _wants_gpu(model: ModelConfig) -> bool:
    if getattr(model, "endpoint", None):
        return False
    if model.device == "cuda":
        if cluster_gpus() < 1:
            raise ClusterError("--device cuda: the Ray cluster has no GPU")
        return True
    return model.device == "auto" and cluster_gpus() >= 1


def _generator_cpus(model: ModelConfig) -> float:
    # An endpoint backend only waits on its server; a model in process on
    # a CPU takes that CPU, and one on a GPU a CPU to feed it.
    return 0.0 if getattr(model, "endpoint", None) else 1.0


def _evaluator_count(options: RayOptions, workers: int, generator_cpus: float) -> int:
    """How many evaluator actors to start; ClusterError when the free CPUs
    cannot hold what was asked for."""
    free = _free_cpus_for(
        options.evaluators * workers + generator_cpus if options.evaluators else 1
    )
    if free < 1:
        raise ClusterError("the Ray cluster has no free CPU")
    room = int((free - generator_cpus) // workers)
    if options.evaluators is None:
        if room < 1:
            raise ClusterError(
                f"the Ray cluster has {free:g} free CPU(s): not enough for the generator actors "
                f"({generator_cpus:g} CPU) and one evaluator actor of {workers} worker(s)"
            )
        return room
    needed = options.evaluators * workers + generator_cpus
    if needed > free:
        raise ClusterError(
            f"the Ray cluster has {free:g} free CPU(s); {options.evaluators} evaluator actor(s) of "
            f"{workers} worker(s) and the generator actors need {needed:g}"
        )
    return options.evaluators
