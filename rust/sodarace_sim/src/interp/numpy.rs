//! The `numpy` subset (`import numpy as np`): what walker genomes use, as
//! deterministic, metered Rust. Arrays are one-dimensional, of int64 or
//! float64, and read-only (so a slice may be a copy without anyone seeing
//! the difference from numpy's views).
//!
//! - constants `pi e inf nan`;
//! - `array zeros ones linspace arange` make arrays;
//! - `sin cos tan tanh exp sqrt abs absolute sign` apply element-wise to an
//!   array, a list, or a number (which gives a plain int or float);
//! - `+ - * / // % **` (and `& | ^` on ints) apply element-wise between
//!   arrays of one length (or length 1) and numbers, with numpy 2's types:
//!   ints stay int64 except under `/`, and a float anywhere gives float64;
//! - indexing, slicing, `len`, iteration, `in`, `.tolist()`.
//!
//! Float results follow IEEE as numpy's do (`np.sqrt(-1.0)` is nan, not an
//! error), through the same pure-Rust libm as `math`. Where numpy would
//! wrap an int64 the genome gets the usual `limit` error. Everything else
//! numpy has is `unsupported`, naming what was used.

use super::error::ErrorKind;
use super::ir::{BinOp, Sym, UnaryOp};
use super::ops::overflow;
use super::run::{fatal, raise, type_error, Machine, Res, OBJECT_BYTES};
use super::value::*;

/// The elements of one array.
#[derive(Clone, Debug)]
pub enum ArrayData {
    Int(Vec<i64>),
    Float(Vec<f64>),
}

impl ArrayData {
    pub fn len(&self) -> usize {
        match self {
            ArrayData::Int(v) => v.len(),
            ArrayData::Float(v) => v.len(),
        }
    }

    /// Element `i` as a genome value (an int or a float).
    pub fn get(&self, i: usize) -> Value {
        match self {
            ArrayData::Int(v) => Value::Int(v[i]),
            ArrayData::Float(v) => Value::Float(v[i]),
        }
    }

    fn floats(&self) -> Vec<f64> {
        match self {
            ArrayData::Int(v) => v.iter().map(|&i| i as f64).collect(),
            ArrayData::Float(v) => v.clone(),
        }
    }
}

/// `np.<name>`: a constant or one of the subset's functions.
pub(crate) fn member(name: &str) -> Option<Value> {
    use Builtin::*;
    let f = match name {
        "pi" => return Some(Value::Float(std::f64::consts::PI)),
        "e" => return Some(Value::Float(std::f64::consts::E)),
        "inf" => return Some(Value::Float(f64::INFINITY)),
        "nan" => return Some(Value::Float(f64::NAN)),
        "array" => NpArray,
        "zeros" => NpZeros,
        "ones" => NpOnes,
        "linspace" => NpLinspace,
        "arange" => NpArange,
        "sin" => NpSin,
        "cos" => NpCos,
        "tan" => NpTan,
        "tanh" => NpTanh,
        "exp" => NpExp,
        "sqrt" => NpSqrt,
        "abs" | "absolute" => NpAbs,
        "sign" => NpSign,
        _ => return None,
    };
    Some(Value::Builtin(f))
}

/// The message for anything numpy has that the subset does not.
pub(crate) fn unsupported_member(name: &str) -> String {
    format!("numpy.{name} is not in the supported subset")
}

/// One side of an element-wise operation: an array or a number that is
/// broadcast to every element.
enum Operand {
    Array(ArrayData),
    Int(i64),
    Float(f64),
}

impl Operand {
    fn len(&self) -> Option<usize> {
        match self {
            Operand::Array(a) => Some(a.len()),
            _ => None,
        }
    }

    fn is_int(&self) -> bool {
        matches!(self, Operand::Int(_) | Operand::Array(ArrayData::Int(_)))
    }

    fn int_at(&self, i: usize) -> i64 {
        match self {
            Operand::Array(ArrayData::Int(v)) => v[if v.len() == 1 { 0 } else { i }],
            Operand::Int(x) => *x,
            _ => 0,
        }
    }

    fn float_at(&self, i: usize) -> f64 {
        match self {
            Operand::Array(ArrayData::Int(v)) => v[if v.len() == 1 { 0 } else { i }] as f64,
            Operand::Array(ArrayData::Float(v)) => v[if v.len() == 1 { 0 } else { i }],
            Operand::Int(x) => *x as f64,
            Operand::Float(x) => *x,
        }
    }
}

