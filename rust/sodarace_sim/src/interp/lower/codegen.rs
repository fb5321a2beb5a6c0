//! Code generation, the second pass: the `Lowerer`, which owns the
//! analysed scopes and builds the program's functions and symbol table,
//! and name resolution (slot, cell, free variable, global or builtin).
//! Statements and expressions are lowered in `statements` and
//! `expressions`.

use std::rc::Rc;

use super::super::error::Fault;
use super::super::ir::*;
use super::super::value::{Builtin, ExcKind, Value};
use super::scope::{ScopeKind, Scopes};
use super::{unsupported, NameMap};

/// Python builtins outside the subset: naming one is `unsupported` rather
/// than a NameError, so the genome's author learns why.
const UNSUPPORTED_BUILTINS: &[&str] = &[
    "hash",
    "id",
    "iter",
    "next",
    "callable",
    "format",
    "frozenset",
    "bytes",
    "bytearray",
    "complex",
    "slice",
    "object",
    "hex",
    "oct",
    "bin",
    "ascii",
    "issubclass",
    "aiter",
    "anext",
    "__build_class__",
];

/// What a name refers to, from where it is used.
pub(super) enum Resolved {
    Local(u32),
    Cell(u32),
    Free(u32),
    Global(u32),
    Builtin(Value),
    Undefined,
}

/// The code generator's state: the analysed scopes, and the functions and
/// interned symbols of the program being built.
pub(super) struct Lowerer<'a> {
    pub(super) scopes: Scopes<'a>,
    pub(super) functions: Vec<FuncCode>,
    pub(super) symbols: Vec<Rc<str>>,
    symbol_ids: NameMap<&'a str, Sym>,
}

impl<'a> Lowerer<'a> {
    pub(super) fn new(scopes: Scopes<'a>) -> Self {
        Lowerer {
            scopes,
            functions: Vec::new(),
            symbols: Vec::new(),
            symbol_ids: NameMap::default(),
        }
    }

    pub(super) fn intern(&mut self, name: &'a str) -> Sym {
        if let Some(s) = well_known(name) {
            return s;
        }
        if let Some(&s) = self.symbol_ids.get(name) {
            return s;
        }
        let s = Sym((WELL_KNOWN.len() + self.symbols.len()) as u32);
        self.symbols.push(Rc::from(name));
        self.symbol_ids.insert(name, s);
        s
    }

    pub(super) fn global_slots(&mut self) -> Vec<GlobalSlot> {
        let names = self.scopes.global_names.clone();
        names
            .into_iter()
            .map(|name| GlobalSlot {
                name: self.intern(name),
                builtin: builtin_value(name),
            })
            .collect()
    }

    fn resolve(&self, scope: usize, name: &str) -> Resolved {
        let owner = self.scopes.scopes[scope].frame_owner;
        let mut cur = Some(scope);
        while let Some(c) = cur {
            let s = &self.scopes.scopes[c];
            let visible = c == scope || s.kind != ScopeKind::Class;
            if visible && s.bound_set.contains(name) {
                if s.kind == ScopeKind::Module {
                    return Resolved::Global(s.globals[name]);
                }
                if s.frame_owner == owner {
                    let slot = s.slots[name];
                    return if s.cells.contains(name) {
                        Resolved::Cell(slot)
                    } else {
                        Resolved::Local(slot)
                    };
                }
                let free = &self.scopes.scopes[owner].free;
                return match free.iter().position(|n| *n == name) {
                    Some(i) => Resolved::Free(i as u32),
                    None => Resolved::Undefined,
                };
            }
            cur = s.parent;
        }
        match builtin_value(name) {
            Some(v) => Resolved::Builtin(v),
            None => Resolved::Undefined,
        }
    }

    pub(super) fn name_load(
        &mut self,
        scope: usize,
        name: &'a str,
        at: u32,
    ) -> Result<ExprKind, Fault> {
        Ok(match self.resolve(scope, name) {
            Resolved::Local(s) => ExprKind::Local(s, self.intern(name)),
            Resolved::Cell(s) => ExprKind::Cell(s, self.intern(name)),
            Resolved::Free(i) => ExprKind::Free(i, self.intern(name)),
            Resolved::Global(g) => ExprKind::Global(g),
            Resolved::Builtin(v) => ExprKind::Const(v),
            Resolved::Undefined => {
                if UNSUPPORTED_BUILTINS.contains(&name) {
                    return Err(unsupported(
                        format!("builtin '{name}' is not supported"),
                        at,
                    ));
                }
                ExprKind::Undefined(self.intern(name))
            }
        })
    }

    pub(super) fn name_target(
        &mut self,
        scope: usize,
        name: &'a str,
        at: u32,
    ) -> Result<Target, Fault> {
        match self.resolve(scope, name) {
            Resolved::Local(s) => Ok(Target::Local(s)),
            Resolved::Cell(s) => Ok(Target::Cell(s)),
            Resolved::Global(g) => Ok(Target::Global(g)),
            _ => Err(unsupported(format!("cannot assign to '{name}' here"), at)),
        }
    }

    pub(super) fn captures(
        &self,
        defining: usize,
        inner: usize,
        at: u32,
    ) -> Result<Vec<Capture>, Fault> {
        let free = self.scopes.scopes[inner].free.clone();
        free.iter()
            .map(|name| match self.resolve(defining, name) {
                Resolved::Cell(s) => Ok(Capture::Slot(s)),
                Resolved::Free(i) => Ok(Capture::Free(i)),
                _ => Err(unsupported(format!("cannot capture '{name}'"), at)),
            })
            .collect()
    }

    pub(super) fn cell_slots(&self, scope: usize) -> Vec<u32> {
        let s = &self.scopes.scopes[scope];
        let mut slots: Vec<u32> = s.cells.iter().map(|n| s.slots[n]).collect();
        slots.sort_unstable();
        slots
    }
}

fn builtin_value(name: &str) -> Option<Value> {
    if let Some(b) = Builtin::from_name(name) {
        return Some(Value::Builtin(b));
    }
    ExcKind::from_name(name).map(Value::ExcType)
}
