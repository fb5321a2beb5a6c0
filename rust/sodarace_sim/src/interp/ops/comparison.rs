//! Comparison operators: equality (deep, for containers), ordering
//! (`<` and friends, which Python defines only for some type pairs),
//! identity (`is`) and membership (`in`).

use std::cmp::Ordering;
use std::rc::Rc;

use super::super::error::ErrorKind;
use super::super::ir::CmpOp;
use super::super::math::TWO_POW_63;
use super::super::run::{fatal, type_error, Machine, Res};
use super::super::value::*;
use super::{num, too_deep, Num, MAX_VALUE_DEPTH};

/// Exact comparison of an int with a float, as Python does it.
fn cmp_int_float(i: i64, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f >= TWO_POW_63 {
        return Some(Ordering::Less);
    }
    if f < -TWO_POW_63 {
        return Some(Ordering::Greater);
    }
    let t = f.trunc();
    Some((i).cmp(&(t as i64)).then_with(|| {
        let frac = f - t;
        if frac > 0.0 {
            Ordering::Less
        } else if frac < 0.0 {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    }))
}

pub(super) fn cmp_nums(a: Num, b: Num) -> Option<Ordering> {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
        (Num::Float(x), Num::Float(y)) => x.partial_cmp(&y),
        (Num::Int(x), Num::Float(y)) => cmp_int_float(x, y),
        (Num::Float(x), Num::Int(y)) => cmp_int_float(y, x).map(Ordering::reverse),
    }
}

/// Python's `is`.
pub(crate) fn identical(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::None, Value::None) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        (Value::Str(x), Value::Str(y)) => Rc::ptr_eq(x, y),
        (Value::List(x), Value::List(y)) => x == y,
        (Value::Tuple(x), Value::Tuple(y)) => x == y,
        (Value::Dict(x), Value::Dict(y)) => x == y,
        (Value::Set(x), Value::Set(y)) => x == y,
        (Value::Range(x), Value::Range(y)) => x == y,
        (Value::Iter(x), Value::Iter(y)) => x == y,
        (Value::Func(x), Value::Func(y)) => x == y,
        (Value::Method(x), Value::Method(y)) => x == y,
        (Value::Builtin(x), Value::Builtin(y)) => x == y,
        (Value::Class(x), Value::Class(y)) => x == y,
        (Value::Instance(x), Value::Instance(y)) => x == y,
        (Value::ExcType(x), Value::ExcType(y)) => x == y,
        (Value::Exception(x), Value::Exception(y)) => x == y,
        (Value::Module(x), Value::Module(y)) => x == y,
        (Value::Creator(x), Value::Creator(y)) => x == y,
        (Value::Joint(c, i), Value::Joint(d, j)) => c == d && i == j,
        (Value::Walker(x), Value::Walker(y)) => x == y,
        _ => false,
    }
}

