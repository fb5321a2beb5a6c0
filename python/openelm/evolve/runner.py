"""Driving a run: seeds, the pipelined ask/evaluate/tell loop, budgets,
Ctrl-C, and resume.

The pipeline. While the sandbox pool evaluates batch i in a background
thread (it waits on pipes with the GIL released), the main thread has the
language model write batch i+1. Batch i+1's parents are therefore drawn from
the archive as it was *before* batch i was told: a one-iteration lag. Batch
i is bred from the archive after iteration i-2 (the seeds' archive for
batches 1 and 2). The lag is part of the algorithm, not of the timing: a
resumed run rebuilds the archive after iteration i-2 from the store and
asks exactly what the uninterrupted run asked, so N iterations then a resume
to N+M give the same archive as N+M in one go.

A hybrid run (`mutation.hybrid_random_iterations` = N) turns this around:
the model writes every (N+1)th iteration's batch in a background thread
while the main thread runs N iterations of `random` children, which need no
lag (docs/evolve.md, "The hybrid").

Ctrl-C (SIGINT) asks the run to stop: the generation in progress is dropped
(a resume writes it again, identically), the batch being evaluated is
finished and committed, and the run returns. A second Ctrl-C raises
KeyboardInterrupt at once; the uncommitted iteration is rolled back.

Where the work runs. A run's `Backends` are a completer and an evaluator:
the model in process and a local `SandboxPool`, or (with `ray=RayOptions`)
generator and evaluator actors on a Ray cluster (openelm.distributed),
which give the same children and results. Either way this loop, and only
it, writes the store.
"""

from __future__ import annotations

import secrets
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, Protocol

from openelm._sodarace import SIMULATOR_VERSION
from openelm.errors import ConfigFieldError, OpenelmError
from openelm.evolve.archive import ArchiveSnapshot, build_archive, cvt_centroids
from openelm.evolve.config import (
    RESUME_SAFE_FIELDS,
    BudgetConfig,
    EvolveConfig,
    EvolveConfigError,
    SeedProgram,
    apply_overrides,
    flatten_config,
    validate_config,
)
from openelm.evolve.generation import Completer, GeneratedBatch, load_completer
from openelm.evolve.operators import Child
from openelm.evolve.scheduler import SEED_OPERATOR, Scheduler
from openelm.evolve.seed_programs import DEFAULT_SEED_PROGRAM, load_seed_program
from openelm.llm.completion import CompletionError
from openelm.records import DEFAULT_MIX_WEIGHTS, CompletionStop, Funnel, IterationMetrics
from openelm.sandbox import EvalResult, SandboxPool, SandboxWarning
from openelm.sandbox.results import crashed
from openelm.store import DB_NAME, RunStore, RunStoreError

if TYPE_CHECKING:
    from openelm.distributed.cluster import RayOptions

# The parts of a model identity that say which weights produced the programs.
MODEL_IDENTITY_KEYS = ("name", "source", "revision")
LOST_GENERATOR_REASON = "no completion: every generator actor given its prompt was lost"


class RunError(OpenelmError):
    """The run cannot go on (for example, no seed program makes a valid walker)."""


class ResumeConflictError(ConfigFieldError):
    """Resuming with this config or model would corrupt the run; `field`
    names the config field that would change."""


@dataclass(frozen=True)
class ProgressReport:
    """What the live view shows after each committed iteration."""

    run_dir: Path
    metrics: IterationMetrics
    run_funnel: Funnel  # every mutation of the run so far (seeds excluded)
    tokens_generated: int  # completion tokens of the run so far
    lost_actors: int  # Ray actors the run has lost so far (their work was redone)
    height_width_map: list[list[float | None]]
    session_seconds: float
    eta_seconds: float | None
    budget: BudgetConfig


@dataclass(frozen=True)
class RunOutcome:
    run_dir: Path
    stop_reason: str  # iterations | evaluations | time_limit | interrupted
    last_iteration: int


ProgressCallback = Callable[[ProgressReport], None]
PhaseCallback = Callable[[str], None]


class Evaluator(Protocol):
    """Scores genome sources: one result each, in order (a `SandboxPool`)."""

    def evaluate(self, sources: Sequence[str | bytes]) -> list[EvalResult]: ...


