//! Builtin functions, methods of the builtin types, and iteration.

use std::rc::Rc;

use super::error::ErrorKind;
use super::ir::{sym, Sym};
use super::math::float_to_int;
use super::ops::overflow;
use super::run::{fatal, raise, type_error, Machine, Res, Unwind};
use super::value::*;

/// Real Python methods outside the subset: calling one is `unsupported`
/// (so the genome's author learns why), not an AttributeError.
pub(crate) fn is_unsupported_method(obj: &Value, name: &str) -> bool {
    let names: &[&str] = match obj {
        Value::Str(_) => &[
            "capitalize",
            "casefold",
            "center",
            "encode",
            "expandtabs",
            "format_map",
            "index",
            "isalnum",
            "isascii",
            "isdecimal",
            "isidentifier",
            "islower",
            "isnumeric",
            "isprintable",
            "isspace",
            "istitle",
            "isupper",
            "ljust",
            "partition",
            "removeprefix",
            "removesuffix",
            "rfind",
            "rindex",
            "rjust",
            "rpartition",
            "rsplit",
            "splitlines",
            "swapcase",
            "title",
            "translate",
            "zfill",
        ],
        Value::Dict(_) => &["fromkeys", "popitem"],
        Value::Set(_) => &[
            "difference_update",
            "intersection_update",
            "isdisjoint",
            "issuperset",
            "pop",
            "symmetric_difference",
            "symmetric_difference_update",
        ],
        _ => &[],
    };
    names.contains(&name)
}

fn arity(name: &str, args: &[Value], min: usize, max: usize) -> Res<()> {
    if args.len() < min || args.len() > max {
        let expected = if min == max {
            format!("{min}")
        } else {
            format!("{min} to {max}")
        };
        return type_error(format!(
            "{name}() takes {expected} arguments ({} given)",
            args.len()
        ));
    }
    Ok(())
}

fn no_kwargs(name: &str, kwargs: &[(Sym, Value)]) -> Res<()> {
    if !kwargs.is_empty() {
        return type_error(format!("{name}() takes no keyword arguments"));
    }
    Ok(())
}

/// Splits keyword arguments into the allowed ones, by symbol.
fn take_kwargs<const N: usize>(
    m: &Machine,
    name: &str,
    kwargs: &[(Sym, Value)],
    allowed: [Sym; N],
) -> Res<[Option<Value>; N]> {
    let mut out: [Option<Value>; N] = std::array::from_fn(|_| None);
    for (key, value) in kwargs {
        match allowed.iter().position(|a| a == key) {
            Some(i) => out[i] = Some(value.clone()),
            None => {
                return type_error(format!(
                    "{name}() got an unexpected keyword argument '{}'",
                    m.sym_name(*key)
                ));
            }
        }
    }
    Ok(out)
}

fn int_arg(m: &Machine, v: &Value) -> Res<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(*b as i64),
        _ => type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            m.type_name(v)
        )),
    }
}

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

impl<'p> Machine<'p> {
    // ----- iteration

    pub fn iter_of(&mut self, v: &Value) -> Res<IterState> {
        Ok(match v {
            Value::List(id) => IterState::List(*id, 0),
            Value::Tuple(id) => IterState::Tuple(*id, 0),
            Value::Str(s) => IterState::Str(s.clone(), 0),
            Value::Range(id) => IterState::Range {
                next: 0,
                range: *id,
            },
            Value::Dict(id) => IterState::Dict(*id, 0, self.heap.dicts[id.0 as usize].len()),
            Value::Set(id) => IterState::Set(*id, 0, self.heap.sets[id.0 as usize].len()),
            Value::Iter(id) => IterState::Shared(*id),
            _ => return type_error(format!("'{}' object is not iterable", self.type_name(v))),
        })
    }

