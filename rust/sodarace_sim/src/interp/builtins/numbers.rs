//! Numeric builtins: the `int` and `float` constructors (with Python's
//! literal syntax for strings), `abs`, `round`, `divmod` and `pow`.

use super::super::ir::{BinOp, Sym};
use super::super::math::float_to_int;
use super::super::ops::overflow;
use super::super::run::{raise, type_error, Machine, Res};
use super::super::value::*;
use super::{arity, int_arg, no_kwargs};

/// CPython's cap on the digits `int()` converts in a base that is not a
/// power of two (`sys.get_int_max_str_digits()`, 3.11's default).
const MAX_STR_DIGITS: usize = 4300;

/// Why `int(text, base)` gives no i64.
#[derive(Debug, PartialEq)]
enum IntText {
    /// Not an int literal in that base: CPython's ValueError.
    Invalid,
    /// More digits than CPython converts: also a ValueError there.
    TooManyDigits(usize),
    /// A valid literal whose value leaves i64: our limit error.
    OutOfRange,
}

/// `int(text, base)`'s parser, with CPython's grammar: surrounding
/// whitespace, a sign, a `0x`/`0o`/`0b` prefix for base 0 (which picks the
/// base) or for the matching base, single underscores between digits (and
/// after a prefix), and no leading zeros in a base-0 decimal. Bad text and
/// an out-of-range value are different errors, so they stay apart here.
fn parse_int(text: &str, base: u32) -> Result<i64, IntText> {
    let t = text.trim();
    let (negative, unsigned) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (radix, digits, prefixed) = split_prefix(unsigned, base);
    let body = if prefixed {
        digits.strip_prefix('_').unwrap_or(digits)
    } else {
        digits
    };
    let valid = !body.is_empty()
        && !body.starts_with('_')
        && !body.ends_with('_')
        && !body.contains("__")
        && body.chars().all(|c| c == '_' || c.is_digit(radix));
    // Base 0 reads "010" as Python source would: not a literal.
    let octal_like = base == 0 && !prefixed && body.starts_with('0');
    if !valid || (octal_like && body.chars().any(|c| c != '0' && c != '_')) {
        return Err(IntText::Invalid);
    }
    let count = body.chars().filter(|c| *c != '_').count();
    if !radix.is_power_of_two() && count > MAX_STR_DIGITS {
        return Err(IntText::TooManyDigits(count));
    }
    let mut magnitude: i128 = 0;
    for d in body.chars().filter_map(|c| c.to_digit(radix)) {
        magnitude = magnitude
            .checked_mul(radix as i128)
            .and_then(|m| m.checked_add(d as i128))
            .ok_or(IntText::OutOfRange)?;
    }
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).map_err(|_| IntText::OutOfRange)
}

/// The base and the digits after an optional prefix. `base` 0 means "from
/// the prefix", and is reported as 10 without one; a prefix is only taken
/// for base 0 or its own base (in base 16, "0b1" is three hex digits).
fn split_prefix(text: &str, base: u32) -> (u32, &str, bool) {
    let lower = text.get(..2).map(str::to_ascii_lowercase);
    let prefix_base = match lower.as_deref() {
        Some("0x") => 16,
        Some("0o") => 8,
        Some("0b") => 2,
        _ => 0,
    };
    if prefix_base != 0 && (base == 0 || base == prefix_base) {
        (prefix_base, &text[2..], true)
    } else if base == 0 {
        (10, text, false)
    } else {
        (base, text, false)
    }
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
                if base != 0 && !(2..=36).contains(&base) {
                    return raise(
                        ExcKind::ValueError,
                        "int() base must be >= 2 and <= 36, or 0",
                    );
                }
                match parse_int(s, base as u32) {
                    Ok(i) => Ok(Value::Int(i)),
                    Err(IntText::OutOfRange) => overflow(),
                    Err(IntText::TooManyDigits(n)) => raise(
                        ExcKind::ValueError,
                        format!(
                            "Exceeds the limit ({MAX_STR_DIGITS} digits) for integer string \
                             conversion: value has {n} digits; use \
                             sys.set_int_max_str_digits() to increase the limit"
                        ),
                    ),
                    Err(IntText::Invalid) => {
                        let r = self.repr(x)?;
                        raise(
                            ExcKind::ValueError,
                            format!("invalid literal for int() with base {base}: {r}"),
                        )
                    }
                }
            }
            (_, Some(_)) => type_error("int() can't convert non-string with explicit base"),
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
            Value::Array(_) => self.call_numpy(Builtin::NpAbs, args, &[]),
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
                round_int(i, d).map(Value::Int)
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
                match modular_pow(base, exp, modulus) {
                    Some(r) => Ok(Value::Int(r)),
                    None => raise(
                        ExcKind::ValueError,
                        "base is not invertible for the given modulus",
                    ),
                }
            }
        }
    }
}

