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

    /// Rejects limits under which no genome could run at all. The size caps
    /// may be 0 (a genome that builds any list or prints anything then hits
    /// its limit), the budgets that every genome spends may not.
    pub fn check(&self) -> Result<(), String> {
        let at_least_one = [
            ("max_steps", self.max_steps),
            ("max_depth", u64::from(self.max_depth)),
            ("max_heap_bytes", self.max_heap_bytes as u64),
            ("max_source_bytes", self.max_source_bytes as u64),
            ("max_nesting", u64::from(self.max_nesting)),
        ];
        for (name, value) in at_least_one {
            if value < 1 {
                return Err(format!("{name} must be at least 1, got {value}"));
            }
        }
        Ok(())
    }
}

/// Native stack kept free before entering another level of recursion, and
/// the size of each extra segment `stacker` maps when it runs short. A
/// genome function body nests at most `max_nesting` levels, so one red zone
/// covers it.
pub(crate) const STACK_RED_ZONE: usize = 512 << 10;
pub(crate) const STACK_SEGMENT: usize = 4 << 20;

#[cfg(test)]
mod check_tests {
    use super::*;

    #[test]
    fn defaults_pass_and_a_zero_budget_is_named() {
        assert_eq!(InterpLimits::default().check(), Ok(()));
        let zero_steps = InterpLimits {
            max_steps: 0,
            ..InterpLimits::default()
        };
        assert_eq!(
            zero_steps.check(),
            Err("max_steps must be at least 1, got 0".to_string())
        );
        let no_output = InterpLimits {
            max_output_bytes: 0,
            max_container_len: 0,
            ..InterpLimits::default()
        };
        assert_eq!(no_output.check(), Ok(()));
    }
}
