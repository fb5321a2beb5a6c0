//! Statements: `exec` dispatches on the statement kind (the `for` and
//! `while` loops, `if`, `try`, `raise`, `def`, `class`, `return`...), and
//! the assignment family (`=`, `+=`, `del`, unpacking into targets).

use std::rc::Rc;

use super::super::error::ErrorKind;
use super::super::ir::*;
use super::super::limits::{STACK_RED_ZONE, STACK_SEGMENT};
use super::super::value::*;
use super::expressions::Subscript;
use super::{
    fatal, raise, type_error, Flow, Frame, Machine, Res, Unwind, OBJECT_BYTES, VALUE_BYTES,
};

impl<'p> Machine<'p> {
    pub fn exec_block(&mut self, f: Frame, body: &'p [Stmt]) -> Res<Flow> {
        for s in body {
            match self.exec(f, s)? {
                Flow::Normal => {}
                flow => return Ok(flow),
            }
        }
        Ok(Flow::Normal)
    }

    fn exec(&mut self, f: Frame, s: &'p Stmt) -> Res<Flow> {
        self.pos = s.at;
        self.exec_kind(f, s).map_err(|u| u.located(s.at))
    }

    fn exec_kind(&mut self, f: Frame, s: &'p Stmt) -> Res<Flow> {
        self.tick()?;
        match &s.kind {
            StmtKind::Expr(e) => {
                self.eval(f, e)?;
            }
            StmtKind::Assign(targets, value) => {
                let v = self.eval(f, value)?;
                if let [target] = targets.as_slice() {
                    self.assign(f, target, v)?;
                } else {
                    for t in targets {
                        self.assign(f, t, v.clone())?;
                    }
                }
            }
            StmtKind::AugAssign(target, op, value) => self.aug_assign(f, target, *op, value)?,
            StmtKind::If(test, body, orelse) => {
                let branch = if self.eval_truthy(f, test)? {
                    body
                } else {
                    orelse
                };
                return self.exec_block(f, branch);
            }
            StmtKind::While(test, body, orelse) => {
                while self.eval_truthy(f, test)? {
                    match self.exec_block(f, body)? {
                        Flow::Break => return Ok(Flow::Normal),
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        Flow::Normal | Flow::Continue => {}
                    }
                    self.tick()?;
                }
                return self.exec_block(f, orelse);
            }
            StmtKind::For(target, iter, body, orelse) => {
                let iterable = self.eval(f, iter)?;
                let mut it = self.iter_of(&iterable)?;
                while let Some(item) = self.iter_next(&mut it)? {
                    self.tick()?;
                    self.assign(f, target, item)?;
                    match self.exec_block(f, body)? {
                        Flow::Break => return Ok(Flow::Normal),
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        Flow::Normal | Flow::Continue => {}
                    }
                }
                return self.exec_block(f, orelse);
            }
            StmtKind::Return(value) => {
                let v = match value {
                    Some(e) => self.eval(f, e)?,
                    None => Value::None,
                };
                return Ok(Flow::Return(v));
            }
            StmtKind::Break => return Ok(Flow::Break),
            StmtKind::Continue => return Ok(Flow::Continue),
            StmtKind::Raise(exc) => return Err(self.raise_stmt(f, exc.as_ref())?),
            StmtKind::Try(t) => return self.try_stmt(f, t),
            StmtKind::Assert(test, message) => {
                if !self.eval_truthy(f, test)? {
                    let args = match message {
                        Some(m) => vec![self.eval(f, m)?],
                        None => Vec::new(),
                    };
                    return Err(Unwind::Raise(Box::new(ExcObj {
                        kind: ExcKind::AssertionError,
                        args,
                        at: None,
                    })));
                }
            }
            StmtKind::Def(target, code, defaults, kw_defaults) => {
                let defaults = self.eval_all(f, defaults)?;
                let kw_defaults = self.eval_all(f, kw_defaults)?;
                let id = self.new_function(f, *code, defaults, kw_defaults)?;
                self.assign(f, target, Value::Func(id))?;
            }
            StmtKind::Class(target, code, name) => {
                let class = self.make_class(f, *code, name.clone())?;
                self.assign(f, target, class)?;
            }
            StmtKind::Delete(targets) => {
                for t in targets {
                    self.delete(f, t)?;
                }
            }
        }
        Ok(Flow::Normal)
    }

