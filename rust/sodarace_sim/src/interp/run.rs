//! The evaluator: walks the lowered tree with a value stack for frames.
//!
//! Locals live in `stack[frame.base + slot]`; call arguments are pushed
//! where the callee's frame will start, so a call allocates nothing.
//! Exceptions a genome may catch travel as `Unwind::Raise`; limits and
//! unsupported operations travel as `Unwind::Fatal`, which no `try` stops.

use std::rc::Rc;

use super::error::{ErrorKind, Fault};
use super::ir::*;
use super::limits::{InterpLimits, STACK_RED_ZONE, STACK_SEGMENT};
use super::value::*;
use crate::walker::{Walker, WalkerLimits};

#[derive(Debug)]
pub(crate) enum Unwind {
    Raise(Box<ExcObj>),
    Fatal(Box<Fault>),
}

impl Unwind {
    /// Gives the error a position if it has none yet: the innermost node
    /// that sees an error locates it.
    fn located(mut self, at: Pos) -> Unwind {
        match &mut self {
            Unwind::Raise(e) => {
                e.at.get_or_insert(at);
            }
            Unwind::Fatal(f) => {
                f.at.get_or_insert(at);
            }
        }
        self
    }
}

pub(crate) type Res<T> = Result<T, Unwind>;

pub(crate) fn raise<T>(kind: ExcKind, message: impl Into<String>) -> Res<T> {
    let args = vec![Value::Str(Rc::from(message.into()))];
    Err(Unwind::Raise(Box::new(ExcObj {
        kind,
        args,
        at: None,
    })))
}

pub(crate) fn fatal<T>(kind: ErrorKind, message: impl Into<String>) -> Res<T> {
    Err(Unwind::Fatal(Box::new(Fault::new(kind, message, None))))
}

pub(crate) fn type_error<T>(message: impl Into<String>) -> Res<T> {
    raise(ExcKind::TypeError, message)
}

#[derive(Clone, Copy)]
pub(crate) struct Frame {
    pub base: usize,
    /// The running function, whose closure holds the free variables.
    pub func: Option<FuncId>,
}

pub(crate) enum Flow {
    Normal,
    Break,
    Continue,
    Return(Value),
}

/// Bytes charged per value slot and per object header. The exact sizes of
/// Rust's structures do not matter; the charge only has to be proportional
/// and deterministic.
pub(crate) const VALUE_BYTES: usize = 24;
pub(crate) const OBJECT_BYTES: usize = 48;

pub(crate) struct Machine<'p> {
    pub prog: &'p Program,
    pub heap: Heap,
    pub stack: Vec<Value>,
    pub globals: Vec<Value>,
    pub steps: u64,
    pub depth: u32,
    pub limits: InterpLimits,
    pub walker_limits: WalkerLimits,
    pub output: String,
    pub heap_bytes: usize,
    /// Position of the statement running now (where `get_walker()` is).
    pub pos: Pos,
    arg_pool: Vec<Vec<Value>>,
    /// Exceptions being handled, innermost last, for a bare `raise`.
    handling: Vec<ExcObj>,
    /// Keyword names from `f(**mapping)` that the program never mentions,
    /// numbered after its symbols (only a `**kwargs` parameter takes them).
    dynamic_names: Vec<Rc<str>>,
}

/// What a run produced: the walker and where `get_walker()` made it.
pub(crate) struct Outcome {
    pub result: Result<(Walker, Pos), Fault>,
    pub steps: u64,
    pub output: String,
}

pub(crate) fn run(
    prog: &Program,
    entry: &str,
    limits: InterpLimits,
    walker_limits: WalkerLimits,
) -> Outcome {
    let mut m = Machine {
        prog,
        heap: Heap::default(),
        stack: Vec::with_capacity(256),
        globals: vec![Value::Unbound; prog.globals.len()],
        steps: 0,
        depth: 0,
        limits,
        walker_limits,
        output: String::new(),
        heap_bytes: 0,
        pos: 0,
        arg_pool: Vec::new(),
        handling: Vec::new(),
        dynamic_names: Vec::new(),
    };
    let result = m.run_genome(entry).map_err(|u| match u {
        Unwind::Raise(e) => Fault::new(ErrorKind::Runtime, m.describe_exception(&e), e.at),
        Unwind::Fatal(f) => *f,
    });
    Outcome {
        result,
        steps: m.steps,
        output: std::mem::take(&mut m.output),
    }
}

