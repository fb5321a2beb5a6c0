"""SimConfig and InterpLimits: Rust-defined, frozen, checked configs that
survive a JSON round trip and reach the simulator and interpreter."""

import copy
import json

import pytest
from openelm import InterpLimits, SimConfig, interpret, simulate, simulate_many

from tests.sim.conftest import square

CLASSES = [SimConfig, InterpLimits]


@pytest.mark.parametrize("cls", CLASSES)
def test_omitted_fields_take_the_rust_defaults(cls):
    default = cls()
    assert cls(**{name: None for name in default.to_dict()}) == default
    first = next(iter(default.to_dict()))
    changed = cls.from_dict({first: getattr(default, first) + 1})
    assert getattr(changed, first) == getattr(default, first) + 1
    # Every other field kept its default.
    assert {k: v for k, v in changed.to_dict().items() if k != first} == {
        k: v for k, v in default.to_dict().items() if k != first
    }


def test_defaults_are_the_documented_ones():
    config = SimConfig()
    assert (config.seconds, config.settle_seconds, config.gravity, config.friction) == (
        15.0,
        1.0,
        15.0,
        1.0,
    )
    assert (config.max_joints, config.max_connections) == (256, 1024)
    assert config.terrain == "flat"
    limits = InterpLimits()
    assert (limits.max_steps, limits.max_depth, limits.max_output_bytes) == (200_000, 64, 4096)


@pytest.mark.parametrize("cls", CLASSES)
def test_json_round_trip_is_exact(cls):
    default = cls()
    first = next(iter(default.to_dict()))
    config = default.replace(**{first: getattr(default, first) * 2})
    again = cls.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config and hash(again) == hash(config)
    assert again != default


@pytest.mark.parametrize("cls", CLASSES)
def test_frozen_and_copies_are_itself(cls):
    config = cls()
    name = next(iter(config.to_dict()))
    with pytest.raises(AttributeError):
        setattr(config, name, 1)
    assert copy.copy(config) is config and copy.deepcopy(config) is config


def test_replace_changes_only_what_is_given():
    config = SimConfig(seconds=2.0, friction=0.5)
    moved = config.replace(initial_velocity=[3, 0])
    assert moved.initial_velocity == (3.0, 0.0)
    assert (moved.seconds, moved.friction) == (2.0, 0.5)
    assert config.initial_velocity == (0.0, 0.0)
    assert config.replace() == config


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: SimConfig(seconds="long"), "SimConfig.seconds must be a number, got 'long'"),
        (lambda: SimConfig(seconds=-1.0), "seconds must be a finite number >= 0, got -1"),
        (lambda: SimConfig(max_joints=-1), "SimConfig.max_joints must be an integer >= 0"),
        (lambda: SimConfig(max_joints=True), "SimConfig.max_joints must be an integer >= 0"),
        (lambda: SimConfig(initial_velocity=(1.0,)), "initial_velocity must be a pair"),
        (lambda: SimConfig().replace(gravity=float("nan")), "gravity must be a finite"),
        (lambda: SimConfig(stray_tolerance=-0.5), "stray_tolerance must be a number >= 0"),
        (lambda: SimConfig(stray_tolerance=float("nan")), "stray_tolerance must be a number >= 0"),
        (lambda: InterpLimits(max_steps=0), "max_steps must be at least 1, got 0"),
        (lambda: InterpLimits(max_depth=2.5), "InterpLimits.max_depth must be an integer >= 0"),
        (lambda: InterpLimits.from_dict({"max_nesting": 0}), "max_nesting must be at least 1"),
    ],
)
def test_bad_values_are_value_errors_naming_the_field(make, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        make()


def test_unknown_fields_are_refused():
    with pytest.raises(TypeError, match="bogus"):
        SimConfig(bogus=1)
    with pytest.raises(TypeError, match='no field "bogus"'):
        InterpLimits.from_dict({"bogus": 1})
    with pytest.raises(TypeError):
        SimConfig(15.0)  # keyword-only


def test_the_config_reaches_the_simulation():
    walker = square([(4.0, 0.0)] * 4)
    short = simulate(walker, SimConfig(seconds=1.0, settle_seconds=0.5))
    assert short.steps == 90 and short.settle_steps == 30
    assert simulate(walker).steps == SimConfig().seconds * 60 + SimConfig().settle_seconds * 60
    capped = simulate(walker, SimConfig(max_joints=3))
    assert not capped.valid and "joints" in capped.error
    batch = simulate_many([walker, walker], SimConfig(seconds=1.0, settle_seconds=0.5))
    assert [r.fitness for r in batch] == [short.fitness] * 2


def test_the_limits_reach_the_interpreter():
    source = "def make_walker():\n    wc = walker_creator()\n    return wc.get_walker()\n"
    assert interpret(source, InterpLimits(max_source_bytes=10)).status == "limit"
    assert interpret(source).status == "invalid_walker"


def test_terrain_is_a_checked_field_with_its_names_from_rust():
    from openelm import TERRAINS

    assert TERRAINS == ("flat", "left-wall", "right-wall", "tunnel", "bumpy")
    config = SimConfig(terrain="tunnel")
    assert SimConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    with pytest.raises(ValueError, match=r"unknown terrain \"hilly\" \(valid: flat, left-wall"):
        SimConfig(terrain="hilly")
    with pytest.raises(ValueError, match=r"SimConfig\.terrain must be a terrain name"):
        SimConfig(terrain=3)
