//! Stage 1 of a substep, and the folding of node speeds for the blow-up
//! guard. `predict` gives every node gravity and linear damping and moves it
//! by its velocity, keeping where it started: the constraint sweep and the
//! contacts then correct positions, and velocities are recomputed from how
//! far each node really moved (`contacts::resolve_and_update`).

use super::{Nodes, PhysicsParams};

/// Per-world scratch: each node's position at the start of the substep,
/// its contact normal this substep ([0, 0] when free) and the normal
/// displacement the terrain gave it (its support, for friction).
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    pub prev_x: Vec<f64>,
    pub prev_y: Vec<f64>,
    pub normal_x: Vec<f64>,
    pub normal_y: Vec<f64>,
    pub support: Vec<f64>,
    pub traction: Vec<f64>,
}

impl Scratch {
    pub fn new(nodes: usize) -> Scratch {
        Scratch {
            prev_x: vec![0.0; nodes],
            prev_y: vec![0.0; nodes],
            normal_x: vec![0.0; nodes],
            normal_y: vec![0.0; nodes],
            support: vec![0.0; nodes],
            traction: vec![0.0; nodes],
        }
    }
}

/// Box2D's damping form, `1/(1 + h·rate)`: unconditionally stable for any
/// rate and step.
#[inline(always)]
pub(super) fn damping_factor(linear_damping: f64, h: f64) -> f64 {
    1.0 / (1.0 + h * linear_damping)
}

/// `v = (v + g·h)·damping`, remember p, then `p += v·h`, for every node.
#[inline(always)]
pub(super) fn predict(nodes: &mut Nodes, scratch: &mut Scratch, params: &PhysicsParams, h: f64) {
    let damping = damping_factor(params.linear_damping, h);
    let fall = params.gravity * h;
    let Nodes { x, y, vx, vy } = nodes;
    let n = x.len();
    let (px, py) = (&mut scratch.prev_x[..n], &mut scratch.prev_y[..n]);
    let positions = x[..n].iter_mut().zip(y[..n].iter_mut());
    let velocities = vx[..n].iter_mut().zip(vy[..n].iter_mut());
    let previous = px.iter_mut().zip(py.iter_mut());
    for (((x, y), (vx, vy)), (px, py)) in positions.zip(velocities).zip(previous) {
        *vx *= damping;
        *vy = (*vy - fall) * damping;
        (*px, *py) = (*x, *y);
        *x += *vx * h;
        *y += *vy * h;
    }
}

/// Folds a squared speed (never negative) into a running maximum kept as
/// bits: for non-negative floats the integer order is the numeric order and
/// every NaN (sign cleared) sorts above infinity, so a NaN anywhere makes
/// the result NaN whatever the order the nodes are folded in.
#[inline(always)]
pub(super) fn fold_speed(max_bits: i64, speed_sq: f64) -> i64 {
    max_bits.max((speed_sq.to_bits() & !(1 << 63)) as i64)
}
