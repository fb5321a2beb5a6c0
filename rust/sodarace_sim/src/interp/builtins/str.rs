//! Strings: the methods of `str` (`join`, `split`, `strip`, `replace`,
//! `format`...). Formatting of values (`str()`, `repr()`, f-strings) is in
//! `format.rs`.

use std::rc::Rc;

use super::super::ir::sym;
use super::super::run::{raise, type_error, Machine, Res};
use super::super::value::*;
use super::{int_arg, MethodCall};

impl Machine<'_> {
    fn str_arg<'v>(&self, method: &str, v: &'v Value) -> Res<&'v Rc<str>> {
        match v {
            Value::Str(s) => Ok(s),
            _ => type_error(format!(
                "{method}() argument must be str, not {}",
                self.type_name(v)
            )),
        }
    }

    pub(super) fn str_method(&mut self, s: Rc<str>, call: MethodCall) -> Res<Value> {
        let MethodCall { method, args, .. } = call;
        self.charge_steps(s.len())?;
        match call.name {
            sym::JOIN => {
                let items = self.collect_iterable(call.only_arg()?)?;
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
                call.arity(0, 2)?;
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
                call.arity(0, 1)?;
                let chars: Option<Vec<char>> = match args.first() {
                    None | Some(Value::None) => None,
                    Some(v) => Some(self.str_arg(method, v)?.chars().collect()),
                };
                let strip = |c: char| match &chars {
                    Some(set) => set.contains(&c),
                    None => c.is_whitespace(),
                };
                let t = match call.name {
                    sym::STRIP => s.trim_matches(strip),
                    sym::LSTRIP => s.trim_start_matches(strip),
                    _ => s.trim_end_matches(strip),
                };
                self.new_str(t.to_string())
            }
            sym::UPPER | sym::LOWER => {
                call.arity(0, 0)?;
                let t = if call.name == sym::UPPER {
                    s.to_uppercase()
                } else {
                    s.to_lowercase()
                };
                self.new_str(t)
            }
            sym::REPLACE => {
                call.arity(2, 3)?;
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
                let prefixes: Vec<Value> = match call.only_arg()? {
                    Value::Tuple(id) => self.heap.tuples[id.0 as usize].to_vec(),
                    v => vec![v.clone()],
                };
                for p in &prefixes {
                    let p = self.str_arg(method, p)?;
                    let hit = if call.name == sym::STARTSWITH {
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
                call.arity(1, 3)?;
                let sub = self.str_arg(method, &args[0])?.clone();
                let mut bounds = [None, None];
                for (slot, v) in bounds.iter_mut().zip(&args[1..]) {
                    if !matches!(v, Value::None) {
                        *slot = Some(int_arg(self, v)?);
                    }
                }
                self.charge_steps(s.len())?;
                let found = search_window(&s, bounds).map(|(offset, window)| {
                    if call.name == sym::COUNT {
                        if sub.is_empty() {
                            window.chars().count() as i64 + 1
                        } else {
                            window.matches(&*sub).count() as i64
                        }
                    } else {
                        window
                            .find(&*sub)
                            .map_or(-1, |b| (offset + window[..b].chars().count()) as i64)
                    }
                });
                let missing = if call.name == sym::COUNT { 0 } else { -1 };
                Ok(Value::Int(found.unwrap_or(missing)))
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

/// The part of `s` that `str.find(sub, start, end)` and `str.count`
/// search: `start` and `end` are character indices, clamped as slice
/// bounds are. None where CPython finds nothing even for an empty `sub`
/// (a start past the end, or an end before the start); otherwise the
/// window's first character index and its text.
fn search_window(s: &str, bounds: [Option<i64>; 2]) -> Option<(usize, &str)> {
    let len = s.chars().count() as i128;
    let clamp = |v: Option<i64>, default: i128| match v {
        None => default,
        Some(v) if v < 0 => (v as i128 + len).max(0),
        Some(v) => v as i128,
    };
    let (start, end) = (clamp(bounds[0], 0), clamp(bounds[1], len).min(len));
    if start > len || end < start {
        return None;
    }
    let byte = |i: i128| s.char_indices().nth(i as usize).map_or(s.len(), |(b, _)| b);
    Some((start as usize, &s[byte(start)..byte(end)]))
}
