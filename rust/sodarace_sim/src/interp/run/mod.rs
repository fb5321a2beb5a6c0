//! The evaluator: walks the lowered tree with a value stack for frames.
//!
//! Locals live in `stack[frame.base + slot]`; call arguments are pushed
//! where the callee's frame will start, so a call allocates nothing.
//! Exceptions a genome may catch travel as `Unwind::Raise`; limits and
//! unsupported operations travel as `Unwind::Fatal`, which no `try` stops.
//!
//! This file holds the machine's state and the entry point; `Machine`'s
//! methods are spread over:
//!
//! - `heap`: step and memory accounting, and allocation of every object;
//! - `statements`: `exec` for every statement (`for`, `while`, `try`,
//!   `def`, `class`...) and assignment to targets;
//! - `expressions`: `eval` for every expression, f-strings, slices and
//!   comprehensions;
//! - `calls`: argument passing, parameter binding, method calls and
//!   class instantiation;
//! - `attributes`: `obj.name` reads, writes and deletes.
//!
//! Operators are in `ops/`, builtin functions and methods in `builtins/`.

mod attributes;
mod calls;
mod expressions;
mod heap;
mod statements;

use std::rc::Rc;

use super::error::{ErrorKind, Fault};
use super::ir::*;
use super::limits::InterpLimits;
use super::value::*;
use crate::walker::{Walker, WalkerLimits};

#[derive(Debug)]
pub(crate) enum Unwind {
    Raise(Box<ExcObj>),
    Fatal(Box<Fault>),
}

impl Unwind {
    /// Gives the error a position if it has none yet: the innermost node
    /// that sees an error locates it.
    fn located(mut self, at: Pos) -> Unwind {
        match &mut self {
            Unwind::Raise(e) => {
                e.at.get_or_insert(at);
            }
            Unwind::Fatal(f) => {
                f.at.get_or_insert(at);
            }
        }
        self
    }
}

pub(crate) type Res<T> = Result<T, Unwind>;

pub(crate) fn raise<T>(kind: ExcKind, message: impl Into<String>) -> Res<T> {
    let args = vec![Value::Str(Rc::from(message.into()))];
    Err(Unwind::Raise(Box::new(ExcObj {
        kind,
        args,
        at: None,
    })))
}

/// A KeyError carries the missing key itself rather than a message, as
/// in Python, so that printing it shows the key's repr.
pub(crate) fn key_error<T>(key: Value) -> Res<T> {
    Err(Unwind::Raise(Box::new(ExcObj {
        kind: ExcKind::KeyError,
        args: vec![key],
        at: None,
    })))
}

pub(crate) fn fatal<T>(kind: ErrorKind, message: impl Into<String>) -> Res<T> {
    Err(Unwind::Fatal(Box::new(Fault::new(kind, message, None))))
}

pub(crate) fn type_error<T>(message: impl Into<String>) -> Res<T> {
    raise(ExcKind::TypeError, message)
}

#[derive(Clone, Copy)]
pub(crate) struct Frame {
    pub base: usize,
    /// The running function, whose closure holds the free variables.
    pub func: Option<FuncId>,
}

pub(crate) enum Flow {
    Normal,
    Break,
    Continue,
    Return(Value),
}

/// Bytes charged per value slot and per object header. The exact sizes of
/// Rust's structures do not matter; the charge only has to be proportional
/// and deterministic.
pub(crate) const VALUE_BYTES: usize = 24;
pub(crate) const OBJECT_BYTES: usize = 48;

pub(crate) struct Machine<'p> {
    pub prog: &'p Program,
    pub heap: Heap,
    pub stack: Vec<Value>,
    pub globals: Vec<Value>,
    pub steps: u64,
    pub depth: u32,
    pub limits: InterpLimits,
    pub walker_limits: WalkerLimits,
    pub output: String,
    pub heap_bytes: usize,
    /// Position of the statement running now (where `get_walker()` is).
    pub pos: Pos,
    arg_pool: Vec<Vec<Value>>,
    /// Exceptions being handled, innermost last, for a bare `raise`.
    handling: Vec<ExcObj>,
    /// Keyword names from `f(**mapping)` that the program never mentions,
    /// numbered after its symbols (only a `**kwargs` parameter takes them).
    dynamic_names: Vec<Rc<str>>,
    /// Contract leniencies applied (see `run_genome`), one line each.
    warnings: Vec<String>,
}

/// What a run produced: the walker and where `get_walker()` made it.
pub(crate) struct Outcome {
    pub result: Result<(Walker, Pos), Fault>,
    pub steps: u64,
    pub output: String,
    /// Contract leniencies applied, one line each (before validation's).
    pub warnings: Vec<String>,
}

pub(crate) fn run(
    prog: &Program,
    entry: &str,
    limits: InterpLimits,
    walker_limits: WalkerLimits,
) -> Outcome {
    let mut m = Machine {
        prog,
        heap: Heap::default(),
        stack: Vec::with_capacity(256),
        globals: vec![Value::Unbound; prog.globals.len()],
        steps: 0,
        depth: 0,
        limits,
        walker_limits,
        output: String::new(),
        heap_bytes: 0,
        pos: 0,
        arg_pool: Vec::new(),
        handling: Vec::new(),
        dynamic_names: Vec::new(),
        warnings: Vec::new(),
    };
    let result = m.run_genome(entry).map_err(|u| match u {
        Unwind::Raise(e) => Fault::new(ErrorKind::Runtime, m.describe_exception(&e), e.at),
        Unwind::Fatal(f) => *f,
    });
    Outcome {
        result,
        steps: m.steps,
        output: std::mem::take(&mut m.output),
        warnings: m.warnings,
    }
}

impl<'p> Machine<'p> {
    /// Runs the module, then the entry function, and takes its walker.
    ///
    /// Leniency: an entry that returns the `walker_creator` itself
    /// (`return wc`, a slip language models often make) is read as
    /// `return wc.get_walker()`, with a warning. Anything else that is
    /// not a walker stays an error.
    fn run_genome(&mut self, entry: &str) -> Res<(Walker, Pos)> {
        self.stack
            .resize(self.prog.module.n_slots as usize, Value::Unbound);
        let module = Frame {
            base: 0,
            func: None,
        };
        self.exec_block(module, &self.prog.module.body)?;
        let callee = match self.prog.entry.map(|g| &self.globals[g as usize]) {
            Some(v) if !matches!(v, Value::Unbound) => v.clone(),
            _ => {
                return fatal(
                    ErrorKind::Runtime,
                    format!("genome defines no {entry}() function"),
                )
            }
        };
        let start = self.stack.len();
        let mut returned = self.call_value(callee, start, Vec::new())?;
        if let Value::Creator(id) = returned {
            returned = self.call_creator(id, sym::GET_WALKER, &[], &[])?;
            self.warnings.push(format!(
                "{entry} returned the walker_creator; read as wc.get_walker()"
            ));
        }
        match returned {
            Value::Walker(id) => {
                let w = &self.heap.walkers[id.0 as usize];
                Ok((w.walker.clone(), w.at))
            }
            other => fatal(
                ErrorKind::Runtime,
                format!(
                    "{entry} must return wc.get_walker(), got {}",
                    self.type_name(&other)
                ),
            ),
        }
    }

    pub fn describe_exception(&self, e: &ExcObj) -> String {
        let text = self.exception_text(e);
        if text.is_empty() {
            e.kind.name().to_string()
        } else {
            format!("{}: {text}", e.kind.name())
        }
    }
}
