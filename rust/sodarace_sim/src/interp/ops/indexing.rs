//! Items and slices: `x[i]`, `x[i] = v`, `del x[i]` and their slice forms,
//! with Python's rules for negative indices and clamped slice bounds, plus
//! the checked growth of lists (`list_push`, `list_extend`).

use super::super::error::ErrorKind;
use super::super::run::{fatal, key_error, raise, type_error, Machine, Res, VALUE_BYTES};
use super::super::value::*;
use super::overflow;

/// Resolves a possibly negative index against a length.
fn index_in(len: usize, index: i64) -> Option<usize> {
    let i = if index < 0 {
        index as i128 + len as i128
    } else {
        index as i128
    };
    (0..len as i128).contains(&i).then_some(i as usize)
}

/// A slice resolved against a length, as Python's `slice.indices()` gives
/// it, plus the number of elements it selects.
#[derive(Debug, PartialEq)]
struct SliceIndices {
    start: i128,
    stop: i128,
    step: i128,
    count: usize,
}

/// Python's `slice.indices()`: bounds clamped to the length (to -1 or
/// len - 1 for a negative step), with the number of elements.
fn slice_indices(len: usize, bounds: [Option<i64>; 3]) -> Res<SliceIndices> {
    let step = bounds[2].unwrap_or(1) as i128;
    if step == 0 {
        return raise(ExcKind::ValueError, "slice step cannot be zero");
    }
    let len = len as i128;
    let (lower, upper) = if step < 0 { (-1, len - 1) } else { (0, len) };
    let adjust = |v: Option<i64>, default: i128| -> i128 {
        match v {
            None => default,
            Some(v) if v < 0 => (v as i128 + len).max(lower),
            Some(v) => (v as i128).min(upper),
        }
    };
    let (start, stop) = if step > 0 {
        (adjust(bounds[0], lower), adjust(bounds[1], upper))
    } else {
        (adjust(bounds[0], upper), adjust(bounds[1], lower))
    };
    let count = if step > 0 && start < stop {
        (stop - start - 1) / step + 1
    } else if step < 0 && stop < start {
        (start - stop - 1) / (-step) + 1
    } else {
        0
    };
    Ok(SliceIndices {
        start,
        stop,
        step,
        count: count as usize,
    })
}

/// CPython's range slice: the slice's resolved bounds mapped through the
/// range (`start + i * step`), so the bounds, not only the elements, are
/// CPython's. They are i128 (see `RangeObj`); past that, a limit error.
fn slice_range(r: &RangeObj, bounds: [Option<i64>; 3]) -> Res<RangeObj> {
    let s = slice_indices(r.len(), bounds)?;
    let at = |i: i128| i.checked_mul(r.step).and_then(|d| r.start.checked_add(d));
    match (at(s.start), at(s.stop), s.step.checked_mul(r.step)) {
        (Some(start), Some(stop), Some(step)) => Ok(RangeObj { start, stop, step }),
        _ => overflow(),
    }
}

fn slice_positions(s: &SliceIndices) -> impl Iterator<Item = usize> {
    let (start, step) = (s.start, s.step);
    (0..s.count).map(move |k| (start + k as i128 * step) as usize)
}