impl<'p> Machine<'p> {
    fn run_genome(&mut self, entry: &str) -> Res<(Walker, Pos)> {
        self.stack
            .resize(self.prog.module.n_slots as usize, Value::Unbound);
        let module = Frame {
            base: 0,
            func: None,
        };
        self.exec_block(module, &self.prog.module.body)?;
        let callee = match self.prog.entry.map(|g| &self.globals[g as usize]) {
            Some(v) if !matches!(v, Value::Unbound) => v.clone(),
            _ => {
                return fatal(
                    ErrorKind::Runtime,
                    format!("genome defines no {entry}() function"),
                )
            }
        };
        let start = self.stack.len();
        match self.call_value(callee, start, Vec::new())? {
            Value::Walker(id) => {
                let w = &self.heap.walkers[id.0 as usize];
                Ok((w.walker.clone(), w.at))
            }
            other => fatal(
                ErrorKind::Runtime,
                format!(
                    "{entry} must return wc.get_walker(), got {}",
                    self.type_name(&other)
                ),
            ),
        }
    }

    pub fn describe_exception(&self, e: &ExcObj) -> String {
        let text = self.exception_text(e);
        if text.is_empty() {
            e.kind.name().to_string()
        } else {
            format!("{}: {text}", e.kind.name())
        }
    }

    // ----- accounting

    #[inline]
    pub fn tick(&mut self) -> Res<()> {
        self.steps += 1;
        if self.steps > self.limits.max_steps {
            return fatal(
                ErrorKind::Limit,
                format!("step limit of {} exceeded", self.limits.max_steps),
            );
        }
        Ok(())
    }

    /// Charges bulk work: one step per 16 elements touched.
    pub fn charge_steps(&mut self, elements: usize) -> Res<()> {
        self.steps += (elements / 16) as u64;
        self.tick()
    }

    pub fn charge(&mut self, bytes: usize) -> Res<()> {
        self.heap_bytes = self.heap_bytes.saturating_add(bytes);
        if self.heap_bytes > self.limits.max_heap_bytes {
            return fatal(
                ErrorKind::Limit,
                format!(
                    "heap limit of {} bytes exceeded",
                    self.limits.max_heap_bytes
                ),
            );
        }
        Ok(())
    }

    pub fn check_len(&self, len: usize) -> Res<()> {
        if len > self.limits.max_container_len {
            return fatal(
                ErrorKind::Limit,
                format!(
                    "container of {len} elements exceeds the limit of {}",
                    self.limits.max_container_len
                ),
            );
        }
        Ok(())
    }

    pub fn check_str_len(&self, len: usize) -> Res<()> {
        if len > self.limits.max_str_len {
            return fatal(
                ErrorKind::Limit,
                format!(
                    "string of {len} bytes exceeds the limit of {}",
                    self.limits.max_str_len
                ),
            );
        }
        Ok(())
    }

    // ----- allocation

    pub fn new_list(&mut self, items: Vec<Value>) -> Res<Value> {
        self.check_len(items.len())?;
        self.charge(OBJECT_BYTES + items.len() * VALUE_BYTES)?;
        self.heap.lists.push(items);
        Ok(Value::List(ListId(self.heap.lists.len() as u32 - 1)))
    }

    pub fn new_tuple(&mut self, items: Vec<Value>) -> Res<Value> {
        self.check_len(items.len())?;
        self.charge(OBJECT_BYTES + items.len() * VALUE_BYTES)?;
        self.heap.tuples.push(items.into_boxed_slice());
        Ok(Value::Tuple(TupleId(self.heap.tuples.len() as u32 - 1)))
    }

    pub fn new_dict(&mut self) -> Res<Value> {
        self.charge(OBJECT_BYTES)?;
        self.heap.dicts.push(Table::default());
        Ok(Value::Dict(DictId(self.heap.dicts.len() as u32 - 1)))
    }

