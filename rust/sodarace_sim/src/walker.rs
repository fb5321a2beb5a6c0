//! The walker model shared by Python and Rust: joints, connections, limits
//! and validation.
//!
//! Coordinates are genome units (see `docs/physics.md` for the mapping to
//! world metres). A connection with amplitude 0 is a passive spring; any other
//! amplitude makes it an oscillating muscle.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A connection between two joints. `phase` is measured in cycles.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    pub a: u32,
    pub b: u32,
    pub amplitude: f64,
    pub phase: f64,
}

impl Connection {
    /// The connection `a`–`b`, in the order the genome and Python's
    /// `(i, j, amplitude, phase)` tuples give its fields.
    pub const fn new(a: u32, b: u32, amplitude: f64, phase: f64) -> Connection {
        Connection {
            a,
            b,
            amplitude,
            phase,
        }
    }

    pub fn is_muscle(&self) -> bool {
        self.amplitude != 0.0
    }
}

/// A Sodarace body: point masses (joints) joined by springs and muscles.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Walker {
    pub joints: Vec<[f64; 2]>,
    pub connections: Vec<Connection>,
}

/// Bounds every walker must respect. The caps are configurable because large
/// CPPN bodies are legitimate research subjects; the physical bounds are not.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WalkerLimits {
    pub max_joints: usize,
    pub max_connections: usize,
}

impl Default for WalkerLimits {
    fn default() -> Self {
        WalkerLimits {
            max_joints: DEFAULT_MAX_JOINTS,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

pub const DEFAULT_MAX_JOINTS: usize = 256;
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Largest |coordinate| in genome units; far beyond any sensible body, small
/// enough that lengths and their squares stay exact in f64.
pub const MAX_COORDINATE: f64 = 1000.0;
pub const MAX_AMPLITUDE: f64 = 10.0;
/// A joint may take part in at most this many connections (paper's rule).
pub const MAX_DEGREE: usize = 10;
/// Joints closer than this (genome units) are rejected. It is OpenELM's own
/// tolerance: 0.003 in its scaled units, which are genome units × 0.22, so
/// about 0.0136 genome units (1.4 mm in the world). Bodies OpenELM accepts,
/// such as its radial seed (two joints 0.0159 apart), are accepted here too.
/// The physics needs no larger margin: two nearly coincident joints are
/// either held by a rigid bone (solved as a position constraint, which does
/// not stiffen as the bone shortens) or by a mass-normalised muscle whose
/// stiffness does not depend on its length, and unconnected joints never
/// collide with each other.
pub const MIN_JOINT_DISTANCE: f64 = 0.003 / 0.22;
/// At most this many warnings are listed one by one; the rest are counted.
pub const MAX_LISTED_WARNINGS: usize = 10;

/// Why a walker was rejected. Each variant renders a one-line reason.
#[derive(Clone, Debug, PartialEq)]
pub enum WalkerError {
    TooManyJoints {
        count: usize,
        max: usize,
    },
    TooManyConnections {
        count: usize,
        max: usize,
    },
    NoJoints,
    NoConnections,
    NonFiniteJoint {
        joint: usize,
    },
    CoordinateOutOfBounds {
        joint: usize,
        value: f64,
    },
    DanglingIndex {
        connection: usize,
        index: u32,
        joints: usize,
    },
    SelfConnection {
        connection: usize,
        joint: u32,
    },
    NonFiniteConnection {
        connection: usize,
    },
    AmplitudeOutOfRange {
        connection: usize,
        amplitude: f64,
    },
    TooManyConnectionsOnJoint {
        joint: usize,
        count: usize,
    },
    JointsTooClose {
        a: usize,
        b: usize,
        distance: f64,
    },
}

impl fmt::Display for WalkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use WalkerError::*;
        match self {
            TooManyJoints { count, max } => write!(f, "too many joints: {count} (max {max})"),
            TooManyConnections { count, max } => {
                write!(f, "too many connections: {count} (max {max})")
            }
            NoJoints => write!(f, "empty walker: no joints"),
            NoConnections => write!(f, "walker has no connections"),
            NonFiniteJoint { joint } => write!(f, "joint {joint} has a NaN or infinite coordinate"),
            CoordinateOutOfBounds { joint, value } => write!(
                f,
                "joint {joint} coordinate {value} is outside [-{MAX_COORDINATE}, {MAX_COORDINATE}]"
            ),
            DanglingIndex { connection, index, joints } => write!(
                f,
                "connection {connection} refers to joint {index}, but there are only {joints} joints"
            ),
            SelfConnection { connection, joint } => {
                write!(f, "connection {connection} connects joint {joint} to itself")
            }
            NonFiniteConnection { connection } => {
                write!(f, "connection {connection} has a NaN or infinite amplitude or phase")
            }
            AmplitudeOutOfRange { connection, amplitude } => write!(
                f,
                "connection {connection} amplitude {amplitude} is outside [0, {MAX_AMPLITUDE}]"
            ),
            TooManyConnectionsOnJoint { joint, count } => write!(
                f,
                "joint {joint} is in {count} connections (max {MAX_DEGREE})"
            ),
            JointsTooClose { a, b, distance } => write!(
                f,
                "joints {a} and {b} are {distance:.4} apart (min {MIN_JOINT_DISTANCE:.4})"
            ),
        }
    }
}

impl std::error::Error for WalkerError {}

impl WalkerError {
    /// The same error with its connection index mapped through `original`
    /// (index in this walker -> index the genome added it at).
    fn renumbered(self, original: &[usize]) -> WalkerError {
        use WalkerError::*;
        let map = |c: usize| original.get(c).copied().unwrap_or(c);
        match self {
            DanglingIndex {
                connection,
                index,
                joints,
            } => DanglingIndex {
                connection: map(connection),
                index,
                joints,
            },
            NonFiniteConnection { connection } => NonFiniteConnection {
                connection: map(connection),
            },
            AmplitudeOutOfRange {
                connection,
                amplitude,
            } => AmplitudeOutOfRange {
                connection: map(connection),
                amplitude,
            },
            other => other,
        }
    }
}

/// Something validation repaired instead of rejecting. Connection indices
/// count connections in the order the genome added them.
#[derive(Clone, Debug, PartialEq)]
pub enum WalkerWarning {
    /// A connection from a joint to itself has no length and exerts no
    /// force; OpenELM keeps such connections (its `query_cppn` makes them by
    /// construction), so they are dropped rather than fatal.
    SelfConnectionDropped { connection: usize, joint: u32 },
}

impl fmt::Display for WalkerWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WalkerWarning::SelfConnectionDropped { connection, joint } => write!(
                f,
                "connection {connection} connects joint {joint} to itself: dropped"
            ),
        }
    }
}

