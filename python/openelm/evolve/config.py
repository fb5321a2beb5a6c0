"""Checking and changing an evolution run's config (the config itself is
plain frozen data in `openelm.records`, re-exported here).

A config is written into the run store when the run starts and read back on
resume. Its fields split in two: the ones that define the run (archive
shape, operators, model, sampling, seed...) must not change on resume,
because the stored programs and archive would no longer mean what they say;
the ones in `RESUME_SAFE_FIELDS` (budget, worker count, timeouts, device)
may.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import fields, is_dataclass, replace
from typing import Any

from openelm._sodarace import SimConfig
from openelm.errors import ConfigFieldError
from openelm.records import (
    ARCHIVE_KINDS,
    DEFAULT_ITERATIONS,
    DEFAULT_MIX_WEIGHTS,
    DESCRIPTOR_NAMES,
    DEVICE_OPTIONS,
    DTYPE_OPTIONS,
    EMBEDDED_MODEL,
    ENGINE_OPTIONS,
    LANGUAGE_MODEL_OPERATORS,
    WALKED_FITNESS_THRESHOLD_M,
    ArchiveConfig,
    BudgetConfig,
    EvaluationConfig,
    EvolveConfig,
    ModelConfig,
    MutationConfig,
    SeedProgram,
)

__all__ = [
    "ARCHIVE_KINDS",
    "DEFAULT_ITERATIONS",
    "DEFAULT_MIX_WEIGHTS",
    "DESCRIPTOR_NAMES",
    "DEVICE_OPTIONS",
    "DTYPE_OPTIONS",
    "EMBEDDED_MODEL",
    "ENGINE_OPTIONS",
    "LANGUAGE_MODEL_OPERATORS",
    "MUTATION_CHOICES",
    "OPERATOR_NAMES",
    "RESUME_SAFE_FIELDS",
    "WALKED_FITNESS_THRESHOLD_M",
    "ArchiveConfig",
    "BudgetConfig",
    "EvaluationConfig",
    "EvolveConfig",
    "EvolveConfigError",
    "ModelConfig",
    "MutationConfig",
    "SeedProgram",
    "apply_overrides",
    "flatten_config",
    "validate_config",
]

OPERATOR_NAMES: tuple[str, ...] = ("prompt", "diff", "crossover", "target", "random")
MUTATION_CHOICES: tuple[str, ...] = (*OPERATOR_NAMES, "mix")


# Drawing the centroids (k-means) grows with the cell count; past this a run
# would spend minutes before its first evaluation.
MAX_CVT_CELLS = 10_000


class EvolveConfigError(ConfigFieldError):
    """A setting is out of range or inconsistent; a usage error naming the field."""


# Dotted field paths that may differ between the stored config and a resume.
# Device, dtype and engine change numerics (so exact reproduction needs the
# same ones) but not what the stored programs mean; the model's identity
# (checked on resume) says whether the weights are the same. An endpoint may
# move to another address, and how it is reached may change.
RESUME_SAFE_FIELDS = frozenset(
    {
        "budget.iterations",
        "budget.evaluations",
        "budget.time_limit_s",
        "evaluation.workers",
        "evaluation.timeout_s",
        "evaluation.allow_unsandboxed",
        "model.device",
        "model.dtype",
        "model.engine",
        "model.endpoint",
        "model.api_key_env",
        "model.concurrency",
        "model.request_timeout_s",
    }
)


def flatten_config(config: EvolveConfig) -> dict[str, Any]:
    """The config as {dotted path: value}, e.g. {"archive.bins": (12, 12, 12)}.
    The Rust SimConfig is flattened through its own fields, so each of them
    (say "evaluation.sim.terrain") is a path like any other."""
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if is_dataclass(value) and not isinstance(value, type):
            for inner in fields(value):
                walk(f"{prefix}{inner.name}.", getattr(value, inner.name))
        elif isinstance(value, SimConfig):
            for name, inner_value in value.to_dict().items():
                flat[f"{prefix}{name}"] = inner_value
        else:
            flat[prefix.removesuffix(".")] = value

    walk("", config)
    return flat


def apply_overrides(config: EvolveConfig, overrides: dict[str, Any]) -> EvolveConfig:
    """A copy of `config` with {dotted path: value} replaced. A value the
    Rust SimConfig refuses raises EvolveConfigError naming its path."""
    updated: EvolveConfig = _apply(config, "", overrides)
    return updated


def _apply(value: Any, prefix: str, overrides: dict[str, Any]) -> Any:
    direct: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    for path, new_value in overrides.items():
        head, _, rest = path.partition(".")
        if rest:
            nested.setdefault(head, {})[rest] = new_value
        else:
            direct[head] = new_value
    for head, inner in nested.items():
        direct[head] = _apply(getattr(value, head), f"{prefix}{head}.", inner)
    if isinstance(value, SimConfig):
        for name, new_value in direct.items():
            try:
                value = value.replace(**{name: new_value})
            except (TypeError, ValueError) as error:
                message = str(error).removeprefix("SimConfig: ")
                raise EvolveConfigError(f"{prefix}{name}", message) from None
        return value
    return replace(value, **direct)


def validate_config(config: EvolveConfig) -> EvolveConfig:
    """Checks every setting; raises EvolveConfigError naming the first bad one."""
    if config.seed < 0:
        raise _invalid("seed", "seed must be a non-negative integer", config.seed)
    if not config.seed_programs:
        raise EvolveConfigError("seed_programs", "at least one seed program is needed")
    if config.batch_size < 1:
        raise _invalid("batch_size", "batch size must be at least 1", config.batch_size)
    archive = config.archive
    if archive.kind not in ARCHIVE_KINDS:
        raise _not_a_choice("archive.kind", "archive", archive.kind, ARCHIVE_KINDS)
    if not 1 <= archive.cells <= MAX_CVT_CELLS:
        raise _invalid(
            "archive.cells", f"CVT cells must be between 1 and {MAX_CVT_CELLS}", archive.cells
        )
    if len(archive.bins) != 3 or any(count < 1 for count in archive.bins):
        raise _invalid("archive.bins", "bins must be three positive counts", archive.bins)
    if archive.cell_count > 1_000_000:
        raise EvolveConfigError(
            "archive.bins", f"{archive.cell_count} cells is too many (at most 1000000)"
        )
    for name, (low, high) in zip(DESCRIPTOR_NAMES, archive.ranges):
        if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
            raise _invalid(
                f"archive.{name}_range",
                f"{name} range must be finite with low < high",
                f"{low},{high}",
            )
    _validate_mutation(config.mutation)
    _validate_model(config.model)
    _validate_evaluation(config.evaluation)
    budget = config.budget
    if budget.iterations is not None and budget.iterations < 0:
        raise _invalid("budget.iterations", "iterations must be >= 0", budget.iterations)
    if budget.evaluations is not None and budget.evaluations < 0:
        raise _invalid("budget.evaluations", "evaluations must be >= 0", budget.evaluations)
    if budget.time_limit_s is not None and not budget.time_limit_s > 0:
        raise _invalid("budget.time_limit_s", "time limit must be positive", budget.time_limit_s)
    return config


def _invalid(field: str, requirement: str, value: object) -> EvolveConfigError:
    """The error for `field` holding `value`: "<requirement>, not <value>"."""
    return EvolveConfigError(field, f"{requirement}, not {value}")


def _not_a_choice(field: str, label: str, value: str, choices: Sequence[str]) -> EvolveConfigError:
    return _invalid(field, f"{label} must be one of {', '.join(choices)}", repr(value))


def _validate_evaluation(evaluation: EvaluationConfig) -> None:
    # SimConfig checks its own fields; a run also needs a scored window.
    if not evaluation.sim.seconds > 0:
        raise _invalid(
            "evaluation.sim.seconds",
            "simulated seconds must be in (0, 3600]",
            f"{evaluation.sim.seconds:g}",
        )
    if evaluation.workers is not None and evaluation.workers < 1:
        raise _invalid("evaluation.workers", "workers must be at least 1", evaluation.workers)
    if not evaluation.timeout_s > 0:
        raise _invalid(
            "evaluation.timeout_s", "evaluation timeout must be positive", evaluation.timeout_s
        )


# A POSIX environment variable name.
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _validate_model(model: ModelConfig) -> None:
    if not model.model:
        raise EvolveConfigError("model.model", "model must not be empty")
    if model.device not in DEVICE_OPTIONS:
        raise _not_a_choice("model.device", "device", model.device, DEVICE_OPTIONS)
    if model.dtype not in DTYPE_OPTIONS:
        raise _not_a_choice("model.dtype", "dtype", model.dtype, DTYPE_OPTIONS)
    if model.temperature < 0 or not math.isfinite(model.temperature):
        raise _invalid("model.temperature", "temperature must be >= 0", model.temperature)
    if not 0 < model.top_p <= 1:
        raise _invalid("model.top_p", "top-p must be in (0, 1]", model.top_p)
    if model.max_new_tokens < 1:
        raise _invalid(
            "model.max_new_tokens", "max new tokens must be at least 1", model.max_new_tokens
        )
    if model.engine not in ENGINE_OPTIONS:
        raise _not_a_choice("model.engine", "engine", model.engine, ENGINE_OPTIONS)
    if model.concurrency < 1:
        raise _invalid("model.concurrency", "concurrency must be at least 1", model.concurrency)
    if not (math.isfinite(model.request_timeout_s) and model.request_timeout_s > 0):
        raise _invalid(
            "model.request_timeout_s", "request timeout must be positive", model.request_timeout_s
        )
    if model.api_key_env is not None and not _ENV_NAME.fullmatch(model.api_key_env):
        raise EvolveConfigError(
            "model.api_key_env",
            # Not repeated: it may be the key itself, given by mistake.
            "API key variable must be an environment variable's name (letters, digits, _), not the key",
        )
    if model.endpoint is not None:
        _validate_endpoint(model)


def _validate_endpoint(model: ModelConfig) -> None:
    """The URL is stored with the run, so it must not carry a secret; the
    message never repeats it, in case it does."""
    # Imported here: the config check runs before any model is loaded, and
    # only an endpoint needs the URL parser.
    from openelm.llm.endpoint import endpoint_url_problem

    urls = model.endpoint_urls()
    for url in urls:
        problem = endpoint_url_problem(url)
        if problem is not None:
            raise EvolveConfigError("model.endpoint", problem)
    if len(set(urls)) < len(urls):
        raise EvolveConfigError("model.endpoint", "the same endpoint URL is named twice")
    if model.engine != "auto":
        raise EvolveConfigError(
            "model.engine",
            f"engine {model.engine} runs a model in process; with model.endpoint the server runs it",
            mentions=("model.endpoint",),
        )


def _validate_mutation(mutation: MutationConfig) -> None:
    if mutation.operator not in MUTATION_CHOICES:
        raise _not_a_choice("mutation.operator", "mutation", mutation.operator, MUTATION_CHOICES)
    if mutation.operator == "mix" and mutation.mix_weights:
        _validate_mix_weights(mutation.mix_weights)
    elif mutation.mix_weights:
        raise EvolveConfigError(
            "mutation.mix_weights",
            "mix weights are only used with mutation.operator mix",
            mentions=("mutation.operator",),
        )
    hybrid = mutation.hybrid_random_iterations
    if hybrid < 0:
        raise _invalid(
            "mutation.hybrid_random_iterations", "hybrid random iterations must be >= 0", hybrid
        )
    if hybrid and not mutation.uses_language_model():
        raise EvolveConfigError(
            "mutation.hybrid_random_iterations",
            "a hybrid runs random children while the language model writes, so its mutation "
            "must use the model (prompt, diff, crossover, target, or a mix with one of them)",
            mentions=("mutation.operator",),
        )
    if mutation.crossover_parents < 2:
        raise _invalid(
            "mutation.crossover_parents",
            "crossover needs at least 2 parents",
            mutation.crossover_parents,
        )
    if not 0 < mutation.random_rate <= 1:
        raise _invalid(
            "mutation.random_rate", "random mutation rate must be in (0, 1]", mutation.random_rate
        )
    if not (math.isfinite(mutation.random_sigma) and mutation.random_sigma > 0):
        raise _invalid(
            "mutation.random_sigma", "random mutation sigma must be positive", mutation.random_sigma
        )


def _validate_mix_weights(mix_weights: tuple[tuple[str, float], ...]) -> None:
    for name, weight in mix_weights:
        if name not in OPERATOR_NAMES:
            raise EvolveConfigError(
                "mutation.mix_weights",
                f"unknown operator {name!r} in mix (choose from {', '.join(OPERATOR_NAMES)})",
            )
        if not (math.isfinite(weight) and weight >= 0):
            raise _invalid("mutation.mix_weights", f"mix weight of {name} must be >= 0", weight)
    names = [name for name, _ in mix_weights]
    if len(set(names)) != len(names):
        raise EvolveConfigError("mutation.mix_weights", "an operator appears twice in the mix")
    total = sum(weight for _, weight in mix_weights)
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        raise _invalid("mutation.mix_weights", "mix weights must sum to 1", f"{total:g}")
