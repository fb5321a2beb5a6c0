//! Text: `str()`/`repr()` exactly as CPython writes them (floats use the
//! shortest round-trip digits), and the format-spec mini-language used by
//! f-strings and `str.format`.

use std::fmt::Write;

use super::error::ErrorKind;
use super::ops::MAX_VALUE_DEPTH;
use super::run::{fatal, raise, type_error, Machine, Res};
use super::value::*;

/// The shortest decimal digits that read back as `x`, and where two such
/// strings are equally close to `x` the even one, as CPython's repr (David
/// Gay's dtoa) picks: Rust's `{:e}` finds the shortest length but may pick
/// the other tie (21350485771759.8125 prints as ...813, CPython's ...812).
/// The correctly rounded decimal of that length (half to even) is the
/// closest one, so when it also reads back, it is CPython's.
fn shortest_digits(x: f64) -> (bool, String, i32) {
    let shortest = decimal_digits(&format!("{x:e}"));
    let precision = shortest.1.len() - 1;
    let rounded = format!("{x:.precision$e}");
    if rounded.parse::<f64>() == Ok(x) {
        decimal_digits(&rounded)
    } else {
        shortest
    }
}

/// `repr(float)`: shortest digits that round-trip, fixed notation for
/// exponents in [-4, 16), scientific otherwise.
pub(crate) fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let (negative, digits, exponent) = shortest_digits(x);
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if (-4..16).contains(&exponent) {
        if exponent < 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exponent - 1) as usize));
            out.push_str(&digits);
        } else {
            let point = exponent as usize + 1;
            if digits.len() <= point {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', point - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..point]);
                out.push('.');
                out.push_str(&digits[point..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        push_exponent(&mut out, 'e', exponent);
    }
    out
}

/// Splits Rust's `{:e}` output ("-1.2345e-5") into sign, digits, exponent.
fn decimal_digits(scientific: &str) -> (bool, String, i32) {
    let (negative, rest) = match scientific.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, scientific),
    };
    let (mantissa, exponent) = rest.split_once('e').unwrap_or((rest, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    (negative, digits, exponent.parse().unwrap_or(0))
}

fn push_exponent(out: &mut String, e: char, exponent: i32) {
    let sign = if exponent < 0 { '-' } else { '+' };
    let _ = write!(out, "{e}{sign}{:02}", exponent.abs());
}

/// Python's quoting for `repr(str)`.
fn str_repr(s: &str, out: &mut String) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

#[derive(Debug)]
enum ReprStop {
    TooDeep,
    TooLong,
    /// numpy's array printing is not in the subset.
    Array,
}

struct Spec {
    fill: char,
    align: Option<char>,
    sign: char,
    alternate: bool,
    width: usize,
    grouping: Option<char>,
    precision: Option<usize>,
    kind: Option<char>,
}

fn parse_spec(spec: &str) -> Res<Spec> {
    let chars: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let mut s = Spec {
        fill: ' ',
        align: None,
        sign: '-',
        alternate: false,
        width: 0,
        grouping: None,
        precision: None,
        kind: None,
    };
    let is_align = |c: char| matches!(c, '<' | '>' | '=' | '^');
    if chars.len() >= 2 && is_align(chars[1]) {
        s.fill = chars[0];
        s.align = Some(chars[1]);
        i = 2;
    } else if chars.first().is_some_and(|c| is_align(*c)) {
        s.align = Some(chars[0]);
        i = 1;
    }
    if let Some(&c @ ('+' | '-' | ' ')) = chars.get(i) {
        s.sign = c;
        i += 1;
    }
    if chars.get(i) == Some(&'z') {
        i += 1;
    }
    if chars.get(i) == Some(&'#') {
        s.alternate = true;
        i += 1;
    }
    if chars.get(i) == Some(&'0') {
        if s.align.is_none() {
            s.fill = '0';
            s.align = Some('=');
        }
        i += 1;
    }
    let digits = |i: &mut usize| {
        let begin = *i;
        while chars.get(*i).is_some_and(|c| c.is_ascii_digit()) {
            *i += 1;
        }
        chars[begin..*i].iter().collect::<String>()
    };
    let width = digits(&mut i);
    if !width.is_empty() {
        s.width = width.parse().map_err(|_| ()).or_else(|_| {
            raise(
                ExcKind::ValueError,
                "Too many decimal digits in format string",
            )
        })?;
    }
    if let Some(&c @ (',' | '_')) = chars.get(i) {
        s.grouping = Some(c);
        i += 1;
    }
    if chars.get(i) == Some(&'.') {
        i += 1;
        let p = digits(&mut i);
        if p.is_empty() {
            return raise(ExcKind::ValueError, "Format specifier missing precision");
        }
        s.precision = Some(p.parse().map_err(|_| ()).or_else(|_| {
            raise(
                ExcKind::ValueError,
                "Too many decimal digits in format string",
            )
        })?);
    }
    if i < chars.len() {
        s.kind = Some(chars[i]);
        i += 1;
    }
    if i < chars.len() {
        return raise(ExcKind::ValueError, "Invalid format specifier");
    }
    if s.width > 10_000 || s.precision.is_some_and(|p| p > 10_000) {
        return fatal(ErrorKind::Limit, "format width or precision over 10000");
    }
    Ok(s)
}

/// Inserts a separator every three digits of the integer part.
fn group_digits(number: &str, separator: char) -> String {
    let (int_part, rest) = match number.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => number.split_at(i),
        None => (number, ""),
    };
    let mut out = group_every(int_part, separator, 3);
    out.push_str(rest);
    out
}

/// Inserts a separator every `size` characters, counted from the right
/// (digits of one base, so one byte each).
fn group_every(digits: &str, separator: char, size: usize) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / size);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(size) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// Pads `body` (with its sign given separately) to the spec's width.
fn pad(spec: &Spec, sign: &str, body: &str, default_align: char) -> String {
    let len = sign.chars().count() + body.chars().count();
    let fill = spec.width.saturating_sub(len);
    let f = |n: usize| std::iter::repeat_n(spec.fill, n).collect::<String>();
    match spec.align.unwrap_or(default_align) {
        '<' => format!("{sign}{body}{}", f(fill)),
        '^' => format!("{}{sign}{body}{}", f(fill / 2), f(fill - fill / 2)),
        '=' => format!("{sign}{}{body}", f(fill)),
        _ => format!("{}{sign}{body}", f(fill)),
    }
}

