//! Stage 3: ground contact at y = 0.
//!
//! Contacts are speculative: a node whose next position would pass below the
//! ground receives a normal impulse just large enough to land on it (or to
//! bounce, for fast impacts), and a Coulomb friction impulse bounded by
//! `friction × normal impulse`. Because both act on velocities before
//! positions move, no node ever ends a step inside the ground, resting
//! contact is stable, and static friction holds a body still.

use super::{PhysicsParams, DT};

/// One node's velocity after any ground contact, given its height `y` and
/// its velocity from stage 2. Written as selects rather than branches so the
/// node loop vectorises; a node out of contact keeps `v` unchanged.
#[inline(always)]
pub(super) fn resolve_ground(y: f64, v: [f64; 2], params: &PhysicsParams) -> [f64; 2] {
    let [vx, vy] = v;
    // Not `<`: a NaN height takes the contact path, as it always has.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    let in_contact = !(y + vy * DT >= 0.0);
    let target_vy = if vy < -params.bounce_threshold {
        -params.restitution * vy
    } else {
        // Arrive exactly at the ground; pushes out if already below it.
        -y / DT
    };
    let normal_impulse = target_vy - vy;
    let max_friction = params.friction * normal_impulse;
    let slid_vx = if vx.abs() <= max_friction {
        0.0
    } else {
        vx - max_friction.copysign(vx)
    };
    if in_contact {
        [slid_vx, target_vy]
    } else {
        v
    }
}
