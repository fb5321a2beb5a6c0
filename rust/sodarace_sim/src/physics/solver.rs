//! The constraint sweep of a substep: one Gauss-Seidel pass of XPBD
//! distance constraints (Macklin, Müller & Chentanez 2016) over flat arrays.
//!
//! Each connection `C = |p_b − p_a| − target` is projected in turn, using
//! the positions the previous projections left; a substep runs `iterations`
//! such sweeps. A projection moves its ends by `∓k·n·Δλ` with
//!
//! `Δλ = −(C + α/h²·λ + γ·n·(Δp_b − Δp_a)) / ((1 + γ)·(k_a + k_b) + α/h²)`
//!
//! and adds Δλ to the constraint's multiplier λ (0 at each substep's start;
//! only muscles need it kept, since α = 0 for bones).
//!
//! where n is the unit direction a→b, Δp how far a node has moved this
//! substep, α the compliance and γ = α·c/h the damping term. A bone has
//! α = 0 and γ = 0: it is put back at its rest length exactly (rigid). A
//! muscle has α = 1/k and c from its 3 Hz frequency and 0.3 damping ratio.
//!
//! A joint in contact with the terrain (pushed out of it earlier in this
//! substep) is held still by its surface when the surface can take the
//! joint's share of a correction: a push into it always, a pull off it up to
//! what the surface has pushed so far (its `support`), and the part along
//! the surface while the joint's accumulated `traction` stays within
//! `friction × support` (Coulomb's cone, on the net load of every constraint
//! on that joint, not on each one alone). A held end does not move, so the
//! other end takes the whole correction (inverse mass 0 at the held end).
//! This keeps a resting body's feet where they are while Gauss-Seidel
//! corrects its sag, instead of letting each bone slide a foot a little
//! and friction put it back after the sweep, a ratchet that made passive
//! bodies creep (docs/physics.md, "Held feet").
//!
//! Order: muscles first, in the walker's order; then bones from the lowest
//! to the highest (by the lower end's height at the start of the step), so
//! within one sweep the ground's support climbs the body bone by bone, and
//! every sweep ends by restoring the bones.
//! The same `Δλ` formula in `(1 + γ)·(k_a + k_b)` form
//! with k = 1 on both ends is what a plain XPBD solver computes.

use super::integrate::Scratch;
use super::{Nodes, Springs, NODE_MASS};

/// The constraints in solving order, as flat arrays: muscles, then bones.
#[derive(Clone, Debug, Default)]
pub struct Constraints {
    a: Vec<u32>,
    b: Vec<u32>,
    rest: Vec<f64>,
    cos_coef: Vec<f64>,
    sin_coef: Vec<f64>,
    /// γ of each constraint (0 for bones).
    gamma: Vec<f64>,
    /// α/h² of each constraint (0 for bones).
    alpha: Vec<f64>,
    /// 1 / ((1 + γ)·2/m + α/h²): the denominator when neither end is held
    /// by a surface (almost always), so the sweep divides once, not twice.
    inv_free: Vec<f64>,
    /// This step's target lengths.
    target: Vec<f64>,
    /// Each muscle's Lagrange multiplier so far this substep.
    lambda: Vec<f64>,
    /// How many constraints are muscles (they come first).
    muscles: usize,
    /// Bones in the order this step solves them (indices into the arrays).
    bone_order: Vec<u32>,
    /// Each bone's sort key this step (its lower end's height).
    bone_height: Vec<f64>,
}

