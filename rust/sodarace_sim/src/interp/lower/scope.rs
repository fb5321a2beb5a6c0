//! Scope analysis, the first pass: collects the names each scope (module,
//! function, lambda, class body, comprehension) binds and reads, then
//! decides which are locals, cells, free variables or globals and gives
//! each a slot. Code generation only looks the answers up.

use ruff_python_ast::{self as ast, Expr as AstExpr, ExprContext, Stmt as AstStmt};

use super::super::math;
use super::{start, NameMap, NameSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ScopeKind {
    Module,
    Function,
    Class,
    Comprehension,
}

/// What kind of node opened a scope; with its start offset it keys the
/// scope (a lambda and a generator can start at the same offset).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Opener {
    Function,
    Lambda,
    Class,
    Comprehension,
}

pub(super) struct Scope<'a> {
    pub(super) kind: ScopeKind,
    pub(super) parent: Option<usize>,
    pub(super) children: Vec<usize>,
    /// Bound names in binding order; parameters come first.
    pub(super) bound: Vec<&'a str>,
    pub(super) bound_set: NameSet<&'a str>,
    pub(super) used: Vec<&'a str>,
    pub(super) cells: NameSet<&'a str>,
    /// Free variables, in closure order (frame owners only).
    pub(super) free: Vec<&'a str>,
    pub(super) frame_owner: usize,
    pub(super) slots: NameMap<&'a str, u32>,
    /// Slots in this frame (frame owners only).
    pub(super) n_slots: u32,
    /// Module only: global slot of each module-level name.
    pub(super) globals: NameMap<&'a str, u32>,
}

#[derive(Default)]
pub(super) struct Scopes<'a> {
    pub(super) scopes: Vec<Scope<'a>>,
    pub(super) by_node: NameMap<(u32, Opener), usize>,
    /// Module-level names in binding order (global slot order).
    pub(super) global_names: Vec<&'a str>,
}

impl<'a> Scopes<'a> {
    pub(super) fn add(&mut self, kind: ScopeKind, parent: Option<usize>) -> usize {
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
    pub(super) fn analyze(&mut self, scope: usize) -> Vec<(&'a str, bool)> {
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

    pub(super) fn assign_slots(&mut self, root: usize) {
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

    pub(super) fn node(&self, at: u32, opener: Opener) -> usize {
        // Every scope-opening node was registered by the collector.
        self.by_node[&(at, opener)]
    }
}

/// The first pass: which names each scope binds and reads.
pub(super) struct Collector<'s, 'a> {
    pub(super) scopes: &'s mut Scopes<'a>,
    pub(super) current: usize,
}

impl<'a> Collector<'_, 'a> {
    pub(super) fn body(&mut self, body: &'a [AstStmt]) {
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
