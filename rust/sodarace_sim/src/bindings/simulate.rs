//! `simulate` / `simulate_many` and their `SimResult`.

use super::walker::{limits, PyWalker};
use crate::evaluate::{self, SimConfig};
use crate::physics::PhysicsParams;
use numpy::{PyArray1, PyArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

#[pyclass(name = "SimResult", module = "openelm._sodarace", frozen, get_all)]
pub struct PySimResult {
    valid: bool,
    fitness: f64,
    height: f64,
    width: f64,
    mass: f64,
    joints: usize,
    muscles: usize,
    steps: u64,
    settle_steps: u64,
    record_every: u32,
    error: Option<String>,
    /// float32 array (frames, joints, 2) in metres, or None.
    trajectory: Option<Py<PyAny>>,
}

#[pymethods]
impl PySimResult {
    fn __repr__(&self) -> String {
        match &self.error {
            None => format!(
                "SimResult(fitness={:.6}, steps={})",
                self.fitness, self.steps
            ),
            Some(e) => format!("SimResult(valid=False, error={e:?})"),
        }
    }
}

fn to_python(
    py: Python<'_>,
    result: evaluate::SimResult,
    config: &SimConfig,
) -> PyResult<PySimResult> {
    let trajectory = if config.record_every > 0 && !result.trajectory.is_empty() {
        let frames = result.trajectory.len() / (2 * result.joints);
        let flat = PyArray1::from_vec(py, result.trajectory);
        Some(
            flat.reshape([frames, result.joints, 2])?
                .into_any()
                .unbind(),
        )
    } else {
        None
    };
    Ok(PySimResult {
        valid: result.valid,
        fitness: result.fitness,
        height: result.descriptors.height,
        width: result.descriptors.width,
        mass: result.descriptors.mass,
        joints: result.joints,
        muscles: result.muscles,
        steps: result.steps,
        settle_steps: config.settle_steps(),
        record_every: config.record_every,
        error: result.error,
        trajectory,
    })
}

#[allow(clippy::too_many_arguments)]
fn config(
    seconds: f64,
    settle_seconds: f64,
    record_every: u32,
    gravity: f64,
    friction: f64,
    initial_velocity: (f64, f64),
    max_joints: usize,
    max_connections: usize,
) -> PyResult<SimConfig> {
    let config = SimConfig {
        seconds,
        settle_seconds,
        record_every,
        initial_velocity: [initial_velocity.0, initial_velocity.1],
        physics: PhysicsParams {
            gravity,
            friction,
            ..Default::default()
        },
        limits: limits(max_joints, max_connections),
    };
    config.check().map_err(PyValueError::new_err)?;
    Ok(config)
}

/// Validates and simulates one walker. The GIL is released while it runs.
#[pyfunction]
#[pyo3(signature = (walker, *, seconds = 15.0, settle_seconds = 1.0, record_every = 0, gravity = 15.0, friction = 1.0, initial_velocity = (0.0, 0.0), max_joints = 256, max_connections = 1024))]
#[allow(clippy::too_many_arguments)]
fn simulate(
    py: Python<'_>,
    walker: PyRef<'_, PyWalker>,
    seconds: f64,
    settle_seconds: f64,
    record_every: u32,
    gravity: f64,
    friction: f64,
    initial_velocity: (f64, f64),
    max_joints: usize,
    max_connections: usize,
) -> PyResult<PySimResult> {
    let config = config(
        seconds,
        settle_seconds,
        record_every,
        gravity,
        friction,
        initial_velocity,
        max_joints,
        max_connections,
    )?;
    let walker = walker.inner.clone();
    let result = py.detach(|| evaluate::simulate(&walker, &config));
    to_python(py, result, &config)
}

/// Simulates a batch in parallel (rayon) with the GIL released. Results are
/// bit-identical to calling `simulate` on each walker.
#[pyfunction]
#[pyo3(signature = (walkers, *, seconds = 15.0, settle_seconds = 1.0, record_every = 0, gravity = 15.0, friction = 1.0, initial_velocity = (0.0, 0.0), max_joints = 256, max_connections = 1024))]
#[allow(clippy::too_many_arguments)]
fn simulate_many(
    py: Python<'_>,
    walkers: Vec<PyRef<'_, PyWalker>>,
    seconds: f64,
    settle_seconds: f64,
    record_every: u32,
    gravity: f64,
    friction: f64,
    initial_velocity: (f64, f64),
    max_joints: usize,
    max_connections: usize,
) -> PyResult<Vec<PySimResult>> {
    let config = config(
        seconds,
        settle_seconds,
        record_every,
        gravity,
        friction,
        initial_velocity,
        max_joints,
        max_connections,
    )?;
    let walkers: Vec<_> = walkers.iter().map(|w| w.inner.clone()).collect();
    let results = py.detach(|| evaluate::simulate_many(&walkers, &config));
    results
        .into_iter()
        .map(|r| to_python(py, r, &config))
        .collect()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySimResult>()?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(simulate_many, m)?)?;
    Ok(())
}
