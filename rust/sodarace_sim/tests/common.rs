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