/// numpy's int64 operator on one pair of elements. Division by zero gives
/// 0, as numpy does (with a warning); overflow is our limit error.
fn int_element(op: BinOp, x: i64, y: i64) -> Res<i64> {
    let checked = |r: Option<i64>| r.map_or_else(overflow, Ok);
    match op {
        BinOp::Add => checked(x.checked_add(y)),
        BinOp::Sub => checked(x.checked_sub(y)),
        BinOp::Mul => checked(x.checked_mul(y)),
        BinOp::FloorDiv if y == 0 => Ok(0),
        BinOp::Mod if y == 0 => Ok(0),
        BinOp::FloorDiv => {
            let q = checked(x.checked_div(y))?;
            Ok(if x % y != 0 && ((x < 0) != (y < 0)) {
                q - 1
            } else {
                q
            })
        }
        BinOp::Mod => {
            // i64::MIN % -1 is 0 (the quotient overflows, the remainder does not).
            let r = x.checked_rem(y).unwrap_or(0);
            Ok(if r != 0 && ((r < 0) != (y < 0)) {
                r + y
            } else {
                r
            })
        }
        BinOp::Pow if y < 0 => raise(
            ExcKind::ValueError,
            "Integers to negative integer powers are not allowed.",
        ),
        BinOp::Pow => match x {
            0 | 1 => Ok(if y == 0 { 1 } else { x }),
            -1 => Ok(if y % 2 == 0 { 1 } else { -1 }),
            _ => checked(u32::try_from(y).ok().and_then(|e| x.checked_pow(e))),
        },
        BinOp::BitAnd => Ok(x & y),
        BinOp::BitOr => Ok(x | y),
        BinOp::BitXor => Ok(x ^ y),
        _ => fatal(
            ErrorKind::Unsupported,
            format!("'{}' on numpy int arrays is not supported", op.symbol()),
        ),
    }
}

/// numpy's float64 operator on one pair of elements: IEEE throughout, so
/// dividing by zero gives an infinity or nan rather than an exception.
fn float_element(op: BinOp, x: f64, y: f64) -> Res<f64> {
    Ok(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => x / y,
        BinOp::FloorDiv if y == 0.0 => x / y,
        BinOp::Mod if y == 0.0 => f64::NAN,
        BinOp::FloorDiv => super::ops::float_divmod(x, y).0,
        BinOp::Mod => super::ops::float_divmod(x, y).1,
        BinOp::Pow => libm::pow(x, y),
        _ => {
            return fatal(
                ErrorKind::Unsupported,
                format!("'{}' on numpy float arrays is not supported", op.symbol()),
            )
        }
    })
}

/// The element-wise functions, on one float.
fn float_function(f: Builtin, x: f64) -> f64 {
    match f {
        Builtin::NpSin => libm::sin(x),
        Builtin::NpCos => libm::cos(x),
        Builtin::NpTan => libm::tan(x),
        Builtin::NpTanh => libm::tanh(x),
        Builtin::NpExp => libm::exp(x),
        Builtin::NpSqrt => libm::sqrt(x),
        Builtin::NpAbs => x.abs(),
        _ => {
            if x.is_nan() {
                x
            } else if x > 0.0 {
                1.0
            } else if x < 0.0 {
                -1.0
            } else {
                0.0
            }
        }
    }
}

/// `abs` and `sign` keep ints as ints; the others always give floats.
fn int_function(f: Builtin, x: i64) -> Option<Res<i64>> {
    match f {
        Builtin::NpAbs => Some(x.checked_abs().map_or_else(overflow, Ok)),
        Builtin::NpSign => Some(Ok(x.signum())),
        _ => None,
    }
}

