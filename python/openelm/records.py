"""The plain data of an evolution run: its config, its programs, archive
events, elites and metrics, and the statuses and stop reasons they carry.

This module imports nothing of openelm's Python modules (only the compiled
`openelm._sodarace` for the simulation defaults and version), so any module (the run
store above all) can depend on it without an import cycle. It holds data and the few
rules that only restate what a field means (a funnel count, a coverage);
checking a config lives in `openelm.evolve.config`, archive behaviour in
`openelm.evolve.archive`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum
from typing import Any, Literal

from openelm._sodarace import SIMULATOR_VERSION, SimConfig

DESCRIPTOR_NAMES: tuple[str, str, str] = ("height", "width", "mass")
EMBEDDED_MODEL = "smollm2-135m"
DEFAULT_ITERATIONS = 50
# The operators that ask the language model for a child (`random` does not).
LANGUAGE_MODEL_OPERATORS = frozenset({"prompt", "diff", "crossover", "target"})
# A walker must move its centre of mass further than this (metres over the
# scored window) to count as "walked" in the validity funnel: below it, the
# motion is the settling wobble of a body that does not walk.
WALKED_FITNESS_THRESHOLD_M = 0.05

Descriptors = tuple[float, float, float]  # height, width, mass of the initial morphology

# Where and in what precision the in-process model runs. Defined here (not in
# openelm.llm) so that reading or checking a config never imports torch.
DeviceOption = Literal["auto", "cpu", "cuda"]
DtypeOption = Literal["auto", "float32", "bfloat16", "float16"]
DEVICE_OPTIONS: tuple[DeviceOption, ...] = ("auto", "cpu", "cuda")
DTYPE_OPTIONS: tuple[DtypeOption, ...] = ("auto", "float32", "bfloat16", "float16")
# Which in-process engine runs the model. `auto`: llama.cpp for a GGUF model
# (the embedded one) on a CPU without native bfloat16 when llama-cpp-python is
# installed, else transformers; docs/benchmarks.md has the measurement.
EngineOption = Literal["auto", "llamacpp", "transformers"]
ENGINE_OPTIONS: tuple[EngineOption, ...] = ("auto", "llamacpp", "transformers")
# The environment variable an endpoint's API key is read from by default.
DEFAULT_API_KEY_ENV = "OPENAI_API_KEY"
# How the language model samples unless told otherwise: a run's defaults, and
# those of every backend called directly.
DEFAULT_MAX_NEW_TOKENS = 256
DEFAULT_TEMPERATURE = 0.8
DEFAULT_TOP_P = 0.95


class ProgramStatus(StrEnum):
    """How far a program got, from the interpreter and the sandbox pool."""

    OK = "ok"  # a valid walker that simulated
    SYNTAX = "syntax"  # never parsed
    FORBIDDEN = "forbidden"  # parsed, refused before running
    UNSUPPORTED = "unsupported"  # parsed, refused before running
    RUNTIME = "runtime"  # raised while running
    LIMIT = "limit"  # ran out of steps or memory
    INVALID_WALKER = "invalid_walker"  # returned a walker that failed validation or simulation
    TIMEOUT = "timeout"  # the pool's watchdog killed the worker
    CRASHED = "crashed"  # the worker died or broke the protocol


NOT_PARSED_STATUSES = frozenset({ProgramStatus.SYNTAX})
RAN_STATUSES = frozenset({ProgramStatus.OK, ProgramStatus.INVALID_WALKER})


class CompletionStop(StrEnum):
    """Why the language model stopped writing a child's `make_walker`."""

    SCOPE_END = "scope_end"  # a non-empty line at column 0: the body is over
    EOS = "eos"  # the model emitted end-of-sequence
    MAX_NEW_TOKENS = "max_new_tokens"  # out of token budget: the body may be cut short
    # The prompt did not fit the model's context, even with crossover parents
    # dropped: nothing was generated and the child is an empty body.
    CONTEXT_OVERFLOW = "context_overflow"
    # On a Ray cluster, every generator actor given the prompt was lost: no
    # text came back, and the child is recorded `crashed` without running.
    GENERATOR_LOST = "generator_lost"


