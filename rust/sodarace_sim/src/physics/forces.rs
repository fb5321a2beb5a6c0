//! Stage 1: accumulate forces on every node from gravity, springs and muscles.
//!
//! Two passes over flat arrays:
//!
//! 1. **springs** — gather each spring's two end nodes (node state is packed
//!    per node, so an end is one contiguous load), then compute its damped
//!    force. Where the CPU has 512- or 256-bit vectors, eight or four springs
//!    are computed at once (sqrt and division dominate the cost).
//! 2. **nodes** — each node sums gravity and the forces of its own springs
//!    through an incidence list built once per world. Springs never scatter
//!    into the nodes: a scatter's read-modify-write chains stall whenever
//!    consecutive springs share a node.
//!
//! A node's springs are listed in spring index order and each force is added
//! exactly as a scatter over springs would have added (or, for a spring's
//! second node, subtracted) it, so every kernel produces the same bits as a
//! single scalar loop over springs, on every CPU: IEEE addition,
//! multiplication, division and square root are exactly rounded, lanes do
//! not interact, and no fused multiply-add is ever enabled.

use super::{Nodes, Springs, NODE_MASS};

/// Which vector instructions a step uses (chosen once per world). Every
/// kernel gives the same bits; only the speed differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kernel {
    Portable,
    /// Only chosen on a CPU with AVX2.
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// Only chosen on a CPU with AVX-512F.
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Kernel {
    /// The widest kernel this CPU supports.
    pub(super) fn detect() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Kernel::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Kernel::Avx2;
            }
        }
        Kernel::Portable
    }
}

/// Four f64s on a 32-byte boundary, so a 256-bit load never splits a cache
/// line.
#[repr(C, align(32))]
#[derive(Clone, Copy, Debug, Default)]
struct Quad([f64; 4]);

/// Per-world scratch space and spring topology, built once so a step never
/// allocates.
#[derive(Clone, Debug, Default)]
pub struct SpringScratch {
    /// Node state packed per node, `[x, y, vx, vy]`.
    packed: Vec<Quad>,
    /// `end_force[s]` is the force on spring `s`'s first node and
    /// `end_force[springs + s]` its negation, the force on the second node.
    /// The last entry is −0.0, the incidence rows' padding.
    end_force: Vec<[f64; 2]>,
    /// Which spring ends touch each node: every node has a row of `width`
    /// (its walker's largest degree) indices into `end_force`, its springs
    /// in increasing spring order, then padding. Adding −0.0 leaves every
    /// float unchanged, and equal rows make the summing loop's trip count a
    /// constant the branch predictor never misses.
    width: usize,
    rows: Vec<u32>,
}

impl SpringScratch {
    pub fn new(springs: &Springs, nodes: usize) -> Self {
        let count = springs.a.len();
        let mut degree = vec![0usize; nodes];
        for &node in springs.a.iter().chain(&springs.b) {
            degree[node as usize] += 1;
        }
        let width = degree.iter().copied().max().unwrap_or(0);
        let padding = 2 * count as u32;
        let mut rows = vec![padding; nodes * width];
        let mut filled = vec![0usize; nodes];
        // Visiting springs in index order fills every node's row in order.
        for (s, (&a, &b)) in springs.a.iter().zip(&springs.b).enumerate() {
            for (node, end) in [(a as usize, s), (b as usize, count + s)] {
                rows[node * width + filled[node]] = end as u32;
                filled[node] += 1;
            }
        }
        let mut end_force = vec![[0.0; 2]; 2 * count + 1];
        end_force[2 * count] = [-0.0; 2];
        SpringScratch {
            packed: vec![Quad::default(); nodes],
            end_force,
            width,
            rows,
        }
    }
}

