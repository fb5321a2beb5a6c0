//! AST to IR: resolves every name to a frame slot, a closure cell, a global
//! slot or a builtin, interns attribute and keyword names, and reports
//! constructs outside the subset as `unsupported`.
//!
//! Scoping follows Python: a name assigned anywhere in a function is local to
//! it; names captured by inner functions become cells; class bodies are not
//! visible to the functions inside them. Comprehensions get their own scope
//! but run inline in the enclosing frame, with their variables in extra
//! slots of that frame.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

use ruff_python_ast::{self as ast, Expr as AstExpr, ExprContext, Stmt as AstStmt};
use ruff_text_size::Ranged;

use super::error::{ErrorKind, Fault};
use super::ir::*;
use super::math;
use super::value::{Builtin, ExcKind, ModuleKind, Value};

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

// ---------------------------------------------------------------------------
// Scope analysis

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ScopeKind {
    Module,
    Function,
    Class,
    Comprehension,
}

/// What kind of node opened a scope; with its start offset it keys the
/// scope (a lambda and a generator can start at the same offset).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Opener {
    Function,
    Lambda,
    Class,
    Comprehension,
}

struct Scope<'a> {
    kind: ScopeKind,
    parent: Option<usize>,
    children: Vec<usize>,
    /// Bound names in binding order; parameters come first.
    bound: Vec<&'a str>,
    bound_set: NameSet<&'a str>,
    used: Vec<&'a str>,
    cells: NameSet<&'a str>,
    /// Free variables, in closure order (frame owners only).
    free: Vec<&'a str>,
    frame_owner: usize,
    slots: NameMap<&'a str, u32>,
    /// Slots in this frame (frame owners only).
    n_slots: u32,
    /// Module only: global slot of each module-level name.
    globals: NameMap<&'a str, u32>,
}

#[derive(Default)]
struct Scopes<'a> {
    scopes: Vec<Scope<'a>>,
    by_node: NameMap<(u32, Opener), usize>,
    /// Module-level names in binding order (global slot order).
    global_names: Vec<&'a str>,
}

impl<'a> Scopes<'a> {
    fn add(&mut self, kind: ScopeKind, parent: Option<usize>) -> usize {
        let id = self.scopes.len();
        let frame_owner = match (kind, parent) {
            (ScopeKind::Comprehension, Some(p)) => self.scopes[p].frame_owner,
            _ => id,
        };
        self.scopes.push(Scope {
            kind,
            parent,
            children: Vec::new(),
            bound: Vec::new(),
            bound_set: NameSet::default(),
            used: Vec::new(),
            cells: NameSet::default(),
            free: Vec::new(),
            frame_owner,
            slots: NameMap::default(),
            n_slots: 0,
            globals: NameMap::default(),
        });
        if let Some(p) = parent {
            self.scopes[p].children.push(id);
        }
        id
    }

    fn bind(&mut self, scope: usize, name: &'a str) {
        let s = &mut self.scopes[scope];
        if s.bound_set.insert(name) {
            s.bound.push(name);
        }
    }

    /// Does a function or comprehension enclosing `scope` bind `name`?
    fn bound_in_enclosing_function(&self, scope: usize, name: &str) -> bool {
        let mut cur = self.scopes[scope].parent;
        while let Some(c) = cur {
            let s = &self.scopes[c];
            if matches!(s.kind, ScopeKind::Function | ScopeKind::Comprehension)
                && s.bound_set.contains(name)
            {
                return true;
            }
            cur = s.parent;
        }
        false
    }

    /// Returns the names `scope` needs from enclosing scopes, each flagged
    /// when the need crosses a frame boundary (so the binder must make it a
    /// cell). Records cells and free variables on the way.
    fn analyze(&mut self, scope: usize) -> Vec<(&'a str, bool)> {
        let mut needs: Vec<(&'a str, bool)> = Vec::new();
        fn merge<'a>(needs: &mut Vec<(&'a str, bool)>, name: &'a str, via_frame: bool) {
            match needs.iter_mut().find(|(n, _)| *n == name) {
                Some((_, v)) => *v |= via_frame,
                None => needs.push((name, via_frame)),
            }
        }
        let kind = self.scopes[scope].kind;
        let children = self.scopes[scope].children.clone();
        for child in children {
            let crosses = self.scopes[child].kind != ScopeKind::Comprehension;
            for (name, via) in self.analyze(child) {
                let via = via || crosses;
                let visible = kind != ScopeKind::Class && kind != ScopeKind::Module;
                if visible && self.scopes[scope].bound_set.contains(name) {
                    if via {
                        self.scopes[scope].cells.insert(name);
                    }
                } else {
                    merge(&mut needs, name, via);
                }
            }
        }
        for i in 0..self.scopes[scope].used.len() {
            let name = self.scopes[scope].used[i];
            if !self.scopes[scope].bound_set.contains(name) {
                merge(&mut needs, name, false);
            }
        }
        if matches!(kind, ScopeKind::Function | ScopeKind::Class) {
            let free: Vec<&'a str> = needs
                .iter()
                .map(|(n, _)| *n)
                .filter(|n| self.bound_in_enclosing_function(scope, n))
                .collect();
            self.scopes[scope].free = free;
        }
        needs
    }

    fn assign_slots(&mut self, root: usize) {
        let names = self.scopes[root].bound.clone();
        for name in names {
            let g = self.global_names.len() as u32;
            self.scopes[root].globals.insert(name, g);
            self.global_names.push(name);
        }
        for id in 0..self.scopes.len() {
            let owner = self.scopes[id].frame_owner;
            if self.scopes[id].kind == ScopeKind::Module {
                continue;
            }
            // Scopes are numbered in creation order, so an owner gets its
            // slots before the comprehensions inside it.
            for i in 0..self.scopes[id].bound.len() {
                let name = self.scopes[id].bound[i];
                let slot = self.scopes[owner].n_slots;
                self.scopes[owner].n_slots += 1;
                self.scopes[id].slots.insert(name, slot);
            }
        }
    }

    fn node(&self, at: u32, opener: Opener) -> usize {
        // Every scope-opening node was registered by the collector.
        self.by_node[&(at, opener)]
    }
}

