//! Operators with Python's semantics: arithmetic (64-bit ints whose
//! overflow is a `limit`, floats computed exactly as CPython does),
//! comparisons, truthiness, hashing, indexing and slicing.

use std::cmp::Ordering;
use std::rc::Rc;

use super::error::ErrorKind;
use super::ir::{BinOp, CmpOp, UnaryOp};
use super::math::TWO_POW_63;
use super::run::{fatal, raise, type_error, Machine, Res, VALUE_BYTES};
use super::value::*;

/// Deepest nesting of containers that comparison, hashing and printing
/// follow before giving up (they recurse on the native stack).
pub(crate) const MAX_VALUE_DEPTH: u32 = 100;

#[derive(Clone, Copy)]
enum Num {
    Int(i64),
    Float(f64),
}

fn num(v: &Value) -> Option<Num> {
    match v {
        Value::Int(i) => Some(Num::Int(*i)),
        Value::Bool(b) => Some(Num::Int(*b as i64)),
        Value::Float(f) => Some(Num::Float(*f)),
        _ => None,
    }
}

pub(crate) fn overflow<T>() -> Res<T> {
    fatal(
        ErrorKind::Limit,
        "integer overflow: the result does not fit in 64 bits",
    )
}

fn too_deep<T>() -> Res<T> {
    fatal(
        ErrorKind::Limit,
        format!("value nested more than {MAX_VALUE_DEPTH} levels deep"),
    )
}

/// CPython's float `**`, with `libm::pow` for the general case.
pub(crate) fn float_pow(x: f64, y: f64) -> Res<f64> {
    if y == 0.0 {
        return Ok(1.0);
    }
    if x.is_nan() {
        return Ok(x);
    }
    if y.is_nan() {
        return Ok(if x == 1.0 { 1.0 } else { y });
    }
    let y_is_odd = libm::fmod(y.abs(), 2.0) == 1.0;
    if y.is_infinite() {
        let ax = x.abs();
        return Ok(if ax == 1.0 {
            1.0
        } else if (y > 0.0) == (ax > 1.0) {
            y.abs()
        } else {
            0.0
        });
    }
    if x.is_infinite() {
        return Ok(if y > 0.0 {
            if y_is_odd {
                x
            } else {
                x.abs()
            }
        } else if y_is_odd {
            0f64.copysign(x)
        } else {
            0.0
        });
    }
    if x == 0.0 {
        if y < 0.0 {
            return raise(
                ExcKind::ZeroDivisionError,
                "0.0 cannot be raised to a negative power",
            );
        }
        return Ok(if y_is_odd { x } else { 0.0 });
    }
    let mut base = x;
    let mut negate = false;
    if x < 0.0 {
        if y != y.floor() {
            // CPython returns a complex number here; the subset has none.
            return raise(
                ExcKind::ValueError,
                "negative number cannot be raised to a fractional power",
            );
        }
        base = -x;
        negate = y_is_odd;
    }
    if base == 1.0 {
        return Ok(if negate { -1.0 } else { 1.0 });
    }
    let r = libm::pow(base, y);
    if r.is_infinite() {
        return raise(
            ExcKind::OverflowError,
            "(34, 'Numerical result out of range')",
        );
    }
    Ok(if negate { -r } else { r })
}

/// CPython's float `divmod`: the remainder takes the divisor's sign.
fn float_divmod(x: f64, y: f64) -> (f64, f64) {
    let mut m = x % y;
    let mut div = (x - m) / y;
    if m != 0.0 {
        if (y < 0.0) != (m < 0.0) {
            m += y;
            div -= 1.0;
        }
    } else {
        m = 0f64.copysign(y);
    }
    let floordiv = if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0f64.copysign(x / y)
    };
    (floordiv, m)
}

fn int_floordiv(a: i64, b: i64) -> Res<i64> {
    let Some(q) = a.checked_div(b) else {
        return overflow();
    };
    Ok(if a % b != 0 && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    })
}

fn int_mod(a: i64, b: i64) -> i64 {
    let r = a.checked_rem(b).unwrap_or(0);
    if r != 0 && ((r < 0) != (b < 0)) {
        r + b
    } else {
        r
    }
}

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