/// Stage 1a: computes every spring's force from the current node state.
/// `cos_angle`/`sin_angle` are the muscle oscillator's current phase,
/// computed once per step by the caller.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(super) fn springs(
    kernel: Kernel,
    nodes: &Nodes,
    springs: &Springs,
    scratch: &mut SpringScratch,
    stiffness: f64,
    damping: f64,
    cos_angle: f64,
    sin_angle: f64,
) {
    let SpringScratch {
        packed, end_force, ..
    } = scratch;
    pack(nodes, packed);
    let law = SpringLaw {
        stiffness,
        damping,
        cos_angle,
        sin_angle,
    };
    let count = springs.a.len();
    let (forces, negated) = end_force.split_at_mut(count);
    let negated = &mut negated[..count];
    let done = match kernel {
        Kernel::Portable => 0,
        // SAFETY: `Kernel::detect` only picks these kernels on CPUs with the
        // instructions they are compiled for.
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2 => unsafe { avx2::springs(packed, springs, forces, negated, &law) },
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx512 => unsafe { avx512::springs(packed, springs, forces, negated, &law) },
    };
    for s in done..count {
        let [dx, dy, dvx, dvy] = sub4(
            packed[springs.b[s] as usize].0,
            packed[springs.a[s] as usize].0,
        );
        let (fx, fy) = law.force(
            dx,
            dy,
            dvx,
            dvy,
            springs.rest[s],
            springs.cos_coef[s],
            springs.sin_coef[s],
        );
        forces[s] = [fx, fy];
        negated[s] = [-fx, -fy];
    }
}

#[inline(always)]
fn pack(nodes: &Nodes, packed: &mut [Quad]) {
    let Nodes { x, y, vx, vy, .. } = nodes;
    for ((p, (&x, &y)), (&vx, &vy)) in packed
        .iter_mut()
        .zip(x.iter().zip(y))
        .zip(vx.iter().zip(vy))
    {
        *p = Quad([x, y, vx, vy]);
    }
}

#[inline(always)]
fn sub4(p: [f64; 4], q: [f64; 4]) -> [f64; 4] {
    [p[0] - q[0], p[1] - q[1], p[2] - q[2], p[3] - q[3]]
}

/// True when every spring end indexes `packed`, so the vector kernels may
/// load node state without a bounds check per load.
#[inline(always)]
fn ends_in_bounds(springs: &Springs, packed: &[Quad]) -> bool {
    let largest = |ends: &[u32]| ends.iter().copied().max().unwrap_or(0) as usize;
    packed.len() > largest(&springs.a).max(largest(&springs.b))
}

struct SpringLaw {
    stiffness: f64,
    damping: f64,
    cos_angle: f64,
    sin_angle: f64,
}

