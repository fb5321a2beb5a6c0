"""Config parsing, validation and what may change on resume."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from openelm._sodarace import SimConfig
from openelm.evolve import EvolveConfig, EvolveConfigError, ResumeConflictError, SeedProgram
from openelm.evolve.config import (
    DEFAULT_MIX_WEIGHTS,
    BudgetConfig,
    MutationConfig,
    apply_overrides,
    flatten_config,
    validate_config,
)
from openelm.evolve.runner import new_config, resumed_config

BASE = EvolveConfig(seed=1, seed_programs=(SeedProgram("x", "def make_walker():\n    pass\n"),))


def test_round_trip_through_a_dict() -> None:
    config = replace(
        BASE,
        mutation=MutationConfig(operator="mix", mix_weights=(("prompt", 0.5), ("random", 0.5))),
    )
    assert EvolveConfig.from_dict(config.to_dict()) == config


@pytest.mark.parametrize(
    ("mix", "message"),
    [
        ((("prompt", 0.5), ("diff", 0.3)), "sum to 1"),
        ((("prompt", 0.5), ("walk", 0.5)), "unknown operator 'walk'"),
        ((("prompt", 1.5), ("diff", -0.5)), "must be >= 0"),
        ((("prompt", 0.5), ("prompt", 0.5)), "appears twice"),
    ],
)
def test_bad_mix_weights(mix: tuple[tuple[str, float], ...], message: str) -> None:
    config = replace(BASE, mutation=MutationConfig(operator="mix", mix_weights=mix))
    with pytest.raises(EvolveConfigError, match=message):
        validate_config(config)


def test_mix_without_weights_takes_the_documented_default() -> None:
    config = new_config({"mutation.operator": "mix", "seed": 1})
    # Written into the config, so the stored run keeps them.
    assert config.mutation.mix_weights == DEFAULT_MIX_WEIGHTS
    assert validate_config(config) is config
    assert MutationConfig(operator="mix").weights() == DEFAULT_MIX_WEIGHTS
    assert math.isclose(sum(weight for _, weight in DEFAULT_MIX_WEIGHTS), 1.0)


def test_ranges_and_bins() -> None:
    # Parsing their text is the CLI's: tests/cli/test_params.py.
    config = replace(BASE, archive=replace(BASE.archive, width_range=(3.0, 1.0)))
    with pytest.raises(EvolveConfigError, match="width range must be finite with low < high"):
        validate_config(config)
    with pytest.raises(EvolveConfigError, match="bins must be three positive counts"):
        validate_config(replace(BASE, archive=replace(BASE.archive, bins=(12, 0, 12))))


def test_uses_language_model() -> None:
    assert BASE.mutation.uses_language_model()
    assert not MutationConfig(operator="random").uses_language_model()
    assert MutationConfig(
        operator="mix", mix_weights=(("random", 0.9), ("diff", 0.1))
    ).uses_language_model()
    assert not MutationConfig(
        operator="mix", mix_weights=(("random", 1.0), ("diff", 0.0))
    ).uses_language_model()


def test_resume_may_change_the_budget_but_not_the_archive_or_model() -> None:
    extended = resumed_config(BASE, {"budget.iterations": 500, "evaluation.workers": 1})
    assert extended.budget == BudgetConfig(iterations=500)
    assert extended.evaluation.workers == 1
    # Typing the stored value again is fine.
    assert resumed_config(BASE, {"archive.bins": (12, 12, 12)}) == BASE
    for path, value in (
        ("archive.bins", (10, 10, 10)),
        ("archive.mass_range", (0.0, 10.0)),
        ("model.model", "other-model"),
        ("seed", 2),
        ("mutation.operator", "random"),
        ("batch_size", 8),
    ):
        with pytest.raises(ResumeConflictError, match=f"cannot resume with {path}"):
            resumed_config(BASE, {path: value})


def test_resumed_budget_is_validated() -> None:
    with pytest.raises(EvolveConfigError, match="iterations must be >= 0"):
        resumed_config(BASE, {"budget.iterations": -1})


# -- the Rust SimConfig, carried whole -----------------------------------------

# A value other than the Rust default for each SimConfig field; a field added in
# Rust without a value here fails `test_every_sim_field_is_a_config_path`.
_NON_DEFAULT_SIM_VALUES = {
    "seconds": 7.5,
    "settle_seconds": 0.25,
    "gravity": 9.81,
    "friction": 0.5,
    "initial_velocity": (0.5, 0.0),
    "max_joints": 64,
    "max_connections": 128,
    "terrain": "bumpy",
    "substeps": 20,
    "iterations": 4,
    "stray_tolerance": 0.02,
}


def test_every_sim_field_is_a_config_path() -> None:
    """Each field of the Rust SimConfig is a dotted config path with the Rust
    default, can be overridden, and survives the store's dict round trip:
    adding a field in Rust needs no Python edit (only its CLI row)."""
    defaults = flatten_config(BASE)
    sim_fields = SimConfig().to_dict()
    for name, default in sim_fields.items():
        assert defaults[f"evaluation.sim.{name}"] == default
        assert name in _NON_DEFAULT_SIM_VALUES, f"no test value for SimConfig.{name}"
        changed = apply_overrides(BASE, {f"evaluation.sim.{name}": _NON_DEFAULT_SIM_VALUES[name]})
        assert getattr(changed.evaluation.sim, name) != getattr(BASE.evaluation.sim, name)
        assert EvolveConfig.from_dict(changed.to_dict()) == changed


def test_a_bad_sim_value_names_its_path() -> None:
    with pytest.raises(EvolveConfigError) as caught:
        apply_overrides(BASE, {"evaluation.sim.gravity": float("nan")})
    assert caught.value.field == "evaluation.sim.gravity"
    assert "gravity" in str(caught.value)


def test_a_store_config_from_before_sim_config_still_reads() -> None:
    """Stores written before EvaluationConfig carried SimConfig kept only
    `sim_seconds`; the other simulation fields were the defaults then."""
    data = BASE.to_dict()
    data["evaluation"] = {
        "sim_seconds": 4.0,
        "workers": 2,
        "timeout_s": 10.0,
        "allow_unsandboxed": False,
    }
    config = EvolveConfig.from_dict(data)
    assert config.evaluation.sim == SimConfig(seconds=4.0)
    assert config.evaluation.workers == 2
