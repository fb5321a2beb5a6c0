//! Dicts: the `dict` builtin and the methods of dicts (`get`, `items`,
//! `setdefault`, `pop`, `update`...). The hash table itself is in
//! `ops/hashing.rs`.

use super::super::ir::{sym, Sym};
use super::super::run::{key_error, Machine, Res};
use super::super::value::*;
use super::{arity, MethodCall};

impl Machine<'_> {
    /// `dict(mapping_or_pairs, **kwargs)`.
    pub(super) fn builtin_dict(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        arity("dict", args, 0, 1)?;
        let dict = self.new_dict()?;
        if let Some(source) = args.first() {
            self.dict_update(&dict, source)?;
        }
        for (key, value) in kwargs {
            let key = Value::str(self.sym_name(*key));
            self.dict_set(&dict, key, value.clone())?;
        }
        Ok(dict)
    }

    pub(super) fn dict_method(&mut self, id: DictId, call: MethodCall) -> Res<Value> {
        let MethodCall { obj, args, .. } = call;
        let index = id.0 as usize;
        let entry_value = |m: &Self, i: usize| {
            m.heap.dicts[index]
                .entry(i)
                .map_or(Value::None, |e| e.value.clone())
        };
        match call.name {
            sym::GET => {
                call.arity(1, 2)?;
                Ok(match self.dict_lookup(id, &args[0])? {
                    Some(i) => entry_value(self, i),
                    None => args.get(1).cloned().unwrap_or(Value::None),
                })
            }
            sym::SETDEFAULT => {
                call.arity(1, 2)?;
                match self.dict_lookup(id, &args[0])? {
                    Some(i) => Ok(entry_value(self, i)),
                    None => {
                        let v = args.get(1).cloned().unwrap_or(Value::None);
                        self.dict_set(obj, args[0].clone(), v.clone())?;
                        Ok(v)
                    }
                }
            }
            sym::POP => {
                call.arity(1, 2)?;
                match self.dict_lookup(id, &args[0])? {
                    Some(i) => Ok(self.heap.dicts[index]
                        .remove_at(i)
                        .map_or(Value::None, |e| e.value)),
                    None => match args.get(1) {
                        Some(d) => Ok(d.clone()),
                        None => key_error(args[0].clone()),
                    },
                }
            }
            sym::KEYS | sym::VALUES | sym::ITEMS => {
                call.arity(0, 0)?;
                let entries = self.charged_dict_entries(id)?;
                let mut out = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    out.push(match call.name {
                        sym::KEYS => k,
                        sym::VALUES => v,
                        _ => self.new_tuple(vec![k, v])?,
                    });
                }
                self.new_list(out)
            }
            sym::UPDATE => {
                call.arity(0, 1)?;
                if let Some(other) = args.first() {
                    self.dict_update(obj, other)?;
                }
                Ok(Value::None)
            }
            sym::COPY => {
                call.arity(0, 0)?;
                let copy = self.new_dict()?;
                self.dict_update(&copy, obj)?;
                Ok(copy)
            }
            sym::CLEAR => {
                call.arity(0, 0)?;
                self.heap.dicts[index].clear();
                Ok(Value::None)
            }
            _ => Ok(Value::None),
        }
    }
}
