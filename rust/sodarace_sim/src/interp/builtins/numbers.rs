//! Numeric builtins: the `int` and `float` constructors (with Python's
//! literal syntax for strings), `abs`, `round`, `divmod` and `pow`.

use super::super::error::ErrorKind;
use super::super::ir::{BinOp, Sym};
use super::super::math::float_to_int;
use super::super::ops::overflow;
use super::super::run::{fatal, raise, type_error, Machine, Res};
use super::super::value::*;
use super::{arity, int_arg, no_kwargs};

/// `int(text, base)`'s parser: Python's literal rules (sign, underscores
/// between digits, surrounding whitespace); None if it is not a literal
/// or leaves i64.
fn parse_int(text: &str, base: u32) -> Option<i64> {
    let t = text.trim();
    let (negative, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let digits: String = digits.chars().filter(|c| *c != '_').collect();
    let magnitude = i128::from_str_radix(&digits, base).ok()?;
    i64::try_from(if negative { -magnitude } else { magnitude }).ok()
}

/// `float(text)`'s parser: Python's spellings of infinity and NaN, and
/// underscores between digits.
fn parse_float(text: &str) -> Option<f64> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if matches!(unsigned, "inf" | "infinity" | "nan") {
        return lower.parse().ok().or(Some(if lower.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }));
    }
    if t.contains("__") || t.starts_with('_') || t.ends_with('_') {
        return None;
    }
    t.replace('_', "").parse().ok()
}