impl Machine<'_> {
    pub fn compare(&mut self, op: CmpOp, a: &Value, b: &Value) -> Res<bool> {
        let ordering = !matches!(op, CmpOp::Is | CmpOp::IsNot | CmpOp::In | CmpOp::NotIn);
        if ordering && (matches!(a, Value::Array(_)) || matches!(b, Value::Array(_))) {
            // numpy compares element-wise into a bool array: not in the subset.
            return fatal(
                ErrorKind::Unsupported,
                "comparing numpy arrays is not supported (compare a.tolist() or elements)",
            );
        }
        match op {
            CmpOp::Eq => self.values_eq(a, b, 0),
            CmpOp::NotEq => Ok(!self.values_eq(a, b, 0)?),
            CmpOp::Is => Ok(identical(a, b)),
            CmpOp::IsNot => Ok(!identical(a, b)),
            CmpOp::In => self.contains(b, a),
            CmpOp::NotIn => Ok(!self.contains(b, a)?),
            CmpOp::Lt => Ok(self.order(a, b, "<", 0)? == Some(Ordering::Less)),
            CmpOp::LtE => Ok(matches!(
                self.order(a, b, "<=", 0)?,
                Some(Ordering::Less | Ordering::Equal)
            )),
            CmpOp::Gt => Ok(self.order(a, b, ">", 0)? == Some(Ordering::Greater)),
            CmpOp::GtE => Ok(matches!(
                self.order(a, b, ">=", 0)?,
                Some(Ordering::Greater | Ordering::Equal)
            )),
        }
    }

    /// Python's `<` family: None means unordered (a NaN is involved).
    pub fn order(
        &mut self,
        a: &Value,
        b: &Value,
        symbol: &str,
        depth: u32,
    ) -> Res<Option<Ordering>> {
        if depth > MAX_VALUE_DEPTH {
            return too_deep();
        }
        if let (Some(x), Some(y)) = (num(a), num(b)) {
            return Ok(cmp_nums(x, y));
        }
        match (a, b) {
            (Value::Str(x), Value::Str(y)) => return Ok(Some(x.cmp(y))),
            (Value::Set(_), Value::Set(_)) => return self.set_order(a, b),
            _ => {}
        }
        let Some((left, right)) = self.copied_sequence_pair(a, b) else {
            let message = format!(
                "'{symbol}' not supported between instances of '{}' and '{}'",
                self.type_name(a),
                self.type_name(b)
            );
            return type_error(message);
        };
        self.charge_steps(left.len().min(right.len()))?;
        for (x, y) in left.iter().zip(right.iter()) {
            if !self.values_eq(x, y, depth + 1)? {
                return self.order(x, y, symbol, depth + 1);
            }
        }
        Ok(Some(left.len().cmp(&right.len())))
    }

    fn set_order(&mut self, a: &Value, b: &Value) -> Res<Option<Ordering>> {
        let a_in_b = self.subset(a, b)?;
        let b_in_a = self.subset(b, a)?;
        Ok(match (a_in_b, b_in_a) {
            (true, true) => Some(Ordering::Equal),
            (true, false) => Some(Ordering::Less),
            (false, true) => Some(Ordering::Greater),
            (false, false) => None,
        })
    }

    pub fn subset(&mut self, a: &Value, b: &Value) -> Res<bool> {
        for item in self.collect_iterable(a)? {
            if !self.contains(b, &item)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    pub fn values_eq(&mut self, a: &Value, b: &Value, depth: u32) -> Res<bool> {
        if depth > MAX_VALUE_DEPTH {
            return too_deep();
        }
        if let (Some(x), Some(y)) = (num(a), num(b)) {
            return Ok(cmp_nums(x, y) == Some(Ordering::Equal));
        }
        if let Some((left, right)) = self.copied_sequence_pair(a, b) {
            return self.items_eq(&left, &right, depth);
        }
        match (a, b) {
            (Value::Str(x), Value::Str(y)) => Ok(x == y),
            (Value::Range(x), Value::Range(y)) => {
                let (x, y) = (
                    &self.heap.ranges[x.0 as usize],
                    &self.heap.ranges[y.0 as usize],
                );
                let (n, m) = (x.len(), y.len());
                Ok(n == m && (n == 0 || (x.start == y.start && (n == 1 || x.step == y.step))))
            }
            (Value::Dict(x), Value::Dict(y)) => self.dicts_eq(*x, *y, depth),
            (Value::Set(x), Value::Set(y)) => {
                if self.heap.sets[x.0 as usize].len() != self.heap.sets[y.0 as usize].len() {
                    return Ok(false);
                }
                self.subset(a, b)
            }
            _ => Ok(identical(a, b)),
        }
    }

    /// `==` of two lists or two tuples: element-wise, trying `is` first
    /// as CPython does, so a container holding a NaN equals itself.
    fn items_eq(&mut self, left: &[Value], right: &[Value], depth: u32) -> Res<bool> {
        if left.len() != right.len() {
            return Ok(false);
        }
        self.charge_steps(left.len())?;
        for (x, y) in left.iter().zip(right.iter()) {
            if !identical(x, y) && !self.values_eq(x, y, depth + 1)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// `==` of two dicts: the same keys, each mapped to equal values.
    fn dicts_eq(&mut self, x: DictId, y: DictId, depth: u32) -> Res<bool> {
        if self.heap.dicts[x.0 as usize].len() != self.heap.dicts[y.0 as usize].len() {
            return Ok(false);
        }
        for (k, v) in self.charged_dict_entries(x)? {
            match self.dict_lookup(y, &k)? {
                Some(i) => {
                    let other = self.heap.dicts[y.0 as usize]
                        .entry(i)
                        .map(|e| e.value.clone());
                    if !self.values_eq(&v, &other.unwrap_or(Value::Unbound), depth + 1)? {
                        return Ok(false);
                    }
                }
                None => return Ok(false),
            }
        }
        Ok(true)
    }

    /// `same_kind_sequences`, copied out of the heap because comparing
    /// their items may call back into the machine.
    fn copied_sequence_pair(&self, a: &Value, b: &Value) -> Option<(Vec<Value>, Vec<Value>)> {
        let (x, y) = self.same_kind_sequences(a, b)?;
        Some((x.to_vec(), y.to_vec()))
    }

    pub fn contains(&mut self, container: &Value, item: &Value) -> Res<bool> {
        match container {
            Value::List(_) | Value::Tuple(_) => {
                let len = self.seq_len(container);
                self.charge_steps(len)?;
                for i in 0..len {
                    let Some(x) = self.seq_get(container, i) else {
                        break;
                    };
                    if identical(&x, item) || self.values_eq(&x, item, 0)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Value::Str(s) => match item {
                Value::Str(sub) => {
                    self.charge_steps(s.len())?;
                    Ok(s.contains(&**sub))
                }
                _ => type_error(format!(
                    "'in <string>' requires string as left operand, not {}",
                    self.type_name(item)
                )),
            },
            Value::Dict(id) => Ok(self.dict_lookup(*id, item)?.is_some()),
            Value::Set(id) => Ok(self.set_lookup(*id, item)?.is_some()),
            Value::Range(id) => {
                // Every element is an i64, so a float outside that range
                // (or with a fraction) equals none of them.
                let i = match num(item) {
                    Some(Num::Int(i)) => i as i128,
                    Some(Num::Float(f))
                        if f.fract() == 0.0 && (-TWO_POW_63..TWO_POW_63).contains(&f) =>
                    {
                        f as i128
                    }
                    _ => return Ok(false),
                };
                let r = &self.heap.ranges[id.0 as usize];
                let inside = if r.step > 0 {
                    i >= r.start && i < r.stop
                } else {
                    i <= r.start && i > r.stop
                };
                Ok(inside && (i - r.start) % r.step == 0)
            }
            Value::Array(id) => {
                let n = self.array_len(*id);
                self.charge_steps(n)?;
                for i in 0..n {
                    if let Some(x) = self.array_get(*id, i) {
                        if self.values_eq(&x, item, 0)? {
                            return Ok(true);
                        }
                    }
                }
                Ok(false)
            }
            Value::Iter(_) => {
                let items = self.collect_iterable(container)?;
                for x in items {
                    if self.values_eq(&x, item, 0)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => type_error(format!(
                "argument of type '{}' is not iterable",
                self.type_name(container)
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_float_comparison_is_exact() {
        assert_eq!(
            cmp_int_float((1 << 53) + 1, 9007199254740992.0),
            Some(Ordering::Greater)
        );
        assert_eq!(cmp_int_float(3, 3.0), Some(Ordering::Equal));
        assert_eq!(cmp_int_float(3, 3.5), Some(Ordering::Less));
        assert_eq!(cmp_int_float(-3, -3.5), Some(Ordering::Greater));
        assert_eq!(cmp_int_float(0, f64::NAN), None);
        assert_eq!(cmp_int_float(i64::MAX, 9.3e18), Some(Ordering::Less));
    }
}
