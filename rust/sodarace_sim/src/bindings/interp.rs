//! `interpret` / `interpret_many` and their `GenomeResult`, plus
//! `math_call` (the interpreter's math for trusted Python).

use super::config::{GenomeLimits, PyInterpLimits};
use super::walker::PyWalker;
use crate::interp::{self, Genome, GenomeError, InterpConfig, MathValue};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

/// What interpreting one genome gave: `status` is "ok" or the error kind
/// (syntax, forbidden, unsupported, runtime, limit, invalid_walker).
#[pyclass(name = "GenomeResult", module = "openelm._sodarace", frozen, get_all)]
pub struct PyGenomeResult {
    status: &'static str,
    error: Option<String>,
    /// 1-based; 0 when the error has no position.
    line: u32,
    col: u32,
    steps: u64,
    output: String,
    /// Leniencies applied (`return wc` read as `wc.get_walker()`) and what
    /// validation repaired (self-connections dropped), one line each.
    warnings: Vec<String>,
    walker: Option<Py<PyWalker>>,
}

#[pymethods]
impl PyGenomeResult {
    #[getter]
    fn ok(&self) -> bool {
        self.status == "ok"
    }

    fn __repr__(&self) -> String {
        match &self.error {
            None => format!("GenomeResult(status='ok', steps={})", self.steps),
            Some(e) => format!(
                "GenomeResult(status={:?}, line={}, col={}, error={e:?})",
                self.status, self.line, self.col
            ),
        }
    }
}

fn to_python(py: Python<'_>, result: Result<Genome, GenomeError>) -> PyResult<PyGenomeResult> {
    Ok(match result {
        Ok(genome) => PyGenomeResult {
            status: "ok",
            error: None,
            line: 0,
            col: 0,
            steps: genome.steps,
            output: genome.output,
            warnings: genome.warnings,
            walker: Some(Py::new(py, PyWalker::from(genome.walker))?),
        },
        Err(e) => PyGenomeResult {
            status: e.kind.as_str(),
            error: Some(e.message),
            line: e.line,
            col: e.col,
            steps: e.steps,
            output: e.output,
            warnings: Vec::new(),
            walker: None,
        },
    })
}

/// Source text as bytes: `bytes` as given, `str` encoded as UTF-8 (a str
/// that cannot be encoded is handed over as invalid bytes, so it becomes a
/// `syntax` result rather than an exception).
fn source_bytes(source: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(bytes) = source.cast::<PyBytes>() {
        return Ok(bytes.as_bytes().to_vec());
    }
    if let Ok(text) = source.cast::<PyString>() {
        return Ok(match text.to_str() {
            Ok(s) => s.as_bytes().to_vec(),
            Err(_) => vec![0xff],
        });
    }
    Err(PyTypeError::new_err("source must be bytes or str"))
}

/// The Rust config a call runs under: the given (or default) limits and
/// the entry function (default `DEFAULT_ENTRY`).
fn run_config(limits: Option<PyRef<'_, PyInterpLimits>>, entry: Option<String>) -> InterpConfig {
    let limits = limits.map_or_else(GenomeLimits::default, |l| l.inner.clone());
    InterpConfig {
        entry: entry.unwrap_or_else(|| interp::DEFAULT_ENTRY.to_string()),
        limits: limits.interp,
        walker_limits: limits.walker,
    }
}

#[pyfunction]
#[pyo3(signature = (source, limits = None, *, entry = None))]
fn interpret(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    limits: Option<PyRef<'_, PyInterpLimits>>,
    entry: Option<String>,
) -> PyResult<PyGenomeResult> {
    let source = source_bytes(source)?;
    let config = run_config(limits, entry);
    let result = py.detach(|| interp::interpret(&source, &config));
    to_python(py, result)
}

#[pyfunction]
#[pyo3(signature = (sources, limits = None, *, entry = None))]
fn interpret_many(
    py: Python<'_>,
    sources: Vec<Bound<'_, PyAny>>,
    limits: Option<PyRef<'_, PyInterpLimits>>,
    entry: Option<String>,
) -> PyResult<Vec<PyGenomeResult>> {
    let sources = sources
        .iter()
        .map(source_bytes)
        .collect::<PyResult<Vec<_>>>()?;
    let config = run_config(limits, entry);
    let results = py.detach(|| {
        let refs: Vec<&[u8]> = sources.iter().map(Vec::as_slice).collect();
        interp::interpret_many(&refs, &config)
    });
    results.into_iter().map(|r| to_python(py, r)).collect()
}

/// `math_call("sin", 1.0)`: the interpreter's math function (or constant,
/// with no arguments), bit for bit. Raises ValueError with the message a
/// genome would see.
#[pyfunction]
#[pyo3(signature = (name, *args))]
fn math_call(py: Python<'_>, name: &str, args: Vec<f64>) -> PyResult<Py<PyAny>> {
    match interp::math_call(name, &args) {
        Ok(MathValue::Float(f)) => Ok(f.into_pyobject(py)?.into_any().unbind()),
        Ok(MathValue::Int(i)) => Ok(i.into_pyobject(py)?.into_any().unbind()),
        Ok(MathValue::Bool(b)) => Ok(b.into_pyobject(py)?.to_owned().into_any().unbind()),
        Err(message) => Err(PyValueError::new_err(message)),
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyGenomeResult>()?;
    m.add_function(wrap_pyfunction!(interpret, m)?)?;
    m.add_function(wrap_pyfunction!(interpret_many, m)?)?;
    m.add_function(wrap_pyfunction!(math_call, m)?)?;
    Ok(())
}