impl Machine<'_> {
    pub(super) fn builtin_int(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        no_kwargs("int", kwargs)?;
        arity("int", args, 0, 2)?;
        let Some(x) = args.first() else {
            return Ok(Value::Int(0));
        };
        match (x, args.get(1)) {
            (Value::Int(i), None) => Ok(Value::Int(*i)),
            (Value::Bool(b), None) => Ok(Value::Int(*b as i64)),
            (Value::Float(f), None) => float_to_int(f.trunc()),
            (Value::Str(s), base) => {
                let base = match base {
                    Some(v) => int_arg(self, v)?,
                    None => 10,
                };
                if !(2..=36).contains(&base) {
                    return raise(
                        ExcKind::ValueError,
                        "int() base must be >= 2 and <= 36, or 0",
                    );
                }
                match parse_int(s, base as u32) {
                    Some(i) => Ok(Value::Int(i)),
                    None => {
                        let r = self.repr(x)?;
                        raise(
                            ExcKind::ValueError,
                            format!("invalid literal for int() with base {base}: {r}"),
                        )
                    }
                }
            }
            _ => type_error(format!(
                "int() argument must be a string or a real number, not '{}'",
                self.type_name(x)
            )),
        }
    }

    pub(super) fn builtin_float(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        no_kwargs("float", kwargs)?;
        arity("float", args, 0, 1)?;
        match args.first() {
            None => Ok(Value::Float(0.0)),
            Some(Value::Str(s)) => match parse_float(s) {
                Some(f) => Ok(Value::Float(f)),
                None => {
                    let r = self.repr(&args[0])?;
                    raise(
                        ExcKind::ValueError,
                        format!("could not convert string to float: {r}"),
                    )
                }
            },
            Some(v) => Ok(Value::Float(self.float_arg("float", v)?)),
        }
    }

    pub(super) fn builtin_abs(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        no_kwargs("abs", kwargs)?;
        arity("abs", args, 1, 1)?;
        match &args[0] {
            Value::Int(i) => i.checked_abs().map(Value::Int).map_or_else(overflow, Ok),
            Value::Bool(b) => Ok(Value::Int(*b as i64)),
            Value::Float(f) => Ok(Value::Float(f.abs())),
            v => type_error(format!(
                "bad operand type for abs(): '{}'",
                self.type_name(v)
            )),
        }
    }

    pub(super) fn builtin_round(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        no_kwargs("round", kwargs)?;
        arity("round", args, 1, 2)?;
        let digits = match args.get(1) {
            None | Some(Value::None) => None,
            Some(v) => Some(int_arg(self, v)?),
        };
        match (&args[0], digits) {
            (Value::Int(i), None) => Ok(Value::Int(*i)),
            (Value::Bool(b), None) => Ok(Value::Int(*b as i64)),
            (Value::Int(_) | Value::Bool(_), Some(d)) if d >= 0 => Ok(args[0].clone()),
            (Value::Int(_) | Value::Bool(_), Some(d)) => {
                let i = int_arg(self, &args[0])?;
                if d < -18 {
                    return Ok(Value::Int(0));
                }
                let unit = 10i64.pow((-d) as u32);
                let (q, r) = (i.div_euclid(unit), i.rem_euclid(unit));
                let twice = r as i128 * 2;
                let up = twice > unit as i128 || (twice == unit as i128 && q % 2 != 0);
                let q = if up { q + 1 } else { q };
                q.checked_mul(unit)
                    .map(Value::Int)
                    .map_or_else(overflow, Ok)
            }
            (Value::Float(f), None) => float_to_int(f.round_ties_even()),
            (Value::Float(f), Some(d)) => {
                if !f.is_finite() || d > 300 {
                    return Ok(Value::Float(*f));
                }
                if d < -308 {
                    return Ok(Value::Float(0f64.copysign(*f)));
                }
                // CPython rounds through the correctly rounded decimal string.
                let rounded = if d >= 0 {
                    format!("{:.*}", d as usize, f).parse().unwrap_or(*f)
                } else {
                    let scale = 10f64.powi((-d) as i32);
                    (f / scale).round_ties_even() * scale
                };
                Ok(Value::Float(rounded))
            }
            (v, _) => type_error(format!(
                "type {} doesn't define __round__ method",
                self.type_name(v)
            )),
        }
    }

    pub(super) fn builtin_divmod(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        no_kwargs("divmod", kwargs)?;
        arity("divmod", args, 2, 2)?;
        let q = self.binary(BinOp::FloorDiv, args[0].clone(), args[1].clone())?;
        let r = self.binary(BinOp::Mod, args[0].clone(), args[1].clone())?;
        self.new_tuple(vec![q, r])
    }

    /// `pow(base, exp)` is `**`; with a modulus it is modular
    /// exponentiation, computed in i128 so no step overflows.
    pub(super) fn builtin_pow(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        no_kwargs("pow", kwargs)?;
        arity("pow", args, 2, 3)?;
        match args.get(2) {
            None => self.binary(BinOp::Pow, args[0].clone(), args[1].clone()),
            Some(m) => {
                let (base, exp, modulus) = (
                    int_arg(self, &args[0])?,
                    int_arg(self, &args[1])?,
                    int_arg(self, m)?,
                );
                if modulus == 0 {
                    return raise(ExcKind::ValueError, "pow() 3rd argument cannot be 0");
                }
                if exp < 0 {
                    return fatal(
                        ErrorKind::Unsupported,
                        "pow() with a negative exponent and a modulus is not supported",
                    );
                }
                let m = modulus as i128;
                let (mut result, mut b, mut e) = (1i128, (base as i128).rem_euclid(m), exp);
                while e > 0 {
                    if e & 1 == 1 {
                        result = result * b % m;
                    }
                    b = b * b % m;
                    e >>= 1;
                }
                let r = result.rem_euclid(m);
                // Python's result takes the sign of the modulus.
                let r = if modulus < 0 && r != 0 { r + m } else { r };
                Ok(Value::Int(r as i64))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_and_float_parsing_follow_python() {
        assert_eq!(parse_int(" -1_000 ", 10), Some(-1000));
        assert_eq!(parse_int("ff", 16), Some(255));
        assert_eq!(parse_int("1__0", 10), None);
        assert_eq!(parse_int("9223372036854775808", 10), None);
        assert_eq!(parse_float(" 2.5e3 "), Some(2500.0));
        assert_eq!(parse_float("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(parse_float("nan").is_some_and(f64::is_nan));
        assert_eq!(parse_float("1.2.3"), None);
    }
}
