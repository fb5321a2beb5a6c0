//! Resource limits. Every limit is deterministic (counted, never timed), so
//! the same genome and limits always fail at the same point.

/// Configurable bounds on one genome's run; see `docs/genomes.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InterpLimits {
    /// Statements, loop iterations and calls (bulk builtins are charged one
    /// step per 16 elements they touch).
    pub max_steps: u64,
    /// Nested calls of genome functions.
    pub max_depth: u32,
    /// Total bytes allocated over the run. The heap is an arena freed when
    /// the genome ends, so this bounds allocation, not just live memory.
    pub max_heap_bytes: usize,
    /// Elements in one list, tuple, dict or set.
    pub max_container_len: usize,
    /// Bytes (UTF-8) in one string.
    pub max_str_len: usize,
    /// Source size, checked before parsing.
    pub max_source_bytes: usize,
    /// Captured `print` output; anything past it is dropped.
    pub max_output_bytes: usize,
    /// Syntactic nesting of statements and expressions. It bounds the native
    /// stack every later stage uses, so it is capped at `MAX_NESTING_CAP`.
    pub max_nesting: u32,
}

pub const DEFAULT_MAX_STEPS: u64 = 200_000;
pub const DEFAULT_MAX_DEPTH: u32 = 64;
pub const DEFAULT_MAX_HEAP_BYTES: usize = 32 << 20;
pub const DEFAULT_MAX_CONTAINER_LEN: usize = 100_000;
pub const DEFAULT_MAX_STR_LEN: usize = 100_000;
pub const DEFAULT_MAX_SOURCE_BYTES: usize = 64 << 10;
pub const DEFAULT_MAX_OUTPUT_BYTES: usize = 4 << 10;
pub const DEFAULT_MAX_NESTING: u32 = 100;
pub const MAX_NESTING_CAP: u32 = 1000;

impl Default for InterpLimits {
    fn default() -> Self {
        InterpLimits {
            max_steps: DEFAULT_MAX_STEPS,
            max_depth: DEFAULT_MAX_DEPTH,
            max_heap_bytes: DEFAULT_MAX_HEAP_BYTES,
            max_container_len: DEFAULT_MAX_CONTAINER_LEN,
            max_str_len: DEFAULT_MAX_STR_LEN,
            max_source_bytes: DEFAULT_MAX_SOURCE_BYTES,
            max_output_bytes: DEFAULT_MAX_OUTPUT_BYTES,
            max_nesting: DEFAULT_MAX_NESTING,
        }
    }
}

impl InterpLimits {
    pub(crate) fn nesting(&self) -> u32 {
        self.max_nesting.min(MAX_NESTING_CAP)
    }
}

/// Native stack kept free before entering another level of recursion, and
/// the size of each extra segment `stacker` maps when it runs short. A
/// genome function body nests at most `max_nesting` levels, so one red zone
/// covers it.
pub(crate) const STACK_RED_ZONE: usize = 512 << 10;
pub(crate) const STACK_SEGMENT: usize = 4 << 20;