/// The first pass: which names each scope binds and reads.
struct Collector<'s, 'a> {
    scopes: &'s mut Scopes<'a>,
    current: usize,
}

impl<'a> Collector<'_, 'a> {
    fn body(&mut self, body: &'a [AstStmt]) {
        for s in body {
            self.stmt(s);
        }
    }

    fn bind(&mut self, name: &'a str) {
        self.scopes.bind(self.current, name);
    }

    fn within(&mut self, scope: usize, f: impl FnOnce(&mut Self)) {
        let saved = self.current;
        self.current = scope;
        f(self);
        self.current = saved;
    }

    fn open(&mut self, at: u32, opener: Opener, kind: ScopeKind) -> usize {
        let id = self.scopes.add(kind, Some(self.current));
        self.scopes.by_node.insert((at, opener), id);
        id
    }

    fn parameters(&mut self, parameters: &'a ast::Parameters) {
        for p in parameters.posonlyargs.iter().chain(&parameters.args) {
            self.bind(p.parameter.name.as_str());
        }
        if let Some(p) = &parameters.vararg {
            self.bind(p.name.as_str());
        }
        for p in &parameters.kwonlyargs {
            self.bind(p.parameter.name.as_str());
        }
        if let Some(p) = &parameters.kwarg {
            self.bind(p.name.as_str());
        }
    }

    fn defaults(&mut self, parameters: &'a ast::Parameters) {
        for p in parameters.iter_non_variadic_params() {
            if let Some(d) = &p.default {
                self.expr(d);
            }
        }
    }

    fn stmt(&mut self, stmt: &'a AstStmt) {
        match stmt {
            AstStmt::FunctionDef(def) => {
                self.bind(def.name.as_str());
                self.defaults(&def.parameters);
                for d in &def.decorator_list {
                    self.expr(&d.expression);
                }
                let id = self.open(start(stmt), Opener::Function, ScopeKind::Function);
                self.within(id, |c| {
                    c.parameters(&def.parameters);
                    c.body(&def.body);
                });
            }
            AstStmt::ClassDef(class) => {
                self.bind(class.name.as_str());
                if let Some(arguments) = &class.arguments {
                    for a in arguments.args.iter() {
                        self.expr(a);
                    }
                }
                let id = self.open(start(stmt), Opener::Class, ScopeKind::Class);
                self.within(id, |c| c.body(&class.body));
            }
            AstStmt::Import(import) => {
                for alias in &import.names {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                    self.bind(bound.as_str());
                }
            }
            AstStmt::ImportFrom(import) => {
                for alias in &import.names {
                    if alias.name.as_str() == "*" {
                        for name in math::MEMBER_NAMES {
                            self.bind(name);
                        }
                    } else {
                        let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                        self.bind(bound.as_str());
                    }
                }
            }
            AstStmt::Try(t) => {
                self.body(&t.body);
                for handler in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = handler;
                    if let Some(e) = &h.type_ {
                        self.expr(e);
                    }
                    if let Some(name) = &h.name {
                        self.bind(name.as_str());
                    }
                    self.body(&h.body);
                }
                self.body(&t.orelse);
                self.body(&t.finalbody);
            }
            AstStmt::AnnAssign(a) => {
                self.expr(&a.target);
                if let Some(v) = &a.value {
                    self.expr(v);
                }
            }
            AstStmt::Global(_) | AstStmt::Nonlocal(_) => {}
            _ => self.generic_stmt(stmt),
        }
    }

    /// Statements whose children are plain statements and expressions.
    fn generic_stmt(&mut self, stmt: &'a AstStmt) {
        match stmt {
            AstStmt::Return(r) => {
                if let Some(v) = &r.value {
                    self.expr(v);
                }
            }
            AstStmt::Delete(d) => d.targets.iter().for_each(|t| self.expr(t)),
            AstStmt::Assign(a) => {
                self.expr(&a.value);
                a.targets.iter().for_each(|t| self.expr(t));
            }
            AstStmt::AugAssign(a) => {
                self.expr(&a.value);
                if let AstExpr::Name(n) = a.target.as_ref() {
                    self.scopes.scopes[self.current].used.push(n.id.as_str());
                }
                self.expr(&a.target);
            }
            AstStmt::For(f) => {
                self.expr(&f.iter);
                self.expr(&f.target);
                self.body(&f.body);
                self.body(&f.orelse);
            }
            AstStmt::While(w) => {
                self.expr(&w.test);
                self.body(&w.body);
                self.body(&w.orelse);
            }
            AstStmt::If(i) => {
                self.expr(&i.test);
                self.body(&i.body);
                for clause in &i.elif_else_clauses {
                    if let Some(t) = &clause.test {
                        self.expr(t);
                    }
                    self.body(&clause.body);
                }
            }
            AstStmt::Raise(r) => {
                if let Some(e) = &r.exc {
                    self.expr(e);
                }
            }
            AstStmt::Assert(a) => {
                self.expr(&a.test);
                if let Some(m) = &a.msg {
                    self.expr(m);
                }
            }
            AstStmt::Expr(e) => self.expr(&e.value),
            _ => {}
        }
    }

    fn comprehension(
        &mut self,
        at: u32,
        generators: &'a [ast::Comprehension],
        parts: &[&'a AstExpr],
    ) {
        let Some(first) = generators.first() else {
            return;
        };
        self.expr(&first.iter);
        let id = self.open(at, Opener::Comprehension, ScopeKind::Comprehension);
        self.within(id, |c| {
            for (i, g) in generators.iter().enumerate() {
                if i > 0 {
                    c.expr(&g.iter);
                }
                c.expr(&g.target);
                g.ifs.iter().for_each(|e| c.expr(e));
            }
            parts.iter().for_each(|e| c.expr(e));
        });
    }

    fn expr(&mut self, expr: &'a AstExpr) {
        // The checker bounded nesting, so this recursion is bounded too.
        match expr {
            AstExpr::Name(n) => match n.ctx {
                ExprContext::Load => self.scopes.scopes[self.current].used.push(n.id.as_str()),
                _ => self.bind(n.id.as_str()),
            },
            AstExpr::Lambda(l) => {
                if let Some(p) = &l.parameters {
                    self.defaults(p);
                }
                let id = self.open(start(expr), Opener::Lambda, ScopeKind::Function);
                self.within(id, |c| {
                    if let Some(p) = &l.parameters {
                        c.parameters(p);
                    }
                    c.expr(&l.body);
                });
            }
            AstExpr::ListComp(c) => self.comprehension(start(expr), &c.generators, &[&c.elt]),
            AstExpr::SetComp(c) => self.comprehension(start(expr), &c.generators, &[&c.elt]),
            AstExpr::Generator(c) => self.comprehension(start(expr), &c.generators, &[&c.elt]),
            AstExpr::DictComp(c) => {
                let key = c.key.as_deref();
                let mut parts: Vec<&AstExpr> = key.into_iter().collect();
                parts.push(&c.value);
                self.comprehension(start(expr), &c.generators, &parts)
            }
            _ => {
                let mut children = Vec::new();
                child_exprs(expr, &mut children);
                for child in children {
                    self.expr(child);
                }
            }
        }
    }
}