impl SpringLaw {
    /// The force on a spring's first node, given the second node's position
    /// and velocity relative to the first. The vector kernels compute exactly
    /// these operations in exactly this order, several springs at a time.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn force(
        &self,
        dx: f64,
        dy: f64,
        dvx: f64,
        dvy: f64,
        rest: f64,
        cos_coef: f64,
        sin_coef: f64,
    ) -> (f64, f64) {
        let length = (dx * dx + dy * dy).sqrt();
        // Validation keeps joints apart, but a body can still fold two nodes
        // onto each other mid-simulation; such a spring has no direction, so
        // it pushes nothing.
        let inv_length = if length > f64::EPSILON {
            1.0 / length
        } else {
            0.0
        };
        let (nx, ny) = (dx * inv_length, dy * inv_length);
        let target = rest + cos_coef * self.cos_angle + sin_coef * self.sin_angle;
        let closing_speed = dvx * nx + dvy * ny;
        let magnitude = self.stiffness * (length - target) + self.damping * closing_speed;
        (magnitude * nx, magnitude * ny)
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{ends_in_bounds, Quad, SpringLaw, Springs};
    use std::arch::x86_64::*;

    /// `SpringLaw::force` four springs at a time. Returns how many springs it
    /// computed (a multiple of four); the caller computes the rest.
    #[target_feature(enable = "avx2")]
    pub(super) fn springs(
        packed: &[Quad],
        springs: &Springs,
        forces: &mut [[f64; 2]],
        negated: &mut [[f64; 2]],
        law: &SpringLaw,
    ) -> usize {
        if !ends_in_bounds(springs, packed) {
            return 0;
        }
        let stiffness = _mm256_set1_pd(law.stiffness);
        let damping = _mm256_set1_pd(law.damping);
        let cos_angle = _mm256_set1_pd(law.cos_angle);
        let sin_angle = _mm256_set1_pd(law.sin_angle);
        let epsilon = _mm256_set1_pd(f64::EPSILON);
        let one = _mm256_set1_pd(1.0);
        let sign = _mm256_set1_pd(-0.0);
        // SAFETY: every spring end is below `packed.len()`, checked above,
        // and each pointer below comes from a reference to four f64s.
        let node = |i: u32| unsafe { _mm256_load_pd(packed.get_unchecked(i as usize).0.as_ptr()) };
        let load = |v: &[f64; 4]| unsafe { _mm256_loadu_pd(v.as_ptr()) };
        let store =
            |out: &mut [[f64; 2]; 2], v| unsafe { _mm256_storeu_pd(out.as_mut_ptr().cast(), v) };

        let ends = springs
            .a
            .as_chunks::<4>()
            .0
            .iter()
            .zip(springs.b.as_chunks::<4>().0);
        let coefficients = springs
            .rest
            .as_chunks::<4>()
            .0
            .iter()
            .zip(springs.cos_coef.as_chunks::<4>().0);
        let coefficients = coefficients.zip(springs.sin_coef.as_chunks::<4>().0);
        let outputs = forces
            .as_chunks_mut::<4>()
            .0
            .iter_mut()
            .zip(negated.as_chunks_mut::<4>().0);
        let mut count = 0;
        for (((a, b), ((rest, cos_coef), sin_coef)), (forces, negated)) in
            ends.zip(coefficients).zip(outputs)
        {
            count += 4;
            let d: [__m256d; 4] = std::array::from_fn(|k| _mm256_sub_pd(node(b[k]), node(a[k])));
            // Transpose the rows [dx, dy, dvx, dvy] of springs 0..4 into columns.
            let t0 = _mm256_unpacklo_pd(d[0], d[1]);
            let t1 = _mm256_unpackhi_pd(d[0], d[1]);
            let t2 = _mm256_unpacklo_pd(d[2], d[3]);
            let t3 = _mm256_unpackhi_pd(d[2], d[3]);
            let dx = _mm256_permute2f128_pd::<0x20>(t0, t2);
            let dvx = _mm256_permute2f128_pd::<0x31>(t0, t2);
            let dy = _mm256_permute2f128_pd::<0x20>(t1, t3);
            let dvy = _mm256_permute2f128_pd::<0x31>(t1, t3);

            let length =
                _mm256_sqrt_pd(_mm256_add_pd(_mm256_mul_pd(dx, dx), _mm256_mul_pd(dy, dy)));
            let has_direction = _mm256_cmp_pd::<_CMP_GT_OQ>(length, epsilon);
            let inv_length = _mm256_and_pd(_mm256_div_pd(one, length), has_direction);
            let nx = _mm256_mul_pd(dx, inv_length);
            let ny = _mm256_mul_pd(dy, inv_length);
            let target = _mm256_add_pd(
                _mm256_add_pd(load(rest), _mm256_mul_pd(load(cos_coef), cos_angle)),
                _mm256_mul_pd(load(sin_coef), sin_angle),
            );
            let closing_speed = _mm256_add_pd(_mm256_mul_pd(dvx, nx), _mm256_mul_pd(dvy, ny));
            let magnitude = _mm256_add_pd(
                _mm256_mul_pd(stiffness, _mm256_sub_pd(length, target)),
                _mm256_mul_pd(damping, closing_speed),
            );
            let fx = _mm256_mul_pd(magnitude, nx);
            let fy = _mm256_mul_pd(magnitude, ny);

            // Interleave into [fx, fy] pairs: springs 0, 2 and 1, 3, then in order.
            let even = _mm256_unpacklo_pd(fx, fy);
            let odd = _mm256_unpackhi_pd(fx, fy);
            let pairs = [
                _mm256_permute2f128_pd::<0x20>(even, odd),
                _mm256_permute2f128_pd::<0x31>(even, odd),
            ];
            let (forces, negated) = (
                forces.as_chunks_mut::<2>().0,
                negated.as_chunks_mut::<2>().0,
            );
            for k in 0..2 {
                store(&mut forces[k], pairs[k]);
                store(&mut negated[k], _mm256_xor_pd(pairs[k], sign));
            }
        }
        count
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{ends_in_bounds, Quad, SpringLaw, Springs};
    use std::arch::x86_64::*;

    /// `SpringLaw::force` eight springs at a time. Returns how many springs
    /// it computed (a multiple of eight); the caller computes the rest.
    #[target_feature(enable = "avx512f")]
    pub(super) fn springs(
        packed: &[Quad],
        springs: &Springs,
        forces: &mut [[f64; 2]],
        negated: &mut [[f64; 2]],
        law: &SpringLaw,
    ) -> usize {
        if !ends_in_bounds(springs, packed) {
            return 0;
        }
        let stiffness = _mm512_set1_pd(law.stiffness);
        let damping = _mm512_set1_pd(law.damping);
        let cos_angle = _mm512_set1_pd(law.cos_angle);
        let sin_angle = _mm512_set1_pd(law.sin_angle);
        let epsilon = _mm512_set1_pd(f64::EPSILON);
        let one = _mm512_set1_pd(1.0);
        let sign = _mm512_set1_epi64(i64::MIN);
        // SAFETY: every spring end is below `packed.len()`, checked above,
        // and each pointer below comes from a reference to four or eight f64s.
        let node = |i: u32| unsafe { _mm256_load_pd(packed.get_unchecked(i as usize).0.as_ptr()) };
        let load = |v: &[f64; 8]| unsafe { _mm512_loadu_pd(v.as_ptr()) };
        let store =
            |out: &mut [[f64; 2]; 4], v| unsafe { _mm512_storeu_pd(out.as_mut_ptr().cast(), v) };
        let negate =
            |v: __m512d| _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(v), sign));
        // Lane indices for two-source permutes (0..8 first source, 8..16 second).
        let columns_lo = _mm512_setr_epi64(0, 4, 8, 12, 1, 5, 9, 13);
        let columns_hi = _mm512_setr_epi64(2, 6, 10, 14, 3, 7, 11, 15);
        let pairs_lo = _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11);
        let pairs_hi = _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15);

        let ends = springs
            .a
            .as_chunks::<8>()
            .0
            .iter()
            .zip(springs.b.as_chunks::<8>().0);
        let coefficients = springs
            .rest
            .as_chunks::<8>()
            .0
            .iter()
            .zip(springs.cos_coef.as_chunks::<8>().0);
        let coefficients = coefficients.zip(springs.sin_coef.as_chunks::<8>().0);
        let outputs = forces
            .as_chunks_mut::<8>()
            .0
            .iter_mut()
            .zip(negated.as_chunks_mut::<8>().0);
        let mut count = 0;
        for (((a, b), ((rest, cos_coef), sin_coef)), (forces, negated)) in
            ends.zip(coefficients).zip(outputs)
        {
            count += 8;
            let d: [__m256d; 8] = std::array::from_fn(|k| _mm256_sub_pd(node(b[k]), node(a[k])));
            // Rows [dx, dy, dvx, dvy] of springs 2k and 2k+1 side by side.
            let z: [__m512d; 4] = std::array::from_fn(|k| {
                _mm512_insertf64x4::<1>(_mm512_castpd256_pd512(d[2 * k]), d[2 * k + 1])
            });
            // [dx, dy] and [dvx, dvy] of springs 0..4, then of springs 4..8.
            let p0 = _mm512_permutex2var_pd(z[0], columns_lo, z[1]);
            let q0 = _mm512_permutex2var_pd(z[0], columns_hi, z[1]);
            let p1 = _mm512_permutex2var_pd(z[2], columns_lo, z[3]);
            let q1 = _mm512_permutex2var_pd(z[2], columns_hi, z[3]);
            let dx = _mm512_shuffle_f64x2::<0x44>(p0, p1);
            let dy = _mm512_shuffle_f64x2::<0xEE>(p0, p1);
            let dvx = _mm512_shuffle_f64x2::<0x44>(q0, q1);
            let dvy = _mm512_shuffle_f64x2::<0xEE>(q0, q1);

            let length =
                _mm512_sqrt_pd(_mm512_add_pd(_mm512_mul_pd(dx, dx), _mm512_mul_pd(dy, dy)));
            let has_direction = _mm512_cmp_pd_mask::<_CMP_GT_OQ>(length, epsilon);
            let inv_length = _mm512_maskz_mov_pd(has_direction, _mm512_div_pd(one, length));
            let nx = _mm512_mul_pd(dx, inv_length);
            let ny = _mm512_mul_pd(dy, inv_length);
            let target = _mm512_add_pd(
                _mm512_add_pd(load(rest), _mm512_mul_pd(load(cos_coef), cos_angle)),
                _mm512_mul_pd(load(sin_coef), sin_angle),
            );
            let closing_speed = _mm512_add_pd(_mm512_mul_pd(dvx, nx), _mm512_mul_pd(dvy, ny));
            let magnitude = _mm512_add_pd(
                _mm512_mul_pd(stiffness, _mm512_sub_pd(length, target)),
                _mm512_mul_pd(damping, closing_speed),
            );
            let fx = _mm512_mul_pd(magnitude, nx);
            let fy = _mm512_mul_pd(magnitude, ny);

            // Interleave into [fx, fy] pairs: springs 0 2 4 6 and 1 3 5 7, then in order.
            let even = _mm512_unpacklo_pd(fx, fy);
            let odd = _mm512_unpackhi_pd(fx, fy);
            let pairs = [
                _mm512_permutex2var_pd(even, pairs_lo, odd),
                _mm512_permutex2var_pd(even, pairs_hi, odd),
            ];
            let (forces, negated) = (
                forces.as_chunks_mut::<4>().0,
                negated.as_chunks_mut::<4>().0,
            );
            for k in 0..2 {
                store(&mut forces[k], pairs[k]);
                store(&mut negated[k], negate(pairs[k]));
            }
        }
        count
    }
}

