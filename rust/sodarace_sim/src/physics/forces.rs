//! Stage 1: accumulate forces on every node from gravity, springs and muscles.

use super::{Nodes, Springs, NODE_MASS};

/// Clears the force accumulators, adds gravity, then each connection's
/// damped spring force. `cos_angle`/`sin_angle` are the muscle oscillator's
/// current phase, computed once per step by the caller.
pub(super) fn apply(
    nodes: &mut Nodes,
    springs: &Springs,
    gravity: f64,
    stiffness: f64,
    damping: f64,
    cos_angle: f64,
    sin_angle: f64,
) {
    nodes.fx.fill(0.0);
    nodes.fy.fill(-NODE_MASS * gravity);
    let Nodes { x, y, vx, vy, fx, fy } = nodes;
    let connections = springs.a.iter().zip(&springs.b);
    let coefficients = springs.rest.iter().zip(&springs.cos_coef).zip(&springs.sin_coef);
    for ((&a, &b), ((&rest, &cos_coef), &sin_coef)) in connections.zip(coefficients) {
        let (a, b) = (a as usize, b as usize);
        let dx = x[b] - x[a];
        let dy = y[b] - y[a];
        let length = (dx * dx + dy * dy).sqrt();
        // Validation keeps joints apart and muscles above half their rest
        // length, but a body can still fold two nodes onto each other
        // mid-simulation; such a spring has no direction, so it pushes nothing.
        if length <= f64::EPSILON {
            continue;
        }
        let inv_length = 1.0 / length;
        let (nx, ny) = (dx * inv_length, dy * inv_length);
        let target = rest + cos_coef * cos_angle + sin_coef * sin_angle;
        let closing_speed = (vx[b] - vx[a]) * nx + (vy[b] - vy[a]) * ny;
        let magnitude = stiffness * (length - target) + damping * closing_speed;
        let (force_x, force_y) = (magnitude * nx, magnitude * ny);
        fx[a] += force_x;
        fy[a] += force_y;
        fx[b] -= force_x;
        fy[b] -= force_y;
    }
}