/// The direct sub-expressions of an expression that opens no scope.
fn child_exprs<'a>(expr: &'a AstExpr, out: &mut Vec<&'a AstExpr>) {
    match expr {
        AstExpr::BoolOp(b) => out.extend(b.values.iter()),
        AstExpr::Named(n) => {
            out.push(&n.target);
            out.push(&n.value);
        }
        AstExpr::BinOp(b) => {
            out.push(&b.left);
            out.push(&b.right);
        }
        AstExpr::UnaryOp(u) => out.push(&u.operand),
        AstExpr::If(i) => {
            out.push(&i.test);
            out.push(&i.body);
            out.push(&i.orelse);
        }
        AstExpr::Dict(d) => {
            for item in &d.items {
                if let Some(k) = &item.key {
                    out.push(k);
                }
                out.push(&item.value);
            }
        }
        AstExpr::Set(s) => out.extend(s.elts.iter()),
        AstExpr::Compare(c) => {
            out.push(&c.left);
            out.extend(c.comparators.iter());
        }
        AstExpr::Call(c) => {
            out.push(&c.func);
            out.extend(c.arguments.args.iter());
            out.extend(c.arguments.keywords.iter().map(|k| &k.value));
        }
        AstExpr::FString(f) => {
            for element in f.value.elements() {
                interpolation_exprs(element, out);
            }
        }
        AstExpr::Attribute(a) => out.push(&a.value),
        AstExpr::Subscript(s) => {
            out.push(&s.value);
            out.push(&s.slice);
        }
        AstExpr::Starred(s) => out.push(&s.value),
        AstExpr::List(l) => out.extend(l.elts.iter()),
        AstExpr::Tuple(t) => out.extend(t.elts.iter()),
        AstExpr::Slice(s) => {
            for part in [&s.lower, &s.upper, &s.step].into_iter().flatten() {
                out.push(part);
            }
        }
        _ => {}
    }
}

