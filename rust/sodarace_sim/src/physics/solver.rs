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
//! k is a node's inverse mass along n: 1, except for a joint in contact
//! whose correction would push it into the surface; the surface then stands
//! behind it and the blocked part is added to its support (the normal
//! impulse friction is bounded by). If the correction's slide along the
//! surface is within the friction cone (|slide| ≤ μ·|push|, which along ±n
//! depends only on the angle between n and the surface normal m) the
//! surface holds the joint still (k = 0: static friction); otherwise it
//! slides along the surface only (inverse mass 0 along m, k = 1 − (n·m)²).
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
        let friction_sq = friction * friction;
        for s in 0..self.muscles {
            let lambda = self.lambda[s];
            self.lambda[s] = lambda + self.project::<false>(s, lambda, nodes, scratch, friction_sq);
        }
        for &s in &self.bone_order {
            self.project::<true>(s as usize, 0.0, nodes, scratch, friction_sq);
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
        friction_sq: f64,
    ) -> f64 {
        let Nodes { x, y, .. } = nodes;
        let Scratch {
            prev_x: px,
            prev_y: py,
            normal_x,
            normal_y,
            support,
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
        // a moves by +n·error/D and b by −n·error/D (D > 0): a is pushed
        // into its surface when (n·m_a)·error < 0, b when (n·m_b)·error > 0.
        let na = nx * normal_x[a] + ny * normal_y[a];
        let nb = nx * normal_x[b] + ny * normal_y[b];
        let hold_a = Hold::of(na * error < 0.0, na, friction_sq);
        let hold_b = Hold::of(nb * error > 0.0, nb, friction_sq);
        let delta = if hold_a == Hold::Free && hold_b == Hold::Free {
            -error * self.inv_free[s]
        } else {
            let k = hold_a.inverse_mass(na) + hold_b.inverse_mass(nb);
            let denominator = (1.0 + gamma) * k * (1.0 / NODE_MASS) + alpha;
            if denominator > 0.0 {
                -error / denominator
            } else {
                0.0
            }
        };
        let move_a = hold_a.limit(
            [-nx * delta, -ny * delta],
            -na * delta,
            [normal_x[a], normal_y[a]],
            &mut support[a],
        );
        let move_b = hold_b.limit(
            [nx * delta, ny * delta],
            nb * delta,
            [normal_x[b], normal_y[b]],
            &mut support[b],
        );
        x[a] += move_a[0];
        y[a] += move_a[1];
        x[b] += move_b[0];
        y[b] += move_b[1];
        delta
    }
}

/// How its surface treats one end of a constraint during one projection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hold {
    /// Not pushed into a surface (or in none): inverse mass 1 along n.
    Free,
    /// Pushed in outside the friction cone: it slides along the surface
    /// only (inverse mass 0 along m, so 1 − (n·m)² along n).
    Slides,
    /// Pushed in within the friction cone: the surface holds it still.
    Grips,
}

impl Hold {
    /// `pushed`: the correction drives the end into its surface; `along`:
    /// n·m. Along ±n the slide-to-push ratio is fixed by the angle, so
    /// Coulomb friction decides once, before the correction is known.
    #[inline(always)]
    fn of(pushed: bool, along: f64, friction_sq: f64) -> Hold {
        if !pushed {
            Hold::Free
        } else if 1.0 - along * along <= friction_sq * (along * along) {
            Hold::Grips
        } else {
            Hold::Slides
        }
    }

    /// The end's inverse mass along n (`along` = n·m).
    #[inline(always)]
    fn inverse_mass(self, along: f64) -> f64 {
        match self {
            Hold::Free => 1.0,
            Hold::Slides => (1.0 - along * along).max(0.0),
            Hold::Grips => 0.0,
        }
    }

    /// Where the end moves: its free correction `step`, less what the
    /// surface (normal `normal`) blocks. `into` = step·m is how far `step`
    /// pushes into the surface; the surface takes it up, so it is added to
    /// the end's support (the normal impulse friction is bounded by).
    #[inline(always)]
    fn limit(self, step: [f64; 2], into: f64, normal: [f64; 2], support: &mut f64) -> [f64; 2] {
        if self == Hold::Free {
            return step;
        }
        *support -= into;
        match self {
            Hold::Grips => [0.0, 0.0],
            _ => [step[0] - normal[0] * into, step[1] - normal[1] * into],
        }
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