impl Constraints {
    /// Orders the walker's connections (muscles, then bones) and computes
    /// each one's coefficients for substeps of length `h`.
    pub fn new(springs: &Springs, stiffness: f64, damping: f64, h: f64) -> Constraints {
        let count = springs.a.len();
        let muscles = (0..count).filter(|&s| springs.muscle[s]);
        let bones = (0..count).filter(|&s| !springs.muscle[s]);
        let order: Vec<usize> = muscles.chain(bones).collect();
        let compliance = 1.0 / stiffness;
        let mut c = Constraints::default();
        for &s in &order {
            c.a.push(springs.a[s]);
            c.b.push(springs.b[s]);
            c.rest.push(springs.rest[s]);
            c.cos_coef.push(springs.cos_coef[s]);
            c.sin_coef.push(springs.sin_coef[s]);
            let (alpha, gamma) = if springs.muscle[s] {
                (compliance / (h * h), compliance * damping / h)
            } else {
                (0.0, 0.0)
            };
            c.alpha.push(alpha);
            c.gamma.push(gamma);
            c.inv_free
                .push(1.0 / ((1.0 + gamma) * (2.0 / NODE_MASS) + alpha));
        }
        c.muscles = springs.muscle.iter().filter(|&&m| m).count();
        c.bone_order = (c.muscles as u32..count as u32).collect();
        c.bone_height = vec![0.0; count];
        c.target = vec![0.0; count];
        c.lambda = vec![0.0; c.muscles];
        c
    }

    /// Sets each constraint's target length for the oscillator's angle, and
    /// sorts the bones by height for this step's sweeps.
    #[inline(always)]
    pub fn prepare_step(&mut self, nodes: &Nodes, cos_angle: f64, sin_angle: f64) {
        let n = self.target.len();
        let coefficients = self.rest[..n]
            .iter()
            .zip(&self.cos_coef[..n])
            .zip(&self.sin_coef[..n]);
        for (target, ((&rest, &cos_coef), &sin_coef)) in self.target.iter_mut().zip(coefficients) {
            *target = rest + cos_coef * cos_angle + sin_coef * sin_angle;
        }
        for s in self.muscles..n {
            let (a, b) = (self.a[s] as usize, self.b[s] as usize);
            self.bone_height[s] = nodes.y[a].min(nodes.y[b]);
        }
        sort_by_height(&mut self.bone_order, &self.bone_height);
    }

    /// Starts a substep: the muscles' multipliers go back to 0.
    #[inline(always)]
    pub fn start_substep(&mut self) {
        self.lambda.fill(0.0);
    }

    /// One Gauss-Seidel sweep over every constraint, in order.
    #[inline(always)]
    pub fn sweep(&mut self, nodes: &mut Nodes, scratch: &mut Scratch, friction: f64) {
        for s in 0..self.muscles {
            let lambda = self.lambda[s];
            self.lambda[s] = lambda + self.project::<false>(s, lambda, nodes, scratch, friction);
        }
        for &s in &self.bone_order {
            self.project::<true>(s as usize, 0.0, nodes, scratch, friction);
        }
    }

