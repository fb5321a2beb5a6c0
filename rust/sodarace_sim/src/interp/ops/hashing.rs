//! Hashing and the hash tables behind dicts and sets: a value's hash,
//! key equality (numbers equal across types, as in Python), lookup,
//! insertion and `dict.update`.

use std::cmp::Ordering;

use super::super::math::TWO_POW_63;
use super::super::run::{raise, type_error, Machine, Res, VALUE_BYTES};
use super::super::value::*;
use super::comparison::{cmp_nums, identical};
use super::{num, too_deep, MAX_VALUE_DEPTH};

fn mix(h: u64, x: u64) -> u64 {
    (h.rotate_left(5) ^ x).wrapping_mul(0x517c_c1b7_2722_0a95)
}

/// Hash-table key equality for hashable values (numbers across types,
/// strings by content, tuples element-wise, everything else by identity).
pub(crate) fn key_eq(heap: &Heap, a: &Value, b: &Value) -> bool {
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return cmp_nums(x, y) == Some(Ordering::Equal);
    }
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Tuple(x), Value::Tuple(y)) => {
            let (x, y) = (&heap.tuples[x.0 as usize], &heap.tuples[y.0 as usize]);
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| key_eq(heap, p, q))
        }
        _ => identical(a, b),
    }
}

impl Machine<'_> {
    pub fn hash_key(&self, v: &Value) -> Res<u64> {
        self.hash_at(v, 0)
    }

    fn hash_at(&self, v: &Value, depth: u32) -> Res<u64> {
        if depth > MAX_VALUE_DEPTH {
            return too_deep();
        }
        let identity = |tag: u64, id: u32| Ok(mix(tag, id as u64));
        match v {
            Value::None => Ok(0x9e37_79b9),
            Value::Bool(b) => Ok(mix(0, *b as u64)),
            Value::Int(i) => Ok(mix(0, *i as u64)),
            Value::Float(f) => {
                // An integral float hashes as the int it equals.
                if f.fract() == 0.0 && (-TWO_POW_63..TWO_POW_63).contains(f) {
                    Ok(mix(0, *f as i64 as u64))
                } else {
                    Ok(mix(1, f.to_bits()))
                }
            }
            Value::Str(s) => {
                let mut h = 0xcbf2_9ce4_8422_2325u64;
                for chunk in s.as_bytes().chunks(8) {
                    let mut word = [0u8; 8];
                    word[..chunk.len()].copy_from_slice(chunk);
                    h = mix(h, u64::from_le_bytes(word));
                }
                Ok(mix(h, s.len() as u64))
            }
            Value::Tuple(id) => {
                let mut h = 0x3141_5926u64;
                for item in self.heap.tuples[id.0 as usize].iter() {
                    h = mix(h, self.hash_at(item, depth + 1)?);
                }
                Ok(h)
            }
            Value::Joint(c, i) => Ok(mix(mix(2, c.0 as u64), *i as u64)),
            Value::Func(id) => identity(3, id.0),
            Value::Class(id) => identity(4, id.0),
            Value::Instance(id) => identity(5, id.0),
            Value::Builtin(b) => identity(6, *b as u32),
            Value::ExcType(k) => identity(7, *k as u32),
            Value::Creator(id) => identity(8, id.0),
            Value::Walker(id) => identity(9, id.0),
            Value::Method(id) => identity(10, id.0),
            Value::Exception(id) => identity(11, id.0),
            Value::Module(m) => identity(12, *m as u32),
            _ => type_error(format!("unhashable type: '{}'", self.type_name(v))),
        }
    }

    pub fn dict_lookup(&self, id: DictId, key: &Value) -> Res<Option<usize>> {
        let hash = self.hash_key(key)?;
        let heap = &self.heap;
        Ok(heap.dicts[id.0 as usize].find(hash, |k| key_eq(heap, k, key)))
    }

    pub fn set_lookup(&self, id: SetId, key: &Value) -> Res<Option<usize>> {
        let hash = self.hash_key(key)?;
        let heap = &self.heap;
        Ok(heap.sets[id.0 as usize].find(hash, |k| key_eq(heap, k, key)))
    }

    pub fn dict_set(&mut self, dict: &Value, key: Value, value: Value) -> Res<()> {
        let Value::Dict(id) = dict else {
            return type_error("not a dict");
        };
        let hash = self.hash_key(&key)?;
        let heap = &self.heap;
        let table = &heap.dicts[id.0 as usize];
        match table.find(hash, |k| key_eq(heap, k, &key)) {
            Some(i) => {
                if let Some(slot) = self.heap.dicts[id.0 as usize].value_mut(i) {
                    *slot = value;
                }
            }
            None => {
                self.check_len(table.len() + 1)?;
                self.charge(3 * VALUE_BYTES)?;
                self.heap.dicts[id.0 as usize].push(hash, key, value);
            }
        }
        Ok(())
    }

    pub fn set_add(&mut self, set: &Value, key: Value) -> Res<()> {
        let Value::Set(id) = set else {
            return type_error("not a set");
        };
        let hash = self.hash_key(&key)?;
        let heap = &self.heap;
        let table = &heap.sets[id.0 as usize];
        if table.find(hash, |k| key_eq(heap, k, &key)).is_none() {
            self.check_len(table.len() + 1)?;
            self.charge(2 * VALUE_BYTES)?;
            self.heap.sets[id.0 as usize].push(hash, key, Value::None);
        }
        Ok(())
    }

    /// The (key, value) pairs of dict `id`, copied out of the heap so that
    /// a loop over them may call back into the machine, even one that
    /// changes the dict.
    pub fn dict_entries(&self, id: DictId) -> Vec<(Value, Value)> {
        self.heap.dicts[id.0 as usize]
            .iter()
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect()
    }

    /// `dict_entries`, charged like any loop over a whole container.
    pub fn charged_dict_entries(&mut self, id: DictId) -> Res<Vec<(Value, Value)>> {
        let entries = self.dict_entries(id);
        self.charge_steps(entries.len())?;
        Ok(entries)
    }

    /// `dict.update(other)` for a dict or an iterable of pairs.
    pub fn dict_update(&mut self, dict: &Value, other: &Value) -> Res<()> {
        if let Value::Dict(id) = other {
            for (k, v) in self.charged_dict_entries(*id)? {
                self.dict_set(dict, k, v)?;
            }
            return Ok(());
        }
        for pair in self.collect_iterable(other)? {
            let items = self.collect_iterable(&pair)?;
            let [k, v]: [Value; 2] = items.try_into().map_err(|_| ()).or_else(|_| {
                raise(
                    ExcKind::ValueError,
                    "dictionary update sequence element has the wrong length",
                )
            })?;
            self.dict_set(dict, k, v)?;
        }
        Ok(())
    }
}
