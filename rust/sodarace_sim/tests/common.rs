//! Walkers shared by the physics tests.
#![allow(dead_code)]

use sodarace_sim::walker::{Connection, Walker};

pub fn spring(a: u32, b: u32) -> Connection {
    Connection {
        a,
        b,
        amplitude: 0.0,
        phase: 0.0,
    }
}

pub fn muscle(a: u32, b: u32, amplitude: f64, phase: f64) -> Connection {
    Connection {
        a,
        b,
        amplitude,
        phase,
    }
}

/// A 10×10 square with a centre joint: outline springs plus four spokes.
/// `spokes` gives (amplitude, phase) for the spokes to corners 0..4.
pub fn square(spokes: [(f64, f64); 4]) -> Walker {
    let joints = vec![
        [0.0, 0.0],
        [10.0, 0.0],
        [10.0, 10.0],
        [0.0, 10.0],
        [5.0, 5.0],
    ];
    let mut connections = vec![spring(0, 1), spring(1, 2), spring(2, 3), spring(3, 0)];
    for (corner, (amplitude, phase)) in spokes.iter().enumerate() {
        connections.push(muscle(4, corner as u32, *amplitude, *phase));
    }
    Walker {
        joints,
        connections,
    }
}

pub fn passive_square() -> Walker {
    square([(0.0, 0.0); 4])
}

/// Left-right symmetric body whose muscles all beat in phase: any forward
/// push is mirrored by an equal backward one.
pub fn symmetric_in_phase() -> Walker {
    square([(4.0, 0.0), (4.0, 0.0), (4.0, 0.0), (4.0, 0.0)])
}

/// Full-swing spokes with the two feet (corners 0 and 1) a quarter cycle
/// apart, so the body rocks from one foot to the other and drifts sideways.
/// (Found by a grid search over quarter-cycle phases; it travels ~2 m.)
pub fn asymmetric_walker() -> Walker {
    square([(10.0, 0.0), (10.0, 0.25), (10.0, 0.25), (10.0, 0.75)])
}

/// A 16×16 grid of joints `spacing` genome units apart joined to their
/// right, upper and both diagonal neighbours, then to the joint two to the
/// right until there are 1,024 connections (the caps: 256 joints, 1,024
/// connections, degree at most 10). Every `muscle_every`-th connection is a
/// muscle at amplitude 10.
pub fn dense_grid(spacing: f64, muscle_every: usize) -> Walker {
    let side = 16i32;
    let joints = (0..side * side)
        .map(|k| [spacing * (k % side) as f64, spacing * (k / side) as f64])
        .collect();
    let id = |c: i32, r: i32| (r * side + c) as u32;
    let inside = |c: i32, r: i32| (0..side).contains(&c) && (0..side).contains(&r);
    let mut links = Vec::new();
    for (dc, dr) in [(1, 0), (0, 1), (1, 1), (-1, 1)] {
        for r in 0..side {
            for c in 0..side {
                if inside(c + dc, r + dr) {
                    links.push((id(c, r), id(c + dc, r + dr)));
                }
            }
        }
    }
    let skips = (0..side).flat_map(|r| (0..side - 2).map(move |c| (c, r)));
    for (c, r) in skips.take(1024 - links.len()) {
        links.push((id(c, r), id(c + 2, r)));
    }
    let connections = links
        .iter()
        .enumerate()
        .map(|(k, &(a, b))| {
            let amplitude = if k % muscle_every == 0 { 10.0 } else { 0.0 };
            muscle(a, b, amplitude, (k as f64 * 0.37) % 1.0)
        })
        .collect();
    Walker {
        joints,
        connections,
    }
}