def _no_lost_actors() -> int:
    return 0


@dataclass(frozen=True)
class Backends:
    """What writes and scores a run's children. `lost_actors` counts the
    cluster actors lost so far (always 0 on one machine)."""

    completer: Completer | None
    evaluator: Evaluator
    lost_actors: Callable[[], int] = _no_lost_actors


def start_run(
    config: EvolveConfig,
    run_dir: str | Path,
    *,
    on_iteration: ProgressCallback | None = None,
    on_phase: PhaseCallback | None = None,
    ray: RayOptions | None = None,
) -> RunOutcome:
    """Evaluate the seeds, create the run in `run_dir` and evolve until the
    budget ends; on a Ray cluster when `ray` is given."""
    validate_config(config)
    run_dir = Path(run_dir)
    if (run_dir / DB_NAME).exists():
        raise RunStoreError(
            f"{run_dir} already holds a run; continue it with: openelm evolve --resume {run_dir}"
        )
    phase = on_phase or _ignore
    with _backends(config, phase, ray) as backends:
        completer, pool = backends.completer, backends.evaluator
        phase("evaluating the seed programs")
        seed_results = pool.evaluate([program.source for program in config.seed_programs])
        _require_a_valid_seed(config, seed_results)
        centroids = None
        if config.archive.kind == "cvt":
            phase(f"drawing {config.archive.cells} CVT centroids")
            centroids = cvt_centroids(config.archive.cells, config.seed)
        store = RunStore.create(
            run_dir, config, completer.identity if completer else None, centroids=centroids
        )
        with store:
            driver = _Driver(store, config, backends, on_iteration)
            with driver.sigint_stops_the_run():
                driver.commit_seeds(seed_results, started=time.perf_counter())
                return driver.evolve()


def resume_run(
    run_dir: str | Path,
    overrides: dict[str, Any] | None = None,
    *,
    on_iteration: ProgressCallback | None = None,
    on_phase: PhaseCallback | None = None,
    ray: RayOptions | None = None,
) -> RunOutcome:
    """Continue the run in `run_dir` (on a Ray cluster when `ray` is given). `overrides` ({dotted config path: value})
    may change only `RESUME_SAFE_FIELDS`; any other field must equal the
    stored one."""
    phase = on_phase or _ignore
    with RunStore.open(run_dir) as store:
        _check_simulator_version(store.simulator_version)
        config = resumed_config(store.config, overrides or {})
        with _backends(config, phase, ray) as backends:
            completer, pool = backends.completer, backends.evaluator
            _check_model_identity(store.model_identity, completer.identity if completer else None)
            if config != store.config:
                store.update_config(config)
            driver = _Driver(store, config, backends, on_iteration)
            with driver.sigint_stops_the_run():
                if store.last_iteration() is None:
                    # Killed before the seeds were committed: nothing of the
                    # run exists yet but its config.
                    started = time.perf_counter()
                    phase("evaluating the seed programs")
                    seed_results = pool.evaluate(
                        [program.source for program in config.seed_programs]
                    )
                    _require_a_valid_seed(config, seed_results)
                    driver.commit_seeds(seed_results, started=started)
                return driver.evolve()


