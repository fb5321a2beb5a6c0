//! Lowering of statements: blocks, assignments, loops, `if`/`elif`
//! chains, `try`, imports, and `def`/`class` (their code objects,
//! defaults and captured cells).

use std::rc::Rc;

use ruff_python_ast::{self as ast, Expr as AstExpr, Stmt as AstStmt};

use super::super::error::{ErrorKind, Fault};
use super::super::ir::*;
use super::super::value::{Builtin, ModuleKind, Value};
use super::super::{math, numpy};
use super::codegen::Lowerer;
use super::expressions::binop;
use super::scope::{Opener, ScopeKind};
use super::{start, syntax, unsupported};

impl<'a> Lowerer<'a> {
    /// `in_loop` says whether `break` and `continue` are allowed here.
    pub(super) fn block(
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
                let targets = self.targets(scope, &a.targets)?;
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
            AstStmt::Delete(d) => StmtKind::Delete(self.targets(scope, &d.targets)?),
            AstStmt::Try(t) => StmtKind::Try(Box::new(self.try_stmt(scope, t, in_loop, at)?)),
            AstStmt::FunctionDef(def) => self.function_def(scope, def, at)?,
            AstStmt::ClassDef(class) => self.class_def(scope, class, at)?,
            AstStmt::Import(import) => {
                for alias in &import.names {
                    let module = match alias.name.as_str() {
                        "math" => ModuleKind::Math,
                        "numpy" => ModuleKind::Numpy,
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
                let module = import.module.as_ref().map_or("", |m| m.as_str());
                let from_math = module == "math";
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
                        } else if module == "numpy" {
                            numpy::member(member).ok_or_else(|| {
                                unsupported(numpy::unsupported_member(member), start(alias))
                            })?
                        } else if member == "query_cppn" {
                            Value::Builtin(Builtin::QueryCppn)
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
        reject_decorators(&def.decorator_list)?;
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

    pub(super) fn defaults(
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

    pub(super) fn function_code(
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
        reject_decorators(&class.decorator_list)?;
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
}

/// `def` and `class` both refuse decorators, at the first one written.
fn reject_decorators(decorators: &[ast::Decorator]) -> Result<(), Fault> {
    match decorators.first() {
        Some(d) => Err(unsupported("decorators are not supported", start(d))),
        None => Ok(()),
    }
}
