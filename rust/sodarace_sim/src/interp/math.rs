//! The `math` module, on the pure-Rust `libm` so that every machine gets
//! the same bits, with CPython's domain and range errors.

use super::error::ErrorKind;
use super::ir::{sym, well_known, Sym};
use super::ops::overflow;
use super::run::{fatal, raise, type_error, Machine, Res};
use super::value::{Builtin, ExcKind, Value};

/// Every name `from math import *` binds.
pub(crate) const MEMBER_NAMES: &[&str] = &[
    "pi", "e", "tau", "inf", "nan", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh",
    "cosh", "tanh", "sqrt", "exp", "log", "log2", "log10", "pow", "floor", "ceil", "fabs", "hypot",
    "radians", "degrees", "isnan", "isinf", "isfinite", "copysign", "fmod", "trunc",
];

pub(crate) fn member(name: &str) -> Option<Value> {
    member_by_sym(well_known(name)?)
}

pub(crate) fn member_by_sym(name: Sym) -> Option<Value> {
    use Builtin::*;
    let f = match name {
        sym::PI => return Some(Value::Float(std::f64::consts::PI)),
        sym::E => return Some(Value::Float(std::f64::consts::E)),
        sym::TAU => return Some(Value::Float(std::f64::consts::TAU)),
        sym::INF => return Some(Value::Float(f64::INFINITY)),
        sym::NAN => return Some(Value::Float(f64::NAN)),
        sym::SIN => MathSin,
        sym::COS => MathCos,
        sym::TAN => MathTan,
        sym::ASIN => MathAsin,
        sym::ACOS => MathAcos,
        sym::ATAN => MathAtan,
        sym::ATAN2 => MathAtan2,
        sym::SINH => MathSinh,
        sym::COSH => MathCosh,
        sym::TANH => MathTanh,
        sym::SQRT => MathSqrt,
        sym::EXP => MathExp,
        sym::LOG => MathLog,
        sym::LOG2 => MathLog2,
        sym::LOG10 => MathLog10,
        sym::POW => MathPow,
        sym::FLOOR => MathFloor,
        sym::CEIL => MathCeil,
        sym::FABS => MathFabs,
        sym::HYPOT => MathHypot,
        sym::RADIANS => MathRadians,
        sym::DEGREES => MathDegrees,
        sym::ISNAN => MathIsnan,
        sym::ISINF => MathIsinf,
        sym::ISFINITE => MathIsfinite,
        sym::COPYSIGN => MathCopysign,
        sym::FMOD => MathFmod,
        sym::TRUNC => MathTrunc,
        _ => return None,
    };
    Some(Value::Builtin(f))
}

fn domain_error<T>() -> Res<T> {
    raise(ExcKind::ValueError, "math domain error")
}

fn range_error<T>() -> Res<T> {
    raise(ExcKind::OverflowError, "math range error")
}

/// CPython's `math_1`: a NaN from a non-NaN argument is a domain error; an
/// infinity from a finite one is a range error where overflow is possible.
fn checked(x: f64, r: f64, can_overflow: bool) -> Res<f64> {
    if r.is_nan() && !x.is_nan() {
        return domain_error();
    }
    if r.is_infinite() && x.is_finite() {
        return if can_overflow {
            range_error()
        } else {
            domain_error()
        };
    }
    Ok(r)
}

fn log_checked(x: f64, log: fn(f64) -> f64) -> Res<f64> {
    if x.is_nan() || x == f64::INFINITY {
        return Ok(x);
    }
    if x <= 0.0 {
        return domain_error();
    }
    Ok(log(x))
}

/// 2⁶³, the first float past the i64 range.
pub(crate) const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// float -> int for floor, ceil and trunc.
pub(crate) fn float_to_int(f: f64) -> Res<Value> {
    if f.is_nan() {
        return raise(ExcKind::ValueError, "cannot convert float NaN to integer");
    }
    if f.is_infinite() {
        return raise(
            ExcKind::OverflowError,
            "cannot convert float infinity to integer",
        );
    }
    if !(-TWO_POW_63..TWO_POW_63).contains(&f) {
        return overflow();
    }
    Ok(Value::Int(f as i64))
}

impl Machine<'_> {
    pub fn float_arg(&self, function: &str, v: &Value) -> Res<f64> {
        match v {
            Value::Float(f) => Ok(*f),
            Value::Int(i) => Ok(*i as f64),
            Value::Bool(b) => Ok(*b as i64 as f64),
            _ => type_error(format!(
                "{function}() argument must be a real number, not '{}'",
                self.type_name(v)
            )),
        }
    }

    pub fn call_math(&mut self, f: Builtin, args: &[Value]) -> Res<Value> {
        // floor, ceil and trunc keep ints as they are.
        if let (
            Builtin::MathFloor | Builtin::MathCeil | Builtin::MathTrunc,
            [Value::Int(_) | Value::Bool(_)],
        ) = (f, args)
        {
            return Ok(Value::Int(match &args[0] {
                Value::Int(i) => *i,
                Value::Bool(b) => *b as i64,
                _ => 0,
            }));
        }
        if args.len() <= 2 {
            let mut xs = [0.0f64; 2];
            for (slot, a) in xs.iter_mut().zip(args) {
                *slot = self.float_arg(f.name(), a)?;
            }
            return apply(f, &xs[..args.len()]);
        }
        let mut xs = Vec::with_capacity(args.len());
        for a in args {
            xs.push(self.float_arg(f.name(), a)?);
        }
        apply(f, &xs)
    }
}