    pub fn new_set(&mut self) -> Res<Value> {
        self.charge(OBJECT_BYTES)?;
        self.heap.sets.push(Table::default());
        Ok(Value::Set(SetId(self.heap.sets.len() as u32 - 1)))
    }

    pub fn new_str(&mut self, text: String) -> Res<Value> {
        self.check_str_len(text.len())?;
        self.charge(OBJECT_BYTES + text.len())?;
        Ok(Value::Str(Rc::from(text)))
    }

    pub fn new_iter(&mut self, state: IterState) -> Res<Value> {
        // Advancing an iterator recurses through the iterators it wraps.
        if self.iter_depth(&state) > super::ops::MAX_VALUE_DEPTH {
            return fatal(ErrorKind::Limit, "iterators nested too deeply");
        }
        self.charge(OBJECT_BYTES)?;
        self.heap.iters.push(state);
        Ok(Value::Iter(IterId(self.heap.iters.len() as u32 - 1)))
    }

    /// How many iterators `state` wraps; each was checked when it was made,
    /// so this recursion is bounded.
    fn iter_depth(&self, state: &IterState) -> u32 {
        match state {
            IterState::Enumerate(inner, _) => 1 + self.iter_depth(inner),
            IterState::Zip(inners) => {
                1 + inners.iter().map(|i| self.iter_depth(i)).max().unwrap_or(0)
            }
            IterState::Shared(id) => 1 + self.iter_depth(&self.heap.iters[id.0 as usize]),
            _ => 0,
        }
    }

    pub fn new_range(&mut self, range: RangeObj) -> Res<Value> {
        self.charge(OBJECT_BYTES)?;
        self.heap.ranges.push(range);
        Ok(Value::Range(RangeId(self.heap.ranges.len() as u32 - 1)))
    }

    fn new_cell(&mut self, value: Value) -> Res<Value> {
        self.charge(VALUE_BYTES)?;
        self.heap.cells.push(value);
        Ok(Value::Cell(CellId(self.heap.cells.len() as u32 - 1)))
    }

    pub fn new_method(&mut self, receiver: Value, target: MethodTarget) -> Res<Value> {
        self.charge(OBJECT_BYTES)?;
        self.heap.methods.push(MethodObj { receiver, target });
        Ok(Value::Method(MethodId(self.heap.methods.len() as u32 - 1)))
    }

    pub fn new_exception(&mut self, exc: ExcObj) -> Res<Value> {
        self.charge(OBJECT_BYTES + exc.args.len() * VALUE_BYTES)?;
        self.heap.exceptions.push(exc);
        Ok(Value::Exception(ExcId(
            self.heap.exceptions.len() as u32 - 1,
        )))
    }

    fn new_function(
        &mut self,
        f: Frame,
        code: FuncIndex,
        defaults: Vec<Value>,
        kw_defaults: Vec<Value>,
    ) -> Res<FuncId> {
        let captures = &self.prog.functions[code as usize].captures;
        let mut closure = Vec::with_capacity(captures.len());
        for capture in captures {
            let cell = match *capture {
                Capture::Slot(s) => match &self.stack[f.base + s as usize] {
                    Value::Cell(c) => *c,
                    _ => {
                        return fatal(
                            ErrorKind::Runtime,
                            "interpreter bug: captured slot holds no cell",
                        )
                    }
                },
                Capture::Free(i) => self.closure_cell(f, i),
            };
            closure.push(cell);
        }
        self.charge(OBJECT_BYTES + (defaults.len() + closure.len()) * VALUE_BYTES)?;
        self.heap.funcs.push(FuncObj {
            code,
            defaults,
            kw_defaults,
            closure,
        });
        Ok(FuncId(self.heap.funcs.len() as u32 - 1))
    }

    fn closure_cell(&self, f: Frame, index: u32) -> CellId {
        // Free-variable reads only occur inside functions, which have frames.
        let func = f.func.map_or(0, |id| id.0 as usize);
        self.heap.funcs[func].closure[index as usize]
    }

    // ----- statements

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

