//! Sets: the `set` builtin and the methods of sets (`add`, `discard`,
//! `union`, `issubset`...). The set operators (`|`, `&`, `-`, `^`) are in
//! `ops/arithmetic.rs`.

use super::super::ir::{sym, BinOp, Sym};
use super::super::run::{key_error, Machine, Res};
use super::super::value::*;
use super::MethodCall;

impl Machine<'_> {
    pub(super) fn builtin_set(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        let items = self.iterable_arg("set", args, kwargs)?;
        self.set_of(items)
    }

    /// A new set of `items`: `set(...)` and the set methods that accept
    /// any iterable build their operand with it.
    fn set_of(&mut self, items: Vec<Value>) -> Res<Value> {
        let set = self.new_set()?;
        for item in items {
            self.set_add(&set, item)?;
        }
        Ok(set)
    }

    pub(super) fn set_method(&mut self, id: SetId, call: MethodCall) -> Res<Value> {
        let MethodCall { obj, args, .. } = call;
        let index = id.0 as usize;
        match call.name {
            sym::ADD => self.set_add(obj, call.only_arg()?.clone())?,
            sym::DISCARD | sym::REMOVE => {
                let key = call.only_arg()?;
                match self.set_lookup(id, key)? {
                    Some(i) => {
                        self.heap.sets[index].remove_at(i);
                    }
                    None if call.name == sym::REMOVE => return key_error(key.clone()),
                    None => {}
                }
            }
            sym::UPDATE => {
                for a in args {
                    for item in self.collect_iterable(a)? {
                        self.set_add(obj, item)?;
                    }
                }
            }
            sym::UNION | sym::INTERSECTION | sym::DIFFERENCE => {
                let mut result = self.set_copy(obj)?;
                for a in args {
                    let items = self.collect_iterable(a)?;
                    let other = self.set_of(items)?;
                    let op = match call.name {
                        sym::UNION => BinOp::BitOr,
                        sym::INTERSECTION => BinOp::BitAnd,
                        _ => BinOp::Sub,
                    };
                    result = self.binary(op, result, other)?;
                }
                return Ok(result);
            }
            sym::ISSUBSET => {
                let items = self.collect_iterable(call.only_arg()?)?;
                let other = self.set_of(items)?;
                return Ok(Value::Bool(self.subset(obj, &other)?));
            }
            sym::COPY => return self.set_copy(obj),
            sym::CLEAR => self.heap.sets[index].clear(),
            _ => {}
        }
        Ok(Value::None)
    }

    fn set_copy(&mut self, set: &Value) -> Res<Value> {
        let copy = self.new_set()?;
        for item in self.collect_iterable(set)? {
            self.set_add(&copy, item)?;
        }
        Ok(copy)
    }
}
