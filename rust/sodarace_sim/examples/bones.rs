//! Prints each built-in seed's fitness, its passive copy's fitness and its
//! worst bone stray, then the same for dense 256-joint grids at amplitude
//! 10, and the speed of each in M spring-steps/s. A development probe for
//! choosing the solver's substeps and sweeps (`SUBSTEPS=n`, `ITERATIONS=n`,
//! `TERRAIN=name`); bench/sim.py measures.

use sodarace_sim::evaluate::{simulate, SimConfig};
use sodarace_sim::interp::{interpret, InterpConfig};
use sodarace_sim::walker::{Connection, Walker};
use std::time::Instant;

fn grid(spacing: f64, muscle_every: usize, amplitude: f64) -> Walker {
    let side = 16u32;
    let joints = (0..side * side)
        .map(|k| [spacing * (k % side) as f64, spacing * (k / side) as f64])
        .collect();
    let mut links = Vec::new();
    let id = |c: u32, r: u32| r * side + c;
    for (dc, dr) in [(1i32, 0i32), (0, 1), (1, 1), (-1, 1)] {
        for r in 0..side as i32 {
            for c in 0..side as i32 {
                let (c2, r2) = (c + dc, r + dr);
                if (0..side as i32).contains(&c2) && (0..side as i32).contains(&r2) {
                    links.push((id(c as u32, r as u32), id(c2 as u32, r2 as u32)));
                }
            }
        }
    }
    'outer: for r in 0..side {
        for c in 0..side - 2 {
            if links.len() == 1024 {
                break 'outer;
            }
            links.push((id(c, r), id(c + 2, r)));
        }
    }
    let connections = links
        .iter()
        .enumerate()
        .map(|(k, &(a, b))| Connection {
            a,
            b,
            amplitude: if muscle_every > 0 && k % muscle_every == 0 {
                amplitude
            } else {
                0.0
            },
            phase: (k as f64 * 0.37) % 1.0,
        })
        .collect();
    Walker {
        joints,
        connections,
    }
}

fn report(name: &str, walker: &Walker, config: &SimConfig) {
    let start = Instant::now();
    let result = simulate(walker, config);
    let seconds = start.elapsed().as_secs_f64();
    let passive = Walker {
        joints: walker.joints.clone(),
        connections: walker
            .connections
            .iter()
            .map(|c| Connection {
                amplitude: 0.0,
                ..*c
            })
            .collect(),
    };
    let still = simulate(&passive, config);
    let rate = walker.connections.len() as f64 * result.steps as f64 / seconds / 1e6;
    println!(
        "{name:>22} valid={} fitness={:8.3} passive={:7.4} stray={:6.3}% still_stray={:6.3}% {rate:6.1} M/s {}",
        result.valid,
        result.fitness,
        still.fitness,
        100.0 * result.bone_stray,
        100.0 * still.bone_stray,
        result.error.unwrap_or_default()
    );
}

fn main() {
    if std::env::var("TRACE").is_ok() {
        trace();
        return;
    }
    let mut config = SimConfig::default();
    if let Ok(s) = std::env::var("SUBSTEPS") {
        config.physics.substeps = s.parse().unwrap();
    }
    if let Ok(s) = std::env::var("ITERATIONS") {
        config.physics.iterations = s.parse().unwrap();
    }
    if let Ok(name) = std::env::var("TERRAIN") {
        config.terrain = name.parse().unwrap();
    }
    let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/../../python/openelm/seeds");
    let mut names: Vec<_> = std::fs::read_dir(seeds)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "py") && !p.ends_with("__init__.py"))
        .collect();
    names.sort();
    for path in names {
        let source = std::fs::read(&path).unwrap();
        let genome = interpret(&source, &InterpConfig::default()).expect("seed interprets");
        report(
            path.file_stem().unwrap().to_str().unwrap(),
            &genome.walker,
            &config,
        );
    }
    for spacing in [1.0, 0.5, 0.2] {
        for every in [3, 2] {
            report(
                &format!("grid sp{spacing} 1/{every}"),
                &grid(spacing, every, 10.0),
                &config,
            );
        }
    }
    report("grid all muscles", &grid(0.5, 1, 10.0), &config);
}

#[allow(dead_code)]
pub fn trace() {
    use sodarace_sim::physics::{PhysicsParams, World};
    let mut params = PhysicsParams::default();
    if let Ok(s) = std::env::var("SUBSTEPS") {
        params.substeps = s.parse().unwrap();
    }
    let drop: f64 = std::env::var("DROP")
        .map(|s| s.parse().unwrap())
        .unwrap_or(0.01);
    for (spacing, every) in [(0.5, 0), (0.5, 3), (0.2, 3), (1.0, 3)] {
        let walker = grid(spacing, every, 10.0);
        let mut world = World::new(&walker, params, drop);
        let mut worst = [0.0f64; 4];
        for step in 0..960 {
            world.step();
            let w = match step {
                0..=9 => 0,
                10..=59 => 1,
                60..=299 => 2,
                _ => 3,
            };
            worst[w] = worst[w].max(world.worst_bone_stray());
        }
        println!(
            "grid {spacing} 1/{every}: landing {:.3}% settle {:.3}% 1-5s {:.3}% 5-16s {:.3}%",
            100.0 * worst[0],
            100.0 * worst[1],
            100.0 * worst[2],
            100.0 * worst[3]
        );
    }
}
