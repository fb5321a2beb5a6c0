//! Terrain contact, in two passes around the constraint sweep, and the
//! velocity update.
//!
//! Contacts are position constraints, as in XPBD. Before the sweep,
//! `prepare` pushes every joint that the prediction moved into the ground or
//! a block back out along the surface normal and remembers that normal: for
//! the rest of the substep the joint is in contact, and the sweep holds it
//! still while its surface can take the corrections (`solver`), adding what
//! the surface takes to the joint's support (normal impulse × h/m; the
//! push-out depth is its first part) and traction (along the surface).
//!
//! After the sweep, `resolve_and_update` pushes out any joint the sweep
//! moved into a surface, then applies Coulomb friction to the joint's net
//! tangential load: its slide this substep plus the traction its surface
//! held back. Up to `friction × support` of it is absorbed and the joint
//! ends where it started along the surface (static friction); beyond that
//! it slides by the excess (kinetic). This is the velocity-level bound
//! |Δv_t| ≤ μ·Δv_n, so a resting body holds still and a sliding one stops.
//! Velocities are then `(p − p_start)/h`; a joint that hit a surface faster
//! than `bounce_threshold` leaves it at `restitution` times its incoming
//! normal speed (Box2D's rule).

use super::integrate::{fold_speed, Scratch};
use super::terrain::{Geometry, Plane};
use super::{Nodes, PhysicsParams};

/// Pushes `p` out of every surface it is inside, ground first, each surface
/// seeing where the previous one left it. Returns the new position, the
/// normal of the last surface touched (or [0, 0]) and the total depth.
#[inline(always)]
fn push_out(mut p: [f64; 2], geometry: &Geometry) -> ([f64; 2], [f64; 2], f64) {
    let mut normal = [0.0, 0.0];
    let mut total = 0.0;
    let ground = geometry.ground.plane_under(p[0]);
    let depth = ground.offset - (ground.normal[0] * p[0] + ground.normal[1] * p[1]);
    let mut touch = |p: &mut [f64; 2], plane: Plane, depth: f64| {
        // Written so a NaN depth takes the no-contact path.
        if depth > 0.0 {
            *p = [
                p[0] + plane.normal[0] * depth,
                p[1] + plane.normal[1] * depth,
            ];
            normal = plane.normal;
            total += depth;
        }
    };
    touch(&mut p, ground, depth);
    for block in &geometry.blocks {
        let (face, depth) = block.nearest_face(p);
        touch(&mut p, face, depth);
    }
    (p, normal, total)
}

/// Before the sweep: pushes every joint out of the terrain and records its
/// contact normal ([0, 0] when free) and the depth as its first support.
#[inline(always)]
pub(super) fn prepare(nodes: &mut Nodes, scratch: &mut Scratch, geometry: &Geometry) {
    let Nodes { x, y, .. } = nodes;
    for i in 0..x.len() {
        let (p, normal, depth) = push_out([x[i], y[i]], geometry);
        (x[i], y[i]) = (p[0], p[1]);
        scratch.normal_x[i] = normal[0];
        scratch.normal_y[i] = normal[1];
        scratch.support[i] = depth;
        scratch.traction[i] = 0.0;
    }
}

/// After the sweep: pushes out, applies friction, recomputes each joint's
/// velocity from how far it moved over the substep of length `h`, and
/// returns the largest squared speed (NaN if any node has a NaN).
#[inline(always)]
pub(super) fn resolve_and_update(
    nodes: &mut Nodes,
    scratch: &Scratch,
    geometry: &Geometry,
    params: &PhysicsParams,
    h: f64,
) -> f64 {
    let Nodes { x, y, vx, vy } = nodes;
    let mut max_speed_bits = 0;
    for i in 0..x.len() {
        let start = [scratch.prev_x[i], scratch.prev_y[i]];
        let (mut p, touched, depth) = push_out([x[i], y[i]], geometry);
        let earlier = [scratch.normal_x[i], scratch.normal_y[i]];
        let n = if depth > 0.0 { touched } else { earlier };
        let support = (scratch.support[i] + depth).max(0.0);
        // Tangent (m_y, −m_x), as the sweep's traction; a free joint has
        // n = 0, so nothing below changes it.
        let tangent = [n[1], -n[0]];
        let slid = (p[0] - start[0]) * tangent[0] + (p[1] - start[1]) * tangent[1];
        let load = slid + scratch.traction[i];
        let grip = params.friction * support;
        // Written with comparisons, not `clamp`, so a NaN passes through to
        // the blow-up guard instead of panicking.
        let slip = if load > grip {
            load - grip
        } else if load < -grip {
            load + grip
        } else {
            0.0
        };
        let shift = slip - slid;
        p = [p[0] + tangent[0] * shift, p[1] + tangent[1] * shift];
        // The predicted velocity (still in vx, vy) is the incoming one.
        let incoming = vx[i] * n[0] + vy[i] * n[1];
        let mut v = [(p[0] - start[0]) / h, (p[1] - start[1]) / h];
        if incoming < -params.bounce_threshold {
            let outgoing = v[0] * n[0] + v[1] * n[1];
            let change = -params.restitution * incoming - outgoing;
            v = [v[0] + n[0] * change, v[1] + n[1] * change];
        }
        (x[i], y[i], vx[i], vy[i]) = (p[0], p[1], v[0], v[1]);
        max_speed_bits = fold_speed(max_speed_bits, v[0] * v[0] + v[1] * v[1]);
    }
    f64::from_bits(max_speed_bits as u64)
}
