//! Scoring a walker: validate, drop onto its terrain, settle, then measure
//! how far the centre of mass travels along x over a fixed window, in the
//! direction the terrain allows.

use crate::physics::{PhysicsParams, Terrain, World, DT};
use crate::walker::{descriptors, Descriptors, Walker, WalkerLimits};
use rayon::prelude::*;

/// Height of the lowest joint above the ground when the walker is dropped, m:
/// low enough (a 0.14 m/s landing) that a rigid 256-joint body does not
/// strain its bones landing, high enough that no joint starts in contact.
pub const DROP_HEIGHT: f64 = 0.001;
/// Any node faster than this (m/s) means the integration has blown up; no
/// legal body gets near it (a 100-unit muscle at full swing moves ~15 m/s).
pub const MAX_SPEED: f64 = 200.0;
/// Most substeps, and most sweeps per substep, a config may ask for.
pub const MAX_SOLVER_PASSES: u32 = 256;
/// How far from x = 0 the terrain outline for renderers reaches, m.
pub const OUTLINE_EXTENT: f64 = 60.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SimConfig {
    /// Length of the scored window, simulated seconds.
    pub seconds: f64,
    /// Time the walker is given to land and settle before scoring starts.
    pub settle_seconds: f64,
    /// Record joint positions every this many steps (0: no trajectory).
    pub record_every: u32,
    /// Velocity given to every node at the start, m/s (tests use it).
    pub initial_velocity: [f64; 2],
    pub physics: PhysicsParams,
    pub limits: WalkerLimits,
    /// The geometry joints collide with, and the direction fitness counts.
    pub terrain: Terrain,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seconds: 15.0,
            settle_seconds: 1.0,
            record_every: 0,
            initial_velocity: [0.0, 0.0],
            physics: PhysicsParams::default(),
            limits: WalkerLimits::default(),
            terrain: Terrain::default(),
        }
    }
}

impl SimConfig {
    pub fn settle_steps(&self) -> u64 {
        (self.settle_seconds / DT).round() as u64
    }

    pub fn window_steps(&self) -> u64 {
        (self.seconds / DT).round() as u64
    }

    /// Rejects settings that would make a simulation meaningless.
    pub fn check(&self) -> Result<(), String> {
        let finite_non_negative = |name: &str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(format!("{name} must be a finite number >= 0, got {v}"))
            }
        };
        finite_non_negative("seconds", self.seconds)?;
        finite_non_negative("settle_seconds", self.settle_seconds)?;
        if self.seconds > 3600.0 || self.settle_seconds > 3600.0 {
            return Err("seconds and settle_seconds must be at most 3600".into());
        }
        finite_non_negative("gravity", self.physics.gravity)?;
        finite_non_negative("friction", self.physics.friction)?;
        if self.physics.stray_tolerance.is_nan() || self.physics.stray_tolerance < 0.0 {
            return Err(format!(
                "stray_tolerance must be a number >= 0 (or infinity), got {}",
                self.physics.stray_tolerance
            ));
        }
        for (name, value) in [
            ("substeps", self.physics.substeps),
            ("iterations", self.physics.iterations),
        ] {
            if !(1..=MAX_SOLVER_PASSES).contains(&value) {
                return Err(format!(
                    "{name} must be between 1 and {MAX_SOLVER_PASSES}, got {value}"
                ));
            }
        }
        if !self.initial_velocity.iter().all(|v| v.is_finite()) {
            return Err("initial_velocity must be finite".into());
        }
        Ok(())
    }
}

/// Outcome of one simulation. `error` is set when the walker was invalid or
/// the simulation blew up; then `fitness` is 0 and `valid` is false.
#[derive(Clone, Debug, PartialEq)]
pub struct SimResult {
    pub valid: bool,
    /// The centre of mass's x displacement over the scored window, metres,
    /// counted as the terrain says (`Terrain::fitness`).
    pub fitness: f64,
    /// Largest |length − rest| / rest of any bone at the end of any step
    /// (settling included): how rigid the bones stayed.
    pub bone_stray: f64,
    pub descriptors: Descriptors,
    pub joints: usize,
    pub muscles: usize,
    pub steps: u64,
    pub error: Option<String>,
    /// The terrain as straight segments (x0, y0, x1, y1) in metres within
    /// ±`OUTLINE_EXTENT` of x = 0, for renderers (only when recording).
    pub terrain_outline: Vec<[f64; 4]>,
    /// Joint positions (x, y) in metres, one frame every `record_every`
    /// steps starting with the dropped pose: frames × joints × 2.
    pub trajectory: Vec<f32>,
}