/// Renders warnings one per line, listing at most `MAX_LISTED_WARNINGS`
/// and summarising the rest, so a hostile genome cannot flood a report.
pub fn warning_lines(warnings: &[WalkerWarning]) -> Vec<String> {
    let mut lines: Vec<String> = warnings
        .iter()
        .take(MAX_LISTED_WARNINGS)
        .map(|w| w.to_string())
        .collect();
    if warnings.len() > MAX_LISTED_WARNINGS {
        let more = warnings.len() - MAX_LISTED_WARNINGS;
        lines.push(format!("... and {more} more connections dropped"));
    }
    lines
}

impl Walker {
    pub fn muscle_count(&self) -> usize {
        self.connections.iter().filter(|c| c.is_muscle()).count()
    }

    /// Checks every rule, cheapest first. The caps come before anything that
    /// scales with the body so that a hostile 100k-joint walker costs O(1).
    pub fn validate(&self, limits: &WalkerLimits) -> Result<(), WalkerError> {
        let n = self.joints.len();
        if n > limits.max_joints {
            return Err(WalkerError::TooManyJoints {
                count: n,
                max: limits.max_joints,
            });
        }
        if self.connections.len() > limits.max_connections {
            return Err(WalkerError::TooManyConnections {
                count: self.connections.len(),
                max: limits.max_connections,
            });
        }
        if n == 0 {
            return Err(WalkerError::NoJoints);
        }
        if self.connections.is_empty() {
            return Err(WalkerError::NoConnections);
        }
        for (i, &[x, y]) in self.joints.iter().enumerate() {
            if !x.is_finite() || !y.is_finite() {
                return Err(WalkerError::NonFiniteJoint { joint: i });
            }
            for v in [x, y] {
                if v.abs() > MAX_COORDINATE {
                    return Err(WalkerError::CoordinateOutOfBounds { joint: i, value: v });
                }
            }
        }
        let mut degree = vec![0usize; n];
        for (ci, c) in self.connections.iter().enumerate() {
            for index in [c.a, c.b] {
                if index as usize >= n {
                    return Err(WalkerError::DanglingIndex {
                        connection: ci,
                        index,
                        joints: n,
                    });
                }
            }
            if c.a == c.b {
                return Err(WalkerError::SelfConnection {
                    connection: ci,
                    joint: c.a,
                });
            }
            if !c.amplitude.is_finite() || !c.phase.is_finite() {
                return Err(WalkerError::NonFiniteConnection { connection: ci });
            }
            if !(0.0..=MAX_AMPLITUDE).contains(&c.amplitude) {
                return Err(WalkerError::AmplitudeOutOfRange {
                    connection: ci,
                    amplitude: c.amplitude,
                });
            }
            degree[c.a as usize] += 1;
            degree[c.b as usize] += 1;
        }
        if let Some((joint, &count)) = degree.iter().enumerate().find(|(_, &d)| d > MAX_DEGREE) {
            return Err(WalkerError::TooManyConnectionsOnJoint { joint, count });
        }
        self.check_min_distance()
    }

