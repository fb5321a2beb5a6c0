//! Expressions: `eval` dispatches on the expression kind (names, literals,
//! operators, calls, subscripts, lambdas...), plus f-strings, slice
//! bounds and comprehensions, which run inline in the enclosing frame.

use std::rc::Rc;

use super::super::error::ErrorKind;
use super::super::ir::*;
use super::super::value::*;
use super::{fatal, raise, type_error, Frame, Machine, Res};

/// An evaluated subscript. The syntax tells `obj[a:b:c]` from `obj[key]`,
/// so reading, assigning and deleting an item all evaluate the key
/// through `eval_subscript` and branch on this.
pub(super) enum Subscript {
    Slice([Option<i64>; 3]),
    Key(Value),
}

impl<'p> Machine<'p> {
    pub fn eval(&mut self, f: Frame, e: &'p Expr) -> Res<Value> {
        self.eval_kind(f, e).map_err(|u| u.located(e.at))
    }

    pub fn eval_truthy(&mut self, f: Frame, e: &'p Expr) -> Res<bool> {
        let v = self.eval(f, e)?;
        self.truthy(&v)
    }

    fn eval_kind(&mut self, f: Frame, e: &'p Expr) -> Res<Value> {
        Ok(match &e.kind {
            ExprKind::Const(v) => v.clone(),
            ExprKind::Local(s, name) => match &self.stack[f.base + *s as usize] {
                Value::Unbound => return self.unbound_local(*name),
                v => v.clone(),
            },
            ExprKind::Cell(s, name) => match self.slot_value(f.base + *s as usize) {
                Value::Unbound => return self.unbound_local(*name),
                v => v,
            },
            ExprKind::Free(i, name) => {
                match &self.heap.cells[self.closure_cell(f, *i).0 as usize] {
                    Value::Unbound => {
                        let message = format!(
                        "cannot access free variable '{}' where it is not associated with a value in enclosing scope",
                        self.prog.name(*name)
                    );
                        return raise(ExcKind::NameError, message);
                    }
                    v => v.clone(),
                }
            }
            ExprKind::Global(g) => match &self.globals[*g as usize] {
                Value::Unbound => {
                    let slot = &self.prog.globals[*g as usize];
                    match &slot.builtin {
                        Some(b) => b.clone(),
                        None => return self.name_error(slot.name),
                    }
                }
                v => v.clone(),
            },
            ExprKind::Undefined(name) => return self.name_error(*name),
            ExprKind::Unary(op, operand) => {
                let v = self.eval(f, operand)?;
                self.unary(*op, v)?
            }
            ExprKind::Binary(op, left, right) => {
                let a = self.eval(f, left)?;
                let b = self.eval(f, right)?;
                self.binary(*op, a, b)?
            }
            ExprKind::And(values) | ExprKind::Or(values) => {
                // Python returns the first operand that decides the result.
                let stop_when = matches!(e.kind, ExprKind::Or(_));
                let mut v = Value::None;
                for operand in values {
                    v = self.eval(f, operand)?;
                    if self.truthy(&v)? == stop_when {
                        break;
                    }
                }
                v
            }
            ExprKind::Compare(left, rest) => {
                let mut a = self.eval(f, left)?;
                for (op, right) in rest {
                    let b = self.eval(f, right)?;
                    if !self.compare(*op, &a, &b).map_err(|u| u.located(right.at))? {
                        return Ok(Value::Bool(false));
                    }
                    a = b;
                }
                Value::Bool(true)
            }
            ExprKind::IfElse(test, body, orelse) => {
                if self.eval_truthy(f, test)? {
                    self.eval(f, body)?
                } else {
                    self.eval(f, orelse)?
                }
            }
            ExprKind::Call(func, args) => {
                let callee = self.eval(f, func)?;
                self.call_with_args(f, callee, args)?
            }
            ExprKind::CallMethod(obj, name, args) => {
                let receiver = self.eval(f, obj)?;
                self.call_method(f, receiver, *name, args)?
            }
            ExprKind::Attr(obj, name) => {
                let v = self.eval(f, obj)?;
                self.get_attr(&v, *name)?
            }
            ExprKind::Item(obj, key) => {
                let v = self.eval(f, obj)?;
                match self.eval_subscript(f, key)? {
                    Subscript::Slice(bounds) => self.get_slice(&v, bounds)?,
                    Subscript::Key(k) => self.get_item(&v, &k)?,
                }
            }
            ExprKind::Slice(..) => {
                return fatal(ErrorKind::Unsupported, "slice objects are not supported")
            }
            ExprKind::List(elements) => {
                let items = self.eval_elements(f, elements)?;
                self.new_list(items)?
            }
            ExprKind::Tuple(elements) => {
                let items = self.eval_elements(f, elements)?;
                self.new_tuple(items)?
            }
            ExprKind::Set(elements) => {
                let items = self.eval_elements(f, elements)?;
                let set = self.new_set()?;
                for item in items {
                    self.set_add(&set, item)?;
                }
                set
            }
            ExprKind::Dict(entries) => {
                let dict = self.new_dict()?;
                for (key, value) in entries {
                    match key {
                        Some(k) => {
                            let k = self.eval(f, k)?;
                            let v = self.eval(f, value)?;
                            self.dict_set(&dict, k, v)?;
                        }
                        None => {
                            let other = self.eval(f, value)?;
                            self.dict_update(&dict, &other)?;
                        }
                    }
                }
                dict
            }
            ExprKind::Comprehension(c) => self.comprehension(f, c)?,
            ExprKind::Lambda(code, defaults, kw_defaults) => {
                let defaults = self.eval_all(f, defaults)?;
                let kw_defaults = self.eval_all(f, kw_defaults)?;
                Value::Func(self.new_function(f, *code, defaults, kw_defaults)?)
            }
            ExprKind::FString(parts) => {
                let mut out = String::new();
                self.fstring(f, parts, &mut out)?;
                self.new_str(out)?
            }
        })
    }