def fresh_run_dir(root: str | Path = "runs") -> Path:
    """`root/<UTC timestamp>`, with a suffix if a run of that second exists."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    candidate = Path(root) / stamp
    suffix = 2
    while candidate.exists():
        candidate = Path(root) / f"{stamp}-{suffix}"
        suffix += 1
    return candidate


def new_config(overrides: Mapping[str, Any]) -> EvolveConfig:
    """A new run's config: the defaults with `overrides` ({dotted config
    path: value}) applied. Unless given, the seed is drawn at random (the
    run records it) and the run starts from `DEFAULT_SEED_PROGRAM`."""
    base = EvolveConfig(
        seed=overrides["seed"] if "seed" in overrides else secrets.randbits(31),
        seed_programs=overrides.get("seed_programs") or (load_seed_program(DEFAULT_SEED_PROGRAM),),
    )
    known = flatten_config(base)
    for path in overrides:
        if path not in known:
            raise ValueError(f"unknown config field {path!r}")
    config = apply_overrides(base, dict(overrides))
    if config.mutation.operator == "mix" and not config.mutation.mix_weights:
        # Written into the run, so a resume keeps these weights even if the
        # default changes later.
        config = replace(config, mutation=replace(config.mutation, mix_weights=DEFAULT_MIX_WEIGHTS))
    return config


def resumed_config(stored: EvolveConfig, overrides: dict[str, Any]) -> EvolveConfig:
    """`stored` with `overrides` applied; ResumeConflictError when one would change the run."""
    current = flatten_config(stored)
    for path, value in overrides.items():
        if path not in current:
            raise ValueError(f"unknown config field {path!r}")
        if path not in RESUME_SAFE_FIELDS and value != current[path]:
            raise ResumeConflictError(
                path,
                f"cannot resume with {path} = {_brief(value)}: this run was started with {_brief(current[path])}, "
                "and changing it would corrupt the run (start a new run instead)",
            )
    return validate_config(apply_overrides(stored, overrides))


def _brief(value: Any) -> str:
    """A value for a one-line message: seed programs by name, long text cut."""
    if isinstance(value, tuple) and value and all(isinstance(item, SeedProgram) for item in value):
        return "seed programs " + ", ".join(item.name for item in value)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_simulator_version(stored: int) -> None:
    """A run's fitnesses only compare under the simulator that scored them."""
    if stored != SIMULATOR_VERSION:
        raise ResumeConflictError(
            "evaluation.sim",
            f"cannot resume: this run was scored by simulator version {stored} and this openelm "
            f"simulates with version {SIMULATOR_VERSION}, so old and new fitnesses would not compare; "
            "start a new run instead, or resume it with the openelm release that made it",
        )


def _check_model_identity(stored: dict[str, str] | None, loaded: dict[str, str] | None) -> None:
    if stored is None or loaded is None:
        return
    for key in MODEL_IDENTITY_KEYS:
        if stored.get(key) != loaded.get(key):
            raise ResumeConflictError(
                "model.model",
                f"cannot resume: the run's model {key} was {stored.get(key)!r}, the loaded model's is "
                f"{loaded.get(key)!r}",
            )


def _load_completer(config: EvolveConfig, phase: PhaseCallback) -> Completer | None:
    if not config.mutation.uses_language_model():
        return None
    where = f" at {config.model.endpoint}" if config.model.endpoint else ""
    phase(f"loading the language model {config.model.model}{where}")
    try:
        return load_completer(config.model, phase)
    except ValueError as error:  # a device or dtype this machine lacks
        field = "model.dtype" if str(error).startswith("dtype") else "model.device"
        raise EvolveConfigError(field, str(error)) from None


@contextmanager
def _backends(
    config: EvolveConfig, phase: PhaseCallback, ray: RayOptions | None
) -> Iterator[Backends]:
    if ray is not None:
        # Imported here: Ray loads only for a run that asks for it.
        from openelm.distributed.backends import ray_backends

        with ray_backends(config, ray, phase) as backends:
            yield backends
        return
    completer = _load_completer(config, phase)
    with _sandbox_pool(config, phase) as pool:
        yield Backends(completer, pool)


@contextmanager
def _sandbox_pool(config: EvolveConfig, phase: PhaseCallback) -> Iterator[SandboxPool]:
    phase("starting the sandbox workers")
    evaluation = config.evaluation
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SandboxWarning)
        pool = SandboxPool(
            evaluation.workers,
            timeout_s=evaluation.timeout_s,
            sim_config=evaluation.sim,
            allow_unsandboxed=evaluation.allow_unsandboxed,
        )
    for warning in caught:
        phase(f"warning: {warning.message}")
    with pool:
        yield pool


def _require_a_valid_seed(config: EvolveConfig, results: Sequence[EvalResult]) -> None:
    if any(result.status == "ok" for result in results):
        return
    problems = "; ".join(
        f"{program.name}: {result.status}" + (f" ({result.error})" if result.error else "")
        for program, result in zip(config.seed_programs, results)
    )
    raise RunError(f"no seed program makes a valid walker: {problems}")


def _ignore(_: str) -> None:
    return None


