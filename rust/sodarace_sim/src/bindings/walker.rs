//! `Walker`: the Python face of `crate::walker::Walker`.

use crate::walker::{descriptors, Connection, Walker, WalkerLimits};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyType;

create_exception!(
    _sodarace,
    InvalidWalkerError,
    PyValueError,
    "A walker broke a validation rule."
);

/// Joints (x, y) plus connections (i, j, amplitude, phase). Amplitude 0 is a
/// passive spring; phase is in cycles.
#[pyclass(name = "Walker", module = "openelm._sodarace", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyWalker {
    pub inner: Walker,
}

impl From<Walker> for PyWalker {
    fn from(inner: Walker) -> Self {
        PyWalker { inner }
    }
}

fn limits(max_joints: usize, max_connections: usize) -> WalkerLimits {
    WalkerLimits {
        max_joints,
        max_connections,
    }
}

#[pymethods]
impl PyWalker {
    #[new]
    fn new(joints: Vec<(f64, f64)>, connections: Vec<(u32, u32, f64, f64)>) -> Self {
        let joints = joints.into_iter().map(|(x, y)| [x, y]).collect();
        let connections = connections
            .into_iter()
            .map(|(a, b, amplitude, phase)| Connection::new(a, b, amplitude, phase))
            .collect();
        PyWalker {
            inner: Walker {
                joints,
                connections,
            },
        }
    }

    #[classmethod]
    fn from_json(_cls: &Bound<'_, PyType>, text: &str) -> PyResult<Self> {
        Walker::from_json(text)
            .map(PyWalker::from)
            .map_err(PyValueError::new_err)
    }

    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    #[getter]
    fn joints(&self) -> Vec<(f64, f64)> {
        self.inner.joints.iter().map(|&[x, y]| (x, y)).collect()
    }

    #[getter]
    fn connections(&self) -> Vec<(u32, u32, f64, f64)> {
        self.inner
            .connections
            .iter()
            .map(|c| (c.a, c.b, c.amplitude, c.phase))
            .collect()
    }

    #[getter]
    fn muscle_count(&self) -> usize {
        self.inner.muscle_count()
    }

    /// (height, width, mass) of the initial morphology, in genome units.
    fn descriptors(&self) -> (f64, f64, f64) {
        let d = descriptors(&self.inner);
        (d.height, d.width, d.mass)
    }

    #[pyo3(signature = (*, max_joints = crate::walker::DEFAULT_MAX_JOINTS, max_connections = crate::walker::DEFAULT_MAX_CONNECTIONS))]
    fn validate(&self, max_joints: usize, max_connections: usize) -> PyResult<()> {
        self.inner
            .validate(&limits(max_joints, max_connections))
            .map_err(|e| InvalidWalkerError::new_err(e.to_string()))
    }

    fn __len__(&self) -> usize {
        self.inner.joints.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "Walker(joints={}, connections={}, muscles={})",
            self.inner.joints.len(),
            self.inner.connections.len(),
            self.inner.muscle_count()
        )
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyWalker>()?;
    m.add(
        "InvalidWalkerError",
        m.py().get_type::<InvalidWalkerError>(),
    )?;
    Ok(())
}