fn sign_text(negative: bool, spec: &Spec) -> &'static str {
    match (negative, spec.sign) {
        (true, _) => "-",
        (false, '+') => "+",
        (false, ' ') => " ",
        _ => "",
    }
}

/// Formats a non-negative finite float per type `kind`.
fn float_body(x: f64, kind: char, precision: Option<usize>, alternate: bool) -> String {
    match kind {
        'f' | 'F' | '%' => {
            let p = precision.unwrap_or(6);
            let mut s = format!("{x:.p$}");
            if alternate && p == 0 {
                s.push('.');
            }
            s
        }
        'e' | 'E' => {
            let p = precision.unwrap_or(6);
            let (_, digits, exponent) = decimal_digits(&format!("{x:.p$e}"));
            let mut s = digits[..1].to_string();
            if p > 0 || alternate {
                s.push('.');
            }
            s.push_str(&digits[1..]);
            push_exponent(&mut s, if kind == 'E' { 'E' } else { 'e' }, exponent);
            s
        }
        'g' | 'G' | 'n' => general(
            x,
            precision.unwrap_or(6).max(1),
            alternate,
            false,
            kind == 'G',
        ),
        // No type but a precision: like 'g', keeping a digit after the point.
        _ => match precision {
            Some(p) => general(x, p.max(1), alternate, true, false),
            None => float_repr(x),
        },
    }
}

fn general(x: f64, p: usize, alternate: bool, keep_point: bool, upper: bool) -> String {
    if x == 0.0 {
        return if keep_point {
            "0.0".into()
        } else if alternate {
            format!("{:.*}", p - 1, 0.0)
        } else {
            "0".into()
        };
    }
    let (_, _, exponent) = decimal_digits(&format!("{x:.*e}", p - 1));
    let mut s = if exponent >= -4 && (exponent as i64) < p as i64 {
        format!("{x:.*}", (p as i64 - 1 - exponent as i64) as usize)
    } else {
        let (_, digits, exponent) = decimal_digits(&format!("{x:.*e}", p - 1));
        let mut m = digits[..1].to_string();
        if digits.len() > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        let mut m = if alternate { m } else { strip_zeros(&m) };
        push_exponent(&mut m, if upper { 'E' } else { 'e' }, exponent);
        return m;
    };
    if !alternate {
        s = strip_zeros(&s);
    }
    if keep_point && !s.contains('.') {
        s.push_str(".0");
    }
    s
}