fn interpolation_exprs<'a>(
    element: &'a ast::InterpolatedStringElement,
    out: &mut Vec<&'a AstExpr>,
) {
    if let ast::InterpolatedStringElement::Interpolation(i) = element {
        out.push(&i.expression);
        if let Some(spec) = &i.format_spec {
            for e in spec.elements.iter() {
                interpolation_exprs(e, out);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Code generation

enum Resolved {
    Local(u32),
    Cell(u32),
    Free(u32),
    Global(u32),
    Builtin(Value),
    Undefined,
}

struct Lowerer<'a> {
    scopes: Scopes<'a>,
    functions: Vec<FuncCode>,
    symbols: Vec<Rc<str>>,
    symbol_ids: NameMap<&'a str, Sym>,
}

impl<'a> Lowerer<'a> {
    fn new(scopes: Scopes<'a>) -> Self {
        Lowerer {
            scopes,
            functions: Vec::new(),
            symbols: Vec::new(),
            symbol_ids: NameMap::default(),
        }
    }

    fn intern(&mut self, name: &'a str) -> Sym {
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

    fn global_slots(&mut self) -> Vec<GlobalSlot> {
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

    fn name_load(&mut self, scope: usize, name: &'a str, at: u32) -> Result<ExprKind, Fault> {
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

    fn name_target(&mut self, scope: usize, name: &'a str, at: u32) -> Result<Target, Fault> {
        match self.resolve(scope, name) {
            Resolved::Local(s) => Ok(Target::Local(s)),
            Resolved::Cell(s) => Ok(Target::Cell(s)),
            Resolved::Global(g) => Ok(Target::Global(g)),
            _ => Err(unsupported(format!("cannot assign to '{name}' here"), at)),
        }
    }

    fn captures(&self, defining: usize, inner: usize, at: u32) -> Result<Vec<Capture>, Fault> {
        let free = self.scopes.scopes[inner].free.clone();
        free.iter()
            .map(|name| match self.resolve(defining, name) {
                Resolved::Cell(s) => Ok(Capture::Slot(s)),
                Resolved::Free(i) => Ok(Capture::Free(i)),
                _ => Err(unsupported(format!("cannot capture '{name}'"), at)),
            })
            .collect()
    }

    fn cell_slots(&self, scope: usize) -> Vec<u32> {
        let s = &self.scopes.scopes[scope];
        let mut slots: Vec<u32> = s.cells.iter().map(|n| s.slots[n]).collect();
        slots.sort_unstable();
        slots
    }

    /// `in_loop` says whether `break` and `continue` are allowed here.
    fn block(
        &mut self,
        scope: usize,
        body: &'a [AstStmt],
        in_loop: bool,
    ) -> Result<Vec<Stmt>, Fault> {
        let mut out = Vec::with_capacity(body.len());
        for s in body {
            self.stmt(scope, s, in_loop, &mut out)?;
        }
        Ok(out)
    }

    fn stmt(
        &mut self,
        scope: usize,
        stmt: &'a AstStmt,
        in_loop: bool,
        out: &mut Vec<Stmt>,
    ) -> Result<(), Fault> {
        let at = start(stmt);
        let kind = match stmt {
            AstStmt::Expr(e) => {
                if matches!(
                    e.value.as_ref(),
                    AstExpr::StringLiteral(_) | AstExpr::NumberLiteral(_)
                ) {
                    return Ok(()); // docstrings and bare constants do nothing
                }
                StmtKind::Expr(self.expr(scope, &e.value)?)
            }
            AstStmt::Assign(a) => {
                let value = self.expr(scope, &a.value)?;
                let targets = a
                    .targets
                    .iter()
                    .map(|t| self.target(scope, t))
                    .collect::<Result<_, _>>()?;
                StmtKind::Assign(targets, value)
            }
            AstStmt::AnnAssign(a) => match &a.value {
                Some(v) => {
                    let value = self.expr(scope, v)?;
                    StmtKind::Assign(vec![self.target(scope, &a.target)?], value)
                }
                None => return Ok(()),
            },
            AstStmt::AugAssign(a) => {
                let target = match a.target.as_ref() {
                    AstExpr::Name(_) | AstExpr::Attribute(_) | AstExpr::Subscript(_) => {
                        self.target(scope, &a.target)?
                    }
                    _ => return Err(syntax("illegal target for augmented assignment", at)),
                };
                let op = binop(a.op, at)?;
                StmtKind::AugAssign(target, op, self.expr(scope, &a.value)?)
            }
            AstStmt::If(i) => {
                let test = self.expr(scope, &i.test)?;
                let body = self.block(scope, &i.body, in_loop)?;
                let orelse = self.elif_chain(scope, &i.elif_else_clauses, in_loop)?;
                StmtKind::If(test, body, orelse)
            }
            AstStmt::While(w) => {
                let test = self.expr(scope, &w.test)?;
                let body = self.block(scope, &w.body, true)?;
                let orelse = self.block(scope, &w.orelse, in_loop)?;
                StmtKind::While(test, body, orelse)
            }
            AstStmt::For(f) => {
                let iter = self.expr(scope, &f.iter)?;
                let target = self.target(scope, &f.target)?;
                let body = self.block(scope, &f.body, true)?;
                let orelse = self.block(scope, &f.orelse, in_loop)?;
                StmtKind::For(target, iter, body, orelse)
            }
            AstStmt::Return(r) => {
                if !self.in_function(scope) {
                    return Err(syntax("'return' outside function", at));
                }
                StmtKind::Return(r.value.as_ref().map(|v| self.expr(scope, v)).transpose()?)
            }
            AstStmt::Break(_) | AstStmt::Continue(_) => {
                if !in_loop {
                    let word = if matches!(stmt, AstStmt::Break(_)) {
                        "break"
                    } else {
                        "continue"
                    };
                    return Err(syntax(format!("'{word}' outside loop"), at));
                }
                if matches!(stmt, AstStmt::Break(_)) {
                    StmtKind::Break
                } else {
                    StmtKind::Continue
                }
            }
            AstStmt::Pass(_) => return Ok(()),
            AstStmt::Raise(r) => {
                StmtKind::Raise(r.exc.as_ref().map(|e| self.expr(scope, e)).transpose()?)
            }
            AstStmt::Assert(a) => {
                let test = self.expr(scope, &a.test)?;
                StmtKind::Assert(
                    test,
                    a.msg.as_ref().map(|m| self.expr(scope, m)).transpose()?,
                )
            }
            AstStmt::Delete(d) => {
                let targets = d
                    .targets
                    .iter()
                    .map(|t| self.target(scope, t))
                    .collect::<Result<_, _>>()?;
                StmtKind::Delete(targets)
            }
            AstStmt::Try(t) => StmtKind::Try(Box::new(self.try_stmt(scope, t, in_loop, at)?)),
            AstStmt::FunctionDef(def) => self.function_def(scope, def, at)?,
            AstStmt::ClassDef(class) => self.class_def(scope, class, at)?,
            AstStmt::Import(import) => {
                for alias in &import.names {
                    let module = match alias.name.as_str() {
                        "math" => ModuleKind::Math,
                        _ => ModuleKind::Walker,
                    };
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                    let target = self.name_target(scope, bound.as_str(), start(alias))?;
                    let value = Expr {
                        at,
                        kind: ExprKind::Const(Value::Module(module)),
                    };
                    out.push(Stmt {
                        at,
                        kind: StmtKind::Assign(vec![target], value),
                    });
                }
                return Ok(());
            }
            AstStmt::ImportFrom(import) => {
                let from_math = import.module.as_ref().is_some_and(|m| m.as_str() == "math");
                for alias in &import.names {
                    let name = alias.name.as_str();
                    let members: Vec<&'a str> = if name == "*" && from_math {
                        math::MEMBER_NAMES.to_vec()
                    } else {
                        vec![name]
                    };
                    for member in members {
                        let value = if from_math {
                            math::member(member).ok_or_else(|| {
                                unsupported(
                                    format!("math.{member} is not in the supported subset"),
                                    start(alias),
                                )
                            })?
                        } else {
                            Value::Builtin(Builtin::WalkerCreator)
                        };
                        let bound = match (&alias.asname, name) {
                            (Some(asname), _) => asname.as_str(),
                            (None, "*") => member,
                            (None, _) => alias.name.as_str(),
                        };
                        let target = self.name_target(scope, bound, start(alias))?;
                        let value = Expr {
                            at,
                            kind: ExprKind::Const(value),
                        };
                        out.push(Stmt {
                            at,
                            kind: StmtKind::Assign(vec![target], value),
                        });
                    }
                }
                return Ok(());
            }
            AstStmt::Global(_) | AstStmt::Nonlocal(_) | AstStmt::With(_) | AstStmt::Match(_) => {
                return Err(Fault::at(
                    ErrorKind::Forbidden,
                    "statement is not allowed",
                    at,
                ))
            }
            AstStmt::TypeAlias(_) | AstStmt::IpyEscapeCommand(_) => {
                return Err(unsupported("statement is not supported", at))
            }
        };
        out.push(Stmt { at, kind });
        Ok(())
    }

    fn in_function(&self, scope: usize) -> bool {
        self.scopes.scopes[self.scopes.scopes[scope].frame_owner].kind == ScopeKind::Function
    }

    fn elif_chain(
        &mut self,
        scope: usize,
        clauses: &'a [ast::ElifElseClause],
        in_loop: bool,
    ) -> Result<Vec<Stmt>, Fault> {
        let Some((first, rest)) = clauses.split_first() else {
            return Ok(Vec::new());
        };
        let body = self.block(scope, &first.body, in_loop)?;
        match &first.test {
            None => Ok(body),
            Some(test) => {
                let at = start(first);
                let test = self.expr(scope, test)?;
                let orelse = self.elif_chain(scope, rest, in_loop)?;
                Ok(vec![Stmt {
                    at,
                    kind: StmtKind::If(test, body, orelse),
                }])
            }
        }
    }

    fn try_stmt(
        &mut self,
        scope: usize,
        t: &'a ast::StmtTry,
        in_loop: bool,
        at: u32,
    ) -> Result<Try, Fault> {
        if t.is_star {
            return Err(unsupported("'except*' is not supported", at));
        }
        let body = self.block(scope, &t.body, in_loop)?;
        let mut handlers = Vec::with_capacity(t.handlers.len());
        for handler in &t.handlers {
            let ast::ExceptHandler::ExceptHandler(h) = handler;
            let kind = h.type_.as_ref().map(|e| self.expr(scope, e)).transpose()?;
            let name = match &h.name {
                Some(n) => Some(self.name_target(scope, n.as_str(), start(n))?),
                None => None,
            };
            let body = self.block(scope, &h.body, in_loop)?;
            handlers.push(Handler {
                at: start(h),
                kind,
                name,
                body,
            });
        }
        let orelse = self.block(scope, &t.orelse, in_loop)?;
        let finally = self.block(scope, &t.finalbody, in_loop)?;
        Ok(Try {
            body,
            handlers,
            orelse,
            finally,
        })
    }

    fn function_def(
        &mut self,
        scope: usize,
        def: &'a ast::StmtFunctionDef,
        at: u32,
    ) -> Result<StmtKind, Fault> {
        if let Some(d) = def.decorator_list.first() {
            return Err(unsupported("decorators are not supported", start(d)));
        }
        let inner = self.scopes.node(at, Opener::Function);
        let (defaults, kw_defaults) = self.defaults(scope, &def.parameters)?;
        let body = self.block(inner, &def.body, false)?;
        let index = self.function_code(
            scope,
            inner,
            def.name.as_str(),
            Some(&def.parameters),
            body,
            at,
        )?;
        let target = self.name_target(scope, def.name.as_str(), start(&def.name))?;
        Ok(StmtKind::Def(target, index, defaults, kw_defaults))
    }

    fn defaults(
        &mut self,
        scope: usize,
        parameters: &'a ast::Parameters,
    ) -> Result<(Vec<Expr>, Vec<Expr>), Fault> {
        let mut defaults = Vec::new();
        for p in parameters.posonlyargs.iter().chain(&parameters.args) {
            if let Some(d) = &p.default {
                defaults.push(self.expr(scope, d)?);
            }
        }
        let mut kw_defaults = Vec::new();
        for p in &parameters.kwonlyargs {
            if let Some(d) = &p.default {
                kw_defaults.push(self.expr(scope, d)?);
            }
        }
        Ok((defaults, kw_defaults))
    }

    fn function_code(
        &mut self,
        defining: usize,
        inner: usize,
        name: &'a str,
        parameters: Option<&'a ast::Parameters>,
        body: Vec<Stmt>,
        at: u32,
    ) -> Result<FuncIndex, Fault> {
        let slot = |lowerer: &Self, n: &str| lowerer.scopes.scopes[inner].slots[n];
        let mut params = Vec::new();
        let mut n_defaults = 0;
        let mut vararg = None;
        let mut kwonly = Vec::new();
        let mut kwarg = None;
        if let Some(p) = parameters {
            let positional: Vec<&ast::ParameterWithDefault> =
                p.posonlyargs.iter().chain(&p.args).collect();
            for (i, pd) in positional.iter().enumerate() {
                let pname = pd.parameter.name.as_str();
                if slot(self, pname) != i as u32 {
                    return Err(syntax(
                        format!("duplicate argument '{pname}' in function definition"),
                        start(&pd.parameter),
                    ));
                }
                params.push(self.intern(pname));
                if pd.default.is_some() {
                    n_defaults += 1;
                } else if n_defaults > 0 {
                    return Err(syntax(
                        "parameter without a default follows parameter with a default",
                        start(*pd),
                    ));
                }
            }
            vararg = p.vararg.as_ref().map(|v| slot(self, v.name.as_str()));
            let mut n_kw_defaults = 0;
            for pd in &p.kwonlyargs {
                let pname = pd.parameter.name.as_str();
                let default = pd.default.as_ref().map(|_| {
                    n_kw_defaults += 1;
                    n_kw_defaults - 1
                });
                kwonly.push((self.intern(pname), slot(self, pname), default));
            }
            kwarg = p.kwarg.as_ref().map(|v| slot(self, v.name.as_str()));
        }
        let captures = self.captures(defining, inner, at)?;
        let code = Code {
            n_slots: self.scopes.scopes[inner].n_slots,
            cell_slots: self.cell_slots(inner),
            body,
        };
        let class_attrs = if self.scopes.scopes[inner].kind == ScopeKind::Class {
            let bound = self.scopes.scopes[inner].bound.clone();
            bound
                .into_iter()
                .map(|n| (self.intern(n), slot(self, n)))
                .collect()
        } else {
            Vec::new()
        };
        self.functions.push(FuncCode {
            name: Rc::from(name),
            params,
            n_defaults,
            vararg,
            kwonly,
            kwarg,
            captures,
            code,
            class_attrs,
        });
        Ok((self.functions.len() - 1) as FuncIndex)
    }

    fn class_def(
        &mut self,
        scope: usize,
        class: &'a ast::StmtClassDef,
        at: u32,
    ) -> Result<StmtKind, Fault> {
        if let Some(d) = class.decorator_list.first() {
            return Err(unsupported("decorators are not supported", start(d)));
        }
        if let Some(arguments) = &class.arguments {
            let only_object = arguments.keywords.is_empty()
                && arguments
                    .args
                    .iter()
                    .all(|a| matches!(a, AstExpr::Name(n) if n.id.as_str() == "object"));
            if !only_object {
                return Err(unsupported(
                    "class inheritance is not supported",
                    start(arguments.as_ref()),
                ));
            }
        }
        let inner = self.scopes.node(at, Opener::Class);
        for s in &class.body {
            let allowed = match s {
                AstStmt::FunctionDef(_)
                | AstStmt::Assign(_)
                | AstStmt::AnnAssign(_)
                | AstStmt::Pass(_) => true,
                AstStmt::Expr(e) => matches!(e.value.as_ref(), AstExpr::StringLiteral(_)),
                _ => false,
            };
            if !allowed {
                return Err(unsupported(
                    "a class body may only hold methods, attribute assignments and a docstring",
                    start(s),
                ));
            }
        }
        let body = self.block(inner, &class.body, false)?;
        let index = self.function_code(scope, inner, class.name.as_str(), None, body, at)?;
        let target = self.name_target(scope, class.name.as_str(), start(&class.name))?;
        Ok(StmtKind::Class(
            target,
            index,
            Rc::from(class.name.as_str()),
        ))
    }

    fn target(&mut self, scope: usize, expr: &'a AstExpr) -> Result<Target, Fault> {
        let at = start(expr);
        match expr {
            AstExpr::Name(n) => self.name_target(scope, n.id.as_str(), at),
            AstExpr::Attribute(a) => {
                let obj = self.expr(scope, &a.value)?;
                Ok(Target::Attr(obj, self.intern(a.attr.as_str())))
            }
            AstExpr::Subscript(s) => {
                let obj = self.expr(scope, &s.value)?;
                Ok(Target::Item(obj, self.expr(scope, &s.slice)?))
            }
            AstExpr::Tuple(ast::ExprTuple { elts, .. })
            | AstExpr::List(ast::ExprList { elts, .. }) => {
                let mut star = None;
                let mut targets = Vec::with_capacity(elts.len());
                for (i, e) in elts.iter().enumerate() {
                    if let AstExpr::Starred(s) = e {
                        if star.is_some() {
                            return Err(syntax(
                                "multiple starred expressions in assignment",
                                start(e),
                            ));
                        }
                        star = Some(i);
                        targets.push(self.target(scope, &s.value)?);
                    } else {
                        targets.push(self.target(scope, e)?);
                    }
                }
                Ok(Target::Unpack(targets, star, at))
            }
            _ => Err(syntax("cannot assign to this expression", at)),
        }
    }

    fn boxed(&mut self, scope: usize, expr: &'a AstExpr) -> Result<Box<Expr>, Fault> {
        Ok(Box::new(self.expr(scope, expr)?))
    }

    fn elements(&mut self, scope: usize, elts: &'a [AstExpr]) -> Result<Vec<Element>, Fault> {
        elts.iter()
            .map(|e| match e {
                AstExpr::Starred(s) => Ok(Element::Star(self.expr(scope, &s.value)?)),
                _ => Ok(Element::One(self.expr(scope, e)?)),
            })
            .collect()
    }

    fn args(&mut self, scope: usize, arguments: &'a ast::Arguments) -> Result<Args, Fault> {
        let positional = self.elements(scope, &arguments.args)?;
        let mut keywords = Vec::with_capacity(arguments.keywords.len());
        for k in arguments.keywords.iter() {
            let value = self.expr(scope, &k.value)?;
            keywords.push(match &k.arg {
                Some(name) => Keyword::Named(self.intern(name.as_str()), value),
                None => Keyword::Spread(value),
            });
        }
        Ok(Args {
            positional,
            keywords,
        })
    }

    fn expr(&mut self, scope: usize, expr: &'a AstExpr) -> Result<Expr, Fault> {
        let at = start(expr);
        let kind = match expr {
            AstExpr::Name(n) => self.name_load(scope, n.id.as_str(), at)?,
            AstExpr::NumberLiteral(n) => ExprKind::Const(match &n.value {
                ast::Number::Int(i) => match i.as_u64().and_then(|v| i64::try_from(v).ok()) {
                    Some(v) => Value::Int(v),
                    None => {
                        return Err(Fault::at(
                            ErrorKind::Limit,
                            "integer literal does not fit in 64 bits",
                            at,
                        ))
                    }
                },
                ast::Number::Float(f) => Value::Float(*f),
                ast::Number::Complex { .. } => {
                    return Err(unsupported("complex numbers are not supported", at))
                }
            }),
            AstExpr::StringLiteral(s) => ExprKind::Const(Value::str(s.value.to_str())),
            AstExpr::BooleanLiteral(b) => ExprKind::Const(Value::Bool(b.value)),
            AstExpr::NoneLiteral(_) => ExprKind::Const(Value::None),
            AstExpr::BoolOp(b) => {
                let values = b
                    .values
                    .iter()
                    .map(|v| self.expr(scope, v))
                    .collect::<Result<Vec<_>, _>>()?;
                match b.op {
                    ast::BoolOp::And => ExprKind::And(values),
                    ast::BoolOp::Or => ExprKind::Or(values),
                }
            }
            AstExpr::BinOp(b) => {
                let op = binop(b.op, at)?;
                ExprKind::Binary(
                    op,
                    self.boxed(scope, &b.left)?,
                    self.boxed(scope, &b.right)?,
                )
            }
            AstExpr::UnaryOp(u) => {
                let op = match u.op {
                    ast::UnaryOp::Invert => UnaryOp::Invert,
                    ast::UnaryOp::Not => UnaryOp::Not,
                    ast::UnaryOp::UAdd => UnaryOp::Pos,
                    ast::UnaryOp::USub => UnaryOp::Neg,
                };
                // Fold `-<int literal>` so that -9223372036854775808 is representable.
                if let (UnaryOp::Neg, AstExpr::NumberLiteral(n)) = (op, u.operand.as_ref()) {
                    if let ast::Number::Int(i) = &n.value {
                        if i.as_u64() == Some(1 << 63) {
                            return Ok(Expr {
                                at,
                                kind: ExprKind::Const(Value::Int(i64::MIN)),
                            });
                        }
                    }
                }
                ExprKind::Unary(op, self.boxed(scope, &u.operand)?)
            }
            AstExpr::If(i) => ExprKind::IfElse(
                self.boxed(scope, &i.test)?,
                self.boxed(scope, &i.body)?,
                self.boxed(scope, &i.orelse)?,
            ),
            AstExpr::Compare(c) => {
                let left = self.boxed(scope, &c.left)?;
                let mut rest = Vec::with_capacity(c.ops.len());
                for (op, e) in c.ops.iter().zip(c.comparators.iter()) {
                    rest.push((cmpop(*op), self.expr(scope, e)?));
                }
                ExprKind::Compare(left, rest)
            }
            AstExpr::Call(c) => {
                let args = self.args(scope, &c.arguments)?;
                match c.func.as_ref() {
                    AstExpr::Attribute(a) => {
                        let obj = self.boxed(scope, &a.value)?;
                        ExprKind::CallMethod(obj, self.intern(a.attr.as_str()), args)
                    }
                    func => ExprKind::Call(self.boxed(scope, func)?, args),
                }
            }
            AstExpr::Attribute(a) => {
                let obj = self.boxed(scope, &a.value)?;
                ExprKind::Attr(obj, self.intern(a.attr.as_str()))
            }
            AstExpr::Subscript(s) => {
                ExprKind::Item(self.boxed(scope, &s.value)?, self.boxed(scope, &s.slice)?)
            }
            AstExpr::Slice(s) => {
                let mut part = |p: &'a Option<Box<AstExpr>>| {
                    p.as_ref().map(|e| self.boxed(scope, e)).transpose()
                };
                ExprKind::Slice(part(&s.lower)?, part(&s.upper)?, part(&s.step)?)
            }
            AstExpr::List(l) => ExprKind::List(self.elements(scope, &l.elts)?),
            AstExpr::Tuple(t) => ExprKind::Tuple(self.elements(scope, &t.elts)?),
            AstExpr::Set(s) => ExprKind::Set(self.elements(scope, &s.elts)?),
            AstExpr::Dict(d) => {
                let mut items = Vec::with_capacity(d.items.len());
                for item in &d.items {
                    let key = item.key.as_ref().map(|k| self.expr(scope, k)).transpose()?;
                    items.push((key, self.expr(scope, &item.value)?));
                }
                ExprKind::Dict(items)
            }
            AstExpr::ListComp(c) => {
                self.comprehension(scope, at, CompKind::List, &c.generators, &c.elt, None)?
            }
            AstExpr::Generator(c) => {
                self.comprehension(scope, at, CompKind::List, &c.generators, &c.elt, None)?
            }
            AstExpr::SetComp(c) => {
                self.comprehension(scope, at, CompKind::Set, &c.generators, &c.elt, None)?
            }
            AstExpr::DictComp(c) => {
                let key = c
                    .key
                    .as_deref()
                    .ok_or_else(|| unsupported("dict unpacking in a comprehension", at))?;
                self.comprehension(
                    scope,
                    at,
                    CompKind::Dict,
                    &c.generators,
                    key,
                    Some(&c.value),
                )?
            }
            AstExpr::Lambda(l) => {
                let inner = self.scopes.node(at, Opener::Lambda);
                let (defaults, kw_defaults) = match &l.parameters {
                    Some(p) => self.defaults(scope, p)?,
                    None => (Vec::new(), Vec::new()),
                };
                let value = self.expr(inner, &l.body)?;
                let body = vec![Stmt {
                    at: value.at,
                    kind: StmtKind::Return(Some(value)),
                }];
                let index = self.function_code(
                    scope,
                    inner,
                    "<lambda>",
                    l.parameters.as_deref(),
                    body,
                    at,
                )?;
                ExprKind::Lambda(index, defaults, kw_defaults)
            }
            AstExpr::FString(f) => {
                let mut parts = Vec::new();
                for part in f.value.iter() {
                    match part {
                        ast::FStringPart::Literal(s) => {
                            parts.push(FPart::Literal(Rc::from(&*s.value)))
                        }
                        ast::FStringPart::FString(fs) => {
                            self.fstring_elements(scope, &fs.elements, &mut parts)?
                        }
                    }
                }
                ExprKind::FString(parts)
            }
            AstExpr::Starred(_) => {
                return Err(syntax("starred expression is not allowed here", at))
            }
            AstExpr::Named(_) => {
                return Err(unsupported(
                    "assignment expressions (:=) are not supported",
                    at,
                ))
            }
            AstExpr::BytesLiteral(_) => return Err(unsupported("bytes are not supported", at)),
            AstExpr::EllipsisLiteral(_) => return Err(unsupported("'...' is not supported", at)),
            AstExpr::TString(_) => {
                return Err(unsupported("template strings are not supported", at))
            }
            AstExpr::Await(_) | AstExpr::Yield(_) | AstExpr::YieldFrom(_) => {
                return Err(Fault::at(
                    ErrorKind::Forbidden,
                    "expression is not allowed",
                    at,
                ))
            }
            AstExpr::IpyEscapeCommand(_) => {
                return Err(unsupported("expression is not supported", at))
            }
        };
        Ok(Expr { at, kind })
    }

    fn fstring_elements(
        &mut self,
        scope: usize,
        elements: &'a [ast::InterpolatedStringElement],
        parts: &mut Vec<FPart>,
    ) -> Result<(), Fault> {
        for element in elements {
            match element {
                ast::InterpolatedStringElement::Literal(l) => {
                    parts.push(FPart::Literal(Rc::from(&*l.value)))
                }
                ast::InterpolatedStringElement::Interpolation(i) => {
                    let expr = self.expr(scope, &i.expression)?;
                    let conversion = match i.conversion {
                        ast::ConversionFlag::None => Conversion::None,
                        ast::ConversionFlag::Str => Conversion::Str,
                        ast::ConversionFlag::Repr | ast::ConversionFlag::Ascii => Conversion::Repr,
                    };
                    let spec = match &i.format_spec {
                        Some(spec) => {
                            let mut spec_parts = Vec::new();
                            self.fstring_elements(scope, &spec.elements, &mut spec_parts)?;
                            Some(spec_parts)
                        }
                        None => None,
                    };
                    let debug = i.debug_text.as_ref().map(|d| Rc::from(d.as_str()));
                    parts.push(FPart::Field(Box::new(Field {
                        expr,
                        conversion,
                        spec,
                        debug,
                    })));
                }
            }
        }
        Ok(())
    }

    fn comprehension(
        &mut self,
        scope: usize,
        at: u32,
        kind: CompKind,
        generators: &'a [ast::Comprehension],
        element: &'a AstExpr,
        value: Option<&'a AstExpr>,
    ) -> Result<ExprKind, Fault> {
        let inner = self.scopes.node(at, Opener::Comprehension);
        let mut lowered = Vec::with_capacity(generators.len());
        for (i, g) in generators.iter().enumerate() {
            // The first iterable is evaluated in the enclosing scope.
            let iter = self.expr(if i == 0 { scope } else { inner }, &g.iter)?;
            let target = self.target(inner, &g.target)?;
            let conditions = g
                .ifs
                .iter()
                .map(|e| self.expr(inner, e))
                .collect::<Result<_, _>>()?;
            lowered.push(Generator {
                target,
                iter,
                conditions,
            });
        }
        let element = self.expr(inner, element)?;
        let value = value.map(|v| self.expr(inner, v)).transpose()?;
        let cell_slots = self.cell_slots(inner);
        Ok(ExprKind::Comprehension(Box::new(Comprehension {
            kind,
            generators: lowered,
            element,
            value,
            cell_slots,
        })))
    }
}

fn builtin_value(name: &str) -> Option<Value> {
    if let Some(b) = Builtin::from_name(name) {
        return Some(Value::Builtin(b));
    }
    ExcKind::from_name(name).map(Value::ExcType)
}

fn binop(op: ast::Operator, at: u32) -> Result<BinOp, Fault> {
    Ok(match op {
        ast::Operator::Add => BinOp::Add,
        ast::Operator::Sub => BinOp::Sub,
        ast::Operator::Mult => BinOp::Mul,
        ast::Operator::Div => BinOp::Div,
        ast::Operator::FloorDiv => BinOp::FloorDiv,
        ast::Operator::Mod => BinOp::Mod,
        ast::Operator::Pow => BinOp::Pow,
        ast::Operator::LShift => BinOp::LShift,
        ast::Operator::RShift => BinOp::RShift,
        ast::Operator::BitOr => BinOp::BitOr,
        ast::Operator::BitXor => BinOp::BitXor,
        ast::Operator::BitAnd => BinOp::BitAnd,
        ast::Operator::MatMult => return Err(unsupported("the @ operator is not supported", at)),
    })
}

fn cmpop(op: ast::CmpOp) -> CmpOp {
    match op {
        ast::CmpOp::Eq => CmpOp::Eq,
        ast::CmpOp::NotEq => CmpOp::NotEq,
        ast::CmpOp::Lt => CmpOp::Lt,
        ast::CmpOp::LtE => CmpOp::LtE,
        ast::CmpOp::Gt => CmpOp::Gt,
        ast::CmpOp::GtE => CmpOp::GtE,
        ast::CmpOp::Is => CmpOp::Is,
        ast::CmpOp::IsNot => CmpOp::IsNot,
        ast::CmpOp::In => CmpOp::In,
        ast::CmpOp::NotIn => CmpOp::NotIn,
    }
}
