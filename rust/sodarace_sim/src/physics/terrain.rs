//! Terrains: the static geometry joints collide with (ELM §7, App. I).
//!
//! A terrain is a ground heightfield (piecewise linear; flat is one level at
//! y = 0) plus solid axis-aligned blocks (walls, a tunnel's roof). Walls and
//! the tunnel are placed relative to the dropped body's extent, so every
//! walker meets the same situation; the bumpy ground is fixed in the world
//! and drawn from a fixed seed. Every constant is explained in
//! `docs/physics.md`.

use std::fmt;
use std::str::FromStr;

/// The terrains a walker can be scored on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Terrain {
    /// Level ground at y = 0 (the default).
    #[default]
    Flat,
    /// A wall just behind the body's left side: it must walk right.
    LeftWall,
    /// A wall just behind the body's right side: it must walk left.
    RightWall,
    /// A low roof starting just right of the body: only short bodies get in.
    Tunnel,
    /// Uneven ground from a fixed seed.
    Bumpy,
}

/// Every terrain with its name, in the order the CLI lists them.
pub const TERRAINS: [(Terrain, &str); 5] = [
    (Terrain::Flat, "flat"),
    (Terrain::LeftWall, "left-wall"),
    (Terrain::RightWall, "right-wall"),
    (Terrain::Tunnel, "tunnel"),
    (Terrain::Bumpy, "bumpy"),
];

/// Gap between the body's extreme joint and a wall's face, m (half a genome
/// unit: the wall is "just behind" the body without touching it).
pub const WALL_GAP: f64 = 0.05;
/// Height of the tunnel's roof above the ground, m: 4 genome units, under
/// the 10-unit seeds (square, radial, CPPN grids), above short crawlers.
pub const TUNNEL_HEIGHT: f64 = 0.4;
/// Gap between the body's right-most joint and the tunnel's mouth, m.
pub const TUNNEL_GAP: f64 = 0.1;
/// Horizontal spacing of the bumpy ground's vertices, m (2 genome units:
/// bumps about a foot's spacing in a 10-unit body).
pub const BUMP_SPACING: f64 = 0.2;
/// Largest bump height, m: a tenth of a typical 1 m body.
pub const BUMP_HEIGHT: f64 = 0.1;
/// Extent of the bumpy ground on each side of x = 0, m; it is level beyond.
pub const BUMP_EXTENT: f64 = 50.0;
/// Seed of the bumpy ground's heights (fixed: every run sees the same ground).
pub const BUMP_SEED: u64 = 2206_08896;

impl Terrain {
    pub fn name(self) -> &'static str {
        TERRAINS
            .iter()
            .find(|(t, _)| *t == self)
            .map_or("flat", |(_, name)| name)
    }

    /// Fitness from the centre of mass's x displacement: the distance
    /// travelled in the direction this terrain allows.
    pub fn fitness(self, dx: f64) -> f64 {
        match self {
            Terrain::Flat | Terrain::Bumpy => dx.abs(),
            Terrain::LeftWall | Terrain::Tunnel => dx.max(0.0),
            Terrain::RightWall => (-dx).max(0.0),
        }
    }

    /// This terrain's geometry around a body whose joints span
    /// `[x_min, x_max]` metres once dropped.
    pub fn geometry(self, x_min: f64, x_max: f64) -> Geometry {
        let open = f64::INFINITY;
        let mut geometry = Geometry {
            ground: Ground::flat(),
            blocks: Vec::new(),
        };
        match self {
            Terrain::Flat => {}
            Terrain::LeftWall => geometry.blocks.push(Block {
                x: [-open, x_min - WALL_GAP],
                y: [-open, open],
            }),
            Terrain::RightWall => geometry.blocks.push(Block {
                x: [x_max + WALL_GAP, open],
                y: [-open, open],
            }),
            Terrain::Tunnel => geometry.blocks.push(Block {
                x: [x_max + TUNNEL_GAP, open],
                y: [TUNNEL_HEIGHT, open],
            }),
            Terrain::Bumpy => geometry.ground = Ground::bumpy(),
        }
        geometry
    }
}

impl fmt::Display for Terrain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Terrain {
    type Err = String;

    fn from_str(name: &str) -> Result<Terrain, String> {
        TERRAINS
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(t, _)| *t)
            .ok_or_else(|| {
                let names: Vec<&str> = TERRAINS.iter().map(|(_, n)| *n).collect();
                format!("unknown terrain {name:?} (valid: {})", names.join(", "))
            })
    }
}

/// A half-plane `normal · p >= offset` (the solid side is where it is less).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plane {
    pub normal: [f64; 2],
    pub offset: f64,
}

/// The ground: vertices at `x0 + k·spacing` with the given heights, joined
/// by straight segments and level beyond the first and last vertex. The
/// plane of each segment is precomputed; `planes[0]` and the last are the
/// level stretches beyond the ends.
#[derive(Clone, Debug, PartialEq)]
pub struct Ground {
    pub x0: f64,
    pub spacing: f64,
    pub heights: Vec<f64>,
    planes: Vec<Plane>,
}

