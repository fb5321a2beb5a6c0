//! General builtin functions: output (`print`), sizes (`len`), reductions
//! (`min`, `max`, `sum`), type tests (`isinstance`), text conversions
//! (`str`, `repr`, `chr`, `ord`) and `bool`.

use super::super::error::ErrorKind;
use super::super::ir::{sym, BinOp, CmpOp, Sym};
use super::super::ops::overflow;
use super::super::run::{fatal, raise, type_error, Machine, Res};
use super::super::value::*;
use super::{arity, int_arg, no_kwargs, take_kwargs};

/// The exact int total of `sum` as a value, when a non-int item arrives:
/// a float turns a total outside i64 into the nearest float, as CPython's
/// `int + float` does; for any other item the total's value does not
/// matter (the addition fails on the types), so it is clamped.
fn exact_int_total(sum: i128, next: &Value) -> Res<Value> {
    match i64::try_from(sum) {
        Ok(i) => Ok(Value::Int(i)),
        Err(_) if matches!(next, Value::Float(_)) => Ok(Value::Float(sum as f64)),
        Err(_) => Ok(Value::Int(
            sum.clamp(i64::MIN.into(), i64::MAX.into()) as i64
        )),
    }
}

impl Machine<'_> {
    pub(super) fn builtin_print(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        let [sep, end] = take_kwargs(self, "print", kwargs, [sym::SEP, sym::END])?;
        let text_or = |m: &mut Self, v: Option<Value>, default: &str| -> Res<String> {
            match v {
                None | Some(Value::None) => Ok(default.to_string()),
                Some(Value::Str(s)) => Ok(s.to_string()),
                Some(other) => type_error(format!(
                    "sep and end must be None or a string, not {}",
                    m.type_name(&other)
                )),
            }
        };
        let sep = text_or(self, sep, " ")?;
        let end = text_or(self, end, "\n")?;
        // Output past the cap is dropped, so a full buffer skips formatting.
        if self.output.len() >= self.limits.max_output_bytes {
            return Ok(Value::None);
        }
        let mut line = String::new();
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                line.push_str(&sep);
            }
            line.push_str(&self.str_of(a)?);
        }
        line.push_str(&end);
        let room = self.limits.max_output_bytes - self.output.len();
        let mut cut = line.len().min(room);
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        self.output.push_str(&line[..cut]);
        Ok(Value::None)
    }

    /// `min` or `max`: over one iterable or over the arguments, with
    /// optional `key` and `default`.
    pub(super) fn min_max(
        &mut self,
        want_max: bool,
        args: &[Value],
        kwargs: &[(Sym, Value)],
    ) -> Res<Value> {
        let name = if want_max { "max" } else { "min" };
        let [key, default] = take_kwargs(self, name, kwargs, [sym::KEY, sym::DEFAULT])?;
        let items = match args {
            [] => return type_error(format!("{name} expected at least 1 argument, got 0")),
            [one] => self.collect_iterable(one)?,
            many => {
                if default.is_some() {
                    return type_error(format!(
                        "Cannot specify a default for {name}() with multiple positional arguments"
                    ));
                }
                many.to_vec()
            }
        };
        let mut best: Option<(Value, Value)> = None;
        for item in items {
            let k = match &key {
                Some(Value::None) | None => item.clone(),
                Some(f) => self.call_callable(f, std::slice::from_ref(&item))?,
            };
            let better = match &best {
                None => true,
                Some((_, best_key)) => {
                    let op = if want_max { CmpOp::Gt } else { CmpOp::Lt };
                    self.compare(op, &k, best_key)?
                }
            };
            if better {
                best = Some((item, k));
            }
        }
        match (best, default) {
            (Some((item, _)), _) => Ok(item),
            (None, Some(d)) => Ok(d),
            (None, None) => raise(
                ExcKind::ValueError,
                format!("{name}() arg is an empty sequence"),
            ),
        }
    }

    pub(super) fn builtin_sum(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        arity("sum", args, 1, 2)?;
        let [start] = take_kwargs(self, "sum", kwargs, [sym::START])?;
        let mut total = args.get(1).cloned().or(start).unwrap_or(Value::Int(0));
        if matches!(total, Value::Str(_)) {
            return type_error("sum() can't sum strings [use ''.join(seq) instead]");
        }
        // Like CPython, ints are summed exactly (here in an i128, which no
        // container can overflow), so only a total outside i64 is an
        // error, not a partial sum: sum([2**63-1, 1, -1]) is 2**63-1.
        let mut exact: Option<i128> = match total {
            Value::Int(i) => Some(i.into()),
            Value::Bool(b) => Some(b.into()),
            _ => None,
        };
        for item in self.collect_iterable(&args[0])? {
            match (exact.as_mut(), &item) {
                (Some(sum), Value::Int(i)) => *sum += *i as i128,
                (Some(sum), Value::Bool(b)) => *sum += *b as i128,
                _ => {
                    if let Some(sum) = exact.take() {
                        total = exact_int_total(sum, &item)?;
                    }
                    total = self.binary(BinOp::Add, total, item)?;
                }
            }
        }
        match exact {
            Some(sum) => i64::try_from(sum).map_or_else(|_| overflow(), |i| Ok(Value::Int(i))),
            None => Ok(total),
        }
    }

    pub(super) fn builtin_len(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        no_kwargs("len", kwargs)?;
        arity("len", args, 1, 1)?;
        // Only a range can be longer than i64::MAX; CPython's len() then
        // fails converting to a C ssize_t.
        match i64::try_from(self.len_of(&args[0])?) {
            Ok(n) => Ok(Value::Int(n)),
            Err(_) => raise(
                ExcKind::OverflowError,
                "Python int too large to convert to C ssize_t",
            ),
        }
    }

    fn len_of(&self, v: &Value) -> Res<usize> {
        Ok(match v {
            Value::List(_) | Value::Tuple(_) => self.seq_len(v),
            Value::Str(s) => {
                if s.is_ascii() {
                    s.len()
                } else {
                    s.chars().count()
                }
            }
            Value::Dict(id) => self.heap.dicts[id.0 as usize].len(),
            Value::Set(id) => self.heap.sets[id.0 as usize].len(),
            Value::Range(id) => self.heap.ranges[id.0 as usize].len(),
            Value::Array(id) => self.array_len(*id),
            _ => {
                return type_error(format!(
                    "object of type '{}' has no len()",
                    self.type_name(v)
                ))
            }
        })
    }

    pub(super) fn builtin_isinstance(
        &mut self,
        args: &[Value],
        kwargs: &[(Sym, Value)],
    ) -> Res<Value> {
        no_kwargs("isinstance", kwargs)?;
        arity("isinstance", args, 2, 2)?;
        Ok(Value::Bool(self.is_instance(&args[0], &args[1], 0)?))
    }

    /// `isinstance` against a type or a tuple of types; `depth` bounds
    /// nested tuples.
    fn is_instance(&mut self, obj: &Value, class: &Value, depth: u32) -> Res<bool> {
        Ok(match class {
            Value::Builtin(b) if b.is_type() => matches!(
                (b, obj),
                (Builtin::Int, Value::Int(_) | Value::Bool(_))
                    | (Builtin::Float, Value::Float(_))
                    | (Builtin::Bool, Value::Bool(_))
                    | (Builtin::Str, Value::Str(_))
                    | (Builtin::List, Value::List(_))
                    | (Builtin::Tuple, Value::Tuple(_))
                    | (Builtin::Dict, Value::Dict(_))
                    | (Builtin::Set, Value::Set(_))
                    | (Builtin::Range, Value::Range(_))
            ),
            Value::Class(id) => {
                matches!(obj, Value::Instance(i) if self.heap.instances[i.0 as usize].class == *id)
            }
            Value::ExcType(k) => {
                matches!(obj, Value::Exception(e) if self.heap.exceptions[e.0 as usize].kind.is_subclass_of(*k))
            }
            Value::Tuple(id) if depth < 8 => {
                for c in self.heap.tuples[id.0 as usize].clone().iter() {
                    if self.is_instance(obj, c, depth + 1)? {
                        return Ok(true);
                    }
                }
                false
            }
            _ => {
                return type_error(
                    "isinstance() arg 2 must be a type, a tuple of types, or a union",
                )
            }
        })
    }

    pub(super) fn builtin_bool(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        no_kwargs("bool", kwargs)?;
        arity("bool", args, 0, 1)?;
        Ok(Value::Bool(match args.first() {
            Some(v) => self.truthy(v)?,
            None => false,
        }))
    }

    pub(super) fn builtin_str(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        no_kwargs("str", kwargs)?;
        arity("str", args, 0, 1)?;
        let text = match args.first() {
            Some(v) => self.str_of(v)?,
            None => String::new(),
        };
        self.new_str(text)
    }

    pub(super) fn builtin_repr(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        no_kwargs("repr", kwargs)?;
        arity("repr", args, 1, 1)?;
        let text = self.repr(&args[0])?;
        self.new_str(text)
    }

    pub(super) fn builtin_chr(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        no_kwargs("chr", kwargs)?;
        arity("chr", args, 1, 1)?;
        let i = int_arg(self, &args[0])?;
        // CPython reads the argument as a C int first.
        if i32::try_from(i).is_err() {
            return raise(
                ExcKind::OverflowError,
                "Python int too large to convert to C int",
            );
        }
        if !(0..0x11_0000).contains(&i) {
            return raise(ExcKind::ValueError, "chr() arg not in range(0x110000)");
        }
        match char::from_u32(i as u32) {
            Some(c) => self.new_str(c.to_string()),
            // A lone surrogate is a valid CPython str; ours are UTF-8.
            None => fatal(
                ErrorKind::Unsupported,
                format!("chr({i}) is a lone surrogate, which the subset's strings cannot hold"),
            ),
        }
    }

    pub(super) fn builtin_ord(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        no_kwargs("ord", kwargs)?;
        arity("ord", args, 1, 1)?;
        match &args[0] {
            Value::Str(s) if s.chars().count() == 1 => {
                Ok(Value::Int(s.chars().next().map_or(0, |c| c as i64)))
            }
            v => type_error(format!(
                "ord() expected a character, but got {}",
                self.type_name(v)
            )),
        }
    }
}
