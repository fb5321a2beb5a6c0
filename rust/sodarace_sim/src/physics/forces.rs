//! Stage 1: accumulate forces on every node from gravity, springs and muscles.
//!
//! Springs are processed in three passes over flat arrays: gather the two
//! end nodes' relative position and velocity, compute every spring's force
//! in a branch-free loop the compiler vectorises (sqrt and division dominate
//! the cost), then scatter the forces back onto the nodes. Each pass visits
//! springs in index order, so the floating-point result is the same as a
//! single fused loop would give, every run.

use super::{Nodes, Springs, NODE_MASS};

/// Per-spring scratch space, kept in the world so a step never allocates.
#[derive(Clone, Debug, Default)]
pub struct SpringScratch {
    dx: Vec<f64>,
    dy: Vec<f64>,
    dvx: Vec<f64>,
    dvy: Vec<f64>,
}

impl SpringScratch {
    pub fn new(springs: usize) -> Self {
        SpringScratch { dx: vec![0.0; springs], dy: vec![0.0; springs], dvx: vec![0.0; springs], dvy: vec![0.0; springs] }
    }
}

/// Clears the force accumulators, adds gravity, then each connection's
/// damped spring force. `cos_angle`/`sin_angle` are the muscle oscillator's
/// current phase, computed once per step by the caller.
#[allow(clippy::too_many_arguments)]
pub(super) fn apply(
    nodes: &mut Nodes,
    springs: &Springs,
    scratch: &mut SpringScratch,
    gravity: f64,
    stiffness: f64,
    damping: f64,
    cos_angle: f64,
    sin_angle: f64,
) {
    nodes.fx.fill(0.0);
    nodes.fy.fill(-NODE_MASS * gravity);
    gather(nodes, springs, scratch);
    spring_forces(springs, scratch, stiffness, damping, cos_angle, sin_angle);
    scatter(nodes, springs, scratch);
}

fn gather(nodes: &Nodes, springs: &Springs, scratch: &mut SpringScratch) {
    let Nodes { x, y, vx, vy, .. } = nodes;
    let ends = springs.a.iter().zip(&springs.b);
    let out = scratch.dx.iter_mut().zip(&mut scratch.dy).zip(scratch.dvx.iter_mut().zip(&mut scratch.dvy));
    for ((&a, &b), ((dx, dy), (dvx, dvy))) in ends.zip(out) {
        let (a, b) = (a as usize, b as usize);
        *dx = x[b] - x[a];
        *dy = y[b] - y[a];
        *dvx = vx[b] - vx[a];
        *dvy = vy[b] - vy[a];
    }
}

/// Overwrites `dx`/`dy` with the force on each spring's first node.
fn spring_forces(
    springs: &Springs,
    scratch: &mut SpringScratch,
    stiffness: f64,
    damping: f64,
    cos_angle: f64,
    sin_angle: f64,
) {
    let coefficients = springs.rest.iter().zip(&springs.cos_coef).zip(&springs.sin_coef);
    let state = scratch.dx.iter_mut().zip(&mut scratch.dy).zip(scratch.dvx.iter().zip(&scratch.dvy));
    for (((&rest, &cos_coef), &sin_coef), ((dx, dy), (&dvx, &dvy))) in coefficients.zip(state) {
        let length = (*dx * *dx + *dy * *dy).sqrt();
        // Validation keeps joints apart, but a body can still fold two nodes
        // onto each other mid-simulation; such a spring has no direction, so
        // it pushes nothing. A select, not a branch, keeps the loop vectorised.
        let inv_length = if length > f64::EPSILON { 1.0 / length } else { 0.0 };
        let (nx, ny) = (*dx * inv_length, *dy * inv_length);
        let target = rest + cos_coef * cos_angle + sin_coef * sin_angle;
        let closing_speed = dvx * nx + dvy * ny;
        let magnitude = stiffness * (length - target) + damping * closing_speed;
        *dx = magnitude * nx;
        *dy = magnitude * ny;
    }
}

fn scatter(nodes: &mut Nodes, springs: &Springs, scratch: &SpringScratch) {
    let Nodes { fx, fy, .. } = nodes;
    let ends = springs.a.iter().zip(&springs.b);
    for ((&a, &b), (&force_x, &force_y)) in ends.zip(scratch.dx.iter().zip(&scratch.dy)) {
        let (a, b) = (a as usize, b as usize);
        fx[a] += force_x;
        fy[a] += force_y;
        fx[b] -= force_x;
        fy[b] -= force_y;
    }
}
