//! The static allowlist, applied to the AST before anything runs.
//!
//! It rejects, as `forbidden`: imports other than `math`, `numpy` and the
//! walker API (`numpy.*` submodules are `unsupported`);
//! dunder names and attributes (except defining `__init__` in a class);
//! builtins that reach outside the sandbox (`eval`, `open`, `getattr`...);
//! `.format` on anything but a string literal with plain fields; and
//! `global`, `nonlocal`, `yield`, `await`, `async`, `with` and `match`. It
//! also bounds syntactic nesting (a `limit`), which bounds the native stack
//! of every later stage. Constructs that are harmless but outside the subset
//! are left to `lower`, which reports them as `unsupported`.

use std::collections::HashSet;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ExprContext, Stmt};
use ruff_text_size::Ranged;

use super::error::{ErrorKind, Fault};

/// Builtins that inspect or escape the interpreter. A genome may still use
/// these names for its own variables; only reading the builtin is refused.
const FORBIDDEN_BUILTINS: &[&str] = &[
    "eval",
    "exec",
    "compile",
    "open",
    "getattr",
    "setattr",
    "delattr",
    "hasattr",
    "globals",
    "locals",
    "vars",
    "dir",
    "type",
    "input",
    "breakpoint",
    "help",
    "exit",
    "quit",
    "memoryview",
    "super",
    "classmethod",
    "staticmethod",
    "property",
];

pub(crate) fn check(module: &ast::ModModule, max_nesting: u32) -> Result<(), Fault> {
    let mut checker = Checker {
        depth: 0,
        max_nesting,
        fault: None,
        init_methods: Vec::new(),
        stored: HashSet::new(),
        forbidden_loads: Vec::new(),
    };
    checker.visit_body(&module.body);
    if let Some(fault) = checker.fault {
        return Err(fault);
    }
    if let Some((name, at)) = checker
        .forbidden_loads
        .iter()
        .find(|(name, _)| !checker.stored.contains(name))
    {
        return Err(forbidden(
            format!("'{name}' is not allowed in genomes"),
            *at,
        ));
    }
    Ok(())
}

/// What a genome may import from the walker API's modules: OpenELM's
/// walker package exports these two functions (and a `Walker` class that
/// genomes have no use for).
pub(crate) const WALKER_EXPORTS: [&str; 2] = ["walker_creator", "query_cppn"];

pub(crate) fn is_walker_module(name: &str) -> bool {
    matches!(name, "walker" | "walker_creator" | "openelm") || name.starts_with("openelm.")
}

fn is_dunder(name: &str) -> bool {
    name.len() > 4 && name.starts_with("__") && name.ends_with("__")
}

fn forbidden(message: impl Into<String>, at: u32) -> Fault {
    Fault::at(ErrorKind::Forbidden, message, at)
}

fn start(node: &impl Ranged) -> u32 {
    node.range().start().to_u32()
}

struct Checker<'a> {
    depth: u32,
    max_nesting: u32,
    fault: Option<Fault>,
    /// Offsets of `def __init__` statements directly inside a class body.
    init_methods: Vec<u32>,
    stored: HashSet<&'a str>,
    forbidden_loads: Vec<(&'a str, u32)>,
}

impl<'a> Checker<'a> {
    fn fail(&mut self, fault: Fault) {
        if self.fault.is_none() {
            self.fault = Some(fault);
        }
    }

    /// Enters one nesting level; false (with a fault) when too deep.
    fn enter(&mut self, at: u32) -> bool {
        self.depth += 1;
        if self.depth > self.max_nesting {
            let message = format!(
                "program is nested more than {} levels deep",
                self.max_nesting
            );
            self.fail(Fault::at(ErrorKind::Limit, message, at));
        }
        self.fault.is_none()
    }

    /// Remembers that the genome binds `name` itself (only forbidden
    /// builtin names matter).
    fn stored_name(&mut self, name: &'a str) {
        if FORBIDDEN_BUILTINS.contains(&name) {
            self.stored.insert(name);
        }
    }