class StopReason(StrEnum):
    """Why a run (one invocation of it) stopped."""

    ITERATIONS = "iterations"
    EVALUATIONS = "evaluations"
    TIME_LIMIT = "time_limit"
    INTERRUPTED = "interrupted"


class Placement(StrEnum):
    """What adding a child to the archive did."""

    NEW_CELL = "new_cell"  # the cell was empty
    IMPROVED = "improved"  # replaced a worse elite
    NOT_BETTER = "not_better"  # the elite stays
    REJECTED = "rejected"  # fitness or descriptors not finite


# -- the config ---------------------------------------------------------------


ARCHIVE_KINDS: tuple[str, ...] = ("grid", "cvt")


@dataclass(frozen=True)
class ArchiveConfig:
    """The MAP-Elites archive over (height, width, mass) of the initial
    morphology: a grid of `bins` (values outside a range land in the edge
    bin), or with kind `cvt` a centroidal Voronoi tessellation of `cells`
    cells over the ranges. The bins also shape the live view's map."""

    kind: str = "grid"
    # Genome units; see docs/evolve.md for how these were measured.
    bins: tuple[int, int, int] = (12, 12, 12)
    height_range: tuple[float, float] = (0.0, 24.0)
    width_range: tuple[float, float] = (0.0, 36.0)
    mass_range: tuple[float, float] = (0.0, 300.0)
    cells: int = 1000  # CVT only

    @property
    def ranges(self) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
        return (self.height_range, self.width_range, self.mass_range)

    @property
    def cell_count(self) -> int:
        if self.kind == "cvt":
            return self.cells
        return self.bins[0] * self.bins[1] * self.bins[2]


# `--mutation mix` without `--mix`: of the mixes docs/science.md measured,
# the one that filled the most niches at equal evaluations (69 against 55 for
# random .5 / target .25 / prompt .25).
DEFAULT_MIX_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("random", 0.75),
    ("target", 0.25),
)


