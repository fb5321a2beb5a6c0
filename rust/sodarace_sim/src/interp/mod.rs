//! A sandboxed interpreter for the Python subset that genomes are written
//! in. Genomes come from a language model and are untrusted: nothing they
//! do can reach the host, and every resource they use is counted.
//!
//! The pipeline is `parse` (ruff's parser, Python 3.11) → `check` (static
//! allowlist) → `lower` (names resolved to slots) → `run` (tree-walking
//! evaluator over a per-genome arena) → `Walker::validate`. Interpreting is
//! pure: the same source and configuration always give the same walker or
//! the same error, and no state survives between genomes. See
//! `docs/genomes.md` for the subset and the limits.
//!
//! Where things live (each directory's `mod.rs` lists its files):
//!
//! - `parse.rs`, `check.rs`: source decoding, ruff's parser, the allowlist;
//! - `lower/`: AST to IR — `scope.rs` (scope analysis), then `codegen.rs`,
//!   `statements.rs`, `expressions.rs` (code generation); `ir.rs` is the IR;
//! - `run/`: the evaluator — `heap.rs` (step and memory accounting,
//!   allocation), `statements.rs` (a `for` loop, `try`, assignment...),
//!   `expressions.rs`, `calls.rs`, `attributes.rs`;
//! - `ops/`: operators — `arithmetic.rs`, `comparison.rs`, `hashing.rs`
//!   (dict and set tables), `indexing.rs` (items and slices);
//! - `builtins/`: builtin functions and methods by type — `functions.rs`,
//!   `numbers.rs`, `iteration.rs` (the iterator protocol, `range`, `zip`),
//!   `list.rs` (`list.append`, `sorted`...), `dict.rs`, `set.rs`, `str.rs`;
//! - `math.rs` (`math.*`), `numpy.rs` (the `numpy` subset), `format.rs`
//!   (`str`, `repr`, f-strings), `walker_api.rs` (the walker creator and
//!   `query_cppn`), `value.rs` (values and the heap),
//!   `limits.rs`, `error.rs`.

mod builtins;
mod check;
mod error;
mod format;
mod ir;
mod limits;
mod lower;
mod math;
mod numpy;
mod ops;
mod parse;
mod run;
mod value;
mod walker_api;

use std::panic::{catch_unwind, AssertUnwindSafe};

use rayon::prelude::*;
use ruff_source_file::LineIndex;
use ruff_text_size::TextSize;

pub use error::{ErrorKind, GenomeError};
pub use limits::*;

use crate::walker::{Walker, WalkerLimits};
use error::Fault;

/// Default name of the function a genome must define.
pub const DEFAULT_ENTRY: &str = "make_walker";

#[derive(Clone, Debug, PartialEq)]
pub struct InterpConfig {
    /// The function called to build the walker.
    pub entry: String,
    pub limits: InterpLimits,
    pub walker_limits: WalkerLimits,
}

impl Default for InterpConfig {
    fn default() -> Self {
        InterpConfig {
            entry: DEFAULT_ENTRY.to_string(),
            limits: InterpLimits::default(),
            walker_limits: WalkerLimits::default(),
        }
    }
}

/// A genome that built a valid walker.
#[derive(Clone, Debug, PartialEq)]
pub struct Genome {
    pub walker: Walker,
    /// Steps executed (see `InterpLimits::max_steps`).
    pub steps: u64,
    /// What the genome printed, capped at `max_output_bytes`.
    pub output: String,
    /// Contract leniencies applied (`return wc` read as `wc.get_walker()`)
    /// and what validation repaired (self-connections dropped), one line each.
    pub warnings: Vec<String>,
}

/// Native stack reserved per source byte while parsing, checking, lowering
/// and dropping the syntax tree: enough for a source that is one deep
/// nesting from end to end, so hostile input cannot overflow the stack.
const STACK_PER_SOURCE_BYTE: usize = 512;

/// Runs a genome and returns its walker, or why it has none. Never panics:
/// an internal bug is reported as a `runtime` error.
pub fn interpret(source: &[u8], config: &InterpConfig) -> Result<Genome, GenomeError> {
    match catch_unwind(AssertUnwindSafe(|| interpret_unguarded(source, config))) {
        Ok(result) => result,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(GenomeError {
                kind: ErrorKind::Runtime,
                message: format!("interpreter bug: {detail}"),
                line: 0,
                col: 0,
                steps: 0,
                output: String::new(),
            })
        }
    }
}

