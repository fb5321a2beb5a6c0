//! Operators with Python's semantics, one file per family:
//!
//! - `arithmetic`: `+ - * / // % ** << >> & | ^`, unary operators,
//!   sequence repetition and set algebra;
//! - `comparison`: `== < in is` and friends, including int/float
//!   comparison that is exact as in CPython;
//! - `hashing`: hashes and the dict/set tables built on them;
//! - `indexing`: `x[i]`, slices and list growth.
//!
//! This file holds what they share: the numeric view of a value, the
//! errors for overflow and over-deep nesting, type names and truthiness.

mod arithmetic;
mod comparison;
mod hashing;
mod indexing;

pub(crate) use arithmetic::{float_divmod, int_true_div};

use super::error::ErrorKind;
use super::run::{fatal, Machine, Res};
use super::value::*;

/// Deepest nesting of containers that comparison, hashing and printing
/// follow before giving up (they recurse on the native stack).
pub(crate) const MAX_VALUE_DEPTH: u32 = 100;

#[derive(Clone, Copy)]
enum Num {
    Int(i64),
    Float(f64),
}

fn num(v: &Value) -> Option<Num> {
    match v {
        Value::Int(i) => Some(Num::Int(*i)),
        Value::Bool(b) => Some(Num::Int(*b as i64)),
        Value::Float(f) => Some(Num::Float(*f)),
        _ => None,
    }
}

pub(crate) fn overflow<T>() -> Res<T> {
    fatal(
        ErrorKind::Limit,
        "integer overflow: the result does not fit in 64 bits",
    )
}

fn too_deep<T>() -> Res<T> {
    fatal(
        ErrorKind::Limit,
        format!("value nested more than {MAX_VALUE_DEPTH} levels deep"),
    )
}

impl Machine<'_> {
    pub fn type_name<'v>(&'v self, v: &Value) -> &'v str {
        match v {
            Value::Unbound => "unbound",
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Dict(_) => "dict",
            Value::Set(_) => "set",
            Value::Range(_) => "range",
            Value::Iter(_) => "iterator",
            Value::Func(_) => "function",
            Value::Method(_) => "method",
            Value::Builtin(b) if b.is_type() => "type",
            Value::Builtin(_) => "builtin_function_or_method",
            Value::Class(_) | Value::ExcType(_) => "type",
            Value::Instance(id) => {
                &self.heap.classes[self.heap.instances[id.0 as usize].class.0 as usize].name
            }
            Value::Exception(id) => self.heap.exceptions[id.0 as usize].kind.name(),
            Value::Module(_) => "module",
            Value::Creator(_) => "walker_creator",
            Value::Joint(..) => "joint",
            Value::Walker(_) => "walker",
            Value::Cell(_) => "cell",
            Value::Array(_) => "numpy.ndarray",
        }
    }

    /// The items of a list or a tuple, borrowed from the heap: the
    /// operators that treat the two sequence types alike read them here
    /// instead of matching on both arenas each time.
    fn sequence_items(&self, v: &Value) -> Option<&[Value]> {
        match v {
            Value::List(id) => Some(&self.heap.lists[id.0 as usize]),
            Value::Tuple(id) => Some(&self.heap.tuples[id.0 as usize]),
            _ => None,
        }
    }

    /// The items of two lists or of two tuples, for `==`, `<` and `+`:
    /// Python never pairs a list with a tuple in those, so a mixed pair
    /// is None.
    fn same_kind_sequences(&self, a: &Value, b: &Value) -> Option<(&[Value], &[Value])> {
        match (a, b) {
            (Value::List(_), Value::List(_)) | (Value::Tuple(_), Value::Tuple(_)) => {
                Some((self.sequence_items(a)?, self.sequence_items(b)?))
            }
            _ => None,
        }
    }

    pub fn truthy(&self, v: &Value) -> Res<bool> {
        Ok(match v {
            Value::None | Value::Unbound => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(id) => !self.heap.lists[id.0 as usize].is_empty(),
            Value::Tuple(id) => !self.heap.tuples[id.0 as usize].is_empty(),
            Value::Dict(id) => self.heap.dicts[id.0 as usize].len() > 0,
            Value::Set(id) => self.heap.sets[id.0 as usize].len() > 0,
            Value::Range(id) => self.heap.ranges[id.0 as usize].len() > 0,
            Value::Array(id) => self.array_truthy(*id)?,
            _ => true,
        })
    }
}
