//! Every kernel this CPU can run must reproduce, bit for bit, a plain
//! reference step: one scalar loop over springs that scatters each force onto
//! its two nodes, then one loop per stage over nodes.

use super::forces::Kernel;
use super::{PhysicsParams, World, DT, NODE_MASS};
use crate::walker::{Connection, Walker};

/// The model as docs/physics.md states it, written as simply as possible.
fn reference_step(world: &mut World) -> f64 {
    let (p, n, s) = (world.params, &mut world.nodes, &world.springs);
    let angle = p.muscle_rate * (world.steps as f64 * DT);
    let (sin_angle, cos_angle) = (libm::sin(angle), libm::cos(angle));
    n.fx.fill(0.0);
    n.fy.fill(-NODE_MASS * p.gravity);
    for i in 0..s.a.len() {
        let (a, b) = (s.a[i] as usize, s.b[i] as usize);
        let (dx, dy) = (n.x[b] - n.x[a], n.y[b] - n.y[a]);
        let length = (dx * dx + dy * dy).sqrt();
        let inv_length = if length > f64::EPSILON {
            1.0 / length
        } else {
            0.0
        };
        let (nx, ny) = (dx * inv_length, dy * inv_length);
        let target = s.rest[i] + s.cos_coef[i] * cos_angle + s.sin_coef[i] * sin_angle;
        let closing_speed = (n.vx[b] - n.vx[a]) * nx + (n.vy[b] - n.vy[a]) * ny;
        let magnitude = world.stiffness * (length - target) + world.damping * closing_speed;
        n.fx[a] += magnitude * nx;
        n.fy[a] += magnitude * ny;
        n.fx[b] -= magnitude * nx;
        n.fy[b] -= magnitude * ny;
    }
    let damping_factor = 1.0 / (1.0 + DT * p.linear_damping);
    for i in 0..n.len() {
        n.vx[i] = (n.vx[i] + n.fx[i] * (DT / NODE_MASS)) * damping_factor;
        n.vy[i] = (n.vy[i] + n.fy[i] * (DT / NODE_MASS)) * damping_factor;
    }
    for i in 0..n.len() {
        if n.y[i] + n.vy[i] * DT >= 0.0 {
            continue;
        }
        let target_vy = if n.vy[i] < -p.bounce_threshold {
            -p.restitution * n.vy[i]
        } else {
            -n.y[i] / DT
        };
        let max_friction = p.friction * (target_vy - n.vy[i]);
        n.vy[i] = target_vy;
        n.vx[i] = if n.vx[i].abs() <= max_friction {
            0.0
        } else {
            n.vx[i] - max_friction.copysign(n.vx[i])
        };
    }
    let mut max_speed_sq: f64 = 0.0;
    let mut nan = false;
    for i in 0..n.len() {
        n.x[i] += n.vx[i] * DT;
        n.y[i] += n.vy[i] * DT;
        let speed_sq = n.vx[i] * n.vx[i] + n.vy[i] * n.vy[i];
        nan |= speed_sq.is_nan();
        max_speed_sq = max_speed_sq.max(speed_sq);
    }
    world.steps += 1;
    if nan {
        f64::NAN
    } else {
        max_speed_sq
    }
}

fn kernels() -> Vec<Kernel> {
    let mut kernels = vec![Kernel::Portable];
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            kernels.push(Kernel::Avx2);
        }
        if std::arch::is_x86_feature_detected!("avx512f") {
            kernels.push(Kernel::Avx512);
        }
    }
    kernels
}

/// Node state as bits, every NaN made the same (a NaN's sign and payload
/// are not part of the model).
fn state_bits(world: &World) -> Vec<u64> {
    let n = &world.nodes;
    let all =
        n.x.iter()
            .chain(&n.y)
            .chain(&n.vx)
            .chain(&n.vy)
            .chain(&n.fx)
            .chain(&n.fy);
    all.map(|v| {
        if v.is_nan() {
            f64::NAN.to_bits()
        } else {
            v.to_bits()
        }
    })
    .collect()
}