    /// Drops self-connections (with a warning each), then validates what is
    /// left. Errors name connections by the index the genome added them at.
    pub fn validate_repairing(
        mut self,
        limits: &WalkerLimits,
    ) -> Result<(Walker, Vec<WalkerWarning>), WalkerError> {
        let over_cap = self.joints.len() > limits.max_joints
            || self.connections.len() > limits.max_connections;
        if over_cap {
            self.validate(limits)?;
        }
        let mut warnings = Vec::new();
        let mut original = Vec::with_capacity(self.connections.len());
        let mut kept = Vec::with_capacity(self.connections.len());
        for (index, c) in self.connections.iter().enumerate() {
            if c.a == c.b {
                warnings.push(WalkerWarning::SelfConnectionDropped {
                    connection: index,
                    joint: c.a,
                });
            } else {
                original.push(index);
                kept.push(*c);
            }
        }
        self.connections = kept;
        match self.validate(limits) {
            Ok(()) => Ok((self, warnings)),
            Err(e) => Err(e.renumbered(&original)),
        }
    }

    /// Sweep over joints sorted by x: only pairs within MIN_JOINT_DISTANCE in
    /// x are compared, so typical bodies cost O(n log n) rather than O(n²).
    fn check_min_distance(&self) -> Result<(), WalkerError> {
        let mut order: Vec<usize> = (0..self.joints.len()).collect();
        order.sort_by(|&i, &j| {
            self.joints[i][0]
                .total_cmp(&self.joints[j][0])
                .then(i.cmp(&j))
        });
        for (k, &i) in order.iter().enumerate() {
            let [xi, yi] = self.joints[i];
            for &j in &order[k + 1..] {
                let [xj, yj] = self.joints[j];
                if xj - xi >= MIN_JOINT_DISTANCE {
                    break;
                }
                let distance = ((xj - xi).powi(2) + (yj - yi).powi(2)).sqrt();
                if distance < MIN_JOINT_DISTANCE {
                    let (a, b) = (i.min(j), i.max(j));
                    return Err(WalkerError::JointsTooClose { a, b, distance });
                }
            }
        }
        Ok(())
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("walker serialisation cannot fail")
    }

    /// Parses the JSON form `{"joints": [[x, y], ...], "connections":
    /// [{"a":0,"b":1,"amplitude":0.0,"phase":0.0}, ...]}`. Shape errors are
    /// reported here; physical rules are left to `validate`.
    pub fn from_json(text: &str) -> Result<Walker, String> {
        serde_json::from_str(text).map_err(|e| format!("malformed walker JSON: {e}"))
    }
}

/// Descriptors of the initial morphology, in genome units (all 0 for a
/// walker with no joints).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Descriptors {
    pub height: f64,
    pub width: f64,
    /// Joints + ½ × the sum of connection lengths (the paper's definition).
    pub mass: f64,
}