    fn eval_all(&mut self, f: Frame, exprs: &'p [Expr]) -> Res<Vec<Value>> {
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
            Value::Tuple(_) if depth > super::ops::MAX_VALUE_DEPTH => {
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
    fn slot_value(&self, index: usize) -> Value {
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

    fn make_cells(&mut self, base: usize, slots: &[u32]) -> Res<()> {
        for &s in slots {
            let index = base + s as usize;
            let value = std::mem::replace(&mut self.stack[index], Value::Unbound);
            self.stack[index] = self.new_cell(value)?;
        }
        Ok(())
    }

    fn enter(&mut self) -> Res<()> {
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

    // ----- assignment

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
                if let ExprKind::Slice(lower, upper, step) = &key.kind {
                    let bounds = self.eval_slice_parts(f, lower, upper, step)?;
                    return self
                        .set_slice(&obj, bounds, value)
                        .map_err(|u| u.located(key.at));
                }
                let key = self.eval(f, key)?;
                self.set_item(&obj, key, value)?;
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
                if let ExprKind::Slice(lower, upper, step) = &key.kind {
                    let bounds = self.eval_slice_parts(f, lower, upper, step)?;
                    return self.del_slice(&obj, bounds);
                }
                let key = self.eval(f, key)?;
                self.del_item(&obj, key)
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

    // ----- expressions

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
                if let ExprKind::Slice(lower, upper, step) = &key.kind {
                    let bounds = self.eval_slice_parts(f, lower, upper, step)?;
                    return self.get_slice(&v, bounds);
                }
                let k = self.eval(f, key)?;
                self.get_item(&v, &k)?
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

    // ----- calls

    fn push_args(&mut self, f: Frame, args: &'p Args) -> Res<Vec<(Sym, Value)>> {
        for el in &args.positional {
            match el {
                Element::One(e) => {
                    let v = self.eval(f, e)?;
                    self.stack.push(v);
                }
                Element::Star(e) => {
                    let v = self.eval(f, e)?;
                    let items = self.collect_iterable(&v)?;
                    self.stack.extend(items);
                }
            }
        }
        let mut kwargs = Vec::new();
        for k in &args.keywords {
            match k {
                Keyword::Named(name, e) => {
                    let v = self.eval(f, e)?;
                    kwargs.push((*name, v));
                }
                Keyword::Spread(e) => {
                    let v = self.eval(f, e)?;
                    self.spread_kwargs(&v, &mut kwargs)?;
                }
            }
        }
        Ok(kwargs)
    }

    /// `f(**d)`: a key can only match a parameter if its name occurs in the
    /// program, so keys are looked up among the interned symbols.
    fn spread_kwargs(&mut self, mapping: &Value, kwargs: &mut Vec<(Sym, Value)>) -> Res<()> {
        let Value::Dict(id) = mapping else {
            return type_error(format!(
                "argument after ** must be a mapping, not {}",
                self.type_name(mapping)
            ));
        };
        let entries: Vec<(Value, Value)> = self.heap.dicts[id.0 as usize]
            .iter()
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect();
        for (key, value) in entries {
            let Value::Str(name) = &key else {
                return type_error("keywords must be strings");
            };
            let sym = match self.prog.lookup(name) {
                Some(s) => s,
                None => {
                    let known = self.dynamic_names.iter().position(|n| n == name);
                    let index = known.unwrap_or_else(|| {
                        self.dynamic_names.push(name.clone());
                        self.dynamic_names.len() - 1
                    });
                    Sym((self.prog.symbol_count() + index) as u32)
                }
            };
            kwargs.push((sym, value));
        }
        Ok(())
    }

    /// The text of a symbol, including keyword names made at run time.
    pub fn sym_name(&self, s: Sym) -> &str {
        match (s.0 as usize).checked_sub(self.prog.symbol_count()) {
            Some(i) => &self.dynamic_names[i],
            None => self.prog.name(s),
        }
    }

    pub fn call_with_args(&mut self, f: Frame, callee: Value, args: &'p Args) -> Res<Value> {
        let start = self.stack.len();
        match self.push_args(f, args) {
            Ok(kwargs) => self.call_value(callee, start, kwargs),
            Err(e) => {
                self.stack.truncate(start);
                Err(e)
            }
        }
    }

    /// Calls `callee` with the positional arguments in `stack[start..]`.
    /// The stack is back at `start` afterwards, whatever happens.
    pub fn call_value(
        &mut self,
        callee: Value,
        start: usize,
        kwargs: Vec<(Sym, Value)>,
    ) -> Res<Value> {
        match callee {
            Value::Func(id) => self.call_function(id, start, kwargs),
            Value::Method(id) => {
                let method = &self.heap.methods[id.0 as usize];
                let receiver = method.receiver.clone();
                match method.target {
                    MethodTarget::Func(func) => {
                        self.stack.insert(start, receiver);
                        self.call_function(func, start, kwargs)
                    }
                    MethodTarget::Native(name) => {
                        let args = self.take_args(start);
                        let result = self.call_native_method(&receiver, name, &args, &kwargs);
                        self.recycle(args);
                        result
                    }
                }
            }
            Value::Builtin(b) => {
                let args = self.take_args(start);
                let result = self.call_builtin(b, &args, &kwargs);
                self.recycle(args);
                result
            }
            Value::Class(id) => self.instantiate(id, start, kwargs),
            Value::ExcType(kind) => {
                let args: Vec<Value> = self.stack.drain(start..).collect();
                if !kwargs.is_empty() {
                    return type_error(format!("{}() takes no keyword arguments", kind.name()));
                }
                self.new_exception(ExcObj {
                    kind,
                    args,
                    at: None,
                })
            }
            other => {
                self.stack.truncate(start);
                type_error(format!(
                    "'{}' object is not callable",
                    self.type_name(&other)
                ))
            }
        }
    }

    fn take_args(&mut self, start: usize) -> Vec<Value> {
        let mut args = self.arg_pool.pop().unwrap_or_default();
        args.extend(self.stack.drain(start..));
        args
    }

    fn recycle(&mut self, mut args: Vec<Value>) {
        args.clear();
        if self.arg_pool.len() < 16 {
            self.arg_pool.push(args);
        }
    }

    fn call_method(&mut self, f: Frame, receiver: Value, name: Sym, args: &'p Args) -> Res<Value> {
        match &receiver {
            Value::Instance(id) => {
                let inst = &self.heap.instances[id.0 as usize];
                if let Some((_, v)) = inst.attrs.iter().find(|(n, _)| *n == name) {
                    let callee = v.clone();
                    return self.call_with_args(f, callee, args);
                }
                let class = &self.heap.classes[inst.class.0 as usize];
                match class
                    .attrs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.clone())
                {
                    Some(Value::Func(func)) => {
                        let start = self.stack.len();
                        self.stack.push(receiver.clone());
                        match self.push_args(f, args) {
                            Ok(kwargs) => self.call_function(func, start, kwargs),
                            Err(e) => {
                                self.stack.truncate(start);
                                Err(e)
                            }
                        }
                    }
                    Some(other) => self.call_with_args(f, other, args),
                    None => {
                        let message = format!(
                            "'{}' object has no attribute '{}'",
                            class.name,
                            self.prog.name(name)
                        );
                        raise(ExcKind::AttributeError, message)
                    }
                }
            }
            Value::Class(_) | Value::Module(_) | Value::Exception(_) => {
                let callee = self.get_attr(&receiver, name)?;
                self.call_with_args(f, callee, args)
            }
            _ => {
                let start = self.stack.len();
                let kwargs = match self.push_args(f, args) {
                    Ok(kwargs) => kwargs,
                    Err(e) => {
                        self.stack.truncate(start);
                        return Err(e);
                    }
                };
                let args = self.take_args(start);
                let result = self.call_native_method(&receiver, name, &args, &kwargs);
                self.recycle(args);
                result
            }
        }
    }

    pub fn call_function(
        &mut self,
        id: FuncId,
        start: usize,
        kwargs: Vec<(Sym, Value)>,
    ) -> Res<Value> {
        let result = self.enter_function(id, start, kwargs);
        self.stack.truncate(start);
        result
    }

    fn enter_function(
        &mut self,
        id: FuncId,
        start: usize,
        kwargs: Vec<(Sym, Value)>,
    ) -> Res<Value> {
        self.tick()?;
        let code = &self.prog.functions[self.heap.funcs[id.0 as usize].code as usize];
        self.bind_params(id, code, start, kwargs)?;
        self.make_cells(start, &code.code.cell_slots)?;
        self.enter()?;
        let frame = Frame {
            base: start,
            func: Some(id),
        };
        let result = stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
            self.exec_block(frame, &code.code.body)
        });
        self.depth -= 1;
        match result? {
            Flow::Return(v) => Ok(v),
            _ => Ok(Value::None),
        }
    }

    fn bind_params(
        &mut self,
        id: FuncId,
        code: &'p FuncCode,
        start: usize,
        kwargs: Vec<(Sym, Value)>,
    ) -> Res<()> {
        let name = &code.name;
        let n_pos = self.stack.len() - start;
        let n_params = code.params.len();
        let mut extra = Vec::new();
        if n_pos > n_params {
            if code.vararg.is_none() {
                let message = format!(
                    "{name}() takes {n_params} positional arguments but {n_pos} were given"
                );
                return type_error(message);
            }
            extra = self.stack.drain(start + n_params..).collect();
        }
        self.stack
            .resize(start + code.code.n_slots as usize, Value::Unbound);
        let mut kwarg_dict = None;
        for (key, value) in kwargs {
            let slot = if let Some(i) = code.params.iter().position(|p| *p == key) {
                Some(i as u32)
            } else {
                code.kwonly.iter().find(|k| k.0 == key).map(|k| k.1)
            };
            match slot {
                Some(s) => {
                    let cell = &mut self.stack[start + s as usize];
                    if !matches!(cell, Value::Unbound) {
                        let message = format!(
                            "{name}() got multiple values for argument '{}'",
                            self.sym_name(key)
                        );
                        return type_error(message);
                    }
                    *cell = value;
                }
                None => {
                    if code.kwarg.is_none() {
                        let message = format!(
                            "{name}() got an unexpected keyword argument '{}'",
                            self.sym_name(key)
                        );
                        return type_error(message);
                    }
                    let dict = match &kwarg_dict {
                        Some(d) => d,
                        None => kwarg_dict.insert(self.new_dict()?),
                    }
                    .clone();
                    let key = Value::str(self.sym_name(key));
                    self.dict_set(&dict, key, value)?;
                }
            }
        }
        let first_default = n_params - code.n_defaults as usize;
        for i in n_pos.min(n_params)..n_params {
            if matches!(self.stack[start + i], Value::Unbound) {
                if i < first_default {
                    let message = format!(
                        "{name}() missing required positional argument: '{}'",
                        self.prog.name(code.params[i])
                    );
                    return type_error(message);
                }
                self.stack[start + i] =
                    self.heap.funcs[id.0 as usize].defaults[i - first_default].clone();
            }
        }
        for &(key, slot, default) in &code.kwonly {
            if matches!(self.stack[start + slot as usize], Value::Unbound) {
                match default {
                    Some(d) => {
                        self.stack[start + slot as usize] =
                            self.heap.funcs[id.0 as usize].kw_defaults[d as usize].clone()
                    }
                    None => {
                        let message = format!(
                            "{name}() missing required keyword-only argument: '{}'",
                            self.prog.name(key)
                        );
                        return type_error(message);
                    }
                }
            }
        }
        if let Some(slot) = code.vararg {
            self.stack[start + slot as usize] = self.new_tuple(extra)?;
        }
        if let Some(slot) = code.kwarg {
            self.stack[start + slot as usize] = match kwarg_dict {
                Some(d) => d,
                None => self.new_dict()?,
            };
        }
        Ok(())
    }

    fn instantiate(
        &mut self,
        class: ClassId,
        start: usize,
        kwargs: Vec<(Sym, Value)>,
    ) -> Res<Value> {
        self.charge(OBJECT_BYTES)?;
        self.heap.instances.push(InstanceObj {
            class,
            attrs: Vec::new(),
        });
        let instance = Value::Instance(InstId(self.heap.instances.len() as u32 - 1));
        let init = self.heap.classes[class.0 as usize]
            .attrs
            .iter()
            .find(|(n, _)| *n == sym::INIT)
            .map(|(_, v)| v.clone());
        match init {
            Some(Value::Func(func)) => {
                self.stack.insert(start, instance.clone());
                match self.call_function(func, start, kwargs)? {
                    Value::None => Ok(instance),
                    other => type_error(format!(
                        "__init__() should return None, not '{}'",
                        self.type_name(&other)
                    )),
                }
            }
            _ => {
                let given = self.stack.len() - start;
                self.stack.truncate(start);
                if given > 0 || !kwargs.is_empty() {
                    let name = self.heap.classes[class.0 as usize].name.clone();
                    return type_error(format!("{name}() takes no arguments"));
                }
                Ok(instance)
            }
        }
    }

    // ----- attributes

    pub fn get_attr(&mut self, obj: &Value, name: Sym) -> Res<Value> {
        match obj {
            Value::Instance(id) => {
                let inst = &self.heap.instances[id.0 as usize];
                if let Some((_, v)) = inst.attrs.iter().find(|(n, _)| *n == name) {
                    return Ok(v.clone());
                }
                let class = &self.heap.classes[inst.class.0 as usize];
                match class
                    .attrs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.clone())
                {
                    Some(Value::Func(func)) => {
                        self.new_method(obj.clone(), MethodTarget::Func(func))
                    }
                    Some(v) => Ok(v),
                    None => self.no_attribute(obj, name),
                }
            }
            Value::Class(id) => {
                let class = &self.heap.classes[id.0 as usize];
                match class.attrs.iter().find(|(n, _)| *n == name) {
                    Some((_, v)) => Ok(v.clone()),
                    None => self.no_attribute(obj, name),
                }
            }
            Value::Module(ModuleKind::Math) => match super::math::member_by_sym(name) {
                Some(v) => Ok(v),
                None => fatal(
                    ErrorKind::Unsupported,
                    format!(
                        "math.{} is not in the supported subset",
                        self.prog.name(name)
                    ),
                ),
            },
            Value::Module(ModuleKind::Walker) if name == sym::WALKER_CREATOR => {
                Ok(Value::Builtin(Builtin::WalkerCreator))
            }
            Value::Exception(id) if name == sym::ARGS => {
                let args = self.heap.exceptions[id.0 as usize].args.clone();
                self.new_tuple(args)
            }
            _ => {
                if self.has_native_method(obj, name) {
                    return self.new_method(obj.clone(), MethodTarget::Native(name));
                }
                self.no_attribute(obj, name)
            }
        }
    }