fn assert_kernels_match_reference(
    walker: &Walker,
    params: PhysicsParams,
    velocity: [f64; 2],
    steps: usize,
) {
    for kernel in kernels() {
        let mut reference = World::new(walker, params, 0.01);
        let mut world = World::new(walker, params, 0.01);
        world.kernel = kernel;
        for w in [&mut reference, &mut world] {
            w.nodes.vx.fill(velocity[0]);
            w.nodes.vy.fill(velocity[1]);
        }
        for step in 0..steps {
            let expected = reference_step(&mut reference);
            let got = world.step();
            assert!(
                expected.to_bits() == got.to_bits() || (expected.is_nan() && got.is_nan()),
                "{kernel:?}: max speed² {got} != {expected} at step {step}"
            );
            assert!(
                state_bits(&world) == state_bits(&reference),
                "{kernel:?}: state differs at step {step}"
            );
        }
    }
}

/// A deterministic stream of numbers in [0, 1).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A grid of joints joined to right, upper and diagonal neighbours; every
/// third link is a muscle.
fn lattice(columns: u32, rows: u32, links: usize) -> Walker {
    let joints = (0..rows)
        .flat_map(|r| (0..columns).map(move |c| [2.0 * c as f64, 2.0 * r as f64]))
        .collect();
    let mut connections = Vec::new();
    for r in 0..rows {
        for c in 0..columns {
            for (dr, dc) in [(0, 1), (1, 0), (1, 1)] {
                if r + dr < rows && c + dc < columns {
                    let k = connections.len();
                    let amplitude = if k % 3 == 0 {
                        4.0 + (k % 5) as f64
                    } else {
                        0.0
                    };
                    let (a, b) = (r * columns + c, (r + dr) * columns + c + dc);
                    connections.push(Connection {
                        a,
                        b,
                        amplitude,
                        phase: (k as f64 * 0.37) % 1.0,
                    });
                }
            }
        }
    }
    connections.truncate(links);
    Walker {
        joints,
        connections,
    }
}

fn random_walker(rng: &mut Lcg, joints: usize, links: usize) -> Walker {
    let scale = 1.0 + 30.0 * rng.next();
    let n = joints as u32;
    let joints = (0..joints)
        .map(|_| [scale * rng.next(), scale * rng.next()])
        .collect();
    let connections = (0..links)
        .map(|k| {
            let a = (rng.next() * n as f64) as u32;
            let b = (a + 1 + (rng.next() * (n - 1) as f64) as u32) % n;
            let amplitude = if k % 2 == 0 { 10.0 * rng.next() } else { 0.0 };
            Connection {
                a,
                b,
                amplitude,
                phase: rng.next(),
            }
        })
        .collect();
    Walker {
        joints,
        connections,
    }
}

#[test]
fn every_kernel_matches_the_reference_bit_for_bit() {
    let params = PhysicsParams::default();
    // Spring counts around the vector widths, so every remainder is covered.
    for links in [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 50, 200] {
        assert_kernels_match_reference(&lattice(12, 8, links), params, [0.0, 0.0], 300);
    }
    let mut rng = Lcg(7);
    for k in 0..30 {
        let walker = random_walker(&mut rng, 2 + k, 1 + 3 * k);
        let velocity = [4.0 * rng.next() - 2.0, 4.0 * rng.next() - 2.0];
        let params = PhysicsParams {
            friction: rng.next(),
            gravity: 25.0 * rng.next(),
            ..params
        };
        assert_kernels_match_reference(&walker, params, velocity, 200);
    }
}

#[test]
fn kernels_agree_on_degenerate_bodies() {
    let params = PhysicsParams::default();
    // Coincident joints (a spring with no direction) and a hub of degree 12,
    // above the validated maximum of 10.
    let mut joints = vec![[0.0, 0.0], [0.0, 0.0], [3.0, 1.0]];
    let mut connections = vec![
        Connection {
            a: 0,
            b: 1,
            amplitude: 0.0,
            phase: 0.0,
        },
        Connection {
            a: 1,
            b: 2,
            amplitude: 5.0,
            phase: 0.3,
        },
    ];
    for k in 0..12 {
        joints.push([5.0 + k as f64, 4.0 + (k % 3) as f64]);
        connections.push(Connection {
            a: 2,
            b: 3 + k,
            amplitude: (k % 4) as f64,
            phase: 0.1 * k as f64,
        });
    }
    assert_kernels_match_reference(
        &Walker {
            joints,
            connections,
        },
        params,
        [0.0, -3.0],
        300,
    );
    // A body launched fast enough to blow up, so NaN and runaway speeds flow
    // through every kernel too.
    let mut rng = Lcg(11);
    let walker = random_walker(&mut rng, 20, 60);
    let wild = PhysicsParams {
        spring_hz: 400.0,
        ..params
    };
    assert_kernels_match_reference(&walker, wild, [50.0, -80.0], 200);
}
