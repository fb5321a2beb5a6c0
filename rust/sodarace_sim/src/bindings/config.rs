//! `SimConfig` and `InterpLimits`: frozen Python views of the Rust configs
//! (`evaluate::SimConfig`; `interp::InterpLimits` with the walker caps). A
//! field omitted in Python takes the Rust `Default`, and every value goes
//! through the Rust `check`, so no default or bound is written twice. Each
//! class is declared once, as a table of (Python name, Rust type, Rust
//! field path); the `py_config!` macro turns it into the class.

use crate::evaluate::SimConfig;
use crate::interp::InterpLimits;
use crate::physics::Terrain;
use crate::walker::WalkerLimits;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyString, PyTuple};

/// How one field's Rust type crosses to Python and back.
trait Field: Sized {
    /// What a bad value should have been, for the error message.
    const EXPECTED: &'static str;
    fn from_py(value: &Bound<'_, PyAny>) -> Option<Self>;
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;
}

macro_rules! unsigned_field {
    ($($t:ty),*) => {$(
        impl Field for $t {
            const EXPECTED: &'static str = "an integer >= 0";
            // bool is an int in Python; `True` as a limit is a mistake.
            fn from_py(value: &Bound<'_, PyAny>) -> Option<Self> {
                (!value.is_instance_of::<PyBool>()).then(|| value.extract().ok()).flatten()
            }
            fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                Ok(self.into_pyobject(py)?.into_any())
            }
        }
    )*};
}
unsigned_field!(u32, u64, usize);

impl Field for f64 {
    const EXPECTED: &'static str = "a number";
    fn from_py(value: &Bound<'_, PyAny>) -> Option<Self> {
        (!value.is_instance_of::<PyBool>())
            .then(|| value.extract().ok())
            .flatten()
    }
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyFloat::new(py, *self).into_any())
    }
}

/// A 2-vector: any sequence of two numbers in, a tuple out (a list after a
/// JSON round trip comes back in as the same value).
impl Field for [f64; 2] {
    const EXPECTED: &'static str = "a pair of numbers";
    fn from_py(value: &Bound<'_, PyAny>) -> Option<Self> {
        if value.is_instance_of::<PyString>() {
            return None;
        }
        let items: Vec<Bound<'_, PyAny>> = value.extract().ok()?;
        match items.as_slice() {
            [x, y] => Some([f64::from_py(x)?, f64::from_py(y)?]),
            _ => None,
        }
    }
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyTuple::new(py, self)?.into_any())
    }
}

/// A terrain by its name (`TERRAINS`); an unknown name lists the valid ones.
impl Field for Terrain {
    const EXPECTED: &'static str = "a terrain name";
    fn from_py(value: &Bound<'_, PyAny>) -> Option<Self> {
        value.extract::<String>().ok()?.parse().ok()
    }
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyString::new(py, self.name()).into_any())
    }
}

fn parse<T: Field>(class: &str, name: &str, value: &Bound<'_, PyAny>) -> PyResult<T> {
    if name == "terrain" {
        // Say which names are valid, in the Rust enum's own words.
        if let Ok(text) = value.extract::<String>() {
            if let Err(e) = text.parse::<Terrain>() {
                return Err(PyValueError::new_err(format!("{class}.{name}: {e}")));
            }
        }
    }
    T::from_py(value).ok_or_else(|| {
        let shown = value
            .repr()
            .map_or_else(|_| "?".to_string(), |r| r.to_string());
        PyValueError::new_err(format!(
            "{class}.{name} must be {}, got {shown}",
            T::EXPECTED
        ))
    })
}

fn unknown_field(class: &str, name: &str, fields: &[&str]) -> PyErr {
    PyTypeError::new_err(format!(
        "{class} has no field {name:?} (fields: {})",
        fields.join(", ")
    ))
}

