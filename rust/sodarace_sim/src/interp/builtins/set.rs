//! Sets: the `set` builtin and the methods of sets (`add`, `discard`,
//! `union`, `issubset`...). The set operators (`|`, `&`, `-`, `^`) are in
//! `ops/arithmetic.rs`.

use super::super::ir::{sym, BinOp, Sym};
use super::super::run::{Machine, Res, Unwind};
use super::super::value::*;
use super::{arity, no_kwargs};

impl Machine<'_> {
    pub(super) fn builtin_set(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        no_kwargs("set", kwargs)?;
        arity("set", args, 0, 1)?;
        let items = self.iterable_arg(args)?;
        let set = self.new_set()?;
        for item in items {
            self.set_add(&set, item)?;
        }
        Ok(set)
    }

    pub(super) fn set_method(
        &mut self,
        obj: &Value,
        id: SetId,
        name: Sym,
        method: &str,
        args: &[Value],
    ) -> Res<Value> {
        let index = id.0 as usize;
        match name {
            sym::ADD => {
                arity(method, args, 1, 1)?;
                self.set_add(obj, args[0].clone())?;
            }
            sym::DISCARD | sym::REMOVE => {
                arity(method, args, 1, 1)?;
                match self.set_lookup(id, &args[0])? {
                    Some(i) => {
                        self.heap.sets[index].remove_at(i);
                    }
                    None if name == sym::REMOVE => {
                        return Err(Unwind::Raise(Box::new(ExcObj {
                            kind: ExcKind::KeyError,
                            args: vec![args[0].clone()],
                            at: None,
                        })));
                    }
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
                    let other = self.new_set()?;
                    for item in items {
                        self.set_add(&other, item)?;
                    }
                    let op = match name {
                        sym::UNION => BinOp::BitOr,
                        sym::INTERSECTION => BinOp::BitAnd,
                        _ => BinOp::Sub,
                    };
                    result = self.binary(op, result, other)?;
                }
                return Ok(result);
            }
            sym::ISSUBSET => {
                arity(method, args, 1, 1)?;
                let items = self.collect_iterable(&args[0])?;
                let other = self.new_set()?;
                for item in items {
                    self.set_add(&other, item)?;
                }
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
