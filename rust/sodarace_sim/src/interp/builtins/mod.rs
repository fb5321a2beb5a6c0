//! Builtin functions and the methods of the builtin types.
//!
//! `call_builtin` maps each builtin to the one function that implements
//! it; `call_native_method` does the same for methods of builtin values.
//! The implementations are grouped by the type they serve:
//!
//! - `functions`: `print`, `len`, `min`/`max`, `sum`, `isinstance`, `repr`,
//!   `str`, `bool`, `chr`, `ord`;
//! - `numbers`: `int`, `float`, `abs`, `round`, `divmod`, `pow`;
//! - `iteration`: the iterator protocol (`for` loops, unpacking and every
//!   builtin that consumes an iterable go through it), `range`,
//!   `enumerate`, `zip`, `reversed`, `map`, `filter`, `any`, `all`;
//! - `list`: `list`, `tuple`, `sorted` and the methods of lists and tuples
//!   (`list.append`, `list.sort`...);
//! - `dict`: `dict` and its methods; `set`: `set` and its methods;
//! - `str`: the methods of strings.
//!
//! `math.*` lives in `math.rs` and the walker API in `walker_api.rs`.

mod dict;
mod functions;
mod iteration;
mod list;
mod numbers;
mod set;
mod str;

use super::error::ErrorKind;
use super::ir::{sym, Sym};
use super::run::{fatal, type_error, Machine, Res};
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

/// One call of a method of a builtin value: the receiver, the method's
/// symbol, its name (for error messages) and its positional arguments.
/// The method tables of each type take this one bundle rather than
/// repeating the same four parameters.
#[derive(Clone, Copy)]
struct MethodCall<'c> {
    obj: &'c Value,
    name: Sym,
    method: &'c str,
    args: &'c [Value],
}

impl<'c> MethodCall<'c> {
    /// `arity` for this method, so the TypeError names it.
    fn arity(&self, min: usize, max: usize) -> Res<()> {
        arity(self.method, self.args, min, max)
    }

    /// The argument of a method that takes exactly one.
    fn only_arg(&self) -> Res<&'c Value> {
        self.arity(1, 1)?;
        Ok(&self.args[0])
    }
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

impl Machine<'_> {
    /// Calls builtin `b`. Each builtin checks its own arguments, keyword
    /// arguments included.
    pub fn call_builtin(
        &mut self,
        b: Builtin,
        args: &[Value],
        kwargs: &[(Sym, Value)],
    ) -> Res<Value> {
        use Builtin::*;
        match b {
            Int => self.builtin_int(args, kwargs),
            Float => self.builtin_float(args, kwargs),
            Bool => self.builtin_bool(args, kwargs),
            Str => self.builtin_str(args, kwargs),
            List => self.builtin_list(args, kwargs),
            Tuple => self.builtin_tuple(args, kwargs),
            Dict => self.builtin_dict(args, kwargs),
            Set => self.builtin_set(args, kwargs),
            Range => self.builtin_range(args, kwargs),
            Len => self.builtin_len(args, kwargs),
            Enumerate => self.builtin_enumerate(args, kwargs),
            Zip => self.builtin_zip(args, kwargs),
            Min => self.min_max(false, args, kwargs),
            Max => self.min_max(true, args, kwargs),
            Abs => self.builtin_abs(args, kwargs),
            Sum => self.builtin_sum(args, kwargs),
            Round => self.builtin_round(args, kwargs),
            Sorted => self.builtin_sorted(args, kwargs),
            Reversed => self.builtin_reversed(args, kwargs),
            IsInstance => self.builtin_isinstance(args, kwargs),
            Print => self.builtin_print(args, kwargs),
            Any => self.any_all(false, args, kwargs),
            All => self.any_all(true, args, kwargs),
            Map => self.builtin_map(args, kwargs),
            Filter => self.builtin_filter(args, kwargs),
            Divmod => self.builtin_divmod(args, kwargs),
            Pow => self.builtin_pow(args, kwargs),
            Repr => self.builtin_repr(args, kwargs),
            Chr => self.builtin_chr(args, kwargs),
            Ord => self.builtin_ord(args, kwargs),
            WalkerCreator => self.new_creator(args, kwargs),
            QueryCppn => self.query_cppn(args, kwargs),
            _ if b.is_numpy() => self.call_numpy(b, args, kwargs),
            _ if (MathSin as u32..=MathTrunc as u32).contains(&(b as u32)) => {
                no_kwargs(b.name(), kwargs)?;
                self.call_math(b, args)
            }
            _ => fatal(
                ErrorKind::Runtime,
                format!(
                    "interpreter bug: builtin {} has no implementation",
                    b.name()
                ),
            ),
        }
    }

    /// Calls a genome callable from native code.
    pub fn call_callable(&mut self, callee: &Value, args: &[Value]) -> Res<Value> {
        let start = self.stack.len();
        self.stack.extend(args.iter().cloned());
        self.call_value(callee.clone(), start, Vec::new())
    }

    /// Whether builtin value `obj` has method `name` in the subset.
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
            Value::Array(_) => self.prog.name(name) == "tolist",
            _ => false,
        }
    }

    /// Calls method `name` of builtin value `obj`.
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
        if let Value::Array(id) = obj {
            no_kwargs("tolist", kwargs)?;
            let method = self.prog.name(name).to_string();
            return self.call_array_method(*id, &method, args);
        }
        if !self.has_native_method(obj, name) {
            return self.no_attribute(obj, name);
        }
        let method = self.prog.name(name).to_string();
        let call = MethodCall {
            obj,
            name,
            method: &method,
            args,
        };
        if name == sym::SORT {
            return self.list_sort(call, kwargs);
        }
        no_kwargs(&method, kwargs)?;
        match obj {
            Value::List(id) => self.list_method(*id, call),
            Value::Tuple(_) => self.sequence_search(call),
            Value::Dict(id) => self.dict_method(*id, call),
            Value::Set(id) => self.set_method(*id, call),
            Value::Str(s) => self.str_method(s.clone(), call),
            _ => Ok(Value::None),
        }
    }
}
