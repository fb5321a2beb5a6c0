//! Behavioural tests of the simulator: each checks a physical property that a
//! broken stage (forces, integration, contacts) would violate.

mod common;

use common::*;
use sodarace_sim::evaluate::{simulate, simulate_many, SimConfig};
use sodarace_sim::physics::{PhysicsParams, Terrain, World, TERRAINS};
use sodarace_sim::walker::Walker;

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

/// Irregular passive bodies (random 7–11-joint frames from bench/sim.py's
/// generator, amplitudes 0) that crept steadily under version 3's contact
/// handling, 0.05–0.2 m/s for as long as they ran, while Box2D let each of
/// them land and stop within 0.04 m. Each must be still after it lands.
#[test]
fn irregular_passive_bodies_stop_after_landing() {
    let config = SimConfig {
        settle_seconds: 15.0,
        seconds: 15.0,
        ..Default::default()
    };
    let bodies = include_str!("fixtures/creeping_bodies.jsonl");
    for (k, line) in bodies.lines().enumerate() {
        let walker = Walker::from_json(line).expect("fixture parses");
        let result = simulate(&walker, &config);
        assert!(result.valid, "body {k}: {:?}", result.error);
        assert!(
            result.fitness < 0.01,
            "body {k} crept {} m in 15 s after landing",
            result.fitness
        );
    }
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

#[test]
fn bones_hold_their_length_on_every_terrain() {
    for (terrain, name) in TERRAINS {
        let config = SimConfig {
            terrain,
            ..Default::default()
        };
        // Every grid spacing the probe measured (examples/bones.rs): the
        // 0.2-unit grid is the stiffest, the 0.5 one strayed most on bumpy
        // ground before steps were refined (docs/physics.md).
        let walkers = [
            asymmetric_walker(),
            passive_square(),
            dense_grid(0.5, 3),
            dense_grid(0.2, 3),
        ];
        for walker in walkers {
            let result = simulate(&walker, &config);
            assert!(result.valid, "{name}: {:?}", result.error);
            assert!(
                result.bone_stray < 0.02,
                "{name}: a bone strayed {:.2} % from its rest length",
                100.0 * result.bone_stray
            );
        }
    }
}

#[test]
fn refined_steps_are_what_hold_the_capped_body_on_bumpy_ground() {
    // Without refinement, impacts on the bumps leave the capped body's bones
    // several per cent off (the limit this test would catch regressing to).
    let bumpy = |stray_tolerance| SimConfig {
        terrain: Terrain::Bumpy,
        physics: PhysicsParams {
            stray_tolerance,
            ..Default::default()
        },
        ..Default::default()
    };
    let walker = dense_grid(0.5, 3);
    let unrefined = simulate(&walker, &bumpy(f64::INFINITY));
    let refined = simulate(&walker, &bumpy(PhysicsParams::default().stray_tolerance));
    assert!(unrefined.bone_stray > 0.02, "{}", unrefined.bone_stray);
    assert!(refined.bone_stray <= 0.01, "{}", refined.bone_stray);
}

#[test]
fn typical_bone_strays_are_well_under_one_percent() {
    let result = simulate(&asymmetric_walker(), &SimConfig::default());
    assert!(result.bone_stray < 0.005, "{}", result.bone_stray);
}

#[test]
fn a_capped_body_at_full_amplitude_neither_explodes_nor_flies() {
    // 256 joints, 1,024 connections, every third one a muscle at amplitude
    // 10, and the same body with every connection a muscle.
    for every in [3, 1] {
        let walker = dense_grid(0.5, every);
        assert_eq!((walker.joints.len(), walker.connections.len()), (256, 1024));
        let result = simulate(&walker, &SimConfig::default());
        assert!(result.valid, "{:?}", result.error);
        assert!(result.fitness < 5.0, "fitness {} m", result.fitness);
        assert!(result.bone_stray < 0.02, "stray {}", result.bone_stray);
    }
}

#[test]
fn walls_turn_fitness_one_way() {
    let walker = asymmetric_walker();
    let free = simulate(&walker, &SimConfig::default());
    let on = |terrain| {
        simulate(
            &walker,
            &SimConfig {
                terrain,
                ..Default::default()
            },
        )
    };
    let (left, right) = (on(Terrain::LeftWall), on(Terrain::RightWall));
    assert!(left.valid && right.valid);
    // This walker drifts one way on flat ground; the wall behind it on that
    // side changes nothing, and the other wall stops it and scores 0.
    assert!(free.fitness > 0.5);
    let (with, against) = if left.fitness > right.fitness {
        (left, right)
    } else {
        (right, left)
    };
    assert!(with.fitness > 0.5, "{}", with.fitness);
    assert!(against.fitness < 0.05, "{}", against.fitness);
}

#[test]
fn the_tunnel_stops_tall_bodies() {
    let tunnel = SimConfig {
        terrain: Terrain::Tunnel,
        ..Default::default()
    };
    // The 10-unit square is 1 m tall: it cannot enter a 0.4 m tunnel.
    let tall = simulate(&asymmetric_walker(), &tunnel);
    assert!(tall.valid);
    assert!(tall.fitness < 0.3, "a tall body got {} m in", tall.fitness);
}

#[test]
fn unknown_terrains_are_refused_with_the_valid_names() {
    let err = "hilly".parse::<Terrain>().unwrap_err();
    assert_eq!(
        err,
        "unknown terrain \"hilly\" (valid: flat, left-wall, right-wall, tunnel, bumpy)"
    );
    assert_eq!("bumpy".parse::<Terrain>(), Ok(Terrain::Bumpy));
}