class _GenerationInterrupted(Exception):
    """Raised by the SIGINT handler to abandon the batch being generated."""


class _Driver:
    def __init__(
        self,
        store: RunStore,
        config: EvolveConfig,
        backends: Backends,
        on_iteration: ProgressCallback | None,
    ) -> None:
        self.store = store
        self.config = config
        self.pool = backends.evaluator
        self.lost_actors = backends.lost_actors
        self.on_iteration = on_iteration
        self.archive = build_archive(config.archive, store.centroids)
        self.scheduler = Scheduler(config, self.archive, backends.completer)
        self.session_started = time.perf_counter()
        self.session_iterations = 0
        self.session_evaluations = 0
        self.stop_requested = False
        self.generating = False
        # Running totals for the live view, over the run's mutations.
        history = store.iteration_metrics()
        self.run_funnel = sum((past.funnel for past in history if past.iteration > 0), Funnel())
        self.tokens_generated = sum(past.completion_tokens for past in history)
        self.run_lost_actors = sum(past.lost_actors for past in history)
        self.session_lost_actors = 0

    # -- Ctrl-C -------------------------------------------------------------

    @contextmanager
    def sigint_stops_the_run(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.signal(signal.SIGINT, self._on_sigint)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        if self.stop_requested:
            raise KeyboardInterrupt
        self.stop_requested = True
        if self.generating:
            raise _GenerationInterrupted

    def _generate(
        self, iteration: int, snapshot: ArchiveSnapshot, count: int
    ) -> GeneratedBatch | None:
        """Ask for a batch; None when Ctrl-C abandoned it."""
        if self.stop_requested:
            return None
        self.generating = True
        try:
            batch = self.scheduler.ask(iteration, snapshot, count)
            # Cleared inside the try: a signal landing between the return
            # and this line still ends in the except clause below.
            self.generating = False
        except _GenerationInterrupted:
            self.generating = False
            return None
        return batch

    # -- the loop -----------------------------------------------------------

    def commit_seeds(self, results: Sequence[EvalResult], *, started: float) -> None:
        children = [
            Child(SEED_OPERATOR, (), program.source) for program in self.config.seed_programs
        ]
        self._commit(
            0, children, results, generation_seconds=0.0, evaluation_seconds=0.0, started=started
        )

    def evolve(self) -> RunOutcome:
        last = self.store.last_iteration()
        assert last is not None, "the seeds are committed before evolving"
        self.archive.restore(self.store.elites(last))
        if self.config.mutation.hybrid_random_iterations:
            return self._evolve_hybrid(last)
        evaluations = self.store.program_count()
        iteration = last + 1
        size = self._batch_size(evaluations)
        stop_reason = self._budget_reached(iteration, size)
        if stop_reason is not None:
            return RunOutcome(self.store.run_dir, stop_reason, last)
        # The lag: batch i comes from the archive after iteration i-2.
        lagged = ArchiveSnapshot(tuple(self.store.elites(max(last - 1, 0))))
        iteration_started = time.perf_counter()
        try:
            batch = self._generate(iteration, lagged, size)
        except CompletionError as error:
            raise _stopped_by(error, self.store.run_dir, last) from None
        if batch is None:
            return RunOutcome(self.store.run_dir, "interrupted", last)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="openelm-evaluate") as executor:
            while True:
                evaluation = executor.submit(_timed_evaluate, self.pool, batch.children)
                snapshot = self.archive.snapshot()
                evaluations_after = evaluations + len(batch.children)
                next_size = self._batch_size(evaluations_after)
                following: GeneratedBatch | None = None
                failure: CompletionError | None = None
                if self._budget_reached(iteration + 1, next_size) is None:
                    try:
                        following = self._generate(iteration + 1, snapshot, next_size)
                    except CompletionError as error:
                        # The model failed for good: this batch is still
                        # evaluated and committed, and the run ends there.
                        failure = error
                results, evaluation_seconds = evaluation.result()
                self._commit(
                    iteration,
                    list(batch.children),
                    results,
                    generation_seconds=batch.generation_seconds,
                    evaluation_seconds=evaluation_seconds,
                    started=iteration_started,
                    prompt_tokens=batch.prompt_tokens,
                )
                iteration_started = time.perf_counter()
                evaluations = evaluations_after
                if failure is not None:
                    raise _stopped_by(failure, self.store.run_dir, iteration) from None
                if self.stop_requested:
                    return RunOutcome(self.store.run_dir, "interrupted", iteration)
                stop_reason = self._budget_reached(iteration + 1, next_size)
                if stop_reason is not None or following is None:
                    return RunOutcome(self.store.run_dir, stop_reason or "interrupted", iteration)
                batch = following
                iteration += 1

    def _evolve_hybrid(self, last: int) -> RunOutcome:
        """The hybrid's loop. Every `model_period`th iteration m is the
        model's: its batch is written in a background thread, from the
        archive after iteration m - model_period, while this thread runs
        the `random` iterations in between, each bred from the archive after
        the one before it. Both depend only on committed iterations, so a
        resume asks exactly what the uninterrupted run asked."""
        mutation = self.config.mutation
        evaluations = self.store.program_count()
        iteration = last + 1
        model_iteration = mutation.next_model_iteration(iteration)
        bred_from = model_iteration - mutation.model_period
        writing = self._write_in_background(
            model_iteration, ArchiveSnapshot(tuple(self.store.elites(bred_from)))
        )
        quitting = False
        try:
            while True:
                size = self._batch_size(evaluations)
                stop_reason = self._budget_reached(iteration, size)
                if stop_reason is not None:
                    return RunOutcome(self.store.run_dir, stop_reason, iteration - 1)
                started = time.perf_counter()
                if iteration == model_iteration:
                    try:
                        batch = writing.result()
                    except CompletionError as error:
                        raise _stopped_by(error, self.store.run_dir, iteration - 1) from None
                    # Asked at full size when it started; an evaluation budget
                    # may leave room for fewer (plans and samples are drawn
                    # child by child, so a prefix is what a smaller ask gives).
                    children = list(batch.children[:size])
                else:
                    batch = self.scheduler.ask(iteration, self.archive.snapshot(), size)
                    children = list(batch.children)
                results, evaluation_seconds = _timed_evaluate(self.pool, children)
                self._commit(
                    iteration,
                    children,
                    results,
                    generation_seconds=batch.generation_seconds,
                    evaluation_seconds=evaluation_seconds,
                    started=started,
                    prompt_tokens=sum(child.prompt_tokens for child in children),
                )
                evaluations += len(children)
                if iteration == model_iteration:
                    model_iteration = mutation.next_model_iteration(iteration + 1)
                    writing = self._write_in_background(model_iteration, self.archive.snapshot())
                if self.stop_requested:
                    return RunOutcome(self.store.run_dir, "interrupted", iteration)
                iteration += 1
        except KeyboardInterrupt:
            quitting = True
            raise
        finally:
            # The model's engine must outlive its last call (llama.cpp frees
            # its weights when the backends close): wait, at most one batch,
            # unless a second Ctrl-C asked to quit now.
            if not quitting:
                writing.exception()

    def _write_in_background(
        self, iteration: int, snapshot: ArchiveSnapshot
    ) -> Future[GeneratedBatch]:
        """The model's batch for `iteration`, written on a daemon thread (a
        second Ctrl-C quits without waiting for it)."""
        future: Future[GeneratedBatch] = Future()

        def write() -> None:
            try:
                future.set_result(self.scheduler.ask(iteration, snapshot, self.config.batch_size))
            except BaseException as error:  # handed to whoever waits on the batch
                future.set_exception(error)

        threading.Thread(target=write, name="openelm-model", daemon=True).start()
        return future

    def _batch_size(self, evaluations_so_far: int) -> int:
        limit = self.config.budget.evaluations
        if limit is None:
            return self.config.batch_size
        return max(0, min(self.config.batch_size, limit - evaluations_so_far))

    def _budget_reached(self, iteration: int, size: int) -> str | None:
        """Why `iteration` (of `size` children) may not start, or None if it may."""
        budget = self.config.budget
        if budget.iterations is not None and iteration > budget.iterations:
            return "iterations"
        if size == 0:
            return "evaluations"
        if (
            budget.time_limit_s is not None
            and time.perf_counter() - self.session_started >= budget.time_limit_s
        ):
            return "time_limit"
        return None

    def _commit(
        self,
        iteration: int,
        children: list[Child],
        results: Sequence[EvalResult],
        *,
        generation_seconds: float,
        evaluation_seconds: float,
        started: float,
        prompt_tokens: int = 0,
    ) -> None:
        first_program_id = self.store.program_count() + 1
        told = self.scheduler.tell(iteration, children, results, first_program_id)
        archive = self.archive
        metrics = IterationMetrics(
            iteration=iteration,
            evaluations=first_program_id - 1 + len(children),
            programs=len(children),
            niches_filled=archive.filled,
            niches_total=archive.cell_count,
            qd_score=archive.qd_score,
            max_fitness=archive.max_fitness,
            mean_fitness=archive.mean_fitness,
            funnel=told.funnel,
            new_cells=told.new_cells,
            improved_cells=told.improved_cells,
            prompt_tokens=prompt_tokens,
            completion_tokens=sum(child.completion_tokens for child in children),
            generation_seconds=generation_seconds,
            evaluation_seconds=evaluation_seconds,
            wall_seconds=time.perf_counter() - started,
            lost_actors=self._newly_lost_actors(),
        )
        self.store.commit_iteration(metrics, told.programs, told.events)
        self.tokens_generated += metrics.completion_tokens
        self.run_lost_actors += metrics.lost_actors
        if iteration > 0:
            self.run_funnel = self.run_funnel + told.funnel
            self.session_iterations += 1
            self.session_evaluations += len(children)
        if self.on_iteration is not None:
            self.on_iteration(self._report(metrics))

    def _newly_lost_actors(self) -> int:
        """Actors lost since the last commit (their work was redone)."""
        lost = self.lost_actors()
        newly = lost - self.session_lost_actors
        self.session_lost_actors = lost
        return newly

    def _report(self, metrics: IterationMetrics) -> ProgressReport:
        session_seconds = time.perf_counter() - self.session_started
        return ProgressReport(
            run_dir=self.store.run_dir,
            metrics=metrics,
            run_funnel=self.run_funnel,
            tokens_generated=self.tokens_generated,
            lost_actors=self.run_lost_actors,
            height_width_map=self.archive.height_width_map(),
            session_seconds=session_seconds,
            eta_seconds=self._eta(metrics, session_seconds),
            budget=self.config.budget,
        )

    def _eta(self, metrics: IterationMetrics, session_seconds: float) -> float | None:
        """Seconds until the first budget runs out, at this session's pace."""
        budget = self.config.budget
        estimates: list[float] = []
        if budget.time_limit_s is not None:
            estimates.append(max(0.0, budget.time_limit_s - session_seconds))
        if self.session_iterations:
            if budget.iterations is not None:
                per_iteration = session_seconds / self.session_iterations
                estimates.append(max(0, budget.iterations - metrics.iteration) * per_iteration)
            if budget.evaluations is not None and self.session_evaluations:
                per_evaluation = session_seconds / self.session_evaluations
                estimates.append(max(0, budget.evaluations - metrics.evaluations) * per_evaluation)
        return min(estimates) if estimates else None


def _stopped_by(error: CompletionError, run_dir: Path, committed: int) -> CompletionError:
    """The language model's failure, saying what is saved and how to go on."""
    return CompletionError(
        f"{error}; the run is saved up to iteration {committed}; "
        f"resume with: openelm evolve --resume {run_dir}"
    )


def _timed_evaluate(pool: Evaluator, children: Sequence[Child]) -> tuple[list[EvalResult], float]:
    """The children's results and the seconds they took. A child whose
    generator actors were all lost has no text to run: it is `crashed`."""
    started = time.perf_counter()
    runnable = [
        index
        for index, child in enumerate(children)
        if child.stopped is not CompletionStop.GENERATOR_LOST
    ]
    ran = iter(pool.evaluate([children[index].source for index in runnable]))
    kept = set(runnable)
    results = [
        next(ran) if index in kept else crashed(LOST_GENERATOR_REASON)
        for index in range(len(children))
    ]
    return results, time.perf_counter() - started
