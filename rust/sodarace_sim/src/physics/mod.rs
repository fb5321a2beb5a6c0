//! A deterministic 2-D mass-spring simulator for Sodarace walkers.
//!
//! The state lives in flat arrays (structure of arrays) and one step runs in
//! named stages, rapier-style: `forces` (gravity, springs, muscles),
//! `integrate::velocity` (semi-implicit Euler plus linear damping),
//! `contacts` (ground impulses with restitution and Coulomb friction) and
//! `integrate::position`. There is no global state and no threading inside
//! a step, so the same input always produces the same bits.
//!
//! Where the CPU has AVX2 or AVX-512 the step runs in wider vectors, chosen
//! once per world at run time. Every kernel performs the same IEEE
//! operations in the same order for each spring and node (no fused
//! multiply-add, no approximate reciprocals), so results are bit-identical
//! whichever CPU runs them; `tests.rs` checks each kernel against a plain
//! scalar reference step.
//!
//! Units: world metres and seconds. Every constant is explained in
//! `docs/physics.md`.

mod contacts;
mod forces;
mod integrate;
#[cfg(test)]
mod tests;

use crate::walker::Walker;

/// Seconds per step (IESoR and Box2D both step at 60 Hz).
pub const DT: f64 = 1.0 / 60.0;
/// World metres per genome unit.
pub const GENOME_TO_WORLD: f64 = 0.1;
/// Rest-length change per unit of amplitude: amplitude 10 swings a muscle
/// between 0.5 and 1.5 of its rest length, so lengths stay positive.
pub const AMPLITUDE_SCALE: f64 = 0.05;
/// Mass of every node. With equal masses and mass-normalised springs the
/// dynamics do not depend on it; it only sets the units of force.
pub const NODE_MASS: f64 = 1.0;

/// Physical parameters of a world. Defaults follow the IESoR lineage.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PhysicsParams {
    /// Downward acceleration, m/s² (IESoR's 15).
    pub gravity: f64,
    /// Per-node linear damping rate, 1/s, applied as v *= 1/(1 + dt·rate).
    pub linear_damping: f64,
    /// Natural frequency of springs and muscles, Hz.
    pub spring_hz: f64,
    /// Damping ratio of springs and muscles.
    pub damping_ratio: f64,
    /// Muscle oscillator rate, rad/s.
    pub muscle_rate: f64,
    /// Coulomb friction coefficient at ground contact.
    pub friction: f64,
    /// Restitution of ground impacts faster than `bounce_threshold`.
    pub restitution: f64,
    /// Impacts slower than this (m/s) are inelastic, so resting bodies
    /// do not jitter.
    pub bounce_threshold: f64,
}

impl Default for PhysicsParams {
    fn default() -> Self {
        PhysicsParams {
            gravity: 15.0,
            linear_damping: 1.1,
            spring_hz: 3.0,
            damping_ratio: 0.3,
            muscle_rate: 3.0,
            friction: 1.0,
            restitution: 0.1,
            bounce_threshold: 1.0,
        }
    }
}

/// Springs and muscles as flat arrays. A muscle's rest length at oscillator
/// angle θ is `rest + cos_coef·cos θ + sin_coef·sin θ`, which equals
/// `rest·(1 + s·a·cos(θ + 2π·phase))` with the phase folded in once, so the
/// hot loop does no trigonometry.
#[derive(Clone, Debug, Default)]
pub struct Springs {
    pub a: Vec<u32>,
    pub b: Vec<u32>,
    pub rest: Vec<f64>,
    pub cos_coef: Vec<f64>,
    pub sin_coef: Vec<f64>,
}

/// Node state as flat arrays, in world metres and m/s.
#[derive(Clone, Debug, Default)]
pub struct Nodes {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub vx: Vec<f64>,
    pub vy: Vec<f64>,
    pub fx: Vec<f64>,
    pub fy: Vec<f64>,
}

impl Nodes {
    pub fn len(&self) -> usize {
        self.x.len()
    }

    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
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
    /// Spring stiffness and damping per unit of effective mass: k = m_eff·ω²
    /// and c = 2·m_eff·ζ·ω (soft constraints, as in Box2D's distance joint).
    stiffness: f64,
    damping: f64,
    /// Spring topology and per-step scratch, built from `springs` once: the
    /// springs' ends must not change after construction.
    scratch: forces::SpringScratch,
    kernel: forces::Kernel,
    pub steps: u64,
}

