//! Behavioural tests of the simulator: each checks a physical property that a
//! broken stage (forces, integration, contacts) would violate.

mod common;

use common::*;
use sodarace_sim::evaluate::{simulate, simulate_many, SimConfig};
use sodarace_sim::physics::{PhysicsParams, World};

#[test]
fn passive_body_comes_to_rest_without_travelling() {
    let result = simulate(&passive_square(), &SimConfig::default());
    assert!(result.valid, "{:?}", result.error);
    assert!(
        result.fitness < 1e-3,
        "passive body travelled {} m",
        result.fitness
    );
}

#[test]
fn friction_stops_a_sliding_body() {
    let with_friction = SimConfig {
        initial_velocity: [3.0, 0.0],
        record_every: 1,
        ..Default::default()
    };
    let without_friction = SimConfig {
        physics: PhysicsParams {
            friction: 0.0,
            ..Default::default()
        },
        ..with_friction
    };
    let sliding = simulate(&passive_square(), &with_friction);
    let gliding = simulate(&passive_square(), &without_friction);
    let travelled = |r: &sodarace_sim::evaluate::SimResult| {
        let joints = r.joints;
        let frame_x = |f: usize| {
            (0..joints)
                .map(|j| r.trajectory[(f * joints + j) * 2] as f64)
                .sum::<f64>()
                / joints as f64
        };
        let frames = r.trajectory.len() / (joints * 2);
        (
            frame_x(frames - 1) - frame_x(0),
            frame_x(frames - 1) - frame_x(frames - 2),
        )
    };
    let (slide_distance, slide_last_step) = travelled(&sliding);
    let (glide_distance, _) = travelled(&gliding);
    assert!(
        slide_last_step.abs() < 1e-9,
        "still moving: {slide_last_step} m per step"
    );
    assert!(
        slide_distance < 0.5 * glide_distance,
        "friction should stop it well short: {slide_distance} m vs {glide_distance} m without friction"
    );
}

#[test]
fn symmetric_in_phase_walker_goes_nowhere() {
    let result = simulate(&symmetric_in_phase(), &SimConfig::default());
    assert!(result.valid, "{:?}", result.error);
    assert!(
        result.fitness < 0.01,
        "symmetric walker travelled {} m",
        result.fitness
    );
}

#[test]
fn asymmetric_walker_travels_clearly_farther_than_passive() {
    let config = SimConfig::default();
    let passive = simulate(&passive_square(), &config);
    let walker = simulate(&asymmetric_walker(), &config);
    assert!(walker.valid, "{:?}", walker.error);
    assert!(
        walker.fitness > 0.5,
        "asymmetric walker travelled only {} m",
        walker.fitness
    );
    assert!(walker.fitness > 100.0 * passive.fitness.max(1e-4));
}

#[test]
fn energy_never_grows_without_forcing() {
    let mut world = World::new(&passive_square(), PhysicsParams::default(), 0.3);
    world.nodes.vx.fill(1.0);
    let mut previous = world.energy();
    for _ in 0..600 {
        world.step();
        let energy = world.energy();
        // Semi-implicit Euler conserves a shadow energy, so allow rounding-level slack.
        assert!(
            energy <= previous + 1e-9,
            "energy grew from {previous} to {energy} at step {}",
            world.steps
        );
        previous = energy;
    }
}

#[test]
fn runs_are_bit_identical_and_batch_matches_single() {
    let walkers = vec![
        asymmetric_walker(),
        passive_square(),
        symmetric_in_phase(),
        asymmetric_walker(),
    ];
    let config = SimConfig {
        record_every: 7,
        ..Default::default()
    };
    let batch = simulate_many(&walkers, &config);
    for (walker, batched) in walkers.iter().zip(&batch) {
        let first = simulate(walker, &config);
        let second = simulate(walker, &config);
        assert_eq!(first.fitness.to_bits(), second.fitness.to_bits());
        assert_eq!(first.fitness.to_bits(), batched.fitness.to_bits());
        assert_eq!(first.trajectory, batched.trajectory);
    }
}

#[test]
fn blow_up_is_reported_not_scored() {
    // Absurd gravity drives nodes past the speed guard on landing.
    let config = SimConfig {
        physics: PhysicsParams {
            gravity: 1e9,
            ..Default::default()
        },
        ..Default::default()
    };
    let result = simulate(&asymmetric_walker(), &config);
    assert!(!result.valid);
    assert_eq!(result.fitness, 0.0);
    assert!(result.error.unwrap().starts_with("simulation diverged"));
}
