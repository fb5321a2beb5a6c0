//! `simulate` / `simulate_many`, their `SimResult`, and the simulator's
//! clock constants.

use super::config::PySimConfig;
use super::walker::PyWalker;
use crate::evaluate::{self, SimConfig};
use crate::physics::{PhysicsParams, DT, SIMULATOR_VERSION, TERRAINS};
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;

#[pyclass(name = "SimResult", module = "openelm._sodarace", frozen, get_all)]
pub struct PySimResult {
    valid: bool,
    fitness: f64,
    /// Largest relative bone-length error at the end of any step.
    bone_stray: f64,
    height: f64,
    width: f64,
    mass: f64,
    joints: usize,
    muscles: usize,
    steps: u64,
    settle_steps: u64,
    record_every: u32,
    error: Option<String>,
    /// The terrain as segments (x0, y0, x1, y1) in metres, when recording.
    terrain: Vec<(f64, f64, f64, f64)>,
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
        bone_stray: result.bone_stray,
        height: result.descriptors.height,
        width: result.descriptors.width,
        mass: result.descriptors.mass,
        joints: result.joints,
        muscles: result.muscles,
        steps: result.steps,
        settle_steps: config.settle_steps(),
        record_every: config.record_every,
        error: result.error,
        terrain: result
            .terrain_outline
            .iter()
            .map(|s| (s[0], s[1], s[2], s[3]))
            .collect(),
        trajectory,
    })
}

/// The Rust config a call runs under: the given (or default) `SimConfig`
/// plus the call's recording option.
fn run_config(config: Option<PyRef<'_, PySimConfig>>, record_every: u32) -> SimConfig {
    let base = config.map_or_else(SimConfig::default, |c| c.inner);
    SimConfig {
        record_every,
        ..base
    }
}

/// Validates and simulates one walker. The GIL is released while it runs.
#[pyfunction]
#[pyo3(signature = (walker, config = None, *, record_every = 0))]
fn simulate(
    py: Python<'_>,
    walker: PyRef<'_, PyWalker>,
    config: Option<PyRef<'_, PySimConfig>>,
    record_every: u32,
) -> PyResult<PySimResult> {
    let config = run_config(config, record_every);
    let walker = walker.inner.clone();
    let result = py.detach(|| evaluate::simulate(&walker, &config));
    to_python(py, result, &config)
}

/// Simulates a batch in parallel (rayon) with the GIL released. Results are
/// bit-identical to calling `simulate` on each walker.
#[pyfunction]
#[pyo3(signature = (walkers, config = None, *, record_every = 0))]
fn simulate_many(
    py: Python<'_>,
    walkers: Vec<PyRef<'_, PyWalker>>,
    config: Option<PyRef<'_, PySimConfig>>,
    record_every: u32,
) -> PyResult<Vec<PySimResult>> {
    let config = run_config(config, record_every);
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
    // Renderers and baselines pace themselves by the simulator's clock.
    m.add("STEPS_PER_SECOND", (1.0 / DT).round() as u32)?;
    m.add("MUSCLE_RATE", PhysicsParams::default().muscle_rate)?;
    // Runs record it; resuming under another version is refused.
    m.add("SIMULATOR_VERSION", SIMULATOR_VERSION)?;
    let names: Vec<&str> = TERRAINS.iter().map(|(_, name)| *name).collect();
    m.add("TERRAINS", pyo3::types::PyTuple::new(m.py(), names)?)?;
    Ok(())
}