    pub(super) fn eval_all(&mut self, f: Frame, exprs: &'p [Expr]) -> Res<Vec<Value>> {
        let mut values = Vec::with_capacity(exprs.len());
        for e in exprs {
            values.push(self.eval(f, e)?);
        }
        Ok(values)
    }

    /// Evaluates a `raise` statement to the exception it throws.
    fn raise_stmt(&mut self, f: Frame, exc: Option<&'p Expr>) -> Res<Unwind> {
        let Some(e) = exc else {
            return match self.handling.last() {
                Some(current) => Ok(Unwind::Raise(Box::new(current.clone()))),
                None => Ok(Unwind::Raise(Box::new(ExcObj {
                    kind: ExcKind::RuntimeError,
                    args: vec![Value::str("No active exception to reraise")],
                    at: None,
                }))),
            };
        };
        let exc = match self.eval(f, e)? {
            Value::ExcType(kind) => ExcObj {
                kind,
                args: Vec::new(),
                at: None,
            },
            Value::Exception(id) => {
                let mut exc = self.heap.exceptions[id.0 as usize].clone();
                exc.at = None;
                exc
            }
            other => {
                let message = format!(
                    "exceptions must derive from BaseException, not {}",
                    self.type_name(&other)
                );
                ExcObj {
                    kind: ExcKind::TypeError,
                    args: vec![Value::str(&message)],
                    at: None,
                }
            }
        };
        Ok(Unwind::Raise(Box::new(exc)))
    }

    fn try_stmt(&mut self, f: Frame, t: &'p Try) -> Res<Flow> {
        let height = self.stack.len();
        let result = match self.exec_block(f, &t.body) {
            Err(Unwind::Raise(exc)) => {
                self.stack.truncate(height);
                self.handle(f, t, exc)
            }
            Ok(Flow::Normal) => self.exec_block(f, &t.orelse),
            other => other,
        };
        if t.finally.is_empty() || matches!(result, Err(Unwind::Fatal(_))) {
            return result;
        }
        match self.exec_block(f, &t.finally)? {
            Flow::Normal => result,
            flow => Ok(flow),
        }
    }

    fn handle(&mut self, f: Frame, t: &'p Try, exc: Box<ExcObj>) -> Res<Flow> {
        for h in &t.handlers {
            let matches = match &h.kind {
                None => true,
                Some(kind) => {
                    let kind = self.eval(f, kind).map_err(|u| u.located(h.at))?;
                    self.exception_matches(exc.kind, &kind, 0)?
                }
            };
            if !matches {
                continue;
            }
            if let Some(name) = &h.name {
                let value = self.new_exception((*exc).clone())?;
                self.assign(f, name, value)?;
            }
            self.handling.push((*exc).clone());
            let result = self.exec_block(f, &h.body);
            self.handling.pop();
            if let Some(name) = &h.name {
                self.unbind(f, name);
            }
            return result;
        }
        Err(Unwind::Raise(exc))
    }

