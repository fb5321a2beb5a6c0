//! A deterministic 2-D simulator for Sodarace walkers: point-mass joints,
//! rigid bones and soft muscles, solved with XPBD in small steps.
//!
//! Every connection is a distance constraint. A bone (amplitude 0) has
//! compliance 0, so it is rigid, as a Box2D distance joint without a
//! frequency is; a muscle has the compliance and damping of a 3 Hz spring
//! with damping ratio 0.3 and tracks its oscillating target length. One 60 Hz
//! step is split into `substeps` substeps (Macklin et al., "Small Steps in
//! Physics Simulation", 2019), each running four named stages over flat
//! arrays: `integrate::predict` (gravity, damping, move), `contacts::prepare`,
//! `solver::sweep` (`iterations` Gauss-Seidel passes over the constraints),
//! then, node by node, `contacts::resolve_and_update` (terrain, with Coulomb
//! friction, then velocities from the positions moved). Why this solver and
//! these numbers: `docs/physics.md`.
//!
//! There is no global state and no threading inside a step, so the same
//! input always produces the same bits. Where the CPU has AVX2 or AVX-512
//! the node stages are compiled for wider vectors, chosen once per world at
//! run time; every path performs the same IEEE operations in the same order
//! (no fused multiply-add, no approximate reciprocals), and `tests.rs`
//! checks each against a plain scalar reference step.

mod contacts;
mod integrate;
mod solver;
pub mod terrain;
#[cfg(test)]
mod tests;

use crate::walker::Walker;
pub use terrain::{Geometry, Terrain, TERRAINS};

/// Changes whenever a simulation's results change for the same walker and
/// config: runs record it, and resuming a run made under another version is
/// refused. 1: soft springs everywhere; 2: rigid bones (XPBD) and terrains;
/// 3: a step that leaves a bone off its length is redone in finer substeps;
/// 4: a joint in contact is held still while its surface can take the
/// corrections (passive bodies stopped creeping), 8 substeps × 2 sweeps
/// instead of 16 × 3, and a third refinement.
pub const SIMULATOR_VERSION: u32 = 4;

/// A step refined because its bones strayed is redone with this many times
/// the substeps (the next level of `World::levels`).
pub const REFINE_FACTOR: u32 = 4;
/// How many times one step may be refined: `substeps`, then ×4, ×16, ×64.
pub const MAX_REFINEMENTS: usize = 3;

/// Seconds per step (IESoR and Box2D both step at 60 Hz).
pub const DT: f64 = 1.0 / 60.0;
/// World metres per genome unit.
pub const GENOME_TO_WORLD: f64 = 0.1;
/// Rest-length change per unit of amplitude: amplitude 10 swings a muscle
/// between 0.5 and 1.5 of its rest length, so lengths stay positive.
pub const AMPLITUDE_SCALE: f64 = 0.05;
/// Mass of every node. With equal masses and mass-normalised muscles the
/// dynamics do not depend on it; it only sets the units of force.
pub const NODE_MASS: f64 = 1.0;

/// Physical parameters of a world. Defaults follow the IESoR lineage.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PhysicsParams {
    /// Downward acceleration, m/s² (IESoR's 15).
    pub gravity: f64,
    /// Per-node linear damping rate, 1/s, applied as v *= 1/(1 + h·rate)
    /// each substep of length h.
    pub linear_damping: f64,
    /// Natural frequency of muscles, Hz.
    pub muscle_hz: f64,
    /// Damping ratio of muscles.
    pub damping_ratio: f64,
    /// Muscle oscillator rate, rad/s.
    pub muscle_rate: f64,
    /// Coulomb friction coefficient at terrain contact.
    pub friction: f64,
    /// Restitution of impacts faster than `bounce_threshold`.
    pub restitution: f64,
    /// Impacts slower than this (m/s) are inelastic, so resting bodies
    /// do not jitter.
    pub bounce_threshold: f64,
    /// Substeps per 60 Hz step.
    pub substeps: u32,
    /// Gauss-Seidel sweeps over the constraints per substep.
    pub iterations: u32,
    /// A step that ends with a bone more than this fraction off its rest
    /// length is redone from its start in `REFINE_FACTOR` times the
    /// substeps, up to `MAX_REFINEMENTS` times (infinity: never).
    pub stray_tolerance: f64,
}