impl SimResult {
    /// A walker that failed validation. Its descriptors may be meaningless
    /// (NaN, dangling indices), so they are reported as zeros rather than
    /// computed.
    fn rejected(walker: &Walker, error: String) -> SimResult {
        SimResult {
            valid: false,
            fitness: 0.0,
            bone_stray: 0.0,
            descriptors: Descriptors::default(),
            joints: walker.joints.len(),
            muscles: walker.muscle_count(),
            steps: 0,
            error: Some(error),
            terrain_outline: Vec::new(),
            trajectory: Vec::new(),
        }
    }

    /// A valid walker whose simulation blew up after `steps` steps; the
    /// frames recorded so far are kept for renderers.
    fn diverged(walker: &Walker, steps: u64, error: String, trajectory: Vec<f32>) -> SimResult {
        SimResult {
            descriptors: descriptors(walker),
            steps,
            trajectory,
            ..SimResult::rejected(walker, error)
        }
    }
}

pub fn simulate(walker: &Walker, config: &SimConfig) -> SimResult {
    if let Err(e) = walker.validate(&config.limits) {
        return SimResult::rejected(walker, format!("invalid walker: {e}"));
    }
    let mut world = World::on(walker, config.physics, DROP_HEIGHT, config.terrain);
    world.nodes.vx.fill(config.initial_velocity[0]);
    world.nodes.vy.fill(config.initial_velocity[1]);
    let mut trajectory = Vec::new();
    record(&world, config.record_every, &mut trajectory);

    let settle_steps = config.settle_steps();
    let total_steps = settle_steps + config.window_steps();
    let mut start_x = world.nodes.centre_of_mass_x();
    let mut bone_stray: f64 = 0.0;
    while world.steps < total_steps {
        let max_speed_sq = world.step();
        bone_stray = bone_stray.max(world.worst_bone_stray());
        if let Some(error) = divergence(&world, max_speed_sq) {
            return SimResult::diverged(walker, world.steps, error, trajectory);
        }
        if world.steps == settle_steps {
            start_x = world.nodes.centre_of_mass_x();
        }
        record(&world, config.record_every, &mut trajectory);
    }
    let fitness = config
        .terrain
        .fitness(world.nodes.centre_of_mass_x() - start_x);
    SimResult {
        valid: true,
        fitness,
        bone_stray,
        descriptors: descriptors(walker),
        joints: walker.joints.len(),
        muscles: walker.muscle_count(),
        steps: world.steps,
        error: None,
        terrain_outline: if config.record_every > 0 {
            world
                .geometry
                .outline(-OUTLINE_EXTENT, OUTLINE_EXTENT, OUTLINE_EXTENT)
        } else {
            Vec::new()
        },
        trajectory,
    }
}

/// Appends the joint positions, as f32 (`SimResult::trajectory`), to
/// `trajectory` on every `record_every`-th step; never when it is 0.
fn record(world: &World, record_every: u32, trajectory: &mut Vec<f32>) {
    if record_every > 0 && world.steps.is_multiple_of(u64::from(record_every)) {
        for (&x, &y) in world.nodes.x.iter().zip(&world.nodes.y) {
            trajectory.push(x as f32);
            trajectory.push(y as f32);
        }
    }
}

/// Why the step that ended with this largest squared node speed shows the
/// integration has blown up, or None if it has not.
fn divergence(world: &World, max_speed_sq: f64) -> Option<String> {
    // Written so that NaN also counts as a blow-up.
    if max_speed_sq <= MAX_SPEED * MAX_SPEED {
        return None;
    }
    let what = if max_speed_sq.is_nan() {
        "NaN in state"
    } else {
        "runaway velocity"
    };
    Some(format!(
        "simulation diverged: {what} at step {} (t = {:.2} s)",
        world.steps,
        world.time()
    ))
}

/// Simulates a batch in parallel. Each walker runs exactly the code path of
/// `simulate`, so results are bit-identical to simulating them one by one.
pub fn simulate_many(walkers: &[Walker], config: &SimConfig) -> Vec<SimResult> {
    walkers.par_iter().map(|w| simulate(w, config)).collect()
}