@dataclass(frozen=True)
class MutationConfig:
    """Which operators make children, and their own settings.

    `operator` is one operator name or `mix`; with `mix`, `mix_weights`
    holds (operator, weight) pairs, weights summing to 1 (none given:
    `DEFAULT_MIX_WEIGHTS`).

    `hybrid_random_iterations` > 0 makes the run a hybrid: while the
    language model writes one batch of `operator`'s children in the
    background, this many iterations of `random` children run on the cores
    it leaves free; then the model's batch is its own iteration. A fixed
    count rather than "until the model is done", so that a run is the same
    on any machine and resumes exactly.
    """

    operator: str = "prompt"
    mix_weights: tuple[tuple[str, float], ...] = ()
    crossover_parents: int = 3
    hybrid_random_iterations: int = 0
    # Random operator: each numeric literal moves with this probability, by
    # Gaussian noise of this standard deviation relative to its magnitude.
    random_rate: float = 0.3
    random_sigma: float = 0.25

    def weights(self) -> tuple[tuple[str, float], ...]:
        """(operator, probability) for every operator that can be picked."""
        if self.operator == "mix":
            chosen = self.mix_weights or DEFAULT_MIX_WEIGHTS
            return tuple((name, weight) for name, weight in chosen if weight > 0)
        return ((self.operator, 1.0),)

    def uses_language_model(self) -> bool:
        return any(name in LANGUAGE_MODEL_OPERATORS for name, _ in self.weights())

    @property
    def model_period(self) -> int:
        """Iterations from one model batch to the next: 1, or N + 1 for a hybrid."""
        return self.hybrid_random_iterations + 1

    def next_model_iteration(self, iteration: int) -> int:
        """The first iteration at or after `iteration` whose children the model's operators make."""
        return -(-iteration // self.model_period) * self.model_period

    def is_model_iteration(self, iteration: int) -> bool:
        return self.next_model_iteration(iteration) == iteration


@dataclass(frozen=True)
class ModelConfig:
    """The language model and how it is sampled.

    In process (`endpoint` None), `model` is the embedded model, a local
    checkpoint, a cached Hugging Face id or a .gguf file, run by `engine`
    on `device` in `dtype`. With `endpoint` (the base URL of an
    OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1), `model` is
    the served model's name, asked `concurrency` requests at a time. The
    API key is never part of the config: it is read from the environment
    variable `api_key_env` (None: OPENAI_API_KEY, if set).

    `endpoint` may name several servers of the same model, comma-separated:
    a batch is split among them (each asked `concurrency` at a time), and
    on Ray generator actor i talks to server i mod n.
    """

    model: str = EMBEDDED_MODEL
    device: DeviceOption = "auto"
    dtype: DtypeOption = "auto"
    engine: EngineOption = "auto"
    endpoint: str | None = None
    api_key_env: str | None = None
    concurrency: int = 4
    request_timeout_s: float = 300.0
    temperature: float = DEFAULT_TEMPERATURE
    top_p: float = DEFAULT_TOP_P
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS

    def endpoint_urls(self) -> tuple[str, ...]:
        """The base URLs `endpoint` names, in order; () for a model in process."""
        if self.endpoint is None:
            return ()
        return tuple(url.strip() for url in self.endpoint.split(","))


@dataclass(frozen=True)
class EvaluationConfig:
    """How children are scored: in the locked-down sandbox pool, each with the
    run's `sim` (the Rust-defined SimConfig, carried whole so that a field
    added in Rust reaches runs, stores and the CLI without edits here)."""

    sim: SimConfig = field(default_factory=SimConfig)
    workers: int | None = None  # None: one per core
    timeout_s: float = 5.0
    allow_unsandboxed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "sim": self.sim.to_dict(),
            "workers": self.workers,
            "timeout_s": self.timeout_s,
            "allow_unsandboxed": self.allow_unsandboxed,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvaluationConfig:
        """The config `to_dict` wrote. Stores written before the SimConfig
        was carried whole kept only `sim_seconds`; every other simulation
        field was the default then, which `SimConfig.from_dict` supplies."""
        fields_ = dict(data)
        legacy_seconds = fields_.pop("sim_seconds", None)
        sim = fields_.pop("sim", None)
        if sim is None:
            sim = {} if legacy_seconds is None else {"seconds": legacy_seconds}
        return cls(sim=SimConfig.from_dict(sim), **fields_)


@dataclass(frozen=True)
class BudgetConfig:
    """The run stops when the first of these is reached. `iterations` and
    `evaluations` are totals for the whole run (seeds count as evaluations);
    `time_limit_s` bounds one invocation's wall time."""

    iterations: int | None = DEFAULT_ITERATIONS
    evaluations: int | None = None
    time_limit_s: float | None = None


@dataclass(frozen=True)
class SeedProgram:
    """A starting genome: its name (built-in seed or file path) and source."""

    name: str
    source: str


@dataclass(frozen=True)
class EvolveConfig:
    """Everything that defines an evolution run; stored with the run."""

    seed: int
    seed_programs: tuple[SeedProgram, ...]
    batch_size: int = 32
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    mutation: MutationConfig = field(default_factory=MutationConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)
    budget: BudgetConfig = field(default_factory=BudgetConfig)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["evaluation"] = self.evaluation.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvolveConfig:
        """The config `to_dict` wrote; KeyError, TypeError or ValueError when damaged."""
        archive = data["archive"]
        mutation = data["mutation"]
        return cls(
            seed=int(data["seed"]),
            seed_programs=tuple(SeedProgram(**program) for program in data["seed_programs"]),
            batch_size=int(data["batch_size"]),
            archive=ArchiveConfig(
                # Runs made before CVT archives existed are grids.
                kind=str(archive.get("kind", "grid")),
                cells=int(archive.get("cells", ArchiveConfig.cells)),
                bins=_int_triple(archive["bins"]),
                height_range=_float_pair(archive["height_range"]),
                width_range=_float_pair(archive["width_range"]),
                mass_range=_float_pair(archive["mass_range"]),
            ),
            mutation=replace(
                MutationConfig(**{k: v for k, v in mutation.items() if k != "mix_weights"}),
                mix_weights=tuple(
                    (str(name), float(weight)) for name, weight in mutation["mix_weights"]
                ),
            ),
            model=ModelConfig(**data["model"]),
            evaluation=EvaluationConfig.from_dict(data["evaluation"]),
            budget=BudgetConfig(**data["budget"]),
        )


def _int_triple(values: Any) -> tuple[int, int, int]:
    return (int(values[0]), int(values[1]), int(values[2]))


def _float_pair(values: Any) -> tuple[float, float]:
    return (float(values[0]), float(values[1]))


# -- programs and the archive --------------------------------------------------


@dataclass(frozen=True)
class Elite:
    """The program holding an archive cell, and its walker's joint count (the
    structure a niche-targeted prompt names)."""

    program_id: int
    cell: int
    fitness: float
    descriptors: Descriptors
    source: str
    joints: int


@dataclass(frozen=True)
class ProgramRecord:
    """One evaluated program. Scores and descriptors are set when status is ok;
    `cell` is its archive cell then (whether or not it became the elite).
    `stopped` says why the language model stopped writing it (None for seeds
    and the random operator, which use no model)."""

    id: int
    iteration: int
    batch_index: int
    operator: str  # "seed" for the starting programs
    parent_ids: tuple[int, ...]
    source: str
    source_hash: str
    prompt_tokens: int
    completion_tokens: int
    status: ProgramStatus
    error: str | None
    error_line: int | None
    error_col: int | None
    fitness: float | None
    descriptors: Descriptors | None
    joints: int | None
    muscles: int | None
    cell: int | None
    walker_json: str | None
    # What the language model was asked and wrote (None for seeds and `random`);
    # kept in the store's `prompts` table, read with `RunStore.prompt_pairs`.
    prompt: str | None = None
    completion: str | None = None
    stopped: CompletionStop | None = None
    # Leniencies applied (`return wc` read as `wc.get_walker()`) and what
    # validation repaired (self-connections dropped), one line each.
    warnings: tuple[str, ...] = ()
    # The cell a `target` child was asked to land in (None for other operators).
    target_cell: int | None = None

    @property
    def on_target(self) -> bool:
        """Whether a targeted child landed in the cell it was asked for."""
        return self.target_cell is not None and self.cell == self.target_cell


@dataclass(frozen=True)
class PromptPair:
    """The prompt a child's operator sent and the `make_walker` body the model wrote."""

    program_id: int
    prompt: str
    completion: str


@dataclass(frozen=True)
class ArchiveEvent:
    """`program_id` took `cell` in `iteration`, evicting `replaced_id` (None: the cell was empty)."""

    iteration: int
    cell: int
    program_id: int
    replaced_id: int | None


# -- metrics ------------------------------------------------------------------


@dataclass(frozen=True)
class Funnel:
    """How many programs reached each stage: generated -> parsed -> ran ->
    valid walker -> walked (fitness above WALKED_FITNESS_THRESHOLD_M).
    Beside the stages: `truncated` counts the completions the language
    model was cut off in by its token budget (`max_new_tokens`); `targeted`
    the children of the `target` operator, and `on_target` those of them
    that landed in the cell they were asked for."""

    generated: int = 0
    parsed: int = 0
    ran: int = 0
    valid: int = 0
    walked: int = 0
    truncated: int = 0
    targeted: int = 0
    on_target: int = 0

    @classmethod
    def of(cls, programs: Iterable[ProgramRecord]) -> Funnel:
        counts = dict.fromkeys((f.name for f in fields(cls)), 0)
        for program in programs:
            status, fitness = program.status, program.fitness
            counts["generated"] += 1
            counts["parsed"] += status not in NOT_PARSED_STATUSES
            counts["ran"] += status in RAN_STATUSES
            counts["valid"] += status == ProgramStatus.OK
            counts["walked"] += (
                status == ProgramStatus.OK
                and fitness is not None
                and fitness > WALKED_FITNESS_THRESHOLD_M
            )
            counts["truncated"] += program.stopped == CompletionStop.MAX_NEW_TOKENS
            counts["targeted"] += program.target_cell is not None
            counts["on_target"] += program.on_target
        return cls(**counts)

    def __add__(self, other: Funnel) -> Funnel:
        return Funnel(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def valid_fraction(self) -> float:
        return self.valid / self.generated if self.generated else 0.0

    @property
    def target_hit_rate(self) -> float | None:
        """The share of targeted children that landed in their target cell."""
        return self.on_target / self.targeted if self.targeted else None

    def to_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class IterationMetrics:
    """One committed iteration. Iteration 0 is the seeds; `evaluations` is
    the run's running total, seeds included. The QD statistics carry
    pyribs' names: `qd_score` (sum of elite fitness; fitness is a distance
    >= 0, so no offset), `coverage` and `norm_qd_score` (per cell)."""

    iteration: int
    evaluations: int
    programs: int  # evaluated in this iteration
    niches_filled: int
    niches_total: int
    qd_score: float
    max_fitness: float | None
    mean_fitness: float | None
    funnel: Funnel
    new_cells: int
    improved_cells: int
    prompt_tokens: int
    completion_tokens: int
    generation_seconds: float  # language model busy on this iteration's batch
    evaluation_seconds: float  # sandbox pool busy on it
    wall_seconds: float  # from the previous commit (or session start) to this one
    # Ray actors lost since the previous commit (their work was redone
    # elsewhere); always 0 on one machine.
    lost_actors: int = 0

    @property
    def coverage(self) -> float:
        return self.niches_filled / self.niches_total if self.niches_total else 0.0

    @property
    def norm_qd_score(self) -> float:
        return self.qd_score / self.niches_total if self.niches_total else 0.0

    @property
    def tokens_per_second(self) -> float:
        return (
            self.completion_tokens / self.generation_seconds if self.generation_seconds > 0 else 0.0
        )

    @property
    def evaluations_per_second(self) -> float:
        return self.programs / self.wall_seconds if self.wall_seconds > 0 else 0.0


__all__ = [
    "ARCHIVE_KINDS",
    "DEFAULT_API_KEY_ENV",
    "DEFAULT_ITERATIONS",
    "DEFAULT_MAX_NEW_TOKENS",
    "DEFAULT_MIX_WEIGHTS",
    "DEFAULT_TEMPERATURE",
    "DEFAULT_TOP_P",
    "DESCRIPTOR_NAMES",
    "EMBEDDED_MODEL",
    "ENGINE_OPTIONS",
    "LANGUAGE_MODEL_OPERATORS",
    "NOT_PARSED_STATUSES",
    "RAN_STATUSES",
    "SIMULATOR_VERSION",
    "WALKED_FITNESS_THRESHOLD_M",
    "ArchiveConfig",
    "ArchiveEvent",
    "BudgetConfig",
    "CompletionStop",
    "Descriptors",
    "Elite",
    "EvaluationConfig",
    "EvolveConfig",
    "Funnel",
    "IterationMetrics",
    "ModelConfig",
    "MutationConfig",
    "Placement",
    "ProgramRecord",
    "ProgramStatus",
    "PromptPair",
    "SeedProgram",
    "StopReason",
]