pub fn descriptors(walker: &Walker) -> Descriptors {
    let (mut min_x, mut max_x) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut min_y, mut max_y) = (f64::INFINITY, f64::NEG_INFINITY);
    for &[x, y] in &walker.joints {
        min_x = min_x.min(x);
        max_x = max_x.max(x);
        min_y = min_y.min(y);
        max_y = max_y.max(y);
    }
    let total_length: f64 = walker
        .connections
        .iter()
        .map(|c| {
            let [ax, ay] = walker.joints[c.a as usize];
            let [bx, by] = walker.joints[c.b as usize];
            ((bx - ax).powi(2) + (by - ay).powi(2)).sqrt()
        })
        .sum();
    if walker.joints.is_empty() {
        return Descriptors::default();
    }
    Descriptors {
        height: max_y - min_y,
        width: max_x - min_x,
        mass: walker.joints.len() as f64 + 0.5 * total_length,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn triangle() -> Walker {
        Walker {
            joints: vec![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]],
            connections: vec![
                Connection::new(0, 1, 0.0, 0.0),
                Connection::new(1, 2, 2.0, 0.25),
                Connection::new(2, 0, 0.0, 0.0),
            ],
        }
    }

    #[test]
    fn valid_triangle_passes_and_counts_muscles() {
        let w = triangle();
        assert_eq!(w.validate(&WalkerLimits::default()), Ok(()));
        assert_eq!(w.muscle_count(), 1);
    }

    #[test]
    fn caps_are_checked_before_anything_else() {
        let mut w = triangle();
        w.joints.push([f64::NAN, 0.0]);
        let limits = WalkerLimits {
            max_joints: 3,
            max_connections: 10,
        };
        assert!(matches!(
            w.validate(&limits),
            Err(WalkerError::TooManyJoints { count: 4, max: 3 })
        ));
    }

    #[test]
    fn close_joints_are_found_by_the_sweep() {
        let mut w = triangle();
        w.joints[2] = [1.01, 0.0];
        assert!(matches!(
            w.validate(&WalkerLimits::default()),
            Err(WalkerError::JointsTooClose { a: 1, b: 2, .. })
        ));
    }

    #[test]
    fn openelm_tolerance_accepts_its_radial_seed_gap() {
        let mut w = triangle();
        w.joints[2] = [1.0159, 0.0];
        assert_eq!(w.validate(&WalkerLimits::default()), Ok(()));
        w.joints[2] = [1.013, 0.0];
        let e = w.validate(&WalkerLimits::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "joints 1 and 2 are 0.0130 apart (min 0.0136)"
        );
    }

    #[test]
    fn self_connections_are_dropped_with_a_warning() {
        let mut w = triangle();
        w.connections.insert(1, Connection::new(1, 1, 3.0, 0.5));
        assert!(w.validate(&WalkerLimits::default()).is_err());
        let (repaired, warnings) = w.validate_repairing(&WalkerLimits::default()).unwrap();
        assert_eq!(repaired, triangle());
        assert_eq!(
            warnings,
            vec![WalkerWarning::SelfConnectionDropped {
                connection: 1,
                joint: 1
            }]
        );
        assert_eq!(
            warning_lines(&warnings),
            vec!["connection 1 connects joint 1 to itself: dropped".to_string()]
        );
    }

    #[test]
    fn errors_after_repair_name_the_genome_index() {
        let mut w = triangle();
        w.connections.insert(0, Connection::new(0, 0, 0.0, 0.0));
        w.connections[2].amplitude = 30.0;
        let e = w.validate_repairing(&WalkerLimits::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "connection 2 amplitude 30 is outside [0, 10]"
        );
    }

    #[test]
    fn only_self_connections_leave_no_connections() {
        let mut w = triangle();
        w.connections = vec![Connection::new(0, 0, 0.0, 0.0)];
        assert_eq!(
            w.validate_repairing(&WalkerLimits::default()).unwrap_err(),
            WalkerError::NoConnections
        );
    }

    #[test]
    fn warnings_beyond_the_list_are_counted() {
        let warnings: Vec<WalkerWarning> = (0..13)
            .map(|connection| WalkerWarning::SelfConnectionDropped {
                connection,
                joint: 0,
            })
            .collect();
        let lines = warning_lines(&warnings);
        assert_eq!(lines.len(), MAX_LISTED_WARNINGS + 1);
        assert_eq!(lines.last().unwrap(), "... and 3 more connections dropped");
    }

    #[test]
    fn json_round_trip_is_lossless() {
        let mut w = triangle();
        w.joints[1] = [0.1 + 0.2, 1e-300];
        w.connections[1].phase = std::f64::consts::PI;
        let back = Walker::from_json(&w.to_json()).unwrap();
        assert_eq!(back, w);
    }

    #[test]
    fn descriptors_follow_the_paper() {
        let d = descriptors(&triangle());
        assert_eq!(d.height, 1.0);
        assert_eq!(d.width, 1.0);
        let expected = 3.0 + 0.5 * (1.0 + 2f64.sqrt() + 1.0);
        assert!((d.mass - expected).abs() < 1e-12);
    }
}