/// Stage 1b: each node's total force, gravity then each of its springs in
/// spring order (the order a scatter over springs would add them in).
#[inline(always)]
pub(super) fn on_nodes(scratch: &SpringScratch, gravity: f64, fx: &mut [f64], fy: &mut [f64]) {
    let SpringScratch {
        width,
        rows,
        end_force,
        ..
    } = scratch;
    let gravity = -NODE_MASS * gravity;
    // A constant row width lets the compiler unroll each sum completely.
    match *width {
        0 => sum_rows::<0>(rows, end_force, gravity, fx, fy),
        1 => sum_rows::<1>(rows, end_force, gravity, fx, fy),
        2 => sum_rows::<2>(rows, end_force, gravity, fx, fy),
        3 => sum_rows::<3>(rows, end_force, gravity, fx, fy),
        4 => sum_rows::<4>(rows, end_force, gravity, fx, fy),
        5 => sum_rows::<5>(rows, end_force, gravity, fx, fy),
        6 => sum_rows::<6>(rows, end_force, gravity, fx, fy),
        7 => sum_rows::<7>(rows, end_force, gravity, fx, fy),
        8 => sum_rows::<8>(rows, end_force, gravity, fx, fy),
        9 => sum_rows::<9>(rows, end_force, gravity, fx, fy),
        10 => sum_rows::<10>(rows, end_force, gravity, fx, fy),
        // Only a walker that skipped validation has joints of degree > 10.
        width => {
            for ((fx, fy), row) in fx
                .iter_mut()
                .zip(fy.iter_mut())
                .zip(rows.chunks_exact(width))
            {
                (*fx, *fy) = sum_row(row, end_force, gravity);
            }
        }
    }
}

