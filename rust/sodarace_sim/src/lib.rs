//! openelm's native core: the Sodarace walker model, a deterministic
//! mass-spring simulator, a sandboxed interpreter for genome programs and the
//! process lockdown for the workers that run them.
//!
//! Everything here is plain Rust with its own tests; `bindings` (behind the
//! `python` feature) only converts types for the `openelm._sodarace` module.

pub mod evaluate;
pub mod interp;
#[cfg(target_os = "linux")]
pub mod lockdown;
pub mod physics;
pub mod walker;

#[cfg(feature = "python")]
mod bindings;
