"""Simulation through Python: physics behaviour, determinism, batches and
trajectories."""

import numpy as np
import pytest
from openelm import SimConfig, Walker, simulate, simulate_many

from tests.sim.conftest import square


def test_passive_body_comes_to_rest(passive_square):
    result = simulate(passive_square)
    assert result.valid and result.error is None
    assert result.fitness < 1e-3


def test_sliding_body_is_stopped_by_friction(passive_square):
    sliding = simulate(passive_square, SimConfig(initial_velocity=(3.0, 0.0)), record_every=1)
    gliding = simulate(
        passive_square, SimConfig(initial_velocity=(3.0, 0.0), friction=0.0), record_every=1
    )
    com = lambda r: r.trajectory[:, :, 0].mean(axis=1)  # noqa: E731
    assert abs(com(sliding)[-1] - com(sliding)[-2]) < 1e-9
    assert com(sliding)[-1] - com(sliding)[0] < 0.5 * (com(gliding)[-1] - com(gliding)[0])


def test_symmetric_in_phase_walker_barely_moves():
    result = simulate(square([(4.0, 0.0)] * 4))
    assert result.valid
    assert result.fitness < 0.01


def test_asymmetric_walker_beats_passive(passive_square, walking_square):
    walker, passive = simulate(walking_square), simulate(passive_square)
    assert walker.fitness > 0.5
    assert walker.fitness > 100 * max(passive.fitness, 1e-4)
    assert walker.muscles == 4 and walker.joints == 5


def test_result_reports_descriptors_and_steps(walking_square):
    result = simulate(walking_square, SimConfig(seconds=2.0, settle_seconds=0.5))
    assert (result.height, result.width) == (10.0, 10.0)
    assert result.mass == pytest.approx(5 + 0.5 * (40 + 4 * np.hypot(5, 5)))
    assert result.steps == 150 and result.settle_steps == 30


def test_runs_are_bit_identical_and_batch_equals_single(passive_square, walking_square):
    walkers = [
        walking_square,
        passive_square,
        walking_square,
        square([(7.0, 0.1), (2.0, 0.5), (0.0, 0.0), (9.0, 0.9)]),
    ]
    batch = simulate_many(walkers, record_every=5)
    for walker, batched in zip(walkers, batch):
        one, two = simulate(walker, record_every=5), simulate(walker, record_every=5)
        assert one.fitness.hex() == two.fitness.hex() == batched.fitness.hex()
        assert np.array_equal(one.trajectory, batched.trajectory)


def test_trajectory_has_one_frame_per_record_interval(walking_square):
    result = simulate(walking_square, SimConfig(seconds=1.0, settle_seconds=0.0), record_every=6)
    assert result.trajectory.shape == (11, 5, 2)
    assert result.trajectory.dtype == np.float32
    # Dropped so the lowest joint is just above the ground, in metres.
    assert 0.0 < result.trajectory[0, :, 1].min() < 0.05
    assert simulate(walking_square).trajectory is None


def test_invalid_walker_is_reported_not_scored():
    result = simulate(Walker([(0.0, 0.0), (1.0, 0.0)], [(0, 5, 0.0, 0.0)]))
    assert not result.valid
    assert result.fitness == 0.0 and result.steps == 0
    assert (
        result.error
        == "invalid walker: connection 0 refers to joint 5, but there are only 2 joints"
    )


def test_blow_up_is_invalid_with_a_reason(walking_square):
    result = simulate(walking_square, SimConfig(gravity=1e9))
    assert not result.valid and result.fitness == 0.0
    assert result.error.startswith("simulation diverged: runaway velocity at step")


def test_bad_settings_are_rejected(walking_square):
    with pytest.raises(ValueError, match="seconds must be a finite number >= 0"):
        simulate(walking_square, SimConfig(seconds=-1.0))
    with pytest.raises(ValueError, match="seconds and settle_seconds must be at most 3600"):
        simulate(walking_square, SimConfig(seconds=1e9))


def test_refinement_is_a_config_field_that_only_touches_straying_steps():
    walker = square([(10.0, 0.0), (10.0, 0.25), (10.0, 0.25), (10.0, 0.75)])
    # The square never strays past 1 %, so turning refinement off or
    # refining every step changes its bits only in the second case.
    default = simulate(walker)
    never = simulate(walker, SimConfig(stray_tolerance=float("inf")))
    always = simulate(walker, SimConfig(stray_tolerance=0.0, seconds=1.0))
    assert SimConfig().stray_tolerance == 0.01
    assert never.fitness == default.fitness
    assert always.bone_stray < default.bone_stray


def test_bones_stay_rigid_and_the_terrain_is_recorded_for_renderers():
    result = simulate(square([(10.0, 0.0), (10.0, 0.25), (10.0, 0.25), (10.0, 0.75)]))
    assert 0.0 < result.bone_stray < 0.005
    assert result.terrain == []  # only when recording
    walls = simulate(
        square([(0.0, 0.0)] * 4), SimConfig(seconds=1, terrain="left-wall"), record_every=6
    )
    # Ground plus the wall's four edges.
    assert len(walls.terrain) >= 5