    /// Projects constraint `s`, whose multiplier so far this substep is
    /// `lambda`, and returns the change in its multiplier. `BONE` compiles
    /// the bones' copy: with α = γ = λ = 0 the multiplier and damping terms
    /// add exactly +0 to a non-zero error (and `length − target` is never
    /// −0), so skipping them, and the loads of the substep's start
    /// positions they need, gives the same bits for less work.
    #[inline(always)]
    fn project<const BONE: bool>(
        &self,
        s: usize,
        lambda: f64,
        nodes: &mut Nodes,
        scratch: &mut Scratch,
        friction: f64,
    ) -> f64 {
        let Nodes { x, y, .. } = nodes;
        let Scratch {
            prev_x: px,
            prev_y: py,
            normal_x,
            normal_y,
            support,
            traction,
        } = scratch;
        let (a, b) = (self.a[s] as usize, self.b[s] as usize);
        let (dx, dy) = (x[b] - x[a], y[b] - y[a]);
        let length = (dx * dx + dy * dy).sqrt();
        // Validation keeps joints apart, but a body can still fold two nodes
        // onto each other mid-simulation; such a constraint has no
        // direction, so it moves nothing.
        let inv_length = if length > f64::EPSILON {
            1.0 / length
        } else {
            0.0
        };
        let (nx, ny) = (dx * inv_length, dy * inv_length);
        let (alpha, gamma) = if BONE {
            (0.0, 0.0)
        } else {
            (self.alpha[s], self.gamma[s])
        };
        let error = if BONE {
            length - self.target[s]
        } else {
            let closing =
                ((x[b] - px[b]) - (x[a] - px[a])) * nx + ((y[b] - py[b]) - (y[a] - py[a])) * ny;
            length - self.target[s] + alpha * lambda + gamma * closing
        };
        // An end in contact is held still if its surface can take its share
        // of the correction (`holds`); the other end then takes all of it.
        // Between two held ends both move, and friction settles their
        // slide after the sweep.
        let free_delta = -error * self.inv_free[s];
        let share_a = [-nx * free_delta, -ny * free_delta];
        let share_b = [nx * free_delta, ny * free_delta];
        let contact = |i: usize| Contact {
            normal: [normal_x[i], normal_y[i]],
            support: support[i],
            traction: traction[i],
        };
        let (contact_a, contact_b) = (contact(a), contact(b));
        let held_a = contact_a.holds(share_a, friction);
        let held_b = contact_b.holds(share_b, friction);
        let (held_a, held_b) = if held_a && held_b {
            (false, false)
        } else {
            (held_a, held_b)
        };
        let delta = if held_a || held_b {
            -error / ((1.0 + gamma) * (1.0 / NODE_MASS) + alpha)
        } else {
            free_delta
        };
        let move_a = if held_a {
            contact_a.absorb(share_a, &mut support[a], &mut traction[a])
        } else {
            [-nx * delta, -ny * delta]
        };
        let move_b = if held_b {
            contact_b.absorb(share_b, &mut support[b], &mut traction[b])
        } else {
            [nx * delta, ny * delta]
        };
        x[a] += move_a[0];
        y[a] += move_a[1];
        x[b] += move_b[0];
        y[b] += move_b[1];
        delta
    }
}

/// One end of a constraint and the surface it touches this substep.
#[derive(Clone, Copy)]
struct Contact {
    /// The surface's outward normal m; [0, 0] when the joint touches none.
    normal: [f64; 2],
    /// What the surface has pushed so far this substep (normal impulse × h/m).
    support: f64,
    /// What it has held back along the surface so far (signed, along
    /// (m_y, −m_x)).
    traction: f64,
}

impl Contact {
    /// Whether the surface holds the joint still against `share` (the move
    /// it would make if free): it touches one, a pull off the surface is
    /// within what the surface has pushed (the surface can push less, not
    /// pull), and the traction with this share stays inside the friction
    /// cone of the support left (Coulomb, on the joint's net load rather
    /// than each constraint's alone).
    #[inline(always)]
    fn holds(self, share: [f64; 2], friction: f64) -> bool {
        let m = self.normal;
        if m[0] == 0.0 && m[1] == 0.0 {
            return false;
        }
        let off = share[0] * m[0] + share[1] * m[1];
        let along = self.traction + share[0] * m[1] - share[1] * m[0];
        off <= self.support && along.abs() <= friction * (self.support - off)
    }

    /// The surface takes `share` instead of the joint: its part into the
    /// surface adds to the support, its part along it to the traction. The
    /// joint does not move.
    #[inline(always)]
    fn absorb(self, share: [f64; 2], support: &mut f64, traction: &mut f64) -> [f64; 2] {
        let m = self.normal;
        *support -= share[0] * m[0] + share[1] * m[1];
        *traction += share[0] * m[1] - share[1] * m[0];
        [0.0, 0.0]
    }
}

/// Insertion sort of `order`/// Insertion sort of `order` by (height, index): the order changes little
/// from step to step, so this is nearly linear, and ties and NaNs sort the
/// same way every run.
#[inline(always)]
fn sort_by_height(order: &mut [u32], height: &[f64]) {
    let before = |p: u32, q: u32| {
        let (hp, hq) = (height[p as usize], height[q as usize]);
        hp.total_cmp(&hq).then(p.cmp(&q)).is_lt()
    };
    for i in 1..order.len() {
        let item = order[i];
        let mut j = i;
        while j > 0 && before(item, order[j - 1]) {
            order[j] = order[j - 1];
            j -= 1;
        }
        order[j] = item;
    }
}
