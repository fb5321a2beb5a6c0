//! Accounting and allocation: every step and every byte a genome uses is
//! counted here against `InterpLimits`, and every heap object is made
//! here, so no allocation escapes the limits.

use std::rc::Rc;

use super::super::error::ErrorKind;
use super::super::ir::*;
use super::super::value::*;
use super::{fatal, Frame, Machine, Res, OBJECT_BYTES, VALUE_BYTES};

/// The size limits share one check so that every one of them fails with
/// the same wording: "`what` of `len` `unit` exceeds the limit of `max`".
fn within_limit(len: usize, max: usize, what: &str, unit: &str) -> Res<()> {
    if len > max {
        return fatal(
            ErrorKind::Limit,
            format!("{what} of {len} {unit} exceeds the limit of {max}"),
        );
    }
    Ok(())
}

impl<'p> Machine<'p> {
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
        within_limit(len, self.limits.max_container_len, "container", "elements")
    }

    pub fn check_str_len(&self, len: usize) -> Res<()> {
        within_limit(len, self.limits.max_str_len, "string", "bytes")
    }

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
        if self.iter_depth(&state) > super::super::ops::MAX_VALUE_DEPTH {
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

    pub(super) fn new_cell(&mut self, value: Value) -> Res<Value> {
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

    pub(super) fn new_function(
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

    pub(super) fn closure_cell(&self, f: Frame, index: u32) -> CellId {
        // Free-variable reads only occur inside functions, which have frames.
        let func = f.func.map_or(0, |id| id.0 as usize);
        self.heap.funcs[func].closure[index as usize]
    }
}