/// Interprets many genomes in parallel (rayon); results keep the order of
/// `sources`.
pub fn interpret_many(
    sources: &[&[u8]],
    config: &InterpConfig,
) -> Vec<Result<Genome, GenomeError>> {
    sources
        .par_iter()
        .map(|source| interpret(source, config))
        .collect()
}

fn interpret_unguarded(source: &[u8], config: &InterpConfig) -> Result<Genome, GenomeError> {
    let text = parse::decode(source, config.limits.max_source_bytes)
        .map_err(|(fault, prefix)| located(fault, prefix, 0, String::new()))?;
    let needed = text.len() * STACK_PER_SOURCE_BYTE + limits::STACK_RED_ZONE;
    let program = stacker::maybe_grow(needed, needed + limits::STACK_SEGMENT, || {
        front_end(text, config)
    })
    .map_err(|fault| located(fault, text, 0, String::new()))?;
    let outcome = run::run(&program, &config.entry, config.limits, config.walker_limits);
    let (walker, at) = match outcome.result {
        Ok(result) => result,
        Err(fault) => return Err(located(fault, text, outcome.steps, outcome.output)),
    };
    let (walker, warnings) = match walker.validate_repairing(&config.walker_limits) {
        Ok(repaired) => repaired,
        Err(e) => {
            let fault = Fault::at(ErrorKind::InvalidWalker, e.to_string(), at);
            return Err(located(fault, text, outcome.steps, outcome.output));
        }
    };
    let mut lines = outcome.warnings;
    lines.extend(crate::walker::warning_lines(&warnings));
    Ok(Genome {
        walker,
        steps: outcome.steps,
        output: outcome.output,
        warnings: lines,
    })
}

/// Parse, check and lower. Runs on a stack sized for the source, because
/// ruff's tree is dropped recursively however deep it is.
fn front_end(text: &str, config: &InterpConfig) -> Result<ir::Program, Fault> {
    let module = parse::parse_module(text)?;
    check::check(&module, config.limits.nesting())?;
    lower::lower(&module, &config.entry)
}

/// The result of one `math` function: what a genome would get back.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MathValue {
    Float(f64),
    Int(i64),
    Bool(bool),
}

/// Calls the interpreter's `math.<name>` (or returns the constant) on float
/// arguments, so trusted Python can reproduce genome arithmetic bit for bit.
/// Errors read like the exception a genome would see.
pub fn math_call(name: &str, args: &[f64]) -> Result<MathValue, String> {
    let describe = |kind: &str, message: &str| format!("{kind}: {message}");
    let result = match math::member(name) {
        Some(value::Value::Builtin(f)) => math::apply(f, args),
        Some(constant) if args.is_empty() => Ok(constant),
        Some(_) => {
            return Err(describe(
                "TypeError",
                &format!("math.{name} is not callable"),
            ))
        }
        None => {
            return Err(describe(
                "AttributeError",
                &format!("math has no function '{name}' in the subset"),
            ))
        }
    };
    match result {
        Ok(value::Value::Float(f)) => Ok(MathValue::Float(f)),
        Ok(value::Value::Int(i)) => Ok(MathValue::Int(i)),
        Ok(value::Value::Bool(b)) => Ok(MathValue::Bool(b)),
        Ok(_) => Err(describe("TypeError", "unexpected result")),
        Err(run::Unwind::Raise(e)) => {
            let message = e.args.first().map_or(String::new(), |a| match a {
                value::Value::Str(s) => s.to_string(),
                _ => String::new(),
            });
            Err(describe(e.kind.name(), &message))
        }
        Err(run::Unwind::Fatal(f)) => Err(describe(f.kind.as_str(), &f.message)),
    }
}

fn located(fault: Fault, text: &str, steps: u64, output: String) -> GenomeError {
    let (line, col) = match fault.at {
        Some(offset) => {
            let mut offset = (offset as usize).min(text.len());
            while !text.is_char_boundary(offset) {
                offset -= 1;
            }
            let index = LineIndex::from_source_text(text);
            let position = index.line_column(TextSize::new(offset as u32), text);
            (position.line.get() as u32, position.column.get() as u32)
        }
        None => (0, 0),
    };
    GenomeError {
        kind: fault.kind,
        message: fault.message,
        line,
        col,
        steps,
        output,
    }
}

#[cfg(test)]
mod tests;
