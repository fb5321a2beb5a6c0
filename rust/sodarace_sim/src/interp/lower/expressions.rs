//! Lowering of expressions and assignment targets: literals, names,
//! operators, calls, subscripts, lambdas, f-strings and comprehensions.

use std::rc::Rc;

use ruff_python_ast::{self as ast, Expr as AstExpr};

use super::super::error::{ErrorKind, Fault};
use super::super::ir::*;
use super::super::value::Value;
use super::codegen::Lowerer;
use super::scope::Opener;
use super::{start, syntax, unsupported};

impl<'a> Lowerer<'a> {
    pub(super) fn target(&mut self, scope: usize, expr: &'a AstExpr) -> Result<Target, Fault> {
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

    /// Lowers the assignment targets of `a = b = value` or `del a, b`.
    pub(super) fn targets(
        &mut self,
        scope: usize,
        targets: &'a [AstExpr],
    ) -> Result<Vec<Target>, Fault> {
        targets.iter().map(|t| self.target(scope, t)).collect()
    }

    /// Lowers a list of expressions in one scope, stopping at the first
    /// fault.
    fn exprs(&mut self, scope: usize, exprs: &'a [AstExpr]) -> Result<Vec<Expr>, Fault> {
        exprs.iter().map(|e| self.expr(scope, e)).collect()
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

    pub(super) fn expr(&mut self, scope: usize, expr: &'a AstExpr) -> Result<Expr, Fault> {
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
                let values = self.exprs(scope, &b.values)?;
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
            let conditions = self.exprs(inner, &g.ifs)?;
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

pub(super) fn binop(op: ast::Operator, at: u32) -> Result<BinOp, Fault> {
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
