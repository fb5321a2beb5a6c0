//! Stages 2 and 4: semi-implicit Euler. Velocities are updated from forces
//! first, contacts then adjust those velocities, and positions move with the
//! result. Each stage is a per-node function; the step runs stages 2–4 for
//! one node before moving to the next (a node's stages read only its own
//! state and force, so this gives the same bits as running each stage over
//! every node in turn).

use super::{DT, NODE_MASS};

/// Box2D's damping form, `1/(1 + dt·rate)`: unconditionally stable for any
/// rate and step.
#[inline(always)]
pub(super) fn damping_factor(linear_damping: f64) -> f64 {
    1.0 / (1.0 + DT * linear_damping)
}

/// Stage 2 for one node: `v += f/m·dt`, then linear damping.
#[inline(always)]
pub(super) fn velocity(v: [f64; 2], force: [f64; 2], damping_factor: f64) -> [f64; 2] {
    let dv_per_force = DT / NODE_MASS;
    [
        (v[0] + force[0] * dv_per_force) * damping_factor,
        (v[1] + force[1] * dv_per_force) * damping_factor,
    ]
}

/// Stage 4 for one node: moves it and returns its squared speed, which the
/// caller folds into the blow-up guard.
#[inline(always)]
pub(super) fn position(p: [f64; 2], v: [f64; 2]) -> ([f64; 2], f64) {
    (
        [p[0] + v[0] * DT, p[1] + v[1] * DT],
        v[0] * v[0] + v[1] * v[1],
    )
}

/// Folds a squared speed (never negative) into a running maximum kept as
/// bits: for non-negative floats the integer order is the numeric order and
/// every NaN (sign cleared) sorts above infinity, so a NaN anywhere makes
/// the result NaN whatever the order the nodes are folded in.
#[inline(always)]
pub(super) fn fold_speed(max_bits: i64, speed_sq: f64) -> i64 {
    max_bits.max((speed_sq.to_bits() & !(1 << 63)) as i64)
}