impl Machine<'_> {
    pub fn list_push(&mut self, list: &Value, item: Value) -> Res<()> {
        let Value::List(id) = list else {
            return type_error("not a list");
        };
        self.check_len(self.heap.lists[id.0 as usize].len() + 1)?;
        self.charge(VALUE_BYTES)?;
        self.heap.lists[id.0 as usize].push(item);
        Ok(())
    }

    pub fn list_extend(&mut self, list: &Value, items: Vec<Value>) -> Res<()> {
        let Value::List(id) = list else {
            return type_error("not a list");
        };
        self.check_len(self.heap.lists[id.0 as usize].len() + items.len())?;
        self.charge(items.len() * VALUE_BYTES)?;
        self.heap.lists[id.0 as usize].extend(items);
        Ok(())
    }

    pub fn seq_len(&self, v: &Value) -> usize {
        self.sequence_items(v).map_or(0, <[Value]>::len)
    }

    pub fn seq_get(&self, v: &Value, i: usize) -> Option<Value> {
        self.sequence_items(v)?.get(i).cloned()
    }

    fn int_index(&self, container: &Value, key: &Value) -> Res<i64> {
        match key {
            Value::Int(i) => Ok(*i),
            Value::Bool(b) => Ok(*b as i64),
            _ => type_error(format!(
                "{} indices must be integers or slices, not {}",
                self.type_name(container),
                self.type_name(key)
            )),
        }
    }

    /// The position `key` names in list `id` for `l[key] = v` and
    /// `del l[key]`, which reject an out-of-range index with the same
    /// IndexError (CPython words it as an assignment for both).
    fn list_assignment_index(&self, obj: &Value, id: ListId, key: &Value) -> Res<usize> {
        let i = self.int_index(obj, key)?;
        match index_in(self.heap.lists[id.0 as usize].len(), i) {
            Some(i) => Ok(i),
            None => raise(ExcKind::IndexError, "list assignment index out of range"),
        }
    }

    pub fn get_item(&mut self, obj: &Value, key: &Value) -> Res<Value> {
        match obj {
            Value::List(_) | Value::Tuple(_) => {
                let i = self.int_index(obj, key)?;
                match index_in(self.seq_len(obj), i).and_then(|i| self.seq_get(obj, i)) {
                    Some(v) => Ok(v),
                    None => raise(
                        ExcKind::IndexError,
                        format!("{} index out of range", self.type_name(obj)),
                    ),
                }
            }
            Value::Str(s) => {
                let i = self.int_index(obj, key)?;
                let s = s.clone();
                let ch = if s.is_ascii() {
                    index_in(s.len(), i).map(|i| s[i..i + 1].to_string())
                } else {
                    self.charge_steps(s.len())?;
                    let n = s.chars().count();
                    index_in(n, i)
                        .and_then(|i| s.chars().nth(i))
                        .map(String::from)
                };
                match ch {
                    Some(c) => self.new_str(c),
                    None => raise(ExcKind::IndexError, "string index out of range"),
                }
            }
            Value::Dict(id) => match self.dict_lookup(*id, key)? {
                Some(i) => Ok(self.heap.dicts[id.0 as usize]
                    .entry(i)
                    .map_or(Value::None, |e| e.value.clone())),
                None => key_error(key.clone()),
            },
            Value::Array(id) => {
                let i = self.int_index(obj, key)?;
                self.array_item(*id, i)
            }
            Value::Range(id) => {
                let i = self.int_index(obj, key)?;
                let r = &self.heap.ranges[id.0 as usize];
                match index_in(r.len(), i) {
                    Some(i) => Ok(Value::Int(r.get(i))),
                    None => raise(ExcKind::IndexError, "range object index out of range"),
                }
            }
            _ => type_error(format!(
                "'{}' object is not subscriptable",
                self.type_name(obj)
            )),
        }
    }

    pub fn set_item(&mut self, obj: &Value, key: Value, value: Value) -> Res<()> {
        match obj {
            Value::List(id) => {
                let i = self.list_assignment_index(obj, *id, &key)?;
                self.heap.lists[id.0 as usize][i] = value;
                Ok(())
            }
            Value::Dict(_) => self.dict_set(obj, key, value),
            Value::Array(_) => fatal(
                ErrorKind::Unsupported,
                "numpy arrays are read-only in the subset (build a new one)",
            ),
            _ => type_error(format!(
                "'{}' object does not support item assignment",
                self.type_name(obj)
            )),
        }
    }

    pub fn del_item(&mut self, obj: &Value, key: Value) -> Res<()> {
        match obj {
            Value::List(id) => {
                let i = self.list_assignment_index(obj, *id, &key)?;
                self.heap.lists[id.0 as usize].remove(i);
                Ok(())
            }
            Value::Dict(id) => match self.dict_lookup(*id, &key)? {
                Some(i) => {
                    self.heap.dicts[id.0 as usize].remove_at(i);
                    Ok(())
                }
                None => key_error(key),
            },
            _ => type_error(format!(
                "'{}' object does not support item deletion",
                self.type_name(obj)
            )),
        }
    }

    pub fn get_slice(&mut self, obj: &Value, bounds: [Option<i64>; 3]) -> Res<Value> {
        match obj {
            Value::List(_) | Value::Tuple(_) => {
                let slice = slice_indices(self.seq_len(obj), bounds)?;
                let items: &[Value] = match obj {
                    Value::List(id) => &self.heap.lists[id.0 as usize],
                    Value::Tuple(id) => &self.heap.tuples[id.0 as usize],
                    _ => &[],
                };
                let out: Vec<Value> = slice_positions(&slice).map(|i| items[i].clone()).collect();
                self.charge_steps(slice.count)?;
                if matches!(obj, Value::List(_)) {
                    self.new_list(out)
                } else {
                    self.new_tuple(out)
                }
            }
            Value::Str(s) => {
                let s = s.clone();
                let out: String = if s.is_ascii() {
                    let slice = slice_indices(s.len(), bounds)?;
                    let bytes = s.as_bytes();
                    slice_positions(&slice).map(|i| bytes[i] as char).collect()
                } else {
                    let chars: Vec<char> = s.chars().collect();
                    let slice = slice_indices(chars.len(), bounds)?;
                    slice_positions(&slice).map(|i| chars[i]).collect()
                };
                self.charge_steps(s.len())?;
                self.new_str(out)
            }
            Value::Range(id) => {
                let sliced = slice_range(&self.heap.ranges[id.0 as usize], bounds)?;
                self.new_range(sliced)
            }
            Value::Array(id) => {
                let slice = slice_indices(self.array_len(*id), bounds)?;
                self.array_from_positions(*id, slice_positions(&slice))
            }
            _ => type_error(format!(
                "'{}' object is not subscriptable",
                self.type_name(obj)
            )),
        }
    }

    pub fn set_slice(&mut self, obj: &Value, bounds: [Option<i64>; 3], value: Value) -> Res<()> {
        let Value::List(id) = obj else {
            return type_error(format!(
                "'{}' object does not support slice assignment",
                self.type_name(obj)
            ));
        };
        let items = self.collect_iterable(&value)?;
        let len = self.heap.lists[id.0 as usize].len();
        let slice = slice_indices(len, bounds)?;
        let (start, count) = (slice.start, slice.count);
        if bounds[2].unwrap_or(1) == 1 {
            let start = start as usize;
            self.check_len(len - count + items.len())?;
            self.charge(items.len() * VALUE_BYTES)?;
            self.heap.lists[id.0 as usize].splice(start..start + count, items);
            return Ok(());
        }
        if items.len() != count {
            let message = format!(
                "attempt to assign sequence of size {} to extended slice of size {count}",
                items.len()
            );
            return raise(ExcKind::ValueError, message);
        }
        let list = &mut self.heap.lists[id.0 as usize];
        for (i, item) in slice_positions(&slice).zip(items) {
            list[i] = item;
        }
        Ok(())
    }

    pub fn del_slice(&mut self, obj: &Value, bounds: [Option<i64>; 3]) -> Res<()> {
        let Value::List(id) = obj else {
            return type_error(format!(
                "'{}' object does not support item deletion",
                self.type_name(obj)
            ));
        };
        let list = &mut self.heap.lists[id.0 as usize];
        let slice = slice_indices(list.len(), bounds)?;
        let mut doomed: Vec<usize> = slice_positions(&slice).collect();
        doomed.sort_unstable();
        let mut k = 0;
        let mut index = 0;
        list.retain(|_| {
            let keep = doomed.get(k) != Some(&index);
            if !keep {
                k += 1;
            }
            index += 1;
            keep
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_follow_python() {
        let indices = |len, bounds| {
            slice_indices(len, bounds)
                .ok()
                .map(|s| (s.start, s.stop, s.step, s.count))
        };
        assert_eq!(indices(5, [None, None, Some(-1)]), Some((4, -1, -1, 5)));
        assert_eq!(indices(5, [Some(-2), None, None]), Some((3, 5, 1, 2)));
        assert_eq!(
            indices(5, [Some(1), Some(100), Some(2)]),
            Some((1, 5, 2, 2))
        );
        assert_eq!(
            indices(5, [None, None, Some(i64::MIN)]),
            Some((4, -1, i64::MIN as i128, 1))
        );
        assert!(slice_indices(5, [None, None, Some(0)]).is_err());
    }

    #[test]
    fn range_slices_keep_cpython_bounds() {
        let ten = RangeObj {
            start: 0,
            stop: 10,
            step: 1,
        };
        let r = slice_range(&ten, [Some(i64::MIN), Some(-1), Some(i64::MIN)]).ok();
        let bounds = r.map(|r| (r.start, r.stop, r.step));
        assert_eq!(bounds, Some((-1, 9, i64::MIN as i128)));
    }
}
