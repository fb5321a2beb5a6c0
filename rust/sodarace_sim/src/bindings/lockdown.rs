//! `lockdown`, `lockdown_status` and `LockdownUnavailableError`.

use crate::lockdown::{
    self as native, LockdownConfig, LockdownError, DEFAULT_MAX_ADDRESS_SPACE_BYTES,
};
use pyo3::create_exception;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

create_exception!(
    _sodarace,
    LockdownUnavailableError,
    PyOSError,
    "The kernel or container refuses seccomp filters; nothing was locked down."
);

/// Locks this process down for good: rlimits, no_new_privs, seccomp filter.
/// Call it after the last import and file open the process will ever need.
#[pyfunction]
#[pyo3(signature = (*, max_address_space_bytes = DEFAULT_MAX_ADDRESS_SPACE_BYTES))]
fn lockdown(max_address_space_bytes: u64) -> PyResult<()> {
    // Below this CPython cannot even hold what it has already loaded.
    const MIN_ADDRESS_SPACE_BYTES: u64 = 64 << 20;
    if max_address_space_bytes < MIN_ADDRESS_SPACE_BYTES {
        return Err(PyValueError::new_err(format!(
            "max_address_space_bytes must be at least {MIN_ADDRESS_SPACE_BYTES}, got {max_address_space_bytes}"
        )));
    }
    native::lockdown(&LockdownConfig {
        max_address_space_bytes,
    })
    .map_err(|e| match e {
        LockdownError::Unavailable(_) => LockdownUnavailableError::new_err(e.to_string()),
        LockdownError::Failed(_) => PyOSError::new_err(e.to_string()),
    })
}

/// `{"seccomp_mode": 0|1|2, "no_new_privs": bool, "limits": {name: (soft, hard)}}`.
#[pyfunction]
fn lockdown_status(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let status = native::status();
    let limits = PyDict::new(py);
    for limit in &status.limits {
        limits.set_item(limit.name, (limit.soft, limit.hard))?;
    }
    let out = PyDict::new(py);
    out.set_item("seccomp_mode", status.seccomp_mode)?;
    out.set_item("no_new_privs", status.no_new_privs)?;
    out.set_item("limits", limits)?;
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add(
        "LockdownUnavailableError",
        m.py().get_type::<LockdownUnavailableError>(),
    )?;
    m.add(
        "DEFAULT_MAX_ADDRESS_SPACE_BYTES",
        DEFAULT_MAX_ADDRESS_SPACE_BYTES,
    )?;
    m.add_function(wrap_pyfunction!(lockdown, m)?)?;
    m.add_function(wrap_pyfunction!(lockdown_status, m)?)?;
    Ok(())
}