impl Machine<'_> {
    pub fn new_array(&mut self, data: ArrayData) -> Res<Value> {
        self.check_len(data.len())?;
        self.charge(OBJECT_BYTES + 8 * data.len())?;
        self.charge_steps(data.len())?;
        self.heap.arrays.push(data);
        Ok(Value::Array(ArrayId(self.heap.arrays.len() as u32 - 1)))
    }

    fn array(&self, id: ArrayId) -> &ArrayData {
        &self.heap.arrays[id.0 as usize]
    }

    /// `np.<f>(...)`: one function per builtin.
    pub fn call_numpy(
        &mut self,
        f: Builtin,
        args: &[Value],
        kwargs: &[(Sym, Value)],
    ) -> Res<Value> {
        match f {
            Builtin::NpArray => self.np_array(args, kwargs),
            Builtin::NpZeros => self.np_filled(0.0, args, kwargs),
            Builtin::NpOnes => self.np_filled(1.0, args, kwargs),
            Builtin::NpLinspace => self.np_linspace(args, kwargs),
            Builtin::NpArange => self.np_arange(args, kwargs),
            _ => self.np_elementwise(f, args, kwargs),
        }
    }

    fn np_kwargs_unsupported(&self, f: Builtin, kwargs: &[(Sym, Value)]) -> Res<()> {
        match kwargs.first() {
            None => Ok(()),
            Some((name, _)) => fatal(
                ErrorKind::Unsupported,
                format!(
                    "numpy.{}(..., {}=...) is not in the supported subset",
                    f.name(),
                    self.sym_name(*name)
                ),
            ),
        }
    }

    fn np_arity(&self, f: Builtin, args: &[Value], min: usize, max: usize) -> Res<()> {
        if (min..=max).contains(&args.len()) {
            return Ok(());
        }
        type_error(format!(
            "numpy.{}() takes {min} to {max} positional arguments ({} given)",
            f.name(),
            args.len()
        ))
    }

    /// The elements of a number sequence (a list, tuple, range or array),
    /// typed as numpy types them: all ints (or bools) give int64, any
    /// float gives float64.
    fn array_data(&mut self, v: &Value) -> Res<ArrayData> {
        if let Value::Array(id) = v {
            return Ok(self.array(*id).clone());
        }
        if !matches!(v, Value::List(_) | Value::Tuple(_) | Value::Range(_)) {
            return fatal(
                ErrorKind::Unsupported,
                format!(
                    "numpy arrays from '{}' are not in the supported subset (use a list of numbers)",
                    self.type_name(v)
                ),
            );
        }
        let items = self.collect_iterable(v)?;
        if items
            .iter()
            .all(|x| matches!(x, Value::Int(_) | Value::Bool(_)))
        {
            if !items.is_empty() && items.iter().all(|x| matches!(x, Value::Bool(_))) {
                return fatal(
                    ErrorKind::Unsupported,
                    "numpy bool arrays are not supported",
                );
            }
            let ints = items.iter().map(|x| match x {
                Value::Int(i) => *i,
                Value::Bool(b) => *b as i64,
                _ => 0,
            });
            // An empty list gives float64 in numpy.
            if items.is_empty() {
                return Ok(ArrayData::Float(Vec::new()));
            }
            return Ok(ArrayData::Int(ints.collect()));
        }
        let mut floats = Vec::with_capacity(items.len());
        for x in &items {
            match x {
                Value::Int(i) => floats.push(*i as f64),
                Value::Bool(b) => floats.push(*b as i64 as f64),
                Value::Float(f) => floats.push(*f),
                other => {
                    return fatal(
                        ErrorKind::Unsupported,
                        format!(
                            "numpy arrays of {} are not supported (only 1-D arrays of numbers)",
                            self.type_name(other)
                        ),
                    )
                }
            }
        }
        Ok(ArrayData::Float(floats))
    }

    fn np_array(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        self.np_kwargs_unsupported(Builtin::NpArray, kwargs)?;
        self.np_arity(Builtin::NpArray, args, 1, 1)?;
        let data = self.array_data(&args[0])?;
        self.new_array(data)
    }

    fn np_filled(&mut self, value: f64, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        let f = if value == 0.0 {
            Builtin::NpZeros
        } else {
            Builtin::NpOnes
        };
        self.np_kwargs_unsupported(f, kwargs)?;
        self.np_arity(f, args, 1, 1)?;
        let n = match &args[0] {
            Value::Int(n) => *n,
            Value::Bool(b) => *b as i64,
            other => {
                return fatal(
                    ErrorKind::Unsupported,
                    format!(
                        "numpy.{}() of a {} is not supported (only one int: 1-D arrays)",
                        f.name(),
                        self.type_name(other)
                    ),
                )
            }
        };
        if n < 0 {
            return raise(ExcKind::ValueError, "negative dimensions are not allowed");
        }
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        self.check_len(n)?;
        self.new_array(ArrayData::Float(vec![value; n]))
    }

    /// `np.linspace(start, stop, num=50, endpoint=True)`, computed as numpy
    /// does so the bits match: `i * step + start`, with `stop` itself as
    /// the last element when the endpoint is included.
    fn np_linspace(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        let f = Builtin::NpLinspace;
        self.np_arity(f, args, 2, 4)?;
        let mut num = args.get(2).cloned();
        let mut endpoint = args.get(3).cloned();
        for (name, value) in kwargs {
            match self.sym_name(*name) {
                "num" if num.is_none() => num = Some(value.clone()),
                "endpoint" if endpoint.is_none() => endpoint = Some(value.clone()),
                _ => self.np_kwargs_unsupported(f, &[(*name, value.clone())])?,
            }
        }
        let start = self.float_arg("linspace", &args[0])?;
        let stop = self.float_arg("linspace", &args[1])?;
        let num = match num {
            None => 50,
            Some(Value::Int(n)) => n,
            Some(Value::Bool(b)) => b as i64,
            Some(other) => {
                return type_error(format!(
                    "'{}' object cannot be interpreted as an integer",
                    self.type_name(&other)
                ))
            }
        };
        if num < 0 {
            return raise(
                ExcKind::ValueError,
                format!("Number of samples, {num}, must be non-negative."),
            );
        }
        let endpoint = match endpoint {
            Some(v) => self.truthy(&v)?,
            None => true,
        };
        let n = usize::try_from(num).unwrap_or(usize::MAX);
        self.check_len(n)?;
        let divisions = if endpoint { n.saturating_sub(1) } else { n };
        let delta = stop - start;
        let mut out: Vec<f64> = if divisions > 0 {
            let step = delta / divisions as f64;
            if step == 0.0 {
                (0..n)
                    .map(|i| i as f64 / divisions as f64 * delta + start)
                    .collect()
            } else {
                (0..n).map(|i| i as f64 * step + start).collect()
            }
        } else {
            (0..n).map(|i| i as f64 * delta + start).collect()
        };
        if endpoint && n > 1 {
            out[n - 1] = stop;
        }
        self.new_array(ArrayData::Float(out))
    }

    /// `np.arange([start,] stop[, step])`: int64 when every argument is an
    /// int, else float64. The length is numpy's `ceil((stop - start) /
    /// step)`, and element i is `start + i * (start + step - start)`, as
    /// numpy fills it.
    fn np_arange(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        let f = Builtin::NpArange;
        self.np_kwargs_unsupported(f, kwargs)?;
        self.np_arity(f, args, 1, 3)?;
        let (start, stop, step) = match args {
            [stop] => (Value::Int(0), stop.clone(), Value::Int(1)),
            [start, stop] => (start.clone(), stop.clone(), Value::Int(1)),
            _ => (args[0].clone(), args[1].clone(), args[2].clone()),
        };
        for v in [&start, &stop, &step] {
            if !matches!(v, Value::Int(_) | Value::Bool(_) | Value::Float(_)) {
                return type_error(format!(
                    "unsupported operand type for numpy.arange(): '{}'",
                    self.type_name(v)
                ));
            }
        }
        let ints = |v: &Value| match v {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(*b as i64),
            _ => None,
        };
        let all_ints = match (ints(&start), ints(&stop), ints(&step)) {
            (Some(a), Some(b), Some(c)) => Some((a, b, c)),
            _ => None,
        };
        // numpy divides Python numbers: an int span is exact, then one
        // correctly rounded division.
        let count = match all_ints {
            Some((_, _, 0)) => return raise(ExcKind::ZeroDivisionError, "division by zero"),
            Some((a, b, c)) => super::ops::int_true_div(b as i128 - a as i128, c.into()),
            None => {
                let span = self.binary(BinOp::Sub, stop, start.clone())?;
                match self.binary(BinOp::Div, span, step.clone()) {
                    Err(super::run::Unwind::Raise(e)) if e.kind == ExcKind::ZeroDivisionError => {
                        return raise(ExcKind::ZeroDivisionError, "division by zero")
                    }
                    other => self.float_arg("arange", &other?)?,
                }
            }
        };
        if count.is_nan() {
            return raise(ExcKind::ValueError, "arange: cannot compute length");
        }
        let n = if count > 0.0 { count.ceil() } else { 0.0 };
        if n > self.limits.max_container_len as f64 {
            self.check_len(usize::MAX)?;
        }
        let n = n as usize;
        let data = match all_ints {
            Some((first, _, delta)) => {
                let mut out = Vec::with_capacity(n);
                // Exact in i128: only an element outside i64 is an error.
                for i in 0..n as i128 {
                    let x = i64::try_from(first as i128 + i * delta as i128);
                    out.push(x.map_or_else(|_| overflow(), Ok)?);
                }
                ArrayData::Int(out)
            }
            _ => {
                let first = self.float_arg("arange", &start)?;
                let delta = (first + self.float_arg("arange", &step)?) - first;
                ArrayData::Float((0..n).map(|i| first + i as f64 * delta).collect())
            }
        };
        self.new_array(data)
    }

    /// `np.sin(x)` and the other element-wise functions: on a number they
    /// give a number, on an array, list, tuple or range an array.
    fn np_elementwise(
        &mut self,
        f: Builtin,
        args: &[Value],
        kwargs: &[(Sym, Value)],
    ) -> Res<Value> {
        self.np_kwargs_unsupported(f, kwargs)?;
        self.np_arity(f, args, 1, 1)?;
        match &args[0] {
            Value::Int(_) | Value::Bool(_) => {
                let x = match &args[0] {
                    Value::Int(i) => *i,
                    Value::Bool(b) => *b as i64,
                    _ => 0,
                };
                match int_function(f, x) {
                    Some(r) => Ok(Value::Int(r?)),
                    None => Ok(Value::Float(float_function(f, x as f64))),
                }
            }
            Value::Float(x) => Ok(Value::Float(float_function(f, *x))),
            v => {
                let data = self.array_data(v)?;
                let out = match data {
                    ArrayData::Int(xs) if int_function(f, 0).is_some() => {
                        let mut out = Vec::with_capacity(xs.len());
                        for x in xs {
                            out.push(int_function(f, x).unwrap_or(Ok(x))?);
                        }
                        ArrayData::Int(out)
                    }
                    other => ArrayData::Float(
                        other
                            .floats()
                            .into_iter()
                            .map(|x| float_function(f, x))
                            .collect(),
                    ),
                };
                self.new_array(out)
            }
        }
    }

    fn operand(&mut self, v: &Value) -> Res<Option<Operand>> {
        Ok(Some(match v {
            Value::Array(id) => Operand::Array(self.array(*id).clone()),
            Value::Int(i) => Operand::Int(*i),
            Value::Bool(b) => Operand::Int(*b as i64),
            Value::Float(f) => Operand::Float(*f),
            Value::List(_) | Value::Tuple(_) | Value::Range(_) => {
                Operand::Array(self.array_data(v)?)
            }
            _ => return Ok(None),
        }))
    }

    /// `a op b` where either side is an array.
    pub fn array_binary(&mut self, op: BinOp, a: &Value, b: &Value) -> Res<Value> {
        let (Some(x), Some(y)) = (self.operand(a)?, self.operand(b)?) else {
            return type_error(format!(
                "unsupported operand type(s) for {}: '{}' and '{}'",
                op.symbol(),
                self.type_name(a),
                self.type_name(b)
            ));
        };
        let n = match (x.len(), y.len()) {
            (Some(p), Some(q)) if p == q || q == 1 => p,
            (Some(1), Some(q)) => q,
            (Some(p), Some(q)) => {
                return raise(
                    ExcKind::ValueError,
                    format!("operands could not be broadcast together with shapes ({p},) ({q},) "),
                )
            }
            (Some(p), None) | (None, Some(p)) => p,
            (None, None) => 0,
        };
        self.charge_steps(n)?;
        // numpy computes `floats ** 0.5` as a square root (so -0.0 stays
        // -0.0 and -inf gives nan, where pow would give 0.0 and inf).
        if let (BinOp::Pow, Operand::Array(ArrayData::Float(xs)), Operand::Float(0.5)) =
            (op, &x, &y)
        {
            let roots = xs.iter().map(|v| libm::sqrt(*v)).collect();
            return self.new_array(ArrayData::Float(roots));
        }
        let data = if x.is_int() && y.is_int() && op != BinOp::Div {
            let mut out = Vec::with_capacity(n);
            for i in 0..n {
                out.push(int_element(op, x.int_at(i), y.int_at(i))?);
            }
            ArrayData::Int(out)
        } else {
            let mut out = Vec::with_capacity(n);
            for i in 0..n {
                out.push(float_element(op, x.float_at(i), y.float_at(i))?);
            }
            ArrayData::Float(out)
        };
        self.new_array(data)
    }

    /// `-a`, `+a`, and `~a` on an int array (`not a` is the truth test).
    pub fn array_unary(&mut self, op: UnaryOp, id: ArrayId) -> Res<Value> {
        let data = match (op, self.array(id).clone()) {
            (UnaryOp::Pos, data) => data,
            (UnaryOp::Neg, ArrayData::Float(v)) => ArrayData::Float(v.iter().map(|x| -x).collect()),
            (UnaryOp::Neg, ArrayData::Int(v)) => {
                let mut out = Vec::with_capacity(v.len());
                for x in v {
                    out.push(x.checked_neg().map_or_else(overflow, Ok)?);
                }
                ArrayData::Int(out)
            }
            (UnaryOp::Invert, ArrayData::Int(v)) => ArrayData::Int(v.iter().map(|x| !x).collect()),
            _ => {
                return fatal(
                    ErrorKind::Unsupported,
                    "'~' on numpy float arrays is not supported",
                )
            }
        };
        self.new_array(data)
    }

    /// An array's truth: numpy refuses unless it has exactly one element.
    pub fn array_truthy(&self, id: ArrayId) -> Res<bool> {
        let data = self.array(id);
        if data.len() != 1 {
            return raise(
                ExcKind::ValueError,
                "The truth value of an array with more than one element is ambiguous. \
                 Use a.any() or a.all()",
            );
        }
        Ok(match data.get(0) {
            Value::Int(i) => i != 0,
            Value::Float(f) => f != 0.0,
            _ => false,
        })
    }

    /// `a[i]` and `a[i:j:k]` on an array (a slice is a copy: arrays are
    /// read-only, so numpy's view cannot be told apart).
    pub fn array_item(&mut self, id: ArrayId, index: i64) -> Res<Value> {
        let data = self.array(id);
        let len = data.len() as i128;
        let i = if index < 0 {
            index as i128 + len
        } else {
            index as i128
        };
        if !(0..len).contains(&i) {
            return raise(
                ExcKind::IndexError,
                format!("index {index} is out of bounds for axis 0 with size {len}"),
            );
        }
        Ok(data.get(i as usize))
    }

    pub fn array_from_positions(
        &mut self,
        id: ArrayId,
        positions: impl Iterator<Item = usize>,
    ) -> Res<Value> {
        let data = match self.array(id) {
            ArrayData::Int(v) => ArrayData::Int(positions.map(|i| v[i]).collect()),
            ArrayData::Float(v) => ArrayData::Float(positions.map(|i| v[i]).collect()),
        };
        self.new_array(data)
    }

    pub fn array_len(&self, id: ArrayId) -> usize {
        self.array(id).len()
    }

    pub fn array_get(&self, id: ArrayId, i: usize) -> Option<Value> {
        let data = self.array(id);
        (i < data.len()).then(|| data.get(i))
    }

    /// `a.tolist()`, the one array method in the subset.
    pub fn call_array_method(&mut self, id: ArrayId, name: &str, args: &[Value]) -> Res<Value> {
        if name != "tolist" {
            return fatal(
                ErrorKind::Unsupported,
                format!("numpy.ndarray.{name} is not in the supported subset"),
            );
        }
        if !args.is_empty() {
            return type_error("tolist() takes no arguments");
        }
        let data = self.array(id);
        let items: Vec<Value> = (0..data.len()).map(|i| data.get(i)).collect();
        self.charge_steps(items.len())?;
        self.new_list(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_elements_follow_numpy() {
        assert_eq!(int_element(BinOp::FloorDiv, -7, 2).ok(), Some(-4));
        assert_eq!(int_element(BinOp::FloorDiv, 7, 0).ok(), Some(0));
        assert_eq!(int_element(BinOp::Mod, -7, 2).ok(), Some(1));
        assert_eq!(int_element(BinOp::Mod, 7, -2).ok(), Some(-1));
        assert_eq!(int_element(BinOp::Mod, 7, 0).ok(), Some(0));
        assert!(int_element(BinOp::Pow, 2, -1).is_err());
        assert!(int_element(BinOp::Add, i64::MAX, 1).is_err());
    }

    #[test]
    fn float_elements_are_ieee() {
        assert_eq!(
            float_element(BinOp::Div, 1.0, 0.0).ok(),
            Some(f64::INFINITY)
        );
        assert!(float_element(BinOp::Mod, 1.0, 0.0).is_ok_and(f64::is_nan));
        assert_eq!(float_element(BinOp::FloorDiv, -7.5, 2.0).ok(), Some(-4.0));
        assert_eq!(float_function(Builtin::NpSign, -0.0), 0.0);
        assert!(float_function(Builtin::NpSqrt, -1.0).is_nan());
    }
}