impl Ground {
    fn new(x0: f64, spacing: f64, heights: Vec<f64>) -> Ground {
        let level = |h: f64| Plane {
            normal: [0.0, 1.0],
            offset: h,
        };
        let mut planes = vec![level(heights[0])];
        for pair in heights.windows(2) {
            let (dx, dy) = (spacing, pair[1] - pair[0]);
            let length = (dx * dx + dy * dy).sqrt();
            let normal = [-dy / length, dx / length];
            // Through the vertex (x0 + k·spacing, h_k); offset = n · vertex.
            let k = planes.len() - 1;
            let vertex = [x0 + k as f64 * spacing, pair[0]];
            planes.push(Plane {
                normal,
                offset: normal[0] * vertex[0] + normal[1] * vertex[1],
            });
        }
        planes.push(level(heights[heights.len() - 1]));
        Ground {
            x0,
            spacing,
            heights,
            planes,
        }
    }

    fn flat() -> Ground {
        Ground::new(0.0, 1.0, vec![0.0])
    }

    fn bumpy() -> Ground {
        let count = (2.0 * BUMP_EXTENT / BUMP_SPACING).round() as usize + 1;
        let mut state = BUMP_SEED;
        let heights = (0..count)
            .map(|_| {
                // 64-bit LCG (Knuth's MMIX constants), top 53 bits in [0, 1).
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                BUMP_HEIGHT * ((state >> 11) as f64 / (1u64 << 53) as f64)
            })
            .collect();
        Ground::new(-BUMP_EXTENT, BUMP_SPACING, heights)
    }

    /// Ground height at `x`, m.
    pub fn height_at(&self, x: f64) -> f64 {
        let plane = self.plane_under(x);
        // normal · (x, h) = offset, and the normal's y part is never 0.
        (plane.offset - plane.normal[0] * x) / plane.normal[1]
    }

    /// The plane of the stretch of ground under `x`. A NaN x takes the
    /// left level stretch (the blow-up guard ends such a run anyway).
    #[inline(always)]
    pub fn plane_under(&self, x: f64) -> Plane {
        let segments = self.planes.len() - 2;
        // `as` saturates and maps NaN to 0; -1 and below mean left of x0.
        let k = ((x - self.x0) / self.spacing).floor();
        let index = if k < 0.0 {
            0
        } else {
            (k as usize).min(segments) + 1
        };
        self.planes[index.min(self.planes.len() - 1)]
    }
}

/// A solid axis-aligned box `[x0, x1] × [y0, y1]` (either side may be
/// infinite). A joint inside is pushed out through the nearest face.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Block {
    pub x: [f64; 2],
    pub y: [f64; 2],
}

impl Block {
    /// The face to push a joint at `p` out through, as a plane, and how
    /// deep the joint is (> 0 only when inside).
    #[inline(always)]
    pub fn nearest_face(&self, p: [f64; 2]) -> (Plane, f64) {
        let faces = [
            (p[0] - self.x[0], [-1.0, 0.0], -self.x[0]),
            (self.x[1] - p[0], [1.0, 0.0], self.x[1]),
            (p[1] - self.y[0], [0.0, -1.0], -self.y[0]),
            (self.y[1] - p[1], [0.0, 1.0], self.y[1]),
        ];
        let mut best = faces[0];
        for face in &faces[1..] {
            if face.0 < best.0 {
                best = *face;
            }
        }
        let depth = faces.iter().map(|f| f.0).fold(f64::INFINITY, f64::min);
        (
            Plane {
                normal: best.1,
                offset: best.2,
            },
            depth,
        )
    }
}

/// A terrain's geometry around one body.
#[derive(Clone, Debug, PartialEq)]
pub struct Geometry {
    pub ground: Ground,
    pub blocks: Vec<Block>,
}

impl Geometry {
    /// Straight segments `(x0, y0, x1, y1)` in metres that draw this
    /// geometry within `[x_from, x_to]` (infinite edges are cut there and at
    /// `y_top`), for renderers.
    pub fn outline(&self, x_from: f64, x_to: f64, y_top: f64) -> Vec<[f64; 4]> {
        let g = &self.ground;
        let mut points = vec![[x_from, g.height_at(x_from)]];
        for (k, &h) in g.heights.iter().enumerate() {
            let x = g.x0 + k as f64 * g.spacing;
            if x > x_from && x < x_to {
                points.push([x, h]);
            }
        }
        points.push([x_to, g.height_at(x_to)]);
        let mut lines: Vec<[f64; 4]> = points
            .windows(2)
            .map(|w| [w[0][0], w[0][1], w[1][0], w[1][1]])
            .collect();
        for block in &self.blocks {
            let clamp_x = |v: f64| v.clamp(x_from, x_to);
            let clamp_y = |v: f64| v.clamp(-1.0, y_top);
            let (x0, x1) = (clamp_x(block.x[0]), clamp_x(block.x[1]));
            let (y0, y1) = (clamp_y(block.y[0]), clamp_y(block.y[1]));
            lines.extend([
                [x0, y0, x1, y0],
                [x1, y0, x1, y1],
                [x1, y1, x0, y1],
                [x0, y1, x0, y0],
            ]);
        }
        lines
    }
}
