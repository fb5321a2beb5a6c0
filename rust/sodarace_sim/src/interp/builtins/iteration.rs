//! Iteration: the iterator protocol every `for` loop, unpacking,
//! comprehension and iterable-consuming builtin goes through
//! (`iter_of`, `iter_next`, `collect_iterable`), and the builtins that make
//! or consume iterators: `range`, `enumerate`, `zip`, `reversed`, `map`,
//! `filter`, `any` and `all`.

use super::super::ir::{sym, Sym};
use super::super::ops::overflow;
use super::super::run::{raise, type_error, Machine, Res};
use super::super::value::*;
use super::{arity, int_arg, no_kwargs, take_kwargs};

impl Machine<'_> {
    /// The iteration state for `iter(v)`.
    pub fn iter_of(&mut self, v: &Value) -> Res<IterState> {
        Ok(match v {
            Value::List(id) => IterState::List(*id, 0),
            Value::Tuple(id) => IterState::Tuple(*id, 0),
            Value::Str(s) => IterState::Str(s.clone(), 0),
            Value::Range(id) => IterState::Range {
                next: 0,
                range: *id,
            },
            Value::Dict(id) => IterState::Dict(*id, 0, self.heap.dicts[id.0 as usize].len()),
            Value::Set(id) => IterState::Set(*id, 0, self.heap.sets[id.0 as usize].len()),
            Value::Iter(id) => IterState::Shared(*id),
            Value::Array(id) => IterState::Array(*id, 0),
            _ => return type_error(format!("'{}' object is not iterable", self.type_name(v))),
        })
    }

    pub fn iter_next(&mut self, it: &mut IterState) -> Res<Option<Value>> {
        Ok(match it {
            IterState::List(id, i) => {
                let item = self.heap.lists[id.0 as usize].get(*i).cloned();
                *i += 1;
                item
            }
            IterState::Tuple(id, i) => {
                let item = self.heap.tuples[id.0 as usize].get(*i).cloned();
                *i += 1;
                item
            }
            IterState::Str(s, pos) => match s[*pos..].chars().next() {
                Some(c) => {
                    *pos += c.len_utf8();
                    Some(self.new_str(c.to_string())?)
                }
                None => None,
            },
            IterState::Range { next, range } => {
                let r = &self.heap.ranges[range.0 as usize];
                if *next < r.len() {
                    *next += 1;
                    Some(Value::Int(r.get(*next - 1)))
                } else {
                    None
                }
            }
            IterState::Dict(id, pos, expected) => {
                let table = &self.heap.dicts[id.0 as usize];
                if table.len() != *expected {
                    return raise(
                        ExcKind::RuntimeError,
                        "dictionary changed size during iteration",
                    );
                }
                next_key(table, pos)
            }
            IterState::Set(id, pos, expected) => {
                let table = &self.heap.sets[id.0 as usize];
                if table.len() != *expected {
                    return raise(ExcKind::RuntimeError, "Set changed size during iteration");
                }
                next_key(table, pos)
            }
            IterState::ListReversed(id, remaining) => {
                let list = &self.heap.lists[id.0 as usize];
                *remaining = (*remaining).min(list.len());
                if *remaining == 0 {
                    None
                } else {
                    *remaining -= 1;
                    Some(list[*remaining].clone())
                }
            }
            IterState::Array(id, i) => {
                let item = self.array_get(*id, *i);
                *i += 1;
                item
            }
            IterState::Enumerate(inner, count) => match self.iter_next(inner)? {
                Some(item) => {
                    // The count may pass i64::MAX after the last item.
                    let index = i64::try_from(*count).map_or_else(|_| overflow(), Ok)?;
                    *count += 1;
                    Some(self.new_tuple(vec![Value::Int(index), item])?)
                }
                None => None,
            },
            IterState::Zip(inners) => {
                let mut items = Vec::with_capacity(inners.len());
                for inner in inners.iter_mut() {
                    match self.iter_next(inner)? {
                        Some(item) => items.push(item),
                        None => {
                            *it = IterState::Done;
                            return Ok(None);
                        }
                    }
                }
                if items.is_empty() {
                    None
                } else {
                    Some(self.new_tuple(items)?)
                }
            }
            IterState::Shared(id) => {
                let index = id.0 as usize;
                let mut state = std::mem::replace(&mut self.heap.iters[index], IterState::Done);
                let item = self.iter_next(&mut state);
                self.heap.iters[index] = state;
                item?
            }
            IterState::Done => None,
        })
    }

    /// All items of an iterable, with the container-length limit.
    pub fn collect_iterable(&mut self, v: &Value) -> Res<Vec<Value>> {
        let items = match v {
            Value::List(id) => self.heap.lists[id.0 as usize].clone(),
            Value::Tuple(id) => self.heap.tuples[id.0 as usize].to_vec(),
            Value::Range(id) => {
                let len = self.heap.ranges[id.0 as usize].len();
                self.check_len(len)?;
                let r = &self.heap.ranges[id.0 as usize];
                (0..len).map(|i| Value::Int(r.get(i))).collect()
            }
            _ => {
                let mut it = self.iter_of(v)?;
                let mut items = Vec::new();
                while let Some(item) = self.iter_next(&mut it)? {
                    items.push(item);
                    self.check_len(items.len())?;
                    if items.len() % 16 == 0 {
                        self.tick()?;
                    }
                }
                items
            }
        };
        self.charge_steps(items.len())?;
        Ok(items)
    }

    pub(super) fn builtin_range(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        no_kwargs("range", kwargs)?;
        arity("range", args, 1, 3)?;
        let mut ints = [0i64; 3];
        for (slot, v) in ints.iter_mut().zip(args) {
            *slot = int_arg(self, v)?;
        }
        let (start, stop, step) = match args.len() {
            1 => (0, ints[0], 1),
            2 => (ints[0], ints[1], 1),
            _ => (ints[0], ints[1], ints[2]),
        };
        if step == 0 {
            return raise(ExcKind::ValueError, "range() arg 3 must not be zero");
        }
        self.new_range(RangeObj {
            start: start.into(),
            stop: stop.into(),
            step: step.into(),
        })
    }

    pub(super) fn builtin_enumerate(
        &mut self,
        args: &[Value],
        kwargs: &[(Sym, Value)],
    ) -> Res<Value> {
        arity("enumerate", args, 1, 2)?;
        let [start] = take_kwargs(self, "enumerate", kwargs, [sym::START])?;
        let start = match args.get(1).or(start.as_ref()) {
            Some(v) => int_arg(self, v)?,
            None => 0,
        };
        let inner = self.iter_of(&args[0])?;
        self.new_iter(IterState::Enumerate(Box::new(inner), start.into()))
    }

    pub(super) fn builtin_zip(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        no_kwargs("zip", kwargs)?;
        let mut inners = Vec::with_capacity(args.len());
        for a in args {
            inners.push(self.iter_of(a)?);
        }
        self.new_iter(IterState::Zip(inners))
    }

    /// A list or a range is reversed lazily, as in Python; any other
    /// sequence is copied once.
    pub(super) fn builtin_reversed(
        &mut self,
        args: &[Value],
        kwargs: &[(Sym, Value)],
    ) -> Res<Value> {
        no_kwargs("reversed", kwargs)?;
        arity("reversed", args, 1, 1)?;
        let state = match &args[0] {
            Value::List(id) => IterState::ListReversed(*id, self.heap.lists[id.0 as usize].len()),
            Value::Range(id) => {
                let reversed = self.heap.ranges[id.0 as usize].reversed();
                let Value::Range(range) = self.new_range(reversed)? else {
                    return overflow();
                };
                IterState::Range { next: 0, range }
            }
            Value::Dict(_) | Value::Set(_) | Value::Iter(_) => {
                return type_error(format!(
                    "'{}' object is not reversible",
                    self.type_name(&args[0])
                ));
            }
            other => {
                let mut items = self.collect_iterable(other)?;
                items.reverse();
                let Value::List(id) = self.new_list(items)? else {
                    return overflow();
                };
                IterState::List(id, 0)
            }
        };
        self.new_iter(state)
    }

    /// `any` and `all` share one loop: `any` stops at the first true item,
    /// `all` at the first false one.
    pub(super) fn any_all(
        &mut self,
        all: bool,
        args: &[Value],
        kwargs: &[(Sym, Value)],
    ) -> Res<Value> {
        let name = if all { "all" } else { "any" };
        no_kwargs(name, kwargs)?;
        arity(name, args, 1, 1)?;
        let want = !all;
        let mut it = self.iter_of(&args[0])?;
        while let Some(item) = self.iter_next(&mut it)? {
            self.tick()?;
            if self.truthy(&item)? == want {
                return Ok(Value::Bool(want));
            }
        }
        Ok(Value::Bool(!want))
    }

    /// `map` is eager: it returns a list, which iterates like Python's
    /// map object.
    pub(super) fn builtin_map(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        no_kwargs("map", kwargs)?;
        if args.len() < 2 {
            return type_error("map() must have at least two arguments.");
        }
        let mut inners = Vec::with_capacity(args.len() - 1);
        for a in &args[1..] {
            inners.push(self.iter_of(a)?);
        }
        let mut zipped = IterState::Zip(inners);
        let mut out = Vec::new();
        while let Some(tuple) = self.iter_next(&mut zipped)? {
            let Value::Tuple(id) = tuple else { break };
            let call_args = self.heap.tuples[id.0 as usize].to_vec();
            out.push(self.call_callable(&args[0], &call_args)?);
            self.check_len(out.len())?;
        }
        self.new_list(out)
    }

    /// `filter` is eager, like `map`.
    pub(super) fn builtin_filter(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        no_kwargs("filter", kwargs)?;
        arity("filter", args, 2, 2)?;
        let mut out = Vec::new();
        for item in self.collect_iterable(&args[1])? {
            let keep = match &args[0] {
                Value::None => self.truthy(&item)?,
                f => {
                    let r = self.call_callable(f, std::slice::from_ref(&item))?;
                    self.truthy(&r)?
                }
            };
            if keep {
                out.push(item);
            }
        }
        self.new_list(out)
    }
}

/// The next live key of a dict or set table at or after `pos`.
fn next_key(table: &Table, pos: &mut usize) -> Option<Value> {
    while *pos < table.capacity() {
        let entry = table.entry(*pos);
        *pos += 1;
        if let Some(e) = entry {
            return Some(e.key.clone());
        }
    }
    None
}