/// Applies a math function to float arguments.
pub(crate) fn apply(f: Builtin, xs: &[f64]) -> Res<Value> {
    use Builtin::*;
    let name = f.name();
    let (min, max) = match f {
        MathAtan2 | MathPow | MathCopysign | MathFmod => (2, 2),
        MathLog => (1, 2),
        MathHypot => (0, usize::MAX),
        _ => (1, 1),
    };
    if xs.len() < min || xs.len() > max {
        let expected = if min == max {
            min.to_string()
        } else {
            format!("{min} to {max}")
        };
        return type_error(format!(
            "math.{name}() takes {expected} arguments ({} given)",
            xs.len()
        ));
    }
    let x = xs.first().copied().unwrap_or(0.0);
    let y = xs.get(1).copied().unwrap_or(0.0);
    let r = match f {
        MathSin => checked(x, libm::sin(x), false)?,
        MathCos => checked(x, libm::cos(x), false)?,
        MathTan => checked(x, libm::tan(x), false)?,
        MathAsin => checked(x, libm::asin(x), false)?,
        MathAcos => checked(x, libm::acos(x), false)?,
        MathAtan => checked(x, libm::atan(x), false)?,
        MathSinh => checked(x, libm::sinh(x), true)?,
        MathCosh => checked(x, libm::cosh(x), true)?,
        MathTanh => checked(x, libm::tanh(x), false)?,
        MathSqrt => checked(x, libm::sqrt(x), false)?,
        MathExp => checked(x, libm::exp(x), true)?,
        MathFabs => x.abs(),
        MathAtan2 => libm::atan2(x, y),
        MathCopysign => x.copysign(y),
        MathRadians => x * (std::f64::consts::PI / 180.0),
        MathDegrees => x * (180.0 / std::f64::consts::PI),
        MathLog2 => log_checked(x, libm::log2)?,
        MathLog10 => log_checked(x, libm::log10)?,
        MathLog => {
            let num = log_checked(x, libm::log)?;
            if xs.len() == 1 {
                num
            } else {
                let den = log_checked(y, libm::log)?;
                if den == 0.0 {
                    return raise(ExcKind::ZeroDivisionError, "float division by zero");
                }
                num / den
            }
        }
        MathPow => {
            if x.is_finite() && y.is_finite() {
                if (x == 0.0 && y < 0.0) || (x < 0.0 && y != y.floor()) {
                    return domain_error();
                }
                let r = libm::pow(x, y);
                if r.is_infinite() {
                    return range_error();
                }
                r
            } else {
                libm::pow(x, y)
            }
        }
        MathFmod => {
            if y.is_infinite() && x.is_finite() {
                x
            } else if (y == 0.0 || x.is_infinite()) && !x.is_nan() && !y.is_nan() {
                return domain_error();
            } else {
                libm::fmod(x, y)
            }
        }
        MathHypot => match xs {
            [] => 0.0,
            [a] => a.abs(),
            [a, b] => libm::hypot(*a, *b),
            more => libm::sqrt(more.iter().map(|v| v * v).sum()),
        },
        MathFloor => return float_to_int(libm::floor(x)),
        MathCeil => return float_to_int(libm::ceil(x)),
        MathTrunc => return float_to_int(libm::trunc(x)),
        MathIsnan => return Ok(Value::Bool(x.is_nan())),
        MathIsinf => return Ok(Value::Bool(x.is_infinite())),
        MathIsfinite => return Ok(Value::Bool(x.is_finite())),
        _ => {
            return fatal(
                ErrorKind::Runtime,
                format!("interpreter bug: {name} is not a math function"),
            )
        }
    };
    Ok(Value::Float(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known bit patterns: these must not change on any machine. (exp(1)
    /// is one ulp above the correctly rounded e that glibc returns, which
    /// is why CPython cannot be the reference for math results.)
    #[test]
    fn results_are_bit_exact() {
        let cases: [(f64, u64); 6] = [
            (libm::sin(1.0), 0x3feaed548f090cee),
            (libm::cos(1.0), 0x3fe14a280fb5068c),
            (libm::exp(1.0), 0x4005bf0a8b14576a),
            (libm::log(10.0), 0x40026bb1bbb55516),
            (libm::atan2(1.0, 2.0), 0x3fddac670561bb4f),
            (libm::sqrt(2.0), 0x3ff6a09e667f3bcd),
        ];
        for (value, bits) in cases {
            assert_eq!(value.to_bits(), bits, "{value}");
        }
    }

    #[test]
    fn every_member_name_resolves() {
        for name in MEMBER_NAMES {
            assert!(member(name).is_some(), "{name}");
        }
        assert!(member("gamma").is_none());
    }

    #[test]
    fn domain_and_range_errors_follow_cpython() {
        assert!(checked(-1.0, libm::sqrt(-1.0), false).is_err());
        assert!(checked(1000.0, libm::exp(1000.0), true).is_err());
        assert!(checked(f64::NAN, f64::NAN, false).is_ok());
        assert!(log_checked(0.0, libm::log).is_err());
        assert_eq!(
            log_checked(f64::INFINITY, libm::log).ok(),
            Some(f64::INFINITY)
        );
        assert!(float_to_int(f64::NAN).is_err());
        assert!(float_to_int(1e19).is_err());
    }
}
