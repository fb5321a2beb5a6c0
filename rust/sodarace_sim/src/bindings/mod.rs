//! The `openelm._sodarace` extension module: type conversion only. Every
//! behaviour lives in the plain-Rust modules and is tested there.

mod config;
mod interp;
#[cfg(target_os = "linux")]
mod lockdown;
mod simulate;
pub mod walker;

use pyo3::prelude::*;

#[pymodule(name = "_sodarace")]
fn sodarace_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    walker::register(m)?;
    config::register(m)?;
    simulate::register(m)?;
    interp::register(m)?;
    #[cfg(target_os = "linux")]
    lockdown::register(m)?;
    Ok(())
}
