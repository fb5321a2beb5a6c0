//! Arithmetic operators: ints are 64-bit and an out-of-range result is
//! an error (see `docs/genomes.md`), floats are computed exactly as
//! CPython computes them. Also unary operators, `seq * n` and the set
//! operators `| & - ^`.

use super::super::error::ErrorKind;
use super::super::ir::{BinOp, UnaryOp};
use super::super::run::{fatal, raise, type_error, Machine, Res};
use super::super::value::*;
use super::{num, overflow, Num};

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

/// CPython's float `divmod`: the remainder takes the divisor's sign
/// (numpy's `//` and `%` on floats compute the same).
pub(crate) fn float_divmod(x: f64, y: f64) -> (f64, f64) {
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

/// `a / b` for ints (b ≠ 0), correctly rounded as CPython's true division
/// of ints is. Converting both to floats first would round twice once
/// either is above 2⁵³, so the quotient is computed exactly to 55
/// significant bits (plus a sticky bit for the rest) and rounded once,
/// half to even. Takes i128 so that numpy's `arange` can divide a span
/// of two i64s; |a| and |b| stay below 2⁶⁵, so results lie within
/// 2^±65, far from subnormals.
pub(crate) fn int_true_div(a: i128, b: i128) -> f64 {
    const EXACT: u128 = 1 << 53;
    if a.unsigned_abs() <= EXACT && b.unsigned_abs() <= EXACT {
        return a as f64 / b as f64;
    }
    let negative = (a < 0) != (b < 0);
    let (n, d) = (a.unsigned_abs(), b.unsigned_abs());
    if n == 0 {
        return if negative { -0.0 } else { 0.0 };
    }
    // Scale by 2^shift so the quotient has 55 or 56 bits.
    let bits = |x: u128| 128 - x.leading_zeros() as i32;
    let shift = 55 + bits(d) - bits(n);
    let (num, den) = if shift >= 0 {
        (n << shift, d)
    } else {
        (n, d << -shift)
    };
    let (q, sticky) = (num / den, num % den != 0);
    let excess = bits(q) - 53;
    let (kept, dropped) = (q >> excess, q & ((1 << excess) - 1));
    let half = 1u128 << (excess - 1);
    let round_up = dropped > half || (dropped == half && (sticky || kept & 1 == 1));
    let mantissa = (kept + round_up as u128) as f64;
    let magnitude = mantissa * power_of_two(excess - shift);
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

/// 2^e as a float, exactly, for a normal exponent.
fn power_of_two(e: i32) -> f64 {
    f64::from_bits(((e + 1023) as u64) << 52)
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

impl Machine<'_> {
    pub fn unary(&mut self, op: UnaryOp, v: Value) -> Res<Value> {
        if let (Value::Array(id), UnaryOp::Neg | UnaryOp::Pos | UnaryOp::Invert) = (&v, op) {
            return self.array_unary(op, *id);
        }
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
        if matches!(a, Value::Array(_)) || matches!(b, Value::Array(_)) {
            return self.array_binary(op, &a, &b);
        }
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
            (BinOp::Add, Value::List(_), Value::List(_)) => {
                let items = self.concatenation(&a, &b)?;
                self.new_list(items)
            }
            (BinOp::Add, Value::Tuple(_), Value::Tuple(_)) => {
                let items = self.concatenation(&a, &b)?;
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

    /// The items of `a + b`, which the caller matched as two lists or two
    /// tuples; the length is checked before anything is copied.
    fn concatenation(&mut self, a: &Value, b: &Value) -> Res<Vec<Value>> {
        let (x, y) = self.same_kind_sequences(a, b).unwrap_or_default();
        self.check_len(x.len() + y.len())?;
        let items: Vec<Value> = x.iter().chain(y.iter()).cloned().collect();
        self.charge_steps(items.len())?;
        Ok(items)
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
                // CPython refuses a str longer than isize::MAX characters
                // before allocating (other sizes fail for memory: a limit).
                let chars = if s.is_ascii() {
                    s.len()
                } else {
                    s.chars().count()
                };
                if chars as u128 * n as u128 > isize::MAX as u128 {
                    return raise(ExcKind::OverflowError, "repeated string is too long");
                }
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
                // Repeating nothing is nothing: `[] * 2**62` must not loop.
                if !items.is_empty() {
                    for _ in 0..n {
                        out.extend_from_slice(items);
                    }
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
                Ok(Value::Float(int_true_div(a.into(), b.into())))
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
                // Any other int shifted by 64 or more leaves i64; below
                // that the exact result fits an i128 (-1 << 63 is i64::MIN).
                if b >= 64 {
                    return overflow();
                }
                checked(i64::try_from((a as i128) << b).ok())
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
    fn int_true_division_rounds_once() {
        // float(a) / float(b) gives 525996.8058322686: one rounding too many.
        let (a, b) = (4_928_188_522_590_161_285, 9_369_236_596_014);
        assert_eq!(int_true_div(a, b), 525_996.805_832_268_7);
        assert_eq!(int_true_div(i64::MAX.into(), 3), 3.074_457_345_618_258_4e18);
        assert_eq!(int_true_div(i64::MIN.into(), -1), 9.223_372_036_854_776e18);
        assert_eq!(int_true_div(1, i64::MIN.into()), -1.0842021724855044e-19);
        assert_eq!(int_true_div((1 << 64) - 1, 1 << 62), 4.0);
        assert_eq!(int_true_div(-6, 3), -2.0);
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
    fn float_pow_special_cases() {
        assert_eq!(float_pow(2.0, 0.5).ok(), Some(std::f64::consts::SQRT_2));
        assert_eq!(float_pow(-8.0, 3.0).ok(), Some(-512.0));
        assert_eq!(float_pow(f64::NAN, 0.0).ok(), Some(1.0));
        assert!(float_pow(0.0, -1.0).is_err());
        assert!(float_pow(-8.0, 1.0 / 3.0).is_err());
        assert!(float_pow(10.0, 400.0).is_err());
    }
}