#[inline(always)]
fn sum_rows<const WIDTH: usize>(
    rows: &[u32],
    end_force: &[[f64; 2]],
    gravity: f64,
    fx: &mut [f64],
    fy: &mut [f64],
) {
    if WIDTH == 0 {
        fx.fill(0.0);
        fy.fill(gravity);
        return;
    }
    for ((fx, fy), row) in fx
        .iter_mut()
        .zip(fy.iter_mut())
        .zip(rows.as_chunks::<WIDTH>().0)
    {
        (*fx, *fy) = sum_row(row, end_force, gravity);
    }
}

#[inline(always)]
fn sum_row(row: &[u32], end_force: &[[f64; 2]], gravity: f64) -> (f64, f64) {
    #[cfg(target_arch = "x86_64")]
    {
        // The same two additions per entry as below, as one SSE2 instruction
        // (SSE2 is part of every x86-64 CPU); the compiler does not pair
        // them by itself.
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is always present on x86-64, and each load reads the
        // two f64s of a bounds-checked `[f64; 2]`.
        unsafe {
            let mut force = _mm_setr_pd(0.0, gravity);
            for &end in row {
                force = _mm_add_pd(force, _mm_loadu_pd(end_force[end as usize].as_ptr()));
            }
            (
                _mm_cvtsd_f64(force),
                _mm_cvtsd_f64(_mm_unpackhi_pd(force, force)),
            )
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let mut force = (0.0, gravity);
        for &end in row {
            let f = end_force[end as usize];
            force = (force.0 + f[0], force.1 + f[1]);
        }
        force
    }
}
