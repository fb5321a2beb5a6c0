//! Every kernel this CPU can run must reproduce, bit for bit and step by
//! step, the portable scalar build of the same step (no wider vectors, no
//! fused multiply-add), on every terrain.

use super::terrain::Terrain;
use super::{Kernel, PhysicsParams, World};
use crate::walker::{Connection, Walker};

fn kernels() -> Vec<Kernel> {
    let mut kernels = vec![];
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
    let all = n.x.iter().chain(&n.y).chain(&n.vx).chain(&n.vy);
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
    for terrain in [
        Terrain::Flat,
        Terrain::Tunnel,
        Terrain::Bumpy,
        Terrain::LeftWall,
    ] {
        assert_kernels_match_reference_on(walker, params, velocity, steps, terrain);
    }
}

fn assert_kernels_match_reference_on(
    walker: &Walker,
    params: PhysicsParams,
    velocity: [f64; 2],
    steps: usize,
    terrain: Terrain,
) {
    for kernel in kernels() {
        let mut reference = World::on(walker, params, 0.01, terrain);
        reference.kernel = Kernel::Portable;
        let mut world = World::on(walker, params, 0.01, terrain);
        world.kernel = kernel;
        for w in [&mut reference, &mut world] {
            w.nodes.vx.fill(velocity[0]);
            w.nodes.vy.fill(velocity[1]);
        }
        for step in 0..steps {
            let expected = reference.step();
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
                    let phase = (k as f64 * 0.37) % 1.0;
                    connections.push(Connection::new(a, b, amplitude, phase));
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
            Connection::new(a, b, amplitude, rng.next())
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
    // Node and link counts around the vector widths, so every remainder of
    // the vectorised node loops is covered.
    for links in [1, 3, 5, 9, 17, 50, 200] {
        assert_kernels_match_reference(&lattice(12, 8, links), params, [0.0, 0.0], 120);
    }
    let mut rng = Lcg(7);
    for k in 0..12 {
        let walker = random_walker(&mut rng, 2 + k, 1 + 3 * k);
        let velocity = [4.0 * rng.next() - 2.0, 4.0 * rng.next() - 2.0];
        let params = PhysicsParams {
            friction: rng.next(),
            gravity: 25.0 * rng.next(),
            ..params
        };
        assert_kernels_match_reference(&walker, params, velocity, 100);
    }
    // Tolerance 0 refines every step to the last level, so each kernel's
    // finer substeps and the restarts from the step's start are compared too.
    let always_refine = PhysicsParams {
        stray_tolerance: 0.0,
        ..params
    };
    for walker in [lattice(12, 8, 50), random_walker(&mut Lcg(3), 9, 20)] {
        assert_kernels_match_reference(&walker, always_refine, [1.0, -2.0], 30);
    }
}

#[test]
fn kernels_agree_on_degenerate_bodies() {
    let params = PhysicsParams::default();
    // Coincident joints (a spring with no direction) and a hub of degree 12,
    // above the validated maximum of 10.
    let mut joints = vec![[0.0, 0.0], [0.0, 0.0], [3.0, 1.0]];
    let mut connections = vec![
        Connection::new(0, 1, 0.0, 0.0),
        Connection::new(1, 2, 5.0, 0.3),
    ];
    for k in 0..12 {
        joints.push([5.0 + k as f64, 4.0 + (k % 3) as f64]);
        connections.push(Connection::new(2, 3 + k, (k % 4) as f64, 0.1 * k as f64));
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
        muscle_hz: 400.0,
        gravity: 1e7,
        ..params
    };
    assert_kernels_match_reference(&walker, wild, [50.0, -80.0], 200);
}