    pub fn no_attribute<T>(&self, obj: &Value, name: Sym) -> Res<T> {
        let attr = self.prog.name(name);
        if super::builtins::is_unsupported_method(obj, attr) {
            let message = format!("{}.{attr}() is not supported", self.type_name(obj));
            return fatal(ErrorKind::Unsupported, message);
        }
        let message = match obj {
            Value::Module(ModuleKind::Walker) => format!("module has no attribute '{attr}'"),
            _ => format!("'{}' object has no attribute '{attr}'", self.type_name(obj)),
        };
        raise(ExcKind::AttributeError, message)
    }

    fn set_attr(&mut self, obj: &Value, name: Sym, value: Value) -> Res<()> {
        let attrs = match obj {
            Value::Instance(id) => &mut self.heap.instances[id.0 as usize].attrs,
            Value::Class(id) => &mut self.heap.classes[id.0 as usize].attrs,
            _ => {
                let message = format!(
                    "'{}' object attribute '{}' cannot be set",
                    self.type_name(obj),
                    self.prog.name(name)
                );
                return raise(ExcKind::AttributeError, message);
            }
        };
        match attrs.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => {
                attrs.push((name, value));
                self.charge(VALUE_BYTES)?;
            }
        }
        Ok(())
    }

    fn del_attr(&mut self, obj: &Value, name: Sym) -> Res<()> {
        let attrs = match obj {
            Value::Instance(id) => &mut self.heap.instances[id.0 as usize].attrs,
            Value::Class(id) => &mut self.heap.classes[id.0 as usize].attrs,
            _ => return self.no_attribute(obj, name),
        };
        match attrs.iter().position(|(n, _)| *n == name) {
            Some(i) => {
                attrs.remove(i);
                Ok(())
            }
            None => self.no_attribute(obj, name),
        }
    }
}