/// `round(i, digits)` for a negative `digits`: to the nearest multiple of
/// 10**-digits, ties to even, as CPython's `int.__round__`. Computed in
/// i128 so only a result outside i64 (`round(2**63-1, -19)` is 10**19) is
/// an error; from -39 down every i64 rounds to 0, as it does in CPython.
fn round_int(i: i64, digits: i64) -> Res<i64> {
    if digits >= 0 {
        return Ok(i);
    }
    if digits < -38 {
        return Ok(0);
    }
    let unit = 10i128.pow((-digits) as u32);
    let (q, r) = ((i as i128).div_euclid(unit), (i as i128).rem_euclid(unit));
    let up = 2 * r > unit || (2 * r == unit && q % 2 != 0);
    let rounded = (q + up as i128) * unit;
    i64::try_from(rounded).map_or_else(|_| overflow(), Ok)
}

/// `pow(base, exp, modulus)` as CPython 3.8+ computes it: the result has
/// the modulus's sign, any power mod ±1 is 0, and a negative exponent
/// raises the modular inverse of the base to `-exp` (None when there is no
/// inverse). All in i128, so no product overflows.
fn modular_pow(base: i64, exp: i64, modulus: i64) -> Option<i64> {
    let m = (modulus as i128).abs();
    if m == 1 {
        return Some(0);
    }
    let mut b = (base as i128).rem_euclid(m);
    if exp < 0 {
        b = modular_inverse(b, m)?;
    }
    let (mut result, mut e) = (1i128, exp.unsigned_abs());
    while e > 0 {
        if e & 1 == 1 {
            result = result * b % m;
        }
        b = b * b % m;
        e >>= 1;
    }
    // The result takes the modulus's sign: |result - m| < |modulus|.
    let r = if modulus < 0 && result != 0 {
        result - m
    } else {
        result
    };
    Some(r as i64)
}

/// The inverse of `b` modulo `m` (0 ≤ b < m), by the extended Euclidean
/// algorithm; None when they share a factor.
fn modular_inverse(b: i128, m: i128) -> Option<i128> {
    let (mut r0, mut r1) = (m, b);
    let (mut t0, mut t1) = (0i128, 1i128);
    while r1 != 0 {
        let q = r0 / r1;
        (r0, r1) = (r1, r0 - q * r1);
        (t0, t1) = (t1, t0 - q * t1);
    }
    (r0 == 1).then(|| t0.rem_euclid(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_and_float_parsing_follow_python() {
        assert_eq!(parse_int(" -1_000 ", 10), Ok(-1000));
        assert_eq!(parse_int("ff", 16), Ok(255));
        assert_eq!(parse_int("0x_ff", 0), Ok(255));
        assert_eq!(parse_int("0b1", 16), Ok(0xb1));
        assert_eq!(parse_int("1__0", 10), Err(IntText::Invalid));
        assert_eq!(parse_int("010", 0), Err(IntText::Invalid));
        assert_eq!(parse_int("0_0", 0), Ok(0));
        assert_eq!(parse_int("-9223372036854775808", 10), Ok(i64::MIN));
        assert_eq!(
            parse_int("9223372036854775808", 10),
            Err(IntText::OutOfRange)
        );
        assert_eq!(parse_int(&"9".repeat(60), 10), Err(IntText::OutOfRange));
        assert_eq!(
            parse_int(&"9".repeat(4301), 10),
            Err(IntText::TooManyDigits(4301))
        );
        assert_eq!(parse_float(" 2.5e3 "), Some(2500.0));
        assert_eq!(parse_float("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(parse_float("nan").is_some_and(f64::is_nan));
        assert_eq!(parse_float("1.2.3"), None);
    }

    #[test]
    fn rounding_and_modular_powers_follow_python() {
        assert_eq!(round_int(25, -1).ok(), Some(20));
        assert_eq!(round_int(-35, -1).ok(), Some(-40));
        assert!(round_int(i64::MAX, -19).is_err());
        assert_eq!(round_int(i64::MAX, -20).ok(), Some(0));
        assert_eq!(modular_pow(3, -1, 7), Some(5));
        assert_eq!(modular_pow(2, -1, -7), Some(-3));
        assert_eq!(modular_pow(2, -1, 4), None);
        assert_eq!(modular_pow(0, -1, 1), Some(0));
        assert_eq!(modular_pow(i64::MIN, i64::MIN, i64::MAX), Some(1));
    }
}
