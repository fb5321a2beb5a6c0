//! AST to IR: resolves every name to a frame slot, a closure cell, a global
//! slot or a builtin, interns attribute and keyword names, and reports
//! constructs outside the subset as `unsupported`.
//!
//! Scoping follows Python: a name assigned anywhere in a function is local to
//! it; names captured by inner functions become cells; class bodies are not
//! visible to the functions inside them. Comprehensions get their own scope
//! but run inline in the enclosing frame, with their variables in extra
//! slots of that frame.
//!
//! Lowering is two passes:
//!
//! - `scope`: scope analysis — which names each scope binds and reads,
//!   which become cells or free variables, and the slot of each;
//! - code generation, given those scopes: `codegen` holds the `Lowerer`
//!   and name resolution, `statements` lowers statements (including
//!   `def` and `class`), `expressions` lowers expressions and targets.

mod codegen;
mod expressions;
mod scope;
mod statements;

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use super::error::{ErrorKind, Fault};
use super::ir::*;
use codegen::Lowerer;
use scope::{Collector, ScopeKind, Scopes};

pub(crate) fn lower(module: &ast::ModModule, entry: &str) -> Result<Program, Fault> {
    let mut scopes = Scopes::default();
    let root = scopes.add(ScopeKind::Module, None);
    let mut collector = Collector {
        scopes: &mut scopes,
        current: root,
    };
    collector.body(&module.body);
    scopes.analyze(root);
    scopes.assign_slots(root);

    let mut lowerer = Lowerer::new(scopes);
    let body = lowerer.block(root, &module.body, false)?;
    let n_slots = lowerer.scopes.scopes[root].n_slots;
    let entry_slot = lowerer.scopes.scopes[root].globals.get(entry).copied();
    let globals = lowerer.global_slots();
    Ok(Program {
        module: Code {
            n_slots,
            cell_slots: Vec::new(),
            body,
        },
        functions: lowerer.functions,
        symbols: lowerer.symbols,
        globals,
        entry: entry_slot,
    })
}

/// A fast deterministic hasher for the lowering's small maps of names
/// (SipHash's DoS resistance buys nothing here, and lowering runs per genome).
#[derive(Default)]
struct NameHasher(u64);

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_u8(&mut self, x: u8) {
        self.write_u64(x as u64);
    }

    fn write_u32(&mut self, x: u32) {
        self.write_u64(x as u64);
    }

    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type NameMap<K, V> = HashMap<K, V, BuildHasherDefault<NameHasher>>;
type NameSet<K> = HashSet<K, BuildHasherDefault<NameHasher>>;

fn start(node: &impl Ranged) -> u32 {
    node.range().start().to_u32()
}

fn unsupported(message: impl Into<String>, at: u32) -> Fault {
    Fault::at(ErrorKind::Unsupported, message, at)
}

fn syntax(message: impl Into<String>, at: u32) -> Fault {
    Fault::at(ErrorKind::Syntax, message, at)
}