impl Default for PhysicsParams {
    fn default() -> Self {
        PhysicsParams {
            gravity: 15.0,
            linear_damping: 1.1,
            muscle_hz: 3.0,
            damping_ratio: 0.3,
            muscle_rate: 3.0,
            friction: 1.0,
            restitution: 0.1,
            bounce_threshold: 1.0,
            substeps: 8,
            iterations: 2,
            stray_tolerance: 0.01,
        }
    }
}

/// Connections as flat arrays. A muscle's target length at oscillator
/// angle θ is `rest + cos_coef·cos θ + sin_coef·sin θ`, which equals
/// `rest·(1 + s·a·cos(θ + 2π·phase))` with the phase folded in once, so the
/// hot loop does no trigonometry. A bone has both coefficients 0.
#[derive(Clone, Debug, Default)]
pub struct Springs {
    pub a: Vec<u32>,
    pub b: Vec<u32>,
    pub rest: Vec<f64>,
    pub cos_coef: Vec<f64>,
    pub sin_coef: Vec<f64>,
    pub muscle: Vec<bool>,
}

impl Springs {
    /// The walker's connections between nodes placed as `nodes`: each one's
    /// rest length is its length there.
    fn between(walker: &Walker, nodes: &Nodes) -> Springs {
        let mut springs = Springs::default();
        for c in &walker.connections {
            let rest = nodes.distance(c.a as usize, c.b as usize);
            let swing = rest * AMPLITUDE_SCALE * c.amplitude;
            let offset = 2.0 * std::f64::consts::PI * c.phase;
            springs.a.push(c.a);
            springs.b.push(c.b);
            springs.rest.push(rest);
            // cos(θ + φ) = cos θ cos φ − sin θ sin φ
            springs.cos_coef.push(swing * libm::cos(offset));
            springs.sin_coef.push(-swing * libm::sin(offset));
            springs.muscle.push(c.is_muscle());
        }
        springs
    }
}

/// Node state as flat arrays, in world metres and m/s.
#[derive(Clone, Debug, Default)]
pub struct Nodes {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub vx: Vec<f64>,
    pub vy: Vec<f64>,
}

impl Nodes {
    pub fn len(&self) -> usize {
        self.x.len()
    }

    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// The walker's joints in world metres, at rest, placed on `terrain`
    /// so that the lowest joint (relative to the ground under it) is
    /// `drop_height` above the ground; the terrain's geometry is placed
    /// around the body.
    fn dropped(walker: &Walker, drop_height: f64, terrain: Terrain) -> (Nodes, Geometry) {
        let min_y = walker
            .joints
            .iter()
            .map(|j| j[1])
            .fold(f64::INFINITY, f64::min);
        let n = walker.joints.len();
        let xs: Vec<f64> = walker
            .joints
            .iter()
            .map(|j| j[0] * GENOME_TO_WORLD)
            .collect();
        let x_min = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let x_max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let geometry = terrain.geometry(x_min, x_max);
        // Lowest joint `drop_height` above the ground right under it.
        let lift = walker
            .joints
            .iter()
            .zip(&xs)
            .map(|(j, &x)| geometry.ground.height_at(x) - (j[1] - min_y) * GENOME_TO_WORLD)
            .fold(f64::NEG_INFINITY, f64::max)
            + drop_height;
        let y = walker
            .joints
            .iter()
            .map(|&[_, y]| (y - min_y) * GENOME_TO_WORLD + lift)
            .collect();
        let nodes = Nodes {
            x: xs,
            y,
            vx: vec![0.0; n],
            vy: vec![0.0; n],
        };
        (nodes, geometry)
    }

    /// Distance between nodes `a` and `b`, m.
    fn distance(&self, a: usize, b: usize) -> f64 {
        ((self.x[b] - self.x[a]).powi(2) + (self.y[b] - self.y[a]).powi(2)).sqrt()
    }

    /// Unweighted mean x of the nodes (all nodes have the same mass).
    pub fn centre_of_mass_x(&self) -> f64 {
        self.x.iter().sum::<f64>() / self.len() as f64
    }
}

