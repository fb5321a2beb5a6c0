//! Error classification shared by every stage of the interpreter.

use std::fmt;

/// What kind of failure stopped a genome. Each kind tells the search loop
/// something different: a `syntax` or `unsupported` genome needs a different
/// mutation from one that hit a `limit` or built an `invalid_walker`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Not valid Python 3.11, not UTF-8, or contains a NUL byte.
    Syntax,
    /// Valid Python that the sandbox policy rejects (imports, dunders, eval...).
    Forbidden,
    /// Valid, allowed Python outside the interpreted subset.
    Unsupported,
    /// An uncaught exception, or a broken genome contract.
    Runtime,
    /// A resource limit: steps, call depth, heap, sizes, joint caps.
    Limit,
    /// The returned walker fails `Walker::validate`.
    InvalidWalker,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "syntax",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Runtime => "runtime",
            ErrorKind::Limit => "limit",
            ErrorKind::InvalidWalker => "invalid_walker",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a genome produced no walker. `line` and `col` are 1-based (columns
/// count characters); both are 0 only when no position applies.
#[derive(Clone, Debug, PartialEq)]
pub struct GenomeError {
    pub kind: ErrorKind,
    pub message: String,
    pub line: u32,
    pub col: u32,
    /// Steps executed before the failure (0 for errors found before running).
    pub steps: u64,
    /// What the genome printed before it failed (capped like any output).
    pub output: String,
}

impl fmt::Display for GenomeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} error at {}:{}: {}",
            self.kind, self.line, self.col, self.message
        )
    }
}

impl std::error::Error for GenomeError {}

/// An error located by byte offset into the source; turned into a
/// `GenomeError` (line and column) only when it is reported.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Fault {
    pub kind: ErrorKind,
    pub message: String,
    pub at: Option<u32>,
}

impl Fault {
    pub fn new(kind: ErrorKind, message: impl Into<String>, at: Option<u32>) -> Fault {
        Fault {
            kind,
            message: message.into(),
            at,
        }
    }

    pub fn at(kind: ErrorKind, message: impl Into<String>, at: u32) -> Fault {
        Fault::new(kind, message, Some(at))
    }
}