    fn name_binding(&mut self, name: &'a str, at: u32) {
        if is_dunder(name) {
            self.fail(forbidden(
                format!("dunder name '{name}' is not allowed"),
                at,
            ));
        }
        self.stored_name(name);
    }

    fn check_import(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    let module = alias.name.as_str();
                    if let Some(member) = module.strip_prefix("numpy.") {
                        let message = super::numpy::unsupported_member(member);
                        self.fail(Fault::at(ErrorKind::Unsupported, message, start(alias)));
                    }
                    let allowed = matches!(module, "math" | "numpy")
                        || (is_walker_module(module) && !module.contains('.'));
                    if !allowed && !module.starts_with("numpy.") {
                        let message = format!(
                            "import of '{module}' is not allowed (only math, numpy and the walker API)"
                        );
                        self.fail(forbidden(message, start(alias)));
                    }
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                    self.name_binding(bound.as_str(), start(alias));
                }
            }
            Stmt::ImportFrom(import) => {
                let module = import.module.as_ref().map_or("", |m| m.as_str());
                if let Some(member) = module.strip_prefix("numpy.") {
                    let message = super::numpy::unsupported_member(member);
                    self.fail(Fault::at(ErrorKind::Unsupported, message, start(stmt)));
                    return;
                }
                let known = matches!(module, "math" | "numpy") || is_walker_module(module);
                if import.level > 0 || !known {
                    let message = format!(
                        "import from '{module}' is not allowed (only math, numpy and the walker API)"
                    );
                    self.fail(forbidden(message, start(stmt)));
                    return;
                }
                for alias in &import.names {
                    let name = alias.name.as_str();
                    if is_walker_module(module) && !WALKER_EXPORTS.contains(&name) {
                        let message = format!(
                            "only walker_creator and query_cppn can be imported from '{module}'"
                        );
                        self.fail(forbidden(message, start(alias)));
                    }
                    if module == "numpy" && name == "*" {
                        let message =
                            "from numpy import * is not supported; use import numpy as np";
                        self.fail(Fault::at(ErrorKind::Unsupported, message, start(alias)));
                    }
                    if name != "*" {
                        let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                        self.name_binding(bound.as_str(), start(alias));
                    }
                }
            }
            _ => {}
        }
    }

    fn check_format_literal(&mut self, receiver: &Expr, at: u32) {
        let Expr::StringLiteral(literal) = receiver else {
            self.fail(forbidden(
                ".format is only allowed on a string literal (use an f-string)",
                at,
            ));
            return;
        };
        if let Err(message) = validate_format_fields(literal.value.to_str()) {
            self.fail(forbidden(message, at));
        }
    }
}

/// Accepts only replacement fields `{}` or `{N}`, optionally with `!r`/`!s`
/// and a format spec without nested fields: no attribute or index access.
pub(crate) fn validate_format_fields(text: &str) -> Result<(), String> {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '}' && chars.peek() == Some(&'}') {
            chars.next();
        } else if c == '{' {
            if chars.peek() == Some(&'{') {
                chars.next();
                continue;
            }
            let mut field = String::new();
            loop {
                match chars.next() {
                    Some('}') => break,
                    Some('{') | None => {
                        return Err("str.format fields may not nest or be left open".into())
                    }
                    Some(c) => field.push(c),
                }
            }
            let name = field.split([':', '!']).next().unwrap_or("");
            if !name.chars().all(|c| c.is_ascii_digit()) {
                return Err(format!(
                    "str.format field '{{{field}}}' is not allowed: only {{}} or {{0}} fields"
                ));
            }
        }
    }
    Ok(())
}