fn strip_zeros(s: &str) -> String {
    if !s.contains('.') {
        return s.to_string();
    }
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl Machine<'_> {
    pub fn repr(&mut self, v: &Value) -> Res<String> {
        let mut out = String::new();
        match self.write_repr(v, &mut out, 0) {
            Ok(()) => {}
            Err(ReprStop::TooDeep) => {
                return fatal(
                    ErrorKind::Limit,
                    format!("value nested more than {MAX_VALUE_DEPTH} levels deep"),
                )
            }
            Err(ReprStop::TooLong) => self.check_str_len(out.len())?,
            Err(ReprStop::Array) => {
                return fatal(
                    ErrorKind::Unsupported,
                    "printing a numpy array is not supported; print a.tolist() instead",
                )
            }
        }
        self.charge_steps(out.len())?;
        Ok(out)
    }

    /// `str(v)`: strings as they are, exceptions as their message.
    pub fn str_of(&mut self, v: &Value) -> Res<String> {
        match v {
            Value::Str(s) => Ok(s.to_string()),
            Value::Exception(id) => {
                let exc = self.heap.exceptions[id.0 as usize].clone();
                Ok(self.exception_text(&exc))
            }
            _ => self.repr(v),
        }
    }

    /// `str(exception)`.
    pub fn exception_text(&self, e: &ExcObj) -> String {
        let mut out = String::new();
        let result = match e.args.as_slice() {
            [] => Ok(()),
            [Value::Str(s)] if e.kind != ExcKind::KeyError => {
                out.push_str(s);
                Ok(())
            }
            [arg] => self.write_repr(arg, &mut out, 0),
            args => self.write_sequence(args, "(", ")", &mut out, 0),
        };
        if result.is_err() {
            out.push_str("...");
        }
        out
    }

    fn write_sequence(
        &self,
        items: &[Value],
        open: &str,
        close: &str,
        out: &mut String,
        depth: u32,
    ) -> Result<(), ReprStop> {
        out.push_str(open);
        self.write_items(items, out, depth)?;
        if open == "(" && items.len() == 1 {
            out.push(',');
        }
        out.push_str(close);
        Ok(())
    }

    fn write_items(&self, items: &[Value], out: &mut String, depth: u32) -> Result<(), ReprStop> {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.write_repr(item, out, depth + 1)?;
        }
        Ok(())
    }

    fn write_repr(&self, v: &Value, out: &mut String, depth: u32) -> Result<(), ReprStop> {
        if depth > MAX_VALUE_DEPTH {
            return Err(ReprStop::TooDeep);
        }
        if out.len() > self.limits.max_str_len {
            return Err(ReprStop::TooLong);
        }
        match v {
            Value::Unbound => out.push_str("<unbound>"),
            Value::None => out.push_str("None"),
            Value::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => out.push_str(&float_repr(*f)),
            Value::Str(s) => str_repr(s, out),
            Value::List(id) => {
                self.write_sequence(&self.heap.lists[id.0 as usize], "[", "]", out, depth)?
            }
            Value::Tuple(id) => {
                self.write_sequence(&self.heap.tuples[id.0 as usize], "(", ")", out, depth)?
            }
            Value::Dict(id) => {
                out.push('{');
                for (i, e) in self.heap.dicts[id.0 as usize].iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write_repr(&e.key, out, depth + 1)?;
                    out.push_str(": ");
                    self.write_repr(&e.value, out, depth + 1)?;
                }
                out.push('}');
            }
            Value::Set(id) => {
                let keys: Vec<Value> = self.heap.sets[id.0 as usize]
                    .iter()
                    .map(|e| e.key.clone())
                    .collect();
                if keys.is_empty() {
                    out.push_str("set()");
                } else {
                    self.write_sequence(&keys, "{", "}", out, depth)?;
                }
            }
            Value::Range(id) => {
                let r = &self.heap.ranges[id.0 as usize];
                let _ = if r.step == 1 {
                    write!(out, "range({}, {})", r.start, r.stop)
                } else {
                    write!(out, "range({}, {}, {})", r.start, r.stop, r.step)
                };
            }
            Value::Iter(_) => out.push_str("<iterator object>"),
            Value::Array(_) => return Err(ReprStop::Array),
            Value::Func(id) => {
                let name = &self.prog.functions[self.heap.funcs[id.0 as usize].code as usize].name;
                let _ = write!(out, "<function {name}>");
            }
            Value::Method(_) => out.push_str("<bound method>"),
            Value::Builtin(b) if b.is_type() => {
                let _ = write!(out, "<class '{}'>", b.name());
            }
            Value::Builtin(b) => {
                let _ = write!(out, "<built-in function {}>", b.name());
            }
            Value::Class(id) => {
                let _ = write!(out, "<class '{}'>", self.heap.classes[id.0 as usize].name);
            }
            Value::Instance(id) => {
                let class = self.heap.instances[id.0 as usize].class;
                let _ = write!(out, "<{} object>", self.heap.classes[class.0 as usize].name);
            }
            Value::ExcType(k) => {
                let _ = write!(out, "<class '{}'>", k.name());
            }
            Value::Exception(id) => {
                let e = &self.heap.exceptions[id.0 as usize];
                out.push_str(e.kind.name());
                out.push('(');
                self.write_items(&e.args, out, depth)?;
                out.push(')');
            }
            Value::Module(ModuleKind::Math) => out.push_str("<module 'math'>"),
            Value::Module(ModuleKind::Walker) => out.push_str("<module 'walker'>"),
            Value::Module(ModuleKind::Numpy) => out.push_str("<module 'numpy'>"),
            Value::Creator(_) => out.push_str("<walker_creator>"),
            Value::Joint(_, i) => {
                let _ = write!(out, "<joint {i}>");
            }
            Value::Walker(id) => {
                let w = &self.heap.walkers[id.0 as usize].walker;
                let _ = write!(
                    out,
                    "<walker: {} joints, {} connections>",
                    w.joints.len(),
                    w.connections.len()
                );
            }
            Value::Cell(_) => out.push_str("<cell>"),
        }
        Ok(())
    }

    /// `format(v, spec)`.
    pub fn format_value(&mut self, v: &Value, spec: &str) -> Res<String> {
        if spec.is_empty() {
            return self.str_of(v);
        }
        let s = parse_spec(spec)?;
        let text = match v {
            Value::Int(_) | Value::Bool(_) => {
                let i = match v {
                    Value::Int(i) => *i,
                    Value::Bool(b) => *b as i64,
                    _ => 0,
                };
                self.format_int(i, &s)?
            }
            Value::Float(f) => self.format_float(*f, &s)?,
            Value::Str(text) => {
                if !matches!(s.kind, None | Some('s')) {
                    let message = format!(
                        "Unknown format code '{}' for object of type 'str'",
                        s.kind.unwrap_or('s')
                    );
                    return raise(ExcKind::ValueError, message);
                }
                let body: String = match s.precision {
                    Some(p) => text.chars().take(p).collect(),
                    None => text.to_string(),
                };
                pad(&s, "", &body, '<')
            }
            _ => {
                return type_error(format!(
                    "unsupported format string passed to {}.__format__",
                    self.type_name(v)
                ));
            }
        };
        self.check_str_len(text.len())?;
        Ok(text)
    }

    fn format_int(&mut self, i: i64, s: &Spec) -> Res<String> {
        let kind = s.kind.unwrap_or('d');
        if matches!(kind, 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%') {
            return self.format_float(i as f64, s);
        }
        if s.precision.is_some() {
            return raise(
                ExcKind::ValueError,
                "Precision not allowed in integer format specifier",
            );
        }
        let magnitude = i.unsigned_abs();
        let alternate = |prefix: &'static str| if s.alternate { prefix } else { "" };
        let (prefix, digits) = match kind {
            'd' | 'n' => ("", magnitude.to_string()),
            'b' => (alternate("0b"), format!("{magnitude:b}")),
            'o' => (alternate("0o"), format!("{magnitude:o}")),
            'x' => (alternate("0x"), format!("{magnitude:x}")),
            'X' => (alternate("0X"), format!("{magnitude:X}")),
            'c' => match u32::try_from(i).ok().and_then(char::from_u32) {
                Some(c) => ("", c.to_string()),
                None => return raise(ExcKind::OverflowError, "%c arg not in range(0x110000)"),
            },
            other => {
                return raise(
                    ExcKind::ValueError,
                    format!("Unknown format code '{other}' for object of type 'int'"),
                );
            }
        };
        // Decimal digits group by three; '_' groups other bases by four.
        let digits = match (s.grouping, kind) {
            (None, _) => digits,
            (Some(g), 'd') => group_every(&digits, g, 3),
            (Some('_'), 'b' | 'o' | 'x' | 'X') => group_every(&digits, '_', 4),
            (Some(g), k) => {
                return raise(
                    ExcKind::ValueError,
                    format!("Cannot specify '{g}' with '{k}'."),
                )
            }
        };
        let body = format!("{prefix}{digits}");
        Ok(pad(s, sign_text(i < 0, s), &body, '>'))
    }

    fn format_float(&mut self, x: f64, s: &Spec) -> Res<String> {
        let kind = s.kind.unwrap_or('\0');
        if !matches!(kind, '\0' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' | 'n') {
            return raise(
                ExcKind::ValueError,
                format!("Unknown format code '{kind}' for object of type 'float'"),
            );
        }
        let upper = matches!(kind, 'E' | 'F' | 'G');
        let negative = x.is_sign_negative() && !x.is_nan();
        let magnitude = x.abs();
        let mut body = if !magnitude.is_finite() {
            let word = if magnitude.is_nan() { "nan" } else { "inf" };
            let mut w = word.to_string();
            if kind == '%' {
                w.push('%');
            }
            w
        } else if kind == '%' {
            let mut t = float_body(magnitude * 100.0, 'f', s.precision, s.alternate);
            t.push('%');
            t
        } else {
            float_body(magnitude, kind, s.precision, s.alternate)
        };
        if upper {
            body = body.to_uppercase();
        }
        if let Some(g) = s.grouping {
            body = group_digits(&body, g);
        }
        Ok(pad(s, sign_text(negative, s), &body, '>'))
    }

    /// `"...".format(*args)` for fields `{}` and `{N}` (the checker refused
    /// anything else), with optional `!r`/`!s` and a format spec.
    pub fn str_format(&mut self, template: &str, args: &[Value]) -> Res<String> {
        let mut out = String::new();
        let mut chars = template.chars().peekable();
        let mut auto = 0usize;
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    out.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    out.push('}');
                }
                '}' => {
                    return raise(
                        ExcKind::ValueError,
                        "Single '}' encountered in format string",
                    )
                }
                '{' => {
                    let mut field = String::new();
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                        field.push(c);
                    }
                    let (head, spec) = field.split_once(':').unwrap_or((&field, ""));
                    let (name, conversion) = head.split_once('!').unwrap_or((head, ""));
                    let index = if name.is_empty() {
                        auto += 1;
                        auto - 1
                    } else {
                        name.parse().unwrap_or(usize::MAX)
                    };
                    let Some(arg) = args.get(index) else {
                        return raise(
                            ExcKind::IndexError,
                            format!(
                                "Replacement index {index} out of range for positional args tuple"
                            ),
                        );
                    };
                    let text = match conversion {
                        "r" | "a" => {
                            let r = self.repr(arg)?;
                            self.format_value(&Value::str(&r), spec)?
                        }
                        "s" => {
                            let t = self.str_of(arg)?;
                            self.format_value(&Value::str(&t), spec)?
                        }
                        _ => self.format_value(arg, spec)?,
                    };
                    out.push_str(&text);
                    self.check_str_len(out.len())?;
                }
                c => out.push(c),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        // 21350485771759.8125: ...812 and ...813 are equally close.
        let tie = 5_465_724_357_570_512.0 / 256.0;
        assert_eq!(float_repr(tie), "21350485771759.812");
        let cases = [
            (0.1, "0.1"),
            (1.0, "1.0"),
            (-2.5, "-2.5"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (123456789.0, "123456789.0"),
            (1.5e-7, "1.5e-07"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-0.0, "-0.0"),
            (f64::INFINITY, "inf"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
        ];
        for (x, expected) in cases {
            assert_eq!(float_repr(x), expected);
        }
    }

    #[test]
    fn format_spec_parses() {
        let s = parse_spec("*^+#010,.3f").unwrap_or_else(|_| panic!("spec"));
        assert_eq!(
            (s.fill, s.align, s.sign, s.alternate),
            ('*', Some('^'), '+', true)
        );
        assert_eq!(
            (s.width, s.grouping, s.precision, s.kind),
            (10, Some(','), Some(3), Some('f'))
        );
        assert!(parse_spec("10q!").is_err());
    }

    #[test]
    fn general_format_matches_python() {
        assert_eq!(general(1234.5, 2, false, false, false), "1.2e+03");
        assert_eq!(general(0.0001234, 3, false, false, false), "0.000123");
        assert_eq!(general(1.0, 6, false, false, false), "1");
        assert_eq!(general(1.0, 3, false, true, false), "1.0");
        assert_eq!(general(123456.0, 6, false, false, false), "123456");
        assert_eq!(general(1234567.0, 6, false, false, false), "1.23457e+06");
        assert_eq!(float_body(2.5, 'e', Some(2), false), "2.50e+00");
        assert_eq!(group_digits("1234567.891", ','), "1,234,567.891");
    }

    #[test]
    fn string_repr_quotes_like_python() {
        let mut out = String::new();
        str_repr("it's \"x\"\n", &mut out);
        assert_eq!(out, "'it\\'s \"x\"\\n'");
        out.clear();
        str_repr("it's", &mut out);
        assert_eq!(out, "\"it's\"");
    }
}
