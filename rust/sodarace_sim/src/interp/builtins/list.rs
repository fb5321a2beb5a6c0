//! Lists and tuples: the `list`, `tuple` and `sorted` builtins, the
//! methods of lists (`append`, `extend`, `pop`, `insert`, `sort`...) and
//! the search methods shared with tuples (`index`, `count`).

use super::super::ir::{sym, CmpOp, Sym};
use super::super::run::{raise, Machine, Res, Unwind, VALUE_BYTES};
use super::super::value::*;
use super::{arity, int_arg, no_kwargs, take_kwargs, MethodCall};

impl Machine<'_> {
    pub(super) fn builtin_list(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        let items = self.iterable_arg("list", args, kwargs)?;
        self.new_list(items)
    }

    pub(super) fn builtin_tuple(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        let items = self.iterable_arg("tuple", args, kwargs)?;
        self.new_tuple(items)
    }

    /// The items of the one optional, positional-only iterable argument
    /// of the container builtins `list`, `tuple` and `set`, which check
    /// their arguments alike.
    pub(super) fn iterable_arg(
        &mut self,
        builtin: &str,
        args: &[Value],
        kwargs: &[(Sym, Value)],
    ) -> Res<Vec<Value>> {
        no_kwargs(builtin, kwargs)?;
        arity(builtin, args, 0, 1)?;
        match args.first() {
            Some(v) => self.collect_iterable(v),
            None => Ok(Vec::new()),
        }
    }

    pub(super) fn builtin_sorted(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        arity("sorted", args, 1, 1)?;
        let [key, reverse] = take_kwargs(self, "sorted", kwargs, [sym::KEY, sym::REVERSE])?;
        let mut items = self.collect_iterable(&args[0])?;
        self.sort_values(&mut items, key, reverse)?;
        self.new_list(items)
    }

    /// `list.sort(key=None, reverse=False)`: the list is emptied while it
    /// is sorted, as CPython does, so a key function sees it empty.
    pub(super) fn list_sort(&mut self, call: MethodCall, kwargs: &[(Sym, Value)]) -> Res<Value> {
        call.arity(0, 0)?;
        let [key, reverse] = take_kwargs(self, call.method, kwargs, [sym::KEY, sym::REVERSE])?;
        let Value::List(id) = call.obj else {
            return Ok(Value::None);
        };
        let mut items = std::mem::take(&mut self.heap.lists[id.0 as usize]);
        let result = self.sort_values(&mut items, key, reverse);
        self.heap.lists[id.0 as usize] = items;
        result.map(|_| Value::None)
    }

    /// A stable merge sort that, like Python's, uses only `<`, so a
    /// comparison may fail (TypeError) or call genome code.
    fn sort_values(
        &mut self,
        items: &mut Vec<Value>,
        key: Option<Value>,
        reverse: Option<Value>,
    ) -> Res<()> {
        let reverse = match reverse {
            Some(v) => self.truthy(&v)?,
            None => false,
        };
        let keys: Vec<Value> = match key {
            None | Some(Value::None) => items.clone(),
            Some(f) => {
                let mut keys = Vec::with_capacity(items.len());
                for item in items.iter() {
                    keys.push(self.call_callable(&f, std::slice::from_ref(item))?);
                }
                keys
            }
        };
        let n = keys.len();
        let mut order: Vec<usize> = (0..n).collect();
        let mut buffer = vec![0usize; n];
        let mut width = 1;
        while width < n {
            let mut lo = 0;
            while lo < n {
                let mid = (lo + width).min(n);
                let hi = (lo + 2 * width).min(n);
                let (mut i, mut j, mut k) = (lo, mid, lo);
                while i < mid && j < hi {
                    // Take from the right run only when strictly before.
                    let (a, b) = (&keys[order[j]], &keys[order[i]]);
                    let right_first = if reverse {
                        self.compare(CmpOp::Lt, b, a)?
                    } else {
                        self.compare(CmpOp::Lt, a, b)?
                    };
                    if right_first {
                        buffer[k] = order[j];
                        j += 1;
                    } else {
                        buffer[k] = order[i];
                        i += 1;
                    }
                    k += 1;
                }
                buffer[k..k + mid - i].copy_from_slice(&order[i..mid]);
                k += mid - i;
                buffer[k..k + hi - j].copy_from_slice(&order[j..hi]);
                lo = hi;
            }
            std::mem::swap(&mut order, &mut buffer);
            self.charge_steps(n)?;
            width *= 2;
        }
        let sorted: Vec<Value> = order.iter().map(|&i| items[i].clone()).collect();
        *items = sorted;
        Ok(())
    }
    /// `index` and `count` of lists and tuples.
    pub(super) fn sequence_search(&mut self, call: MethodCall) -> Res<Value> {
        let MethodCall { obj, args, .. } = call;
        let len = self.seq_len(obj);
        if call.name == sym::COUNT {
            call.arity(1, 1)?;
            self.charge_steps(len)?;
            let mut count = 0;
            for i in 0..len {
                let Some(x) = self.seq_get(obj, i) else { break };
                if self.values_eq(&x, &args[0], 0)? {
                    count += 1;
                }
            }
            return Ok(Value::Int(count));
        }
        call.arity(1, 3)?;
        let bound = |m: &Self, v: Option<&Value>, default: usize| -> Res<usize> {
            Ok(match v {
                None => default,
                Some(v) => {
                    let i = int_arg(m, v)?;
                    if i < 0 {
                        (i + len as i64).max(0) as usize
                    } else {
                        (i as usize).min(len)
                    }
                }
            })
        };
        let (start, end) = (bound(self, args.get(1), 0)?, bound(self, args.get(2), len)?);
        self.charge_steps(end.saturating_sub(start))?;
        for i in start..end {
            let Some(x) = self.seq_get(obj, i) else { break };
            if self.values_eq(&x, &args[0], 0)? {
                return Ok(Value::Int(i as i64));
            }
        }
        let r = self.repr(&args[0])?;
        raise(
            ExcKind::ValueError,
            format!("{r} is not in {}", self.type_name(obj)),
        )
    }

    pub(super) fn list_method(&mut self, id: ListId, call: MethodCall) -> Res<Value> {
        let MethodCall { obj, args, .. } = call;
        let index = id.0 as usize;
        match call.name {
            sym::APPEND => self.list_push(obj, call.only_arg()?.clone())?,
            sym::EXTEND => {
                let items = self.collect_iterable(call.only_arg()?)?;
                self.list_extend(obj, items)?;
            }
            sym::POP => {
                call.arity(0, 1)?;
                let len = self.heap.lists[index].len();
                if len == 0 {
                    return raise(ExcKind::IndexError, "pop from empty list");
                }
                let i = match args.first() {
                    Some(v) => int_arg(self, v)?,
                    None => -1,
                };
                let i = if i < 0 { i + len as i64 } else { i };
                if i < 0 || i >= len as i64 {
                    return raise(ExcKind::IndexError, "pop index out of range");
                }
                return Ok(self.heap.lists[index].remove(i as usize));
            }
            sym::INSERT => {
                call.arity(2, 2)?;
                let len = self.heap.lists[index].len() as i64;
                let i = int_arg(self, &args[0])?;
                let i = if i < 0 { (i + len).max(0) } else { i.min(len) };
                self.check_len(len as usize + 1)?;
                self.charge(VALUE_BYTES)?;
                self.heap.lists[index].insert(i as usize, args[1].clone());
            }
            sym::INDEX | sym::COUNT => return self.sequence_search(call),
            sym::COPY => {
                call.arity(0, 0)?;
                let items = self.heap.lists[index].clone();
                self.charge_steps(items.len())?;
                return self.new_list(items);
            }
            sym::REVERSE => {
                call.arity(0, 0)?;
                self.heap.lists[index].reverse();
            }
            sym::REMOVE => {
                call.arity(1, 1)?;
                let Value::Int(i) = self
                    .sequence_search(MethodCall {
                        name: sym::INDEX,
                        ..call
                    })
                    .map_err(|e| match e {
                        Unwind::Raise(_) => Unwind::Raise(Box::new(ExcObj {
                            kind: ExcKind::ValueError,
                            args: vec![Value::str("list.remove(x): x not in list")],
                            at: None,
                        })),
                        fatal => fatal,
                    })?
                else {
                    return Ok(Value::None);
                };
                self.heap.lists[index].remove(i as usize);
            }
            sym::CLEAR => {
                call.arity(0, 0)?;
                self.heap.lists[index].clear();
            }
            _ => {}
        }
        Ok(Value::None)
    }
}