pub struct World {
    pub params: PhysicsParams,
    pub nodes: Nodes,
    pub springs: Springs,
    pub geometry: Geometry,
    /// Muscle stiffness and damping per unit of effective mass: k = m_eff·ω²
    /// and c = 2·m_eff·ζ·ω (Box2D's soft distance joint).
    stiffness: f64,
    damping: f64,
    /// The constraints in solving order, with their XPBD coefficients for
    /// `substeps` (level 0) and for each refinement's finer substeps.
    levels: Vec<solver::Constraints>,
    scratch: integrate::Scratch,
    /// The nodes at the start of the step, kept to redo a refined step.
    step_start: Nodes,
    /// Worst bone stray at the end of the last step (`worst_bone_stray`).
    bone_stray: f64,
    kernel: Kernel,
    pub steps: u64,
}

/// Which vector instructions the node stages are compiled for (chosen once
/// per world). Every kernel gives the same bits; only the speed differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kernel {
    Portable,
    /// Only chosen on a CPU with AVX2.
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// Only chosen on a CPU with AVX-512F.
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Kernel {
    /// The widest kernel this CPU supports.
    pub(crate) fn detect() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Kernel::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Kernel::Avx2;
            }
        }
        Kernel::Portable
    }
}

impl World {
    /// Builds a world from a *validated* walker on flat ground, dropped so
    /// that its lowest joint sits `drop_height` metres above the ground.
    pub fn new(walker: &Walker, params: PhysicsParams, drop_height: f64) -> World {
        World::on(walker, params, drop_height, Terrain::Flat)
    }

    /// As `new`, on the given terrain: the body is dropped so its lowest
    /// joint (relative to the ground under it) is `drop_height` above the
    /// ground, and walls sit relative to it.
    pub fn on(walker: &Walker, params: PhysicsParams, drop_height: f64, terrain: Terrain) -> World {
        let (nodes, geometry) = Nodes::dropped(walker, drop_height, terrain);
        let springs = Springs::between(walker, &nodes);
        let omega = 2.0 * std::f64::consts::PI * params.muscle_hz;
        let effective_mass = NODE_MASS * NODE_MASS / (NODE_MASS + NODE_MASS);
        let stiffness = effective_mass * omega * omega;
        let damping = 2.0 * effective_mass * params.damping_ratio * omega;
        let levels = (0..=MAX_REFINEMENTS)
            .map(|level| {
                let substep = DT / Self::substeps_at(&params, level) as f64;
                solver::Constraints::new(&springs, stiffness, damping, substep)
            })
            .collect();
        World {
            params,
            levels,
            scratch: integrate::Scratch::new(nodes.len()),
            step_start: nodes.clone(),
            bone_stray: 0.0,
            geometry,
            nodes,
            stiffness,
            damping,
            kernel: Kernel::detect(),
            springs,
            steps: 0,
        }
    }

    /// Time since the start of the simulation, seconds.
    pub fn time(&self) -> f64 {
        self.steps as f64 * DT
    }

    /// Muscle damping coefficient per unit of effective mass (diagnostics).
    pub fn muscle_damping(&self) -> f64 {
        self.damping
    }

    /// Substeps per 60 Hz step at refinement `level` (0: unrefined).
    fn substeps_at(params: &PhysicsParams, level: usize) -> u32 {
        params.substeps.max(1) * REFINE_FACTOR.pow(level as u32)
    }

    /// Advances one 60 Hz step and returns the largest squared node speed,
    /// which the caller uses to detect blow-ups without a second pass.
    pub fn step(&mut self) -> f64 {
        match self.kernel {
            Kernel::Portable => self.step_refined(),
            // SAFETY: `Kernel::detect` picked these only after checking that
            // this CPU has the instructions they are compiled for.
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => unsafe { self.step_avx2() },
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => unsafe { self.step_avx512() },
        }
    }