    pub fn iter_next(&mut self, it: &mut IterState) -> Res<Option<Value>> {
        Ok(match it {
            IterState::List(id, i) => {
                let item = self.heap.lists[id.0 as usize].get(*i).cloned();
                *i += 1;
                item
            }
            IterState::Tuple(id, i) => {
                let item = self.heap.tuples[id.0 as usize].get(*i).cloned();
                *i += 1;
                item
            }
            IterState::Str(s, pos) => match s[*pos..].chars().next() {
                Some(c) => {
                    *pos += c.len_utf8();
                    Some(self.new_str(c.to_string())?)
                }
                None => None,
            },
            IterState::Range { next, range } => {
                let r = &self.heap.ranges[range.0 as usize];
                if *next < r.len() {
                    *next += 1;
                    Some(Value::Int(r.get(*next - 1)))
                } else {
                    None
                }
            }
            IterState::Dict(id, pos, expected) => {
                let table = &self.heap.dicts[id.0 as usize];
                if table.len() != *expected {
                    return raise(
                        ExcKind::RuntimeError,
                        "dictionary changed size during iteration",
                    );
                }
                next_key(table, pos)
            }
            IterState::Set(id, pos, expected) => {
                let table = &self.heap.sets[id.0 as usize];
                if table.len() != *expected {
                    return raise(ExcKind::RuntimeError, "Set changed size during iteration");
                }
                next_key(table, pos)
            }
            IterState::ListReversed(id, remaining) => {
                let list = &self.heap.lists[id.0 as usize];
                *remaining = (*remaining).min(list.len());
                if *remaining == 0 {
                    None
                } else {
                    *remaining -= 1;
                    Some(list[*remaining].clone())
                }
            }
            IterState::Enumerate(inner, count) => match self.iter_next(inner)? {
                Some(item) => {
                    let index = Value::Int(*count);
                    *count = count.checked_add(1).map_or_else(overflow, Ok)?;
                    Some(self.new_tuple(vec![index, item])?)
                }
                None => None,
            },
            IterState::Zip(inners) => {
                let mut items = Vec::with_capacity(inners.len());
                for inner in inners.iter_mut() {
                    match self.iter_next(inner)? {
                        Some(item) => items.push(item),
                        None => {
                            *it = IterState::Done;
                            return Ok(None);
                        }
                    }
                }
                if items.is_empty() {
                    None
                } else {
                    Some(self.new_tuple(items)?)
                }
            }
            IterState::Shared(id) => {
                let index = id.0 as usize;
                let mut state = std::mem::replace(&mut self.heap.iters[index], IterState::Done);
                let item = self.iter_next(&mut state);
                self.heap.iters[index] = state;
                item?
            }
            IterState::Done => None,
        })
    }

    /// All items of an iterable, with the container-length limit.
    pub fn collect_iterable(&mut self, v: &Value) -> Res<Vec<Value>> {
        let items = match v {
            Value::List(id) => self.heap.lists[id.0 as usize].clone(),
            Value::Tuple(id) => self.heap.tuples[id.0 as usize].to_vec(),
            Value::Range(id) => {
                let len = self.heap.ranges[id.0 as usize].len();
                self.check_len(len)?;
                let r = &self.heap.ranges[id.0 as usize];
                (0..len).map(|i| Value::Int(r.get(i))).collect()
            }
            _ => {
                let mut it = self.iter_of(v)?;
                let mut items = Vec::new();
                while let Some(item) = self.iter_next(&mut it)? {
                    items.push(item);
                    self.check_len(items.len())?;
                    if items.len() % 16 == 0 {
                        self.tick()?;
                    }
                }
                items
            }
        };
        self.charge_steps(items.len())?;
        Ok(items)
    }