fn cmp_nums(a: Num, b: Num) -> Option<Ordering> {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
        (Num::Float(x), Num::Float(y)) => x.partial_cmp(&y),
        (Num::Int(x), Num::Float(y)) => cmp_int_float(x, y),
        (Num::Float(x), Num::Int(y)) => cmp_int_float(y, x).map(Ordering::reverse),
    }
}

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

/// Resolves a possibly negative index against a length.
fn index_in(len: usize, index: i64) -> Option<usize> {
    let i = if index < 0 {
        index as i128 + len as i128
    } else {
        index as i128
    };
    (0..len as i128).contains(&i).then_some(i as usize)
}

/// Python's slice.indices(): start, step and the number of elements.
fn slice_indices(len: usize, bounds: [Option<i64>; 3]) -> Res<(i128, i128, usize)> {
    let step = bounds[2].unwrap_or(1) as i128;
    if step == 0 {
        return raise(ExcKind::ValueError, "slice step cannot be zero");
    }
    let len = len as i128;
    let adjust = |v: Option<i64>, default: i128| -> i128 {
        match v {
            None => default,
            Some(v) => {
                let v = v as i128;
                if v < 0 {
                    let v = v + len;
                    if v < 0 {
                        if step < 0 {
                            -1
                        } else {
                            0
                        }
                    } else {
                        v
                    }
                } else if v >= len {
                    if step < 0 {
                        len - 1
                    } else {
                        len
                    }
                } else {
                    v
                }
            }
        }
    };
    let (start, stop) = if step > 0 {
        (adjust(bounds[0], 0), adjust(bounds[1], len))
    } else {
        (adjust(bounds[0], len - 1), adjust(bounds[1], -1))
    };
    let count = if step > 0 && start < stop {
        (stop - start - 1) / step + 1
    } else if step < 0 && stop < start {
        (start - stop - 1) / (-step) + 1
    } else {
        0
    };
    Ok((start, step, count as usize))
}

fn slice_positions(start: i128, step: i128, count: usize) -> impl Iterator<Item = usize> {
    (0..count).map(move |k| (start + k as i128 * step) as usize)
}