/// Declares a frozen Python class over a Rust config type that has a
/// `Default` and a `check`. Each field line is `name: RustType => path`,
/// the path leading from the Rust value to the field.
macro_rules! py_config {
    (
        $(#[$doc:meta])*
        class $py:ident($name:literal) wraps $rust:ty, checked by $check:expr;
        $( $(#[$fdoc:meta])* $field:ident: $ty:ty => $($path:ident).+; )*
    ) => {
        $(#[$doc])*
        #[pyclass(name = $name, module = "openelm._sodarace", frozen)]
        #[derive(Clone, Debug, PartialEq)]
        pub struct $py {
            pub inner: $rust,
        }

        impl $py {
            const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];

            fn set(inner: &mut $rust, name: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
                match name {
                    $(stringify!($field) => inner.$($path).+ = parse::<$ty>($name, name, value)?,)*
                    _ => return Err(unknown_field($name, name, Self::FIELDS)),
                }
                Ok(())
            }

            /// `inner` with each given field set (None keeps a field), checked.
            fn with(mut inner: $rust, fields: &[(&str, Option<Bound<'_, PyAny>>)]) -> PyResult<Self> {
                for (name, value) in fields {
                    if let Some(value) = value {
                        Self::set(&mut inner, name, value)?;
                    }
                }
                Self::checked(inner)
            }

            fn checked(inner: $rust) -> PyResult<Self> {
                let check: fn(&$rust) -> Result<(), String> = $check;
                check(&inner).map_err(|e| PyValueError::new_err(format!("{}: {e}", $name)))?;
                Ok(Self { inner })
            }

            fn items<'py>(&self, py: Python<'py>) -> PyResult<Vec<(&'static str, Bound<'py, PyAny>)>> {
                Ok(vec![$((stringify!($field), Field::to_py(&self.inner.$($path).+, py)?)),*])
            }
        }

        #[pymethods]
        impl $py {
            /// Keyword-only; a field left out (or None) takes the Rust default.
            #[new]
            #[pyo3(signature = (*, $($field = None),*))]
            #[allow(clippy::too_many_arguments)] // one per field, by design
            fn new($($field: Option<Bound<'_, PyAny>>),*) -> PyResult<Self> {
                Self::with(<$rust>::default(), &[$((stringify!($field), $field)),*])
            }

            /// A copy with the given fields changed (None keeps a field).
            #[pyo3(signature = (*, $($field = None),*))]
            #[allow(clippy::too_many_arguments)]
            fn replace(&self, $($field: Option<Bound<'_, PyAny>>),*) -> PyResult<Self> {
                Self::with(self.inner.clone(), &[$((stringify!($field), $field)),*])
            }

            /// Every field as plain JSON-able values, for a run's stored config
            /// or the sandbox protocol.
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                let out = PyDict::new(py);
                for (name, value) in self.items(py)? {
                    out.set_item(name, value)?;
                }
                Ok(out)
            }

            /// The inverse of `to_dict`; missing fields take the Rust default,
            /// unknown ones are refused.
            #[classmethod]
            fn from_dict(_cls: &Bound<'_, pyo3::types::PyType>, data: &Bound<'_, PyDict>) -> PyResult<Self> {
                let mut inner = <$rust>::default();
                for (key, value) in data.iter() {
                    let name: String = key.extract()?;
                    Self::set(&mut inner, &name, &value)?;
                }
                Self::checked(inner)
            }

            $(
                $(#[$fdoc])*
                #[getter]
                fn $field<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                    Field::to_py(&self.inner.$($path).+, py)
                }
            )*

            fn __eq__(&self, other: &Self) -> bool {
                self == other
            }

            fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
                let values: Vec<Bound<'_, PyAny>> = self.items(py)?.into_iter().map(|(_, v)| v).collect();
                PyTuple::new(py, values)?.hash()
            }

            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                let fields = self
                    .items(py)?
                    .into_iter()
                    .map(|(name, value)| Ok(format!("{name}={}", value.repr()?)))
                    .collect::<PyResult<Vec<_>>>()?;
                Ok(format!("{}({})", $name, fields.join(", ")))
            }

            fn __copy__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
                slf
            }

            fn __deepcopy__<'py>(slf: PyRef<'py, Self>, _memo: &Bound<'py, PyAny>) -> PyRef<'py, Self> {
                slf
            }
        }
    };
}

py_config! {
    /// How a walker is scored: the scored window, the settling time before
    /// it, the physics and the walker caps.
    class PySimConfig("SimConfig") wraps SimConfig, checked by SimConfig::check;
    /// Length of the scored window, simulated seconds.
    seconds: f64 => seconds;
    /// Time given to land and settle before scoring starts, seconds.
    settle_seconds: f64 => settle_seconds;
    /// Downward acceleration, m/s².
    gravity: f64 => physics.gravity;
    /// Coulomb friction coefficient at ground contact.
    friction: f64 => physics.friction;
    /// Velocity given to every joint at the start, m/s.
    initial_velocity: [f64; 2] => initial_velocity;
    max_joints: usize => limits.max_joints;
    max_connections: usize => limits.max_connections;
    /// The terrain joints collide with, by name (see `TERRAINS`).
    terrain: Terrain => terrain;
    /// Solver substeps per 60 Hz step (docs/physics.md).
    substeps: u32 => physics.substeps;
    /// Gauss-Seidel sweeps over the connections per substep.
    iterations: u32 => physics.iterations;
    /// Bone stray (fraction of rest length) above which a step is redone
    /// in finer substeps (docs/physics.md); infinity never refines.
    stray_tolerance: f64 => physics.stray_tolerance;
}

/// The interpreter's limits together with the walker caps it validates
/// the built walker against (they are one setting to a caller).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GenomeLimits {
    pub interp: InterpLimits,
    pub walker: WalkerLimits,
}

py_config! {
    /// Deterministic limits of the genome interpreter (docs/genomes.md),
    /// plus the caps of the walker a genome may build.
    class PyInterpLimits("InterpLimits") wraps GenomeLimits, checked by |l| l.interp.check();
    /// Statements, loop iterations and calls.
    max_steps: u64 => interp.max_steps;
    /// Nested calls of genome functions.
    max_depth: u32 => interp.max_depth;
    /// Total bytes allocated over the run.
    max_heap_bytes: usize => interp.max_heap_bytes;
    /// Elements in one list, tuple, dict or set.
    max_container_len: usize => interp.max_container_len;
    /// Bytes (UTF-8) in one string.
    max_str_len: usize => interp.max_str_len;
    /// Source size, checked before parsing.
    max_source_bytes: usize => interp.max_source_bytes;
    /// Captured print output; anything past it is dropped.
    max_output_bytes: usize => interp.max_output_bytes;
    /// Syntactic nesting of statements and expressions.
    max_nesting: u32 => interp.max_nesting;
    max_joints: usize => walker.max_joints;
    max_connections: usize => walker.max_connections;
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySimConfig>()?;
    m.add_class::<PyInterpLimits>()?;
    Ok(())
}