    /// One step at level 0; while it leaves a bone more than
    /// `stray_tolerance` off its length, it is redone from the same start at
    /// the next level. Gauss-Seidel leaves bones off their length mostly
    /// during impacts (a few steps in a thousand); smaller substeps converge
    /// where more sweeps do not (docs/physics.md), and paying for them only
    /// in those steps keeps the common step cheap. The test reads only the
    /// state, so it is as deterministic as the step.
    #[inline(always)]
    fn step_refined(&mut self) -> f64 {
        self.step_start.clone_from(&self.nodes);
        let mut level = 0;
        loop {
            let max_speed_sq = self.step_stages(level);
            self.bone_stray = self.measure_bone_stray();
            // Written so that a NaN stray (always refined) ends at the last
            // level rather than looping.
            let settled = self.bone_stray <= self.params.stray_tolerance;
            if settled || level == MAX_REFINEMENTS {
                self.steps += 1;
                return max_speed_sq;
            }
            self.nodes.clone_from(&self.step_start);
            level += 1;
        }
    }

    /// `step` compiled for wider vectors. IEEE addition, multiplication,
    /// division and square root round exactly, lanes do not interact, and no
    /// fused multiply-add is enabled, so these give the same bits as the
    /// portable build.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn step_avx2(&mut self) -> f64 {
        self.step_refined()
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn step_avx512(&mut self) -> f64 {
        self.step_refined()
    }

    /// One step in `substeps_at(level)` substeps, from the current nodes.
    #[inline(always)]
    fn step_stages(&mut self, level: usize) -> f64 {
        let angle = self.params.muscle_rate * self.time();
        // `sincos` gives the same bits as `sin` and `cos` apart, in one
        // argument reduction.
        let (sin_angle, cos_angle) = libm::sincos(angle);
        let constraints = &mut self.levels[level];
        constraints.prepare_step(&self.nodes, cos_angle, sin_angle);
        let substeps = Self::substeps_at(&self.params, level);
        let h = DT / substeps as f64;
        let mut max_speed_sq = 0.0;
        for _ in 0..substeps {
            integrate::predict(&mut self.nodes, &mut self.scratch, &self.params, h);
            contacts::prepare(&mut self.nodes, &mut self.scratch, &self.geometry);
            constraints.start_substep();
            for _ in 0..self.params.iterations.max(1) {
                constraints.sweep(&mut self.nodes, &mut self.scratch, self.params.friction);
            }
            max_speed_sq = contacts::resolve_and_update(
                &mut self.nodes,
                &self.scratch,
                &self.geometry,
                &self.params,
                h,
            );
        }
        max_speed_sq
    }

    /// Largest |length − rest| / rest over the bones at the end of the last
    /// step (0 with no bones, and before the first step).
    pub fn worst_bone_stray(&self) -> f64 {
        self.bone_stray
    }

    /// Largest |length − rest| / rest over the bones, now (0 with no bones).
    fn measure_bone_stray(&self) -> f64 {
        let (n, s) = (&self.nodes, &self.springs);
        let mut worst: f64 = 0.0;
        for i in 0..s.a.len() {
            if s.muscle[i] {
                continue;
            }
            let length = n.distance(s.a[i] as usize, s.b[i] as usize);
            let stray = (length - s.rest[i]).abs() / s.rest[i];
            // NaN counts as the worst stray of all.
            worst = if stray.is_nan() {
                f64::INFINITY
            } else {
                worst.max(stray)
            };
        }
        worst
    }

    /// Kinetic + gravitational + muscle elastic energy (J), for tests and
    /// diagnostics. Bones store none: they never change length.
    pub fn energy(&self) -> f64 {
        let n = &self.nodes;
        let kinetic: f64 = (0..n.len())
            .map(|i| 0.5 * NODE_MASS * (n.vx[i].powi(2) + n.vy[i].powi(2)))
            .sum();
        let potential: f64 =
            n.y.iter()
                .map(|y| NODE_MASS * self.params.gravity * y)
                .sum();
        let angle = self.params.muscle_rate * self.time();
        let s = &self.springs;
        let elastic: f64 = (0..s.a.len())
            .filter(|&i| s.muscle[i])
            .map(|i| {
                let len = n.distance(s.a[i] as usize, s.b[i] as usize);
                let rest =
                    s.rest[i] + s.cos_coef[i] * libm::cos(angle) + s.sin_coef[i] * libm::sin(angle);
                0.5 * self.stiffness * (len - rest).powi(2)
            })
            .sum();
        kinetic + potential + elastic
    }
}
