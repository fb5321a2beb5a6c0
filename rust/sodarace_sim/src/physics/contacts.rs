//! Stage 3: ground contact at y = 0.
//!
//! Contacts are speculative: a node whose next position would pass below the
//! ground receives a normal impulse just large enough to land on it (or to
//! bounce, for fast impacts), and a Coulomb friction impulse bounded by
//! `friction × normal impulse`. Because both act on velocities before
//! positions move, no node ever ends a step inside the ground, resting
//! contact is stable, and static friction holds a body still.

use super::{Nodes, PhysicsParams, DT};

pub(super) fn resolve_ground(nodes: &mut Nodes, params: &PhysicsParams) {
    let Nodes { x: _, y, vx, vy, .. } = nodes;
    for i in 0..y.len() {
        if y[i] + vy[i] * DT >= 0.0 {
            continue;
        }
        let target_vy = if vy[i] < -params.bounce_threshold {
            -params.restitution * vy[i]
        } else {
            // Arrive exactly at the ground; pushes out if already below it.
            -y[i] / DT
        };
        let normal_impulse = target_vy - vy[i];
        vy[i] = target_vy;
        let max_friction = params.friction * normal_impulse;
        vx[i] = if vx[i].abs() <= max_friction { 0.0 } else { vx[i] - max_friction.copysign(vx[i]) };
    }
}