impl<'a> Visitor<'a> for Checker<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if !self.enter(start(stmt)) {
            self.depth -= 1;
            return;
        }
        let at = start(stmt);
        match stmt {
            // Each `elif` nests one level deeper once lowered.
            Stmt::If(s)
                if self.depth as usize + s.elif_else_clauses.len() > self.max_nesting as usize =>
            {
                let message = format!(
                    "if statement with {} elif/else branches nests more than {} levels deep",
                    s.elif_else_clauses.len(),
                    self.max_nesting
                );
                self.fail(Fault::at(ErrorKind::Limit, message, at));
            }
            Stmt::Global(_) => self.fail(forbidden("'global' is not allowed", at)),
            Stmt::Nonlocal(_) => self.fail(forbidden("'nonlocal' is not allowed", at)),
            Stmt::With(_) => self.fail(forbidden("'with' is not allowed", at)),
            Stmt::Match(_) => self.fail(forbidden("'match' is not allowed", at)),
            Stmt::For(f) if f.is_async => self.fail(forbidden("'async' is not allowed", at)),
            Stmt::Import(_) | Stmt::ImportFrom(_) => self.check_import(stmt),
            Stmt::FunctionDef(def) => {
                if def.is_async {
                    self.fail(forbidden("'async' is not allowed", at));
                }
                let name = def.name.as_str();
                if name == "__init__" && self.init_methods.contains(&at) {
                    self.stored_name(name);
                } else {
                    self.name_binding(name, start(&def.name));
                }
            }
            Stmt::ClassDef(class) => {
                self.name_binding(class.name.as_str(), start(&class.name));
                for s in &class.body {
                    if let Stmt::FunctionDef(def) = s {
                        if def.name.as_str() == "__init__" {
                            self.init_methods.push(start(s));
                        }
                    }
                }
            }
            _ => {}
        }
        if self.fault.is_none() {
            visitor::walk_stmt(self, stmt);
        }
        self.depth -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        let at = start(expr);
        if !self.enter(at) {
            self.depth -= 1;
            return;
        }
        match expr {
            Expr::Name(name) => {
                let id = name.id.as_str();
                if is_dunder(id) {
                    self.fail(forbidden(format!("dunder name '{id}' is not allowed"), at));
                } else if name.ctx == ExprContext::Load {
                    if FORBIDDEN_BUILTINS.contains(&id) {
                        self.forbidden_loads.push((id, at));
                    }
                } else {
                    self.stored_name(id);
                }
            }
            Expr::Yield(_) | Expr::YieldFrom(_) => {
                self.fail(forbidden("'yield' is not allowed", at))
            }
            Expr::Await(_) => self.fail(forbidden("'await' is not allowed", at)),
            Expr::ListComp(ast::ExprListComp { generators, .. })
            | Expr::SetComp(ast::ExprSetComp { generators, .. })
            | Expr::DictComp(ast::ExprDictComp { generators, .. })
            | Expr::Generator(ast::ExprGenerator { generators, .. }) => {
                if generators.iter().any(|g| g.is_async) {
                    self.fail(forbidden("'async' is not allowed", at));
                }
                // Each `for` clause runs one level deeper.
                if self.depth as usize + generators.len() > self.max_nesting as usize {
                    let message = format!(
                        "comprehension with {} for clauses nests more than {} levels deep",
                        generators.len(),
                        self.max_nesting
                    );
                    self.fail(Fault::at(ErrorKind::Limit, message, at));
                }
            }
            _ => {}
        }
        if self.fault.is_none() {
            visitor::walk_expr(self, expr);
        }
        // Checked after the object, so `a.__b__.__c__` reports `__b__`.
        if let Expr::Attribute(attribute) = expr {
            let attr = attribute.attr.as_str();
            if attr.starts_with("__") {
                let message = format!("attribute '{attr}' is not allowed");
                self.fail(forbidden(message, start(&attribute.attr)));
            } else if attr == "format" {
                self.check_format_literal(&attribute.value, at);
            }
        }
        self.depth -= 1;
    }

    fn visit_parameter(&mut self, parameter: &'a ast::Parameter) {
        self.name_binding(parameter.name.as_str(), start(&parameter.name));
        visitor::walk_parameter(self, parameter);
    }

    fn visit_keyword(&mut self, keyword: &'a ast::Keyword) {
        if let Some(arg) = &keyword.arg {
            if is_dunder(arg.as_str()) {
                let message = format!("dunder name '{}' is not allowed", arg.as_str());
                self.fail(forbidden(message, start(arg)));
            }
        }
        visitor::walk_keyword(self, keyword);
    }

    fn visit_except_handler(&mut self, handler: &'a ast::ExceptHandler) {
        let ast::ExceptHandler::ExceptHandler(h) = handler;
        if let Some(name) = &h.name {
            self.name_binding(name.as_str(), start(name));
        }
        visitor::walk_except_handler(self, handler);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interp::parse::parse_module;

    fn run(source: &str) -> Result<(), Fault> {
        check(&parse_module(source).unwrap(), 100)
    }

    fn forbidden_at(source: &str) -> (String, u32) {
        let fault = run(source).unwrap_err();
        assert_eq!(fault.kind, ErrorKind::Forbidden, "{source}: {fault:?}");
        (fault.message, fault.at.unwrap())
    }

    #[test]
    fn allowed_imports_pass() {
        for source in [
            "import math",
            "import math as m",
            "from math import sin, cos as c",
            "from walker import walker_creator",
            "from walker_creator import walker_creator",
            "from openelm import walker_creator",
            "from openelm.environments.sodaracer import walker_creator",
            "import walker",
        ] {
            assert_eq!(run(source), Ok(()), "{source}");
        }
    }

    #[test]
    fn other_imports_are_forbidden() {
        for source in [
            "import os",
            "from os import path",
            "import math, sys",
            "from . import x",
            "from walker import os",
            "import openelm.x",
        ] {
            forbidden_at(source);
        }
    }

    #[test]
    fn escapes_and_dunders_are_forbidden_with_position() {
        assert_eq!(forbidden_at("x = 1\ny = ().__class__\n").1, 13);
        forbidden_at("print(__builtins__)");
        forbidden_at("eval('1')");
        forbidden_at("def f():\n    return getattr(f, 'x')\n");
        forbidden_at("class A:\n    def __repr__(self):\n        return ''\n");
        forbidden_at("def __init__(self):\n    pass\n");
        forbidden_at("f(__x__=1)");
    }

    #[test]
    fn init_in_a_class_is_allowed() {
        assert_eq!(
            run("class A:\n    def __init__(self, x):\n        self.x = x\n"),
            Ok(())
        );
    }

    #[test]
    fn a_genome_may_name_its_own_variable_type() {
        assert_eq!(run("type = 'spring'\nprint(type)\n"), Ok(()));
        forbidden_at("print(type(1))");
    }

    #[test]
    fn control_keywords_are_forbidden() {
        forbidden_at("def f():\n    global x\n");
        forbidden_at("def f():\n    x = 1\n    def g():\n        nonlocal x\n");
        forbidden_at("def f():\n    yield 1\n");
        forbidden_at("async def f():\n    pass\n");
        forbidden_at("with a as b:\n    pass\n");
        forbidden_at("match x:\n    case 1:\n        pass\n");
    }

    #[test]
    fn format_needs_a_plain_literal() {
        assert_eq!(run("s = '{} and {:.2f} {0!r}'.format(1, 2.0)"), Ok(()));
        forbidden_at("s = '{0.__class__}'.format(1)");
        forbidden_at("s = '{0[x]}'.format(1)");
        forbidden_at("t = 'x'\ns = t.format(1)");
        forbidden_at("s = '{x}'.format(x=1)");
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("x = {}1{}", "[".repeat(150), "]".repeat(150));
        let fault = check(&parse_module(&deep).unwrap(), 100).unwrap_err();
        assert_eq!(fault.kind, ErrorKind::Limit);
        let chain = format!("x = {}1", "1 + ".repeat(300));
        assert_eq!(
            check(&parse_module(&chain).unwrap(), 100).unwrap_err().kind,
            ErrorKind::Limit
        );
    }
}
