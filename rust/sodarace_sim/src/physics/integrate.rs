//! Stages 2 and 4: semi-implicit Euler. Velocities are updated from forces
//! first, contacts then adjust those velocities, and positions move with the
//! result.

use super::{Nodes, DT, NODE_MASS};

pub(super) fn velocities(nodes: &mut Nodes, linear_damping: f64) {
    // Box2D's damping form: unconditionally stable for any rate and step.
    let damping_factor = 1.0 / (1.0 + DT * linear_damping);
    let dv_per_force = DT / NODE_MASS;
    let Nodes { vx, vy, fx, fy, .. } = nodes;
    for (v, f) in vx.iter_mut().zip(fx.iter()) {
        *v = (*v + f * dv_per_force) * damping_factor;
    }
    for (v, f) in vy.iter_mut().zip(fy.iter()) {
        *v = (*v + f * dv_per_force) * damping_factor;
    }
}

/// Moves nodes and returns the largest squared speed of any node. A NaN
/// anywhere makes the result NaN, which the caller treats as a blow-up.
pub(super) fn positions(nodes: &mut Nodes) -> f64 {
    let Nodes { x, y, vx, vy, .. } = nodes;
    let mut max_speed_sq: f64 = 0.0;
    for i in 0..x.len() {
        x[i] += vx[i] * DT;
        y[i] += vy[i] * DT;
        let speed_sq = vx[i] * vx[i] + vy[i] * vy[i];
        // `max` would silently drop a NaN; propagate it instead.
        if !(speed_sq <= max_speed_sq) {
            max_speed_sq = speed_sq;
        }
    }
    max_speed_sq
}