    fn exception_matches(&mut self, raised: ExcKind, class: &Value, depth: u32) -> Res<bool> {
        match class {
            Value::ExcType(k) => Ok(raised.is_subclass_of(*k)),
            Value::Tuple(_) if depth > super::super::ops::MAX_VALUE_DEPTH => {
                fatal(ErrorKind::Limit, "exception tuple nested too deeply")
            }
            Value::Tuple(id) => {
                let classes = self.heap.tuples[id.0 as usize].clone();
                for c in classes.iter() {
                    if self.exception_matches(raised, c, depth + 1)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => {
                type_error("catching classes that do not inherit from BaseException is not allowed")
            }
        }
    }

    fn make_class(&mut self, f: Frame, code: FuncIndex, name: Rc<str>) -> Res<Value> {
        let func = self.new_function(f, code, Vec::new(), Vec::new())?;
        let body = &self.prog.functions[code as usize];
        let start = self.stack.len();
        let result = self.run_frame(func, start, &body.code);
        let attrs: Vec<(Sym, Value)> = body
            .class_attrs
            .iter()
            .filter_map(|&(sym, slot)| {
                let v = self.slot_value(start + slot as usize);
                (!matches!(v, Value::Unbound)).then_some((sym, v))
            })
            .collect();
        self.stack.truncate(start);
        result?;
        self.charge(OBJECT_BYTES + attrs.len() * VALUE_BYTES)?;
        self.heap.classes.push(ClassObj { name, attrs });
        Ok(Value::Class(ClassId(self.heap.classes.len() as u32 - 1)))
    }

    /// Reads a stack slot, looking through a cell.
    pub(super) fn slot_value(&self, index: usize) -> Value {
        match &self.stack[index] {
            Value::Cell(c) => self.heap.cells[c.0 as usize].clone(),
            v => v.clone(),
        }
    }

    /// Runs a class body in a fresh frame at `start`.
    fn run_frame(&mut self, func: FuncId, start: usize, code: &'p Code) -> Res<()> {
        self.stack
            .resize(start + code.n_slots as usize, Value::Unbound);
        self.make_cells(start, &code.cell_slots)?;
        self.enter()?;
        let frame = Frame {
            base: start,
            func: Some(func),
        };
        let result = stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
            self.exec_block(frame, &code.body)
        });
        self.depth -= 1;
        result.map(|_| ())
    }

    pub(super) fn make_cells(&mut self, base: usize, slots: &[u32]) -> Res<()> {
        for &s in slots {
            let index = base + s as usize;
            let value = std::mem::replace(&mut self.stack[index], Value::Unbound);
            self.stack[index] = self.new_cell(value)?;
        }
        Ok(())
    }

    pub(super) fn enter(&mut self) -> Res<()> {
        if self.depth >= self.limits.max_depth {
            return fatal(
                ErrorKind::Limit,
                format!(
                    "call depth limit of {} exceeded (recursion too deep)",
                    self.limits.max_depth
                ),
            );
        }
        self.depth += 1;
        Ok(())
    }

    pub fn assign(&mut self, f: Frame, target: &'p Target, value: Value) -> Res<()> {
        match target {
            Target::Local(s) => self.stack[f.base + *s as usize] = value,
            Target::Cell(s) => {
                if let Value::Cell(c) = self.stack[f.base + *s as usize] {
                    self.heap.cells[c.0 as usize] = value;
                }
            }
            Target::Global(g) => self.globals[*g as usize] = value,
            Target::Attr(obj, name) => {
                let obj = self.eval(f, obj)?;
                self.set_attr(&obj, *name, value)?;
            }
            Target::Item(obj, key) => {
                let obj = self.eval(f, obj)?;
                match self.eval_subscript(f, key)? {
                    Subscript::Slice(bounds) => {
                        return self
                            .set_slice(&obj, bounds, value)
                            .map_err(|u| u.located(key.at));
                    }
                    Subscript::Key(key) => self.set_item(&obj, key, value)?,
                }
            }
            Target::Unpack(targets, star, at) => {
                return self
                    .unpack(f, targets, *star, value)
                    .map_err(|u| u.located(*at));
            }
        }
        Ok(())
    }