impl World {
    /// Builds a world from a *validated* walker, dropped so that its lowest
    /// joint sits `drop_height` metres above the ground.
    pub fn new(walker: &Walker, params: PhysicsParams, drop_height: f64) -> World {
        let min_y = walker
            .joints
            .iter()
            .map(|j| j[1])
            .fold(f64::INFINITY, f64::min);
        let n = walker.joints.len();
        let mut nodes = Nodes {
            x: Vec::with_capacity(n),
            y: Vec::with_capacity(n),
            vx: vec![0.0; n],
            vy: vec![0.0; n],
            fx: vec![0.0; n],
            fy: vec![0.0; n],
        };
        for &[x, y] in &walker.joints {
            nodes.x.push(x * GENOME_TO_WORLD);
            nodes.y.push((y - min_y) * GENOME_TO_WORLD + drop_height);
        }
        let mut springs = Springs::default();
        for c in &walker.connections {
            let (a, b) = (c.a as usize, c.b as usize);
            let rest =
                ((nodes.x[b] - nodes.x[a]).powi(2) + (nodes.y[b] - nodes.y[a]).powi(2)).sqrt();
            let swing = rest * AMPLITUDE_SCALE * c.amplitude;
            let offset = 2.0 * std::f64::consts::PI * c.phase;
            springs.a.push(c.a);
            springs.b.push(c.b);
            springs.rest.push(rest);
            // cos(θ + φ) = cos θ cos φ − sin θ sin φ
            springs.cos_coef.push(swing * libm::cos(offset));
            springs.sin_coef.push(-swing * libm::sin(offset));
        }
        let omega = 2.0 * std::f64::consts::PI * params.spring_hz;
        let effective_mass = NODE_MASS * NODE_MASS / (NODE_MASS + NODE_MASS);
        World {
            params,
            nodes,
            stiffness: effective_mass * omega * omega,
            damping: 2.0 * effective_mass * params.damping_ratio * omega,
            scratch: forces::SpringScratch::new(&springs, n),
            kernel: forces::Kernel::detect(),
            springs,
            steps: 0,
        }
    }

    /// Time since the start of the simulation, seconds.
    pub fn time(&self) -> f64 {
        self.steps as f64 * DT
    }

    /// Advances one step and returns the largest squared node speed, which
    /// the caller uses to detect blow-ups without a second pass.
    ///
    /// The stages run in order: forces (every spring's force from the
    /// current state, then each node's total), then, node by node, the
    /// velocity update, the ground contact and the move.
    pub fn step(&mut self) -> f64 {
        match self.kernel {
            forces::Kernel::Portable => self.step_stages(forces::Kernel::Portable),
            // SAFETY: `Kernel::detect` picked these only after checking that
            // this CPU has the instructions they are compiled for.
            #[cfg(target_arch = "x86_64")]
            forces::Kernel::Avx2 => unsafe { self.step_avx2() },
            #[cfg(target_arch = "x86_64")]
            forces::Kernel::Avx512 => unsafe { self.step_avx512() },
        }
    }

    /// `step` compiled for wider vectors. IEEE addition, multiplication,
    /// division and square root round exactly, lanes do not interact, and no
    /// fused multiply-add is enabled, so these give the same bits as the
    /// portable build.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn step_avx2(&mut self) -> f64 {
        self.step_stages(forces::Kernel::Avx2)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn step_avx512(&mut self) -> f64 {
        self.step_stages(forces::Kernel::Avx512)
    }

    #[inline(always)]
    fn step_stages(&mut self, kernel: forces::Kernel) -> f64 {
        let angle = self.params.muscle_rate * self.time();
        // `sincos` gives the same bits as `sin` and `cos` apart, in one
        // argument reduction.
        let (sin_angle, cos_angle) = libm::sincos(angle);
        forces::springs(
            kernel,
            &self.nodes,
            &self.springs,
            &mut self.scratch,
            self.stiffness,
            self.damping,
            cos_angle,
            sin_angle,
        );
        let Nodes { fx, fy, .. } = &mut self.nodes;
        forces::on_nodes(&self.scratch, self.params.gravity, fx, fy);
        let max_speed_sq = move_nodes(&mut self.nodes, &self.params);
        self.steps += 1;
        max_speed_sq
    }

    /// Kinetic + gravitational + elastic energy (J), for tests and diagnostics.
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
        let elastic: f64 = (0..self.springs.a.len())
            .map(|s| {
                let (a, b) = (self.springs.a[s] as usize, self.springs.b[s] as usize);
                let len = ((n.x[b] - n.x[a]).powi(2) + (n.y[b] - n.y[a]).powi(2)).sqrt();
                let rest = self.springs.rest[s]
                    + self.springs.cos_coef[s] * libm::cos(angle)
                    + self.springs.sin_coef[s] * libm::sin(angle);
                0.5 * self.stiffness * (len - rest).powi(2)
            })
            .sum();
        kinetic + potential + elastic
    }
}

/// Stages 2–4 for every node: velocity update, ground contact, move. Returns
/// the largest squared node speed (NaN if any node has a NaN). The stages
/// are written without branches so the compiler vectorises the loop; each
/// node's arithmetic is the same whichever vector lane it takes.
#[inline(always)]
fn move_nodes(nodes: &mut Nodes, params: &PhysicsParams) -> f64 {
    let damping_factor = integrate::damping_factor(params.linear_damping);
    let Nodes {
        x,
        y,
        vx,
        vy,
        fx,
        fy,
    } = nodes;
    let n = x.len();
    let positions = x[..n].iter_mut().zip(y[..n].iter_mut());
    let velocities = vx[..n].iter_mut().zip(vy[..n].iter_mut());
    let forces = fx[..n].iter().zip(fy[..n].iter());
    let mut max_speed_bits = 0;
    for (((x, y), (vx, vy)), (&fx, &fy)) in positions.zip(velocities).zip(forces) {
        let v = integrate::velocity([*vx, *vy], [fx, fy], damping_factor);
        let v = contacts::resolve_ground(*y, v, params);
        let (p, speed_sq) = integrate::position([*x, *y], v);
        (*vx, *vy, *x, *y) = (v[0], v[1], p[0], p[1]);
        max_speed_bits = integrate::fold_speed(max_speed_bits, speed_sq);
    }
    f64::from_bits(max_speed_bits as u64)
}