    fn unbound_local<T>(&self, name: Sym) -> Res<T> {
        let message = format!(
            "cannot access local variable '{}' where it is not associated with a value",
            self.prog.name(name)
        );
        raise(ExcKind::UnboundLocalError, message)
    }

    fn name_error<T>(&self, name: Sym) -> Res<T> {
        raise(
            ExcKind::NameError,
            format!("name '{}' is not defined", self.prog.name(name)),
        )
    }

    fn fstring(&mut self, f: Frame, parts: &'p [FPart], out: &mut String) -> Res<()> {
        for part in parts {
            match part {
                FPart::Literal(text) => out.push_str(text),
                FPart::Field(field) => {
                    let v = self.eval(f, &field.expr)?;
                    if let Some(debug) = &field.debug {
                        out.push_str(debug);
                    }
                    let spec = match &field.spec {
                        Some(spec_parts) => {
                            let mut spec = String::new();
                            self.fstring(f, spec_parts, &mut spec)?;
                            spec
                        }
                        None => String::new(),
                    };
                    let conversion = match (field.conversion, &field.debug) {
                        (Conversion::None, Some(_)) if spec.is_empty() => Conversion::Repr,
                        (c, _) => c,
                    };
                    let text = match conversion {
                        Conversion::Repr => {
                            let r = self.repr(&v)?;
                            self.format_value(&Value::Str(Rc::from(r)), &spec)?
                        }
                        Conversion::Str => {
                            let s = self.str_of(&v)?;
                            self.format_value(&Value::Str(Rc::from(s)), &spec)?
                        }
                        Conversion::None => self.format_value(&v, &spec)?,
                    };
                    out.push_str(&text);
                    self.check_str_len(out.len())?;
                }
            }
        }
        Ok(())
    }

    fn eval_elements(&mut self, f: Frame, elements: &'p [Element]) -> Res<Vec<Value>> {
        let mut items = Vec::with_capacity(elements.len());
        for el in elements {
            match el {
                Element::One(e) => items.push(self.eval(f, e)?),
                Element::Star(e) => {
                    let v = self.eval(f, e)?;
                    let more = self.collect_iterable(&v)?;
                    items.extend(more);
                    self.check_len(items.len())?;
                }
            }
        }
        Ok(items)
    }

    /// Evaluates the `key` of `obj[key]`, telling a slice from an item.
    pub(super) fn eval_subscript(&mut self, f: Frame, key: &'p Expr) -> Res<Subscript> {
        match &key.kind {
            ExprKind::Slice(lower, upper, step) => {
                let bounds = self.eval_slice_parts(f, lower, upper, step)?;
                Ok(Subscript::Slice(bounds))
            }
            _ => Ok(Subscript::Key(self.eval(f, key)?)),
        }
    }

    fn eval_slice_parts(
        &mut self,
        f: Frame,
        lower: &'p Option<Box<Expr>>,
        upper: &'p Option<Box<Expr>>,
        step: &'p Option<Box<Expr>>,
    ) -> Res<[Option<i64>; 3]> {
        let mut bounds = [None; 3];
        for (slot, part) in bounds.iter_mut().zip([lower, upper, step]) {
            if let Some(e) = part {
                *slot = match self.eval(f, e)? {
                    Value::None => None,
                    Value::Int(i) => Some(i),
                    Value::Bool(b) => Some(b as i64),
                    other => {
                        let message = format!(
                            "slice indices must be integers or None, not {}",
                            self.type_name(&other)
                        );
                        return type_error(message);
                    }
                };
            }
        }
        Ok(bounds)
    }

    fn comprehension(&mut self, f: Frame, c: &'p Comprehension) -> Res<Value> {
        self.make_cells_fresh(f, &c.cell_slots)?;
        let result = match c.kind {
            CompKind::List => self.new_list(Vec::new())?,
            CompKind::Set => self.new_set()?,
            CompKind::Dict => self.new_dict()?,
        };
        self.comprehension_level(f, c, 0, &result)?;
        Ok(result)
    }

    fn make_cells_fresh(&mut self, f: Frame, slots: &[u32]) -> Res<()> {
        for &s in slots {
            self.stack[f.base + s as usize] = self.new_cell(Value::Unbound)?;
        }
        Ok(())
    }

    fn comprehension_level(
        &mut self,
        f: Frame,
        c: &'p Comprehension,
        level: usize,
        result: &Value,
    ) -> Res<()> {
        let g = &c.generators[level];
        let iterable = self.eval(f, &g.iter)?;
        let mut it = self.iter_of(&iterable)?;
        'items: while let Some(item) = self.iter_next(&mut it)? {
            self.tick()?;
            self.assign(f, &g.target, item)?;
            for condition in &g.conditions {
                if !self.eval_truthy(f, condition)? {
                    continue 'items;
                }
            }
            if level + 1 < c.generators.len() {
                self.comprehension_level(f, c, level + 1, result)?;
                continue;
            }
            let element = self.eval(f, &c.element)?;
            match (c.kind, &c.value) {
                (CompKind::List, _) => self.list_push(result, element)?,
                (CompKind::Set, _) => self.set_add(result, element)?,
                (CompKind::Dict, Some(value)) => {
                    let v = self.eval(f, value)?;
                    self.dict_set(result, element, v)?;
                }
                (CompKind::Dict, None) => {}
            }
        }
        Ok(())
    }
}