    fn unpack(
        &mut self,
        f: Frame,
        targets: &'p [Target],
        star: Option<usize>,
        value: Value,
    ) -> Res<()> {
        let n = targets.len();
        // Tuples and lists unpack by index without a temporary vector.
        let direct = match &value {
            Value::Tuple(id) => Some(self.heap.tuples[id.0 as usize].len()),
            Value::List(id) => Some(self.heap.lists[id.0 as usize].len()),
            _ => None,
        };
        if let (Some(len), None) = (direct, star) {
            if len != n {
                return self.unpack_count_error(n, len);
            }
            for (i, t) in targets.iter().enumerate() {
                let item = match &value {
                    Value::Tuple(id) => self.heap.tuples[id.0 as usize][i].clone(),
                    Value::List(id) => match self.heap.lists[id.0 as usize].get(i) {
                        Some(v) => v.clone(),
                        None => return self.unpack_count_error(n, i),
                    },
                    _ => unreachable!("direct unpacking is only for tuples and lists"),
                };
                self.assign(f, t, item)?;
            }
            return Ok(());
        }
        let items = self.collect_iterable(&value)?;
        match star {
            None => {
                if items.len() != n {
                    return self.unpack_count_error(n, items.len());
                }
                for (t, item) in targets.iter().zip(items) {
                    self.assign(f, t, item)?;
                }
            }
            Some(s) => {
                if items.len() < n - 1 {
                    let message = format!(
                        "not enough values to unpack (expected at least {}, got {})",
                        n - 1,
                        items.len()
                    );
                    return raise(ExcKind::ValueError, message);
                }
                let after = n - 1 - s;
                let mut items = items;
                let tail = items.split_off(items.len() - after);
                let middle = items.split_off(s);
                for (t, item) in targets[..s].iter().zip(items) {
                    self.assign(f, t, item)?;
                }
                let middle = self.new_list(middle)?;
                self.assign(f, &targets[s], middle)?;
                for (t, item) in targets[s + 1..].iter().zip(tail) {
                    self.assign(f, t, item)?;
                }
            }
        }
        Ok(())
    }

    fn unpack_count_error(&self, expected: usize, got: usize) -> Res<()> {
        let message = if got > expected {
            format!("too many values to unpack (expected {expected})")
        } else {
            format!("not enough values to unpack (expected {expected}, got {got})")
        };
        raise(ExcKind::ValueError, message)
    }

    fn unbind(&mut self, f: Frame, target: &Target) {
        match target {
            Target::Local(s) => self.stack[f.base + *s as usize] = Value::Unbound,
            Target::Cell(s) => {
                if let Value::Cell(c) = self.stack[f.base + *s as usize] {
                    self.heap.cells[c.0 as usize] = Value::Unbound;
                }
            }
            Target::Global(g) => self.globals[*g as usize] = Value::Unbound,
            _ => {}
        }
    }

    fn delete(&mut self, f: Frame, target: &'p Target) -> Res<()> {
        match target {
            Target::Local(_) | Target::Cell(_) | Target::Global(_) => {
                self.unbind(f, target);
                Ok(())
            }
            Target::Attr(obj, name) => {
                let obj = self.eval(f, obj)?;
                self.del_attr(&obj, *name)
            }
            Target::Item(obj, key) => {
                let obj = self.eval(f, obj)?;
                match self.eval_subscript(f, key)? {
                    Subscript::Slice(bounds) => self.del_slice(&obj, bounds),
                    Subscript::Key(key) => self.del_item(&obj, key),
                }
            }
            Target::Unpack(targets, _, _) => {
                for t in targets {
                    self.delete(f, t)?;
                }
                Ok(())
            }
        }
    }

    fn aug_assign(&mut self, f: Frame, target: &'p Target, op: BinOp, value: &'p Expr) -> Res<()> {
        match target {
            Target::Attr(obj, name) => {
                let obj = self.eval(f, obj)?;
                let current = self.get_attr(&obj, *name)?;
                let rhs = self.eval(f, value)?;
                let new = self.binary_inplace(op, current, rhs)?;
                self.set_attr(&obj, *name, new)
            }
            Target::Item(obj, key) => {
                let obj = self.eval(f, obj)?;
                let key = self.eval(f, key)?;
                let current = self.get_item(&obj, &key)?;
                let rhs = self.eval(f, value)?;
                let new = self.binary_inplace(op, current, rhs)?;
                self.set_item(&obj, key, new)
            }
            _ => {
                let current = self.load_target(f, target)?;
                let rhs = self.eval(f, value)?;
                let new = self.binary_inplace(op, current, rhs)?;
                self.assign(f, target, new)
            }
        }
    }

    fn load_target(&self, f: Frame, target: &Target) -> Res<Value> {
        let v = match target {
            Target::Local(s) => self.stack[f.base + *s as usize].clone(),
            Target::Cell(s) => self.slot_value(f.base + *s as usize),
            Target::Global(g) => self.globals[*g as usize].clone(),
            _ => Value::Unbound,
        };
        if matches!(v, Value::Unbound) {
            return raise(
                ExcKind::UnboundLocalError,
                "variable referenced before assignment",
            );
        }
        Ok(v)
    }
}