impl Machine<'_> {
    pub fn type_name<'v>(&'v self, v: &Value) -> &'v str {
        match v {
            Value::Unbound => "unbound",
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Dict(_) => "dict",
            Value::Set(_) => "set",
            Value::Range(_) => "range",
            Value::Iter(_) => "iterator",
            Value::Func(_) => "function",
            Value::Method(_) => "method",
            Value::Builtin(b) if b.is_type() => "type",
            Value::Builtin(_) => "builtin_function_or_method",
            Value::Class(_) | Value::ExcType(_) => "type",
            Value::Instance(id) => {
                &self.heap.classes[self.heap.instances[id.0 as usize].class.0 as usize].name
            }
            Value::Exception(id) => self.heap.exceptions[id.0 as usize].kind.name(),
            Value::Module(_) => "module",
            Value::Creator(_) => "walker_creator",
            Value::Joint(..) => "joint",
            Value::Walker(_) => "walker",
            Value::Cell(_) => "cell",
        }
    }

    pub fn truthy(&self, v: &Value) -> Res<bool> {
        Ok(match v {
            Value::None | Value::Unbound => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(id) => !self.heap.lists[id.0 as usize].is_empty(),
            Value::Tuple(id) => !self.heap.tuples[id.0 as usize].is_empty(),
            Value::Dict(id) => self.heap.dicts[id.0 as usize].len() > 0,
            Value::Set(id) => self.heap.sets[id.0 as usize].len() > 0,
            Value::Range(id) => self.heap.ranges[id.0 as usize].len() > 0,
            _ => true,
        })
    }

    pub fn unary(&mut self, op: UnaryOp, v: Value) -> Res<Value> {
        Ok(match (op, num(&v)) {
            (UnaryOp::Not, _) => Value::Bool(!self.truthy(&v)?),
            (UnaryOp::Neg, Some(Num::Int(i))) => match i.checked_neg() {
                Some(n) => Value::Int(n),
                None => return overflow(),
            },
            (UnaryOp::Neg, Some(Num::Float(f))) => Value::Float(-f),
            (UnaryOp::Pos, Some(Num::Int(i))) => Value::Int(i),
            (UnaryOp::Pos, Some(Num::Float(f))) => Value::Float(f),
            (UnaryOp::Invert, Some(Num::Int(i))) => Value::Int(!i),
            _ => {
                let symbol = match op {
                    UnaryOp::Neg => "-",
                    UnaryOp::Pos => "+",
                    UnaryOp::Invert => "~",
                    UnaryOp::Not => "not",
                };
                return type_error(format!(
                    "bad operand type for unary {symbol}: '{}'",
                    self.type_name(&v)
                ));
            }
        })
    }

    /// `a op= b`: lists and sets are updated in place, as in Python.
    pub fn binary_inplace(&mut self, op: BinOp, a: Value, b: Value) -> Res<Value> {
        match (op, &a) {
            (BinOp::Add, Value::List(_)) => {
                let items = self.collect_iterable(&b)?;
                self.list_extend(&a, items)?;
                Ok(a)
            }
            (BinOp::BitOr, Value::Set(_)) if matches!(b, Value::Set(_)) => {
                for item in self.collect_iterable(&b)? {
                    self.set_add(&a, item)?;
                }
                Ok(a)
            }
            _ => self.binary(op, a, b),
        }
    }

    pub fn binary(&mut self, op: BinOp, a: Value, b: Value) -> Res<Value> {
        if let (Some(x), Some(y)) = (num(&a), num(&b)) {
            if let (Value::Bool(p), Value::Bool(q)) = (&a, &b) {
                match op {
                    BinOp::BitAnd => return Ok(Value::Bool(p & q)),
                    BinOp::BitOr => return Ok(Value::Bool(p | q)),
                    BinOp::BitXor => return Ok(Value::Bool(p ^ q)),
                    _ => {}
                }
            }
            return self.arithmetic(op, x, y, &a, &b);
        }
        match (op, &a, &b) {
            (BinOp::Add, Value::Str(x), Value::Str(y)) => {
                self.check_str_len(x.len() + y.len())?;
                let mut s = String::with_capacity(x.len() + y.len());
                s.push_str(x);
                s.push_str(y);
                self.new_str(s)
            }
            (BinOp::Add, Value::List(x), Value::List(y)) => {
                let (x, y) = (
                    &self.heap.lists[x.0 as usize],
                    &self.heap.lists[y.0 as usize],
                );
                self.check_len(x.len() + y.len())?;
                let items: Vec<Value> = x.iter().chain(y.iter()).cloned().collect();
                self.charge_steps(items.len())?;
                self.new_list(items)
            }
            (BinOp::Add, Value::Tuple(x), Value::Tuple(y)) => {
                let (x, y) = (
                    &self.heap.tuples[x.0 as usize],
                    &self.heap.tuples[y.0 as usize],
                );
                self.check_len(x.len() + y.len())?;
                let items: Vec<Value> = x.iter().chain(y.iter()).cloned().collect();
                self.charge_steps(items.len())?;
                self.new_tuple(items)
            }
            (BinOp::Mul, _, Value::Int(_) | Value::Bool(_)) if self.is_sequence(&a) => {
                self.repeat(&a, &b)
            }
            (BinOp::Mul, Value::Int(_) | Value::Bool(_), _) if self.is_sequence(&b) => {
                self.repeat(&b, &a)
            }
            (BinOp::Mod, Value::Str(_), _) => fatal(
                ErrorKind::Unsupported,
                "printf-style '%' string formatting is not supported; use an f-string",
            ),
            (
                BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor,
                Value::Set(x),
                Value::Set(y),
            ) => self.set_operation(op, *x, *y),
            (BinOp::BitOr, Value::Dict(_), Value::Dict(_)) => {
                let merged = self.new_dict()?;
                self.dict_update(&merged, &a)?;
                self.dict_update(&merged, &b)?;
                Ok(merged)
            }
            _ => {
                let message = format!(
                    "unsupported operand type(s) for {}: '{}' and '{}'",
                    op.symbol(),
                    self.type_name(&a),
                    self.type_name(&b)
                );
                type_error(message)
            }
        }
    }

    fn is_sequence(&self, v: &Value) -> bool {
        matches!(v, Value::Str(_) | Value::List(_) | Value::Tuple(_))
    }

    /// `seq * n`, with the size checked before anything is allocated.
    fn repeat(&mut self, seq: &Value, times: &Value) -> Res<Value> {
        let n = match times {
            Value::Int(i) => (*i).max(0) as u64,
            Value::Bool(b) => *b as u64,
            _ => 0,
        };
        match seq {
            Value::Str(s) => {
                let total = (s.len() as u64).saturating_mul(n);
                self.check_str_len(usize::try_from(total).unwrap_or(usize::MAX))?;
                self.charge_steps(total as usize)?;
                self.new_str(s.repeat(n as usize))
            }
            _ => {
                let items: &[Value] = match seq {
                    Value::List(id) => &self.heap.lists[id.0 as usize],
                    Value::Tuple(id) => &self.heap.tuples[id.0 as usize],
                    _ => &[],
                };
                let total = (items.len() as u64).saturating_mul(n);
                self.check_len(usize::try_from(total).unwrap_or(usize::MAX))?;
                let total = total as usize;
                let mut out = Vec::with_capacity(total);
                for _ in 0..n {
                    out.extend_from_slice(items);
                }
                self.charge_steps(total)?;
                if matches!(seq, Value::List(_)) {
                    self.new_list(out)
                } else {
                    self.new_tuple(out)
                }
            }
        }
    }

    fn set_operation(&mut self, op: BinOp, x: SetId, y: SetId) -> Res<Value> {
        let left: Vec<Value> = self.heap.sets[x.0 as usize]
            .iter()
            .map(|e| e.key.clone())
            .collect();
        let right: Vec<Value> = self.heap.sets[y.0 as usize]
            .iter()
            .map(|e| e.key.clone())
            .collect();
        let (a, b) = (Value::Set(x), Value::Set(y));
        let result = self.new_set()?;
        self.charge_steps(left.len() + right.len())?;
        match op {
            BinOp::BitOr => {
                for v in left.into_iter().chain(right) {
                    self.set_add(&result, v)?;
                }
            }
            BinOp::BitAnd => {
                for v in left {
                    if self.contains(&b, &v)? {
                        self.set_add(&result, v)?;
                    }
                }
            }
            BinOp::Sub => {
                for v in left {
                    if !self.contains(&b, &v)? {
                        self.set_add(&result, v)?;
                    }
                }
            }
            _ => {
                for v in left {
                    if !self.contains(&b, &v)? {
                        self.set_add(&result, v)?;
                    }
                }
                for v in right {
                    if !self.contains(&a, &v)? {
                        self.set_add(&result, v)?;
                    }
                }
            }
        }
        Ok(result)
    }

    fn arithmetic(&mut self, op: BinOp, x: Num, y: Num, a: &Value, b: &Value) -> Res<Value> {
        if let (Num::Int(p), Num::Int(q)) = (x, y) {
            return self.int_arithmetic(op, p, q);
        }
        let as_float = |n: Num| match n {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        };
        let (p, q) = (as_float(x), as_float(y));
        Ok(Value::Float(match op {
            BinOp::Add => p + q,
            BinOp::Sub => p - q,
            BinOp::Mul => p * q,
            BinOp::Div => {
                if q == 0.0 {
                    return raise(ExcKind::ZeroDivisionError, "float division by zero");
                }
                p / q
            }
            BinOp::FloorDiv => {
                if q == 0.0 {
                    return raise(ExcKind::ZeroDivisionError, "float floor division by zero");
                }
                float_divmod(p, q).0
            }
            BinOp::Mod => {
                if q == 0.0 {
                    return raise(ExcKind::ZeroDivisionError, "float modulo");
                }
                float_divmod(p, q).1
            }
            BinOp::Pow => float_pow(p, q)?,
            _ => {
                let message = format!(
                    "unsupported operand type(s) for {}: '{}' and '{}'",
                    op.symbol(),
                    self.type_name(a),
                    self.type_name(b)
                );
                return type_error(message);
            }
        }))
    }

    fn int_arithmetic(&mut self, op: BinOp, a: i64, b: i64) -> Res<Value> {
        let checked = |r: Option<i64>| r.map(Value::Int).map_or_else(overflow, Ok);
        match op {
            BinOp::Add => checked(a.checked_add(b)),
            BinOp::Sub => checked(a.checked_sub(b)),
            BinOp::Mul => checked(a.checked_mul(b)),
            BinOp::Div => {
                if b == 0 {
                    return raise(ExcKind::ZeroDivisionError, "division by zero");
                }
                Ok(Value::Float(a as f64 / b as f64))
            }
            BinOp::FloorDiv | BinOp::Mod if b == 0 => raise(
                ExcKind::ZeroDivisionError,
                "integer division or modulo by zero",
            ),
            BinOp::FloorDiv => Ok(Value::Int(int_floordiv(a, b)?)),
            BinOp::Mod => Ok(Value::Int(int_mod(a, b))),
            BinOp::Pow => {
                if b < 0 {
                    return Ok(Value::Float(float_pow(a as f64, b as f64)?));
                }
                match a {
                    0 | 1 => Ok(Value::Int(if b == 0 { 1 } else { a })),
                    -1 => Ok(Value::Int(if b % 2 == 0 { 1 } else { -1 })),
                    _ => checked(u32::try_from(b).ok().and_then(|e| a.checked_pow(e))),
                }
            }
            BinOp::LShift | BinOp::RShift if b < 0 => {
                raise(ExcKind::ValueError, "negative shift count")
            }
            BinOp::LShift => {
                if a == 0 {
                    return Ok(Value::Int(0));
                }
                if b >= 63 {
                    return overflow();
                }
                let r = a << b;
                if r >> b != a {
                    overflow()
                } else {
                    Ok(Value::Int(r))
                }
            }
            BinOp::RShift => Ok(Value::Int(if b >= 64 {
                if a < 0 {
                    -1
                } else {
                    0
                }
            } else {
                a >> b
            })),
            BinOp::BitAnd => Ok(Value::Int(a & b)),
            BinOp::BitOr => Ok(Value::Int(a | b)),
            BinOp::BitXor => Ok(Value::Int(a ^ b)),
        }
    }

    // ----- comparison

    pub fn compare(&mut self, op: CmpOp, a: &Value, b: &Value) -> Res<bool> {
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
        let (left, right): (Vec<Value>, Vec<Value>) = match (a, b) {
            (Value::Str(x), Value::Str(y)) => return Ok(Some(x.cmp(y))),
            (Value::List(x), Value::List(y)) => (
                self.heap.lists[x.0 as usize].clone(),
                self.heap.lists[y.0 as usize].clone(),
            ),
            (Value::Tuple(x), Value::Tuple(y)) => (
                self.heap.tuples[x.0 as usize].to_vec(),
                self.heap.tuples[y.0 as usize].to_vec(),
            ),
            (Value::Set(_), Value::Set(_)) => return self.set_order(a, b),
            _ => {
                let message = format!(
                    "'{symbol}' not supported between instances of '{}' and '{}'",
                    self.type_name(a),
                    self.type_name(b)
                );
                return type_error(message);
            }
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
        let (left, right): (Vec<Value>, Vec<Value>) = match (a, b) {
            (Value::Str(x), Value::Str(y)) => return Ok(x == y),
            (Value::List(x), Value::List(y)) => (
                self.heap.lists[x.0 as usize].clone(),
                self.heap.lists[y.0 as usize].clone(),
            ),
            (Value::Tuple(x), Value::Tuple(y)) => (
                self.heap.tuples[x.0 as usize].to_vec(),
                self.heap.tuples[y.0 as usize].to_vec(),
            ),
            (Value::Range(x), Value::Range(y)) => {
                let (x, y) = (
                    &self.heap.ranges[x.0 as usize],
                    &self.heap.ranges[y.0 as usize],
                );
                let (n, m) = (x.len(), y.len());
                return Ok(
                    n == m && (n == 0 || (x.start == y.start && (n == 1 || x.step == y.step)))
                );
            }
            (Value::Dict(x), Value::Dict(y)) => {
                if self.heap.dicts[x.0 as usize].len() != self.heap.dicts[y.0 as usize].len() {
                    return Ok(false);
                }
                let entries: Vec<(Value, Value)> = self.heap.dicts[x.0 as usize]
                    .iter()
                    .map(|e| (e.key.clone(), e.value.clone()))
                    .collect();
                self.charge_steps(entries.len())?;
                for (k, v) in entries {
                    match self.dict_lookup(*y, &k)? {
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
                return Ok(true);
            }
            (Value::Set(x), Value::Set(y)) => {
                if self.heap.sets[x.0 as usize].len() != self.heap.sets[y.0 as usize].len() {
                    return Ok(false);
                }
                return self.subset(a, b);
            }
            _ => return Ok(identical(a, b)),
        };
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
                let i = match num(item) {
                    Some(Num::Int(i)) => i,
                    Some(Num::Float(f)) if f.fract() == 0.0 && f.abs() < 9.2e18 => f as i64,
                    _ => return Ok(false),
                };
                let r = &self.heap.ranges[id.0 as usize];
                let inside = if r.step > 0 {
                    i >= r.start && i < r.stop
                } else {
                    i <= r.start && i > r.stop
                };
                Ok(inside && (i as i128 - r.start as i128) % r.step as i128 == 0)
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

    // ----- hashing and tables

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
                if f.fract() == 0.0 && f.abs() < 9.2e18 {
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

    /// `dict.update(other)` for a dict or an iterable of pairs.
    pub fn dict_update(&mut self, dict: &Value, other: &Value) -> Res<()> {
        if let Value::Dict(id) = other {
            let entries: Vec<(Value, Value)> = self.heap.dicts[id.0 as usize]
                .iter()
                .map(|e| (e.key.clone(), e.value.clone()))
                .collect();
            self.charge_steps(entries.len())?;
            for (k, v) in entries {
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

    // ----- items and slices

    pub fn seq_len(&self, v: &Value) -> usize {
        match v {
            Value::List(id) => self.heap.lists[id.0 as usize].len(),
            Value::Tuple(id) => self.heap.tuples[id.0 as usize].len(),
            _ => 0,
        }
    }

    pub fn seq_get(&self, v: &Value, i: usize) -> Option<Value> {
        match v {
            Value::List(id) => self.heap.lists[id.0 as usize].get(i).cloned(),
            Value::Tuple(id) => self.heap.tuples[id.0 as usize].get(i).cloned(),
            _ => None,
        }
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
                None => Err(super::run::Unwind::Raise(Box::new(ExcObj {
                    kind: ExcKind::KeyError,
                    args: vec![key.clone()],
                    at: None,
                }))),
            },
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
                let i = self.int_index(obj, &key)?;
                let list = &mut self.heap.lists[id.0 as usize];
                match index_in(list.len(), i) {
                    Some(i) => {
                        list[i] = value;
                        Ok(())
                    }
                    None => raise(ExcKind::IndexError, "list assignment index out of range"),
                }
            }
            Value::Dict(_) => self.dict_set(obj, key, value),
            _ => type_error(format!(
                "'{}' object does not support item assignment",
                self.type_name(obj)
            )),
        }
    }

    pub fn del_item(&mut self, obj: &Value, key: Value) -> Res<()> {
        match obj {
            Value::List(id) => {
                let i = self.int_index(obj, &key)?;
                let list = &mut self.heap.lists[id.0 as usize];
                match index_in(list.len(), i) {
                    Some(i) => {
                        list.remove(i);
                        Ok(())
                    }
                    None => raise(ExcKind::IndexError, "list assignment index out of range"),
                }
            }
            Value::Dict(id) => match self.dict_lookup(*id, &key)? {
                Some(i) => {
                    self.heap.dicts[id.0 as usize].remove_at(i);
                    Ok(())
                }
                None => Err(super::run::Unwind::Raise(Box::new(ExcObj {
                    kind: ExcKind::KeyError,
                    args: vec![key],
                    at: None,
                }))),
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
                let (start, step, count) = slice_indices(self.seq_len(obj), bounds)?;
                let items: &[Value] = match obj {
                    Value::List(id) => &self.heap.lists[id.0 as usize],
                    Value::Tuple(id) => &self.heap.tuples[id.0 as usize],
                    _ => &[],
                };
                let out: Vec<Value> = slice_positions(start, step, count)
                    .map(|i| items[i].clone())
                    .collect();
                self.charge_steps(count)?;
                if matches!(obj, Value::List(_)) {
                    self.new_list(out)
                } else {
                    self.new_tuple(out)
                }
            }
            Value::Str(s) => {
                let s = s.clone();
                let out: String = if s.is_ascii() {
                    let (start, step, count) = slice_indices(s.len(), bounds)?;
                    let bytes = s.as_bytes();
                    slice_positions(start, step, count)
                        .map(|i| bytes[i] as char)
                        .collect()
                } else {
                    let chars: Vec<char> = s.chars().collect();
                    let (start, step, count) = slice_indices(chars.len(), bounds)?;
                    slice_positions(start, step, count)
                        .map(|i| chars[i])
                        .collect()
                };
                self.charge_steps(s.len())?;
                self.new_str(out)
            }
            Value::Range(id) => {
                let r = &self.heap.ranges[id.0 as usize];
                let (start, step, count) = slice_indices(r.len(), bounds)?;
                let first = r.start as i128 + start * r.step as i128;
                let new_step = step * r.step as i128;
                let stop = first + count as i128 * new_step;
                match (
                    i64::try_from(first),
                    i64::try_from(stop),
                    i64::try_from(new_step),
                ) {
                    (Ok(start), Ok(stop), Ok(step)) => {
                        self.new_range(RangeObj { start, stop, step })
                    }
                    _ => overflow(),
                }
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
        let (start, step, count) = slice_indices(len, bounds)?;
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
        for (i, item) in slice_positions(start, step, count).zip(items) {
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
        let (start, step, count) = slice_indices(list.len(), bounds)?;
        let mut doomed: Vec<usize> = slice_positions(start, step, count).collect();
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
    fn float_divmod_matches_cpython() {
        assert_eq!(float_divmod(7.0, -2.0), (-4.0, -1.0));
        assert_eq!(float_divmod(-7.5, 2.0), (-4.0, 0.5));
        assert_eq!(float_divmod(0.0, -3.0).1.to_bits(), (-0.0f64).to_bits());
    }

    #[test]
    fn int_division_floors() {
        assert_eq!(int_floordiv(-7, 2).ok(), Some(-4));
        assert_eq!(int_mod(-7, 2), 1);
        assert_eq!(int_mod(7, -2), -1);
        assert!(int_floordiv(i64::MIN, -1).is_err());
        assert_eq!(int_mod(i64::MIN, -1), 0);
    }

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

    #[test]
    fn float_pow_special_cases() {
        assert_eq!(float_pow(2.0, 0.5).ok(), Some(std::f64::consts::SQRT_2));
        assert_eq!(float_pow(-8.0, 3.0).ok(), Some(-512.0));
        assert_eq!(float_pow(f64::NAN, 0.0).ok(), Some(1.0));
        assert!(float_pow(0.0, -1.0).is_err());
        assert!(float_pow(-8.0, 1.0 / 3.0).is_err());
        assert!(float_pow(10.0, 400.0).is_err());
    }

    #[test]
    fn slices_follow_python() {
        assert_eq!(
            slice_indices(5, [None, None, Some(-1)]).ok(),
            Some((4, -1, 5))
        );
        assert_eq!(
            slice_indices(5, [Some(-2), None, None]).ok(),
            Some((3, 1, 2))
        );
        assert_eq!(
            slice_indices(5, [Some(1), Some(100), Some(2)]).ok(),
            Some((1, 2, 2))
        );
        assert_eq!(
            slice_indices(5, [None, None, Some(i64::MIN)]).ok(),
            Some((4, i64::MIN as i128, 1))
        );
        assert!(slice_indices(5, [None, None, Some(0)]).is_err());
    }
}