    /// Calls a genome callable from native code.
    pub fn call_callable(&mut self, callee: &Value, args: &[Value]) -> Res<Value> {
        let start = self.stack.len();
        self.stack.extend(args.iter().cloned());
        self.call_value(callee.clone(), start, Vec::new())
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
            _ => {
                return type_error(format!(
                    "object of type '{}' has no len()",
                    self.type_name(v)
                ))
            }
        })
    }

    // ----- builtin functions

    pub fn call_builtin(
        &mut self,
        b: Builtin,
        args: &[Value],
        kwargs: &[(Sym, Value)],
    ) -> Res<Value> {
        use Builtin::*;
        let name = b.name();
        match b {
            Print => return self.print(args, kwargs),
            Min | Max => return self.min_max(b == Max, args, kwargs),
            Sorted => {
                arity(name, args, 1, 1)?;
                let [key, reverse] = take_kwargs(self, name, kwargs, [sym::KEY, sym::REVERSE])?;
                let mut items = self.collect_iterable(&args[0])?;
                self.sort_values(&mut items, key, reverse)?;
                return self.new_list(items);
            }
            Enumerate => {
                arity(name, args, 1, 2)?;
                let [start] = take_kwargs(self, name, kwargs, [sym::START])?;
                let start = match args.get(1).or(start.as_ref()) {
                    Some(v) => int_arg(self, v)?,
                    None => 0,
                };
                let inner = self.iter_of(&args[0])?;
                return self.new_iter(IterState::Enumerate(Box::new(inner), start));
            }
            Sum => {
                arity(name, args, 1, 2)?;
                let [start] = take_kwargs(self, name, kwargs, [sym::START])?;
                let mut total = args.get(1).cloned().or(start).unwrap_or(Value::Int(0));
                if matches!(total, Value::Str(_)) {
                    return type_error("sum() can't sum strings [use ''.join(seq) instead]");
                }
                for item in self.collect_iterable(&args[0])? {
                    total = self.binary(super::ir::BinOp::Add, total, item)?;
                }
                return Ok(total);
            }
            WalkerCreator => return self.new_creator(args, kwargs),
            Int if kwargs.is_empty() => {}
            Dict => return self.dict_constructor(args, kwargs),
            _ if (MathSin as u32..=MathTrunc as u32).contains(&(b as u32)) => {
                no_kwargs(name, kwargs)?;
                return self.call_math(b, args);
            }
            _ => no_kwargs(name, kwargs)?,
        }
        match b {
            Int => {
                arity(name, args, 0, 2)?;
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
            Float => {
                arity(name, args, 0, 1)?;
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
            Bool => {
                arity(name, args, 0, 1)?;
                Ok(Value::Bool(match args.first() {
                    Some(v) => self.truthy(v)?,
                    None => false,
                }))
            }
            Str => {
                arity(name, args, 0, 1)?;
                let text = match args.first() {
                    Some(v) => self.str_of(v)?,
                    None => String::new(),
                };
                self.new_str(text)
            }
            Repr => {
                arity(name, args, 1, 1)?;
                let text = self.repr(&args[0])?;
                self.new_str(text)
            }
            List | Tuple | Set => {
                arity(name, args, 0, 1)?;
                let items = match args.first() {
                    Some(v) => self.collect_iterable(v)?,
                    None => Vec::new(),
                };
                match b {
                    List => self.new_list(items),
                    Tuple => self.new_tuple(items),
                    _ => {
                        let set = self.new_set()?;
                        for item in items {
                            self.set_add(&set, item)?;
                        }
                        Ok(set)
                    }
                }
            }
            Range => {
                arity(name, args, 1, 3)?;
                let mut ints = [0i64; 3];
                for (slot, v) in ints.iter_mut().zip(args) {
                    *slot = int_arg(self, v)?;
                }
                let (start, stop, step) = match args.len() {
                    1 => (0, ints[0], 1),
                    2 => (ints[0], ints[1], 1),
                    _ => (ints[0], ints[1], ints[2]),
                };
                if step == 0 {
                    return raise(ExcKind::ValueError, "range() arg 3 must not be zero");
                }
                self.new_range(RangeObj { start, stop, step })
            }
            Len => {
                arity(name, args, 1, 1)?;
                Ok(Value::Int(self.len_of(&args[0])? as i64))
            }
            Zip => {
                let mut inners = Vec::with_capacity(args.len());
                for a in args {
                    inners.push(self.iter_of(a)?);
                }
                self.new_iter(IterState::Zip(inners))
            }
            Reversed => {
                arity(name, args, 1, 1)?;
                let state = match &args[0] {
                    Value::List(id) => {
                        IterState::ListReversed(*id, self.heap.lists[id.0 as usize].len())
                    }
                    Value::Dict(_) | Value::Set(_) | Value::Iter(_) => {
                        return type_error(format!(
                            "'{}' object is not reversible",
                            self.type_name(&args[0])
                        ));
                    }
                    other => {
                        let mut items = self.collect_iterable(other)?;
                        items.reverse();
                        let Value::List(id) = self.new_list(items)? else {
                            return overflow();
                        };
                        IterState::List(id, 0)
                    }
                };
                self.new_iter(state)
            }
            Abs => {
                arity(name, args, 1, 1)?;
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
            Round => self.round(args),
            IsInstance => {
                arity(name, args, 2, 2)?;
                Ok(Value::Bool(self.is_instance(&args[0], &args[1], 0)?))
            }
            Any | All => {
                arity(name, args, 1, 1)?;
                let want = b == Any;
                let mut it = self.iter_of(&args[0])?;
                while let Some(item) = self.iter_next(&mut it)? {
                    self.tick()?;
                    if self.truthy(&item)? == want {
                        return Ok(Value::Bool(want));
                    }
                }
                Ok(Value::Bool(!want))
            }
            Map => {
                if args.len() < 2 {
                    return type_error("map() must have at least two arguments.");
                }
                let mut inners = Vec::with_capacity(args.len() - 1);
                for a in &args[1..] {
                    inners.push(self.iter_of(a)?);
                }
                let mut zipped = IterState::Zip(inners);
                let mut out = Vec::new();
                while let Some(tuple) = self.iter_next(&mut zipped)? {
                    let Value::Tuple(id) = tuple else { break };
                    let call_args = self.heap.tuples[id.0 as usize].to_vec();
                    out.push(self.call_callable(&args[0], &call_args)?);
                    self.check_len(out.len())?;
                }
                self.new_list(out)
            }
            Filter => {
                arity(name, args, 2, 2)?;
                let mut out = Vec::new();
                for item in self.collect_iterable(&args[1])? {
                    let keep = match &args[0] {
                        Value::None => self.truthy(&item)?,
                        f => {
                            let r = self.call_callable(f, std::slice::from_ref(&item))?;
                            self.truthy(&r)?
                        }
                    };
                    if keep {
                        out.push(item);
                    }
                }
                self.new_list(out)
            }
            Divmod => {
                arity(name, args, 2, 2)?;
                let q =
                    self.binary(super::ir::BinOp::FloorDiv, args[0].clone(), args[1].clone())?;
                let r = self.binary(super::ir::BinOp::Mod, args[0].clone(), args[1].clone())?;
                self.new_tuple(vec![q, r])
            }
            Pow => {
                arity(name, args, 2, 3)?;
                match args.get(2) {
                    None => self.binary(super::ir::BinOp::Pow, args[0].clone(), args[1].clone()),
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
            Chr => {
                arity(name, args, 1, 1)?;
                let i = int_arg(self, &args[0])?;
                match u32::try_from(i).ok().and_then(char::from_u32) {
                    Some(c) => self.new_str(c.to_string()),
                    None => raise(ExcKind::ValueError, "chr() arg not in range(0x110000)"),
                }
            }
            Ord => {
                arity(name, args, 1, 1)?;
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
            _ => fatal(
                ErrorKind::Runtime,
                format!("interpreter bug: builtin {name} has no implementation"),
            ),
        }
    }

    fn print(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
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

    fn min_max(&mut self, want_max: bool, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
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
                    let op = if want_max {
                        super::ir::CmpOp::Gt
                    } else {
                        super::ir::CmpOp::Lt
                    };
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

    fn round(&mut self, args: &[Value]) -> Res<Value> {
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

    fn dict_constructor(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        arity("dict", args, 0, 1)?;
        let dict = self.new_dict()?;
        if let Some(source) = args.first() {
            self.dict_update(&dict, source)?;
        }
        for (key, value) in kwargs {
            let key = Value::str(self.sym_name(*key));
            self.dict_set(&dict, key, value.clone())?;
        }
        Ok(dict)
    }

    /// A stable merge sort that, like Python's, uses only `<`, so a
    /// comparison may fail (TypeError) or call genome code.
    fn sort_values(
        &mut self,
        items: &mut Vec<Value>,
        key: Option<Value>,
        reverse: Option<Value>,
    ) -> Res<()> {
        let reverse = match reverse {
            Some(v) => self.truthy(&v)?,
            None => false,
        };
        let keys: Vec<Value> = match key {
            None | Some(Value::None) => items.clone(),
            Some(f) => {
                let mut keys = Vec::with_capacity(items.len());
                for item in items.iter() {
                    keys.push(self.call_callable(&f, std::slice::from_ref(item))?);
                }
                keys
            }
        };
        let n = keys.len();
        let mut order: Vec<usize> = (0..n).collect();
        let mut buffer = vec![0usize; n];
        let mut width = 1;
        while width < n {
            let mut lo = 0;
            while lo < n {
                let mid = (lo + width).min(n);
                let hi = (lo + 2 * width).min(n);
                let (mut i, mut j, mut k) = (lo, mid, lo);
                while i < mid && j < hi {
                    // Take from the right run only when strictly before.
                    let (a, b) = (&keys[order[j]], &keys[order[i]]);
                    let right_first = if reverse {
                        self.compare(super::ir::CmpOp::Lt, b, a)?
                    } else {
                        self.compare(super::ir::CmpOp::Lt, a, b)?
                    };
                    if right_first {
                        buffer[k] = order[j];
                        j += 1;
                    } else {
                        buffer[k] = order[i];
                        i += 1;
                    }
                    k += 1;
                }
                buffer[k..k + mid - i].copy_from_slice(&order[i..mid]);
                k += mid - i;
                buffer[k..k + hi - j].copy_from_slice(&order[j..hi]);
                lo = hi;
            }
            std::mem::swap(&mut order, &mut buffer);
            self.charge_steps(n)?;
            width *= 2;
        }
        let sorted: Vec<Value> = order.iter().map(|&i| items[i].clone()).collect();
        *items = sorted;
        Ok(())
    }

    // ----- methods of builtin types

    pub fn has_native_method(&self, obj: &Value, name: Sym) -> bool {
        use sym::*;
        match obj {
            Value::List(_) => matches!(
                name,
                APPEND
                    | EXTEND
                    | POP
                    | INSERT
                    | INDEX
                    | COUNT
                    | COPY
                    | SORT
                    | REVERSE
                    | REMOVE
                    | CLEAR
            ),
            Value::Dict(_) => matches!(
                name,
                GET | ITEMS | KEYS | VALUES | SETDEFAULT | POP | UPDATE | COPY | CLEAR
            ),
            Value::Set(_) => matches!(
                name,
                ADD | DISCARD
                    | REMOVE
                    | UNION
                    | INTERSECTION
                    | DIFFERENCE
                    | UPDATE
                    | COPY
                    | CLEAR
                    | ISSUBSET
            ),
            Value::Str(_) => matches!(
                name,
                JOIN | SPLIT
                    | STRIP
                    | LSTRIP
                    | RSTRIP
                    | UPPER
                    | LOWER
                    | REPLACE
                    | STARTSWITH
                    | ENDSWITH
                    | FORMAT
                    | FIND
                    | COUNT
                    | ISDIGIT
                    | ISALPHA
            ),
            Value::Tuple(_) => matches!(name, INDEX | COUNT),
            Value::Creator(_) => Machine::creator_has_method(name),
            _ => false,
        }
    }

    pub fn call_native_method(
        &mut self,
        obj: &Value,
        name: Sym,
        args: &[Value],
        kwargs: &[(Sym, Value)],
    ) -> Res<Value> {
        if let Value::Creator(id) = obj {
            return self.call_creator(*id, name, args, kwargs);
        }
        if !self.has_native_method(obj, name) {
            return self.no_attribute(obj, name);
        }
        let method = self.prog.name(name).to_string();
        if name == sym::SORT {
            arity(&method, args, 0, 0)?;
            let [key, reverse] = take_kwargs(self, &method, kwargs, [sym::KEY, sym::REVERSE])?;
            let Value::List(id) = obj else {
                return Ok(Value::None);
            };
            let mut items = std::mem::take(&mut self.heap.lists[id.0 as usize]);
            let result = self.sort_values(&mut items, key, reverse);
            self.heap.lists[id.0 as usize] = items;
            return result.map(|_| Value::None);
        }
        no_kwargs(&method, kwargs)?;
        match obj {
            Value::List(id) => self.list_method(obj, *id, name, &method, args),
            Value::Tuple(_) => self.sequence_search(obj, name, &method, args),
            Value::Dict(id) => self.dict_method(obj, *id, name, &method, args),
            Value::Set(id) => self.set_method(obj, *id, name, &method, args),
            Value::Str(s) => self.str_method(s.clone(), name, &method, args),
            _ => Ok(Value::None),
        }
    }

    fn sequence_search(
        &mut self,
        obj: &Value,
        name: Sym,
        method: &str,
        args: &[Value],
    ) -> Res<Value> {
        let len = self.seq_len(obj);
        if name == sym::COUNT {
            arity(method, args, 1, 1)?;
            self.charge_steps(len)?;
            let mut count = 0;
            for i in 0..len {
                let Some(x) = self.seq_get(obj, i) else { break };
                if self.values_eq(&x, &args[0], 0)? {
                    count += 1;
                }
            }
            return Ok(Value::Int(count));
        }
        arity(method, args, 1, 3)?;
        let bound = |m: &Self, v: Option<&Value>, default: usize| -> Res<usize> {
            Ok(match v {
                None => default,
                Some(v) => {
                    let i = int_arg(m, v)?;
                    if i < 0 {
                        (i + len as i64).max(0) as usize
                    } else {
                        (i as usize).min(len)
                    }
                }
            })
        };
        let (start, end) = (bound(self, args.get(1), 0)?, bound(self, args.get(2), len)?);
        self.charge_steps(end.saturating_sub(start))?;
        for i in start..end {
            let Some(x) = self.seq_get(obj, i) else { break };
            if self.values_eq(&x, &args[0], 0)? {
                return Ok(Value::Int(i as i64));
            }
        }
        let r = self.repr(&args[0])?;
        raise(
            ExcKind::ValueError,
            format!("{r} is not in {}", self.type_name(obj)),
        )
    }

    fn list_method(
        &mut self,
        obj: &Value,
        id: ListId,
        name: Sym,
        method: &str,
        args: &[Value],
    ) -> Res<Value> {
        let index = id.0 as usize;
        match name {
            sym::APPEND => {
                arity(method, args, 1, 1)?;
                self.list_push(obj, args[0].clone())?;
            }
            sym::EXTEND => {
                arity(method, args, 1, 1)?;
                let items = self.collect_iterable(&args[0])?;
                self.list_extend(obj, items)?;
            }
            sym::POP => {
                arity(method, args, 0, 1)?;
                let len = self.heap.lists[index].len();
                if len == 0 {
                    return raise(ExcKind::IndexError, "pop from empty list");
                }
                let i = match args.first() {
                    Some(v) => int_arg(self, v)?,
                    None => -1,
                };
                let i = if i < 0 { i + len as i64 } else { i };
                if i < 0 || i >= len as i64 {
                    return raise(ExcKind::IndexError, "pop index out of range");
                }
                return Ok(self.heap.lists[index].remove(i as usize));
            }
            sym::INSERT => {
                arity(method, args, 2, 2)?;
                let len = self.heap.lists[index].len() as i64;
                let i = int_arg(self, &args[0])?;
                let i = if i < 0 { (i + len).max(0) } else { i.min(len) };
                self.check_len(len as usize + 1)?;
                self.charge(super::run::VALUE_BYTES)?;
                self.heap.lists[index].insert(i as usize, args[1].clone());
            }
            sym::INDEX | sym::COUNT => return self.sequence_search(obj, name, method, args),
            sym::COPY => {
                arity(method, args, 0, 0)?;
                let items = self.heap.lists[index].clone();
                self.charge_steps(items.len())?;
                return self.new_list(items);
            }
            sym::REVERSE => {
                arity(method, args, 0, 0)?;
                self.heap.lists[index].reverse();
            }
            sym::REMOVE => {
                arity(method, args, 1, 1)?;
                let Value::Int(i) = self
                    .sequence_search(obj, sym::INDEX, method, args)
                    .map_err(|e| match e {
                        Unwind::Raise(_) => Unwind::Raise(Box::new(ExcObj {
                            kind: ExcKind::ValueError,
                            args: vec![Value::str("list.remove(x): x not in list")],
                            at: None,
                        })),
                        fatal => fatal,
                    })?
                else {
                    return Ok(Value::None);
                };
                self.heap.lists[index].remove(i as usize);
            }
            sym::CLEAR => {
                arity(method, args, 0, 0)?;
                self.heap.lists[index].clear();
            }
            _ => {}
        }
        Ok(Value::None)
    }

    fn dict_method(
        &mut self,
        obj: &Value,
        id: DictId,
        name: Sym,
        method: &str,
        args: &[Value],
    ) -> Res<Value> {
        let index = id.0 as usize;
        let entry_value = |m: &Self, i: usize| {
            m.heap.dicts[index]
                .entry(i)
                .map_or(Value::None, |e| e.value.clone())
        };
        match name {
            sym::GET => {
                arity(method, args, 1, 2)?;
                Ok(match self.dict_lookup(id, &args[0])? {
                    Some(i) => entry_value(self, i),
                    None => args.get(1).cloned().unwrap_or(Value::None),
                })
            }
            sym::SETDEFAULT => {
                arity(method, args, 1, 2)?;
                match self.dict_lookup(id, &args[0])? {
                    Some(i) => Ok(entry_value(self, i)),
                    None => {
                        let v = args.get(1).cloned().unwrap_or(Value::None);
                        self.dict_set(obj, args[0].clone(), v.clone())?;
                        Ok(v)
                    }
                }
            }
            sym::POP => {
                arity(method, args, 1, 2)?;
                match self.dict_lookup(id, &args[0])? {
                    Some(i) => Ok(self.heap.dicts[index]
                        .remove_at(i)
                        .map_or(Value::None, |e| e.value)),
                    None => match args.get(1) {
                        Some(d) => Ok(d.clone()),
                        None => Err(Unwind::Raise(Box::new(ExcObj {
                            kind: ExcKind::KeyError,
                            args: vec![args[0].clone()],
                            at: None,
                        }))),
                    },
                }
            }
            sym::KEYS | sym::VALUES | sym::ITEMS => {
                arity(method, args, 0, 0)?;
                let entries: Vec<(Value, Value)> = self.heap.dicts[index]
                    .iter()
                    .map(|e| (e.key.clone(), e.value.clone()))
                    .collect();
                self.charge_steps(entries.len())?;
                let mut out = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    out.push(match name {
                        sym::KEYS => k,
                        sym::VALUES => v,
                        _ => self.new_tuple(vec![k, v])?,
                    });
                }
                self.new_list(out)
            }
            sym::UPDATE => {
                arity(method, args, 0, 1)?;
                if let Some(other) = args.first() {
                    self.dict_update(obj, other)?;
                }
                Ok(Value::None)
            }
            sym::COPY => {
                arity(method, args, 0, 0)?;
                let copy = self.new_dict()?;
                self.dict_update(&copy, obj)?;
                Ok(copy)
            }
            sym::CLEAR => {
                arity(method, args, 0, 0)?;
                self.heap.dicts[index].clear();
                Ok(Value::None)
            }
            _ => Ok(Value::None),
        }
    }

    fn set_method(
        &mut self,
        obj: &Value,
        id: SetId,
        name: Sym,
        method: &str,
        args: &[Value],
    ) -> Res<Value> {
        let index = id.0 as usize;
        match name {
            sym::ADD => {
                arity(method, args, 1, 1)?;
                self.set_add(obj, args[0].clone())?;
            }
            sym::DISCARD | sym::REMOVE => {
                arity(method, args, 1, 1)?;
                match self.set_lookup(id, &args[0])? {
                    Some(i) => {
                        self.heap.sets[index].remove_at(i);
                    }
                    None if name == sym::REMOVE => {
                        return Err(Unwind::Raise(Box::new(ExcObj {
                            kind: ExcKind::KeyError,
                            args: vec![args[0].clone()],
                            at: None,
                        })));
                    }
                    None => {}
                }
            }
            sym::UPDATE => {
                for a in args {
                    for item in self.collect_iterable(a)? {
                        self.set_add(obj, item)?;
                    }
                }
            }
            sym::UNION | sym::INTERSECTION | sym::DIFFERENCE => {
                let mut result = self.set_copy(obj)?;
                for a in args {
                    let items = self.collect_iterable(a)?;
                    let other = self.new_set()?;
                    for item in items {
                        self.set_add(&other, item)?;
                    }
                    let op = match name {
                        sym::UNION => super::ir::BinOp::BitOr,
                        sym::INTERSECTION => super::ir::BinOp::BitAnd,
                        _ => super::ir::BinOp::Sub,
                    };
                    result = self.binary(op, result, other)?;
                }
                return Ok(result);
            }
            sym::ISSUBSET => {
                arity(method, args, 1, 1)?;
                let items = self.collect_iterable(&args[0])?;
                let other = self.new_set()?;
                for item in items {
                    self.set_add(&other, item)?;
                }
                return Ok(Value::Bool(self.subset(obj, &other)?));
            }
            sym::COPY => return self.set_copy(obj),
            sym::CLEAR => self.heap.sets[index].clear(),
            _ => {}
        }
        Ok(Value::None)
    }

    fn set_copy(&mut self, set: &Value) -> Res<Value> {
        let copy = self.new_set()?;
        for item in self.collect_iterable(set)? {
            self.set_add(&copy, item)?;
        }
        Ok(copy)
    }

    fn str_arg<'v>(&self, method: &str, v: &'v Value) -> Res<&'v Rc<str>> {
        match v {
            Value::Str(s) => Ok(s),
            _ => type_error(format!(
                "{method}() argument must be str, not {}",
                self.type_name(v)
            )),
        }
    }

    fn str_method(&mut self, s: Rc<str>, name: Sym, method: &str, args: &[Value]) -> Res<Value> {
        self.charge_steps(s.len())?;
        match name {
            sym::JOIN => {
                arity(method, args, 1, 1)?;
                let items = self.collect_iterable(&args[0])?;
                let mut total = 0usize;
                for item in &items {
                    match item {
                        Value::Str(t) => total += t.len() + s.len(),
                        other => {
                            return type_error(format!(
                                "sequence item: expected str instance, {} found",
                                self.type_name(other)
                            ));
                        }
                    }
                }
                self.check_str_len(total)?;
                let parts: Vec<&str> = items
                    .iter()
                    .map(|v| if let Value::Str(t) = v { &**t } else { "" })
                    .collect();
                self.new_str(parts.join(&s))
            }
            sym::SPLIT => {
                arity(method, args, 0, 2)?;
                let max = match args.get(1) {
                    Some(v) => int_arg(self, v)?,
                    None => -1,
                };
                let max = if max < 0 { usize::MAX } else { max as usize };
                let pieces: Vec<String> = match args.first() {
                    None | Some(Value::None) => {
                        let mut out = Vec::new();
                        let mut rest = s.trim_start();
                        while !rest.is_empty() {
                            if out.len() == max {
                                out.push(rest.to_string());
                                break;
                            }
                            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                            out.push(rest[..end].to_string());
                            rest = rest[end..].trim_start();
                        }
                        out
                    }
                    Some(sep) => {
                        let sep = self.str_arg(method, sep)?;
                        if sep.is_empty() {
                            return raise(ExcKind::ValueError, "empty separator");
                        }
                        s.splitn(max.saturating_add(1), &**sep)
                            .map(String::from)
                            .collect()
                    }
                };
                let mut values = Vec::with_capacity(pieces.len());
                for p in pieces {
                    values.push(self.new_str(p)?);
                }
                self.new_list(values)
            }
            sym::STRIP | sym::LSTRIP | sym::RSTRIP => {
                arity(method, args, 0, 1)?;
                let chars: Option<Vec<char>> = match args.first() {
                    None | Some(Value::None) => None,
                    Some(v) => Some(self.str_arg(method, v)?.chars().collect()),
                };
                let strip = |c: char| match &chars {
                    Some(set) => set.contains(&c),
                    None => c.is_whitespace(),
                };
                let t = match name {
                    sym::STRIP => s.trim_matches(strip),
                    sym::LSTRIP => s.trim_start_matches(strip),
                    _ => s.trim_end_matches(strip),
                };
                self.new_str(t.to_string())
            }
            sym::UPPER | sym::LOWER => {
                arity(method, args, 0, 0)?;
                let t = if name == sym::UPPER {
                    s.to_uppercase()
                } else {
                    s.to_lowercase()
                };
                self.new_str(t)
            }
            sym::REPLACE => {
                arity(method, args, 2, 3)?;
                let old = self.str_arg(method, &args[0])?.clone();
                let new = self.str_arg(method, &args[1])?.clone();
                let count = match args.get(2) {
                    Some(v) => int_arg(self, v)?,
                    None => -1,
                };
                let occurrences = if old.is_empty() {
                    s.chars().count() + 1
                } else {
                    s.matches(&*old).count()
                };
                let n = if count < 0 {
                    occurrences
                } else {
                    occurrences.min(count as usize)
                };
                let size = (s.len() as u128 + n as u128 * new.len() as u128)
                    .saturating_sub(n as u128 * old.len() as u128);
                self.check_str_len(usize::try_from(size).unwrap_or(usize::MAX))?;
                self.new_str(s.replacen(&*old, &new, n))
            }
            sym::STARTSWITH | sym::ENDSWITH => {
                arity(method, args, 1, 1)?;
                let prefixes: Vec<Value> = match &args[0] {
                    Value::Tuple(id) => self.heap.tuples[id.0 as usize].to_vec(),
                    v => vec![v.clone()],
                };
                for p in &prefixes {
                    let p = self.str_arg(method, p)?;
                    let hit = if name == sym::STARTSWITH {
                        s.starts_with(&**p)
                    } else {
                        s.ends_with(&**p)
                    };
                    if hit {
                        return Ok(Value::Bool(true));
                    }
                }
                Ok(Value::Bool(false))
            }
            sym::FIND | sym::COUNT => {
                arity(method, args, 1, 1)?;
                let sub = self.str_arg(method, &args[0])?;
                Ok(Value::Int(if name == sym::FIND {
                    match s.find(&**sub) {
                        Some(byte) => s[..byte].chars().count() as i64,
                        None => -1,
                    }
                } else if sub.is_empty() {
                    s.chars().count() as i64 + 1
                } else {
                    s.matches(&**sub).count() as i64
                }))
            }
            sym::ISDIGIT => Ok(Value::Bool(
                !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()),
            )),
            sym::ISALPHA => Ok(Value::Bool(
                !s.is_empty() && s.chars().all(char::is_alphabetic),
            )),
            sym::FORMAT => {
                let text = self.str_format(&s, args)?;
                self.new_str(text)
            }
            _ => Ok(Value::None),
        }
    }
}

fn next_key(table: &Table, pos: &mut usize) -> Option<Value> {
    while *pos < table.capacity() {
        let entry = table.entry(*pos);
        *pos += 1;
        if let Some(e) = entry {
            return Some(e.key.clone());
        }
    }
    None
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
