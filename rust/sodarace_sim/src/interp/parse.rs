//! Source bytes to a ruff AST, with size, encoding and version checks.

use ruff_python_ast::{Mod, ModModule, PythonVersion};
use ruff_python_parser::{parse, Mode, ParseOptions};
use ruff_text_size::Ranged;

use super::error::{ErrorKind, Fault};

/// Checks size, UTF-8 and NUL bytes. On failure the fault's offset refers
/// to the returned prefix, which is valid UTF-8, so it can be located.
pub(crate) fn decode(source: &[u8], max_source_bytes: usize) -> Result<&str, (Fault, &str)> {
    if source.len() > max_source_bytes {
        let message = format!(
            "source is {} bytes, over the limit of {max_source_bytes}",
            source.len()
        );
        return Err((Fault::new(ErrorKind::Limit, message, None), ""));
    }
    let text = match std::str::from_utf8(source) {
        Ok(text) => text,
        Err(e) => {
            let valid = e.valid_up_to();
            let prefix = std::str::from_utf8(&source[..valid]).unwrap_or("");
            let message = format!("source is not valid UTF-8 (byte 0x{:02x})", source[valid]);
            return Err((Fault::at(ErrorKind::Syntax, message, valid as u32), prefix));
        }
    };
    if let Some(nul) = text.find('\0') {
        let fault = Fault::at(ErrorKind::Syntax, "source contains a NUL byte", nul as u32);
        return Err((fault, text));
    }
    Ok(text)
}

/// Parses a module as Python 3.11. Syntax newer than 3.11 is a syntax error.
pub(crate) fn parse_module(text: &str) -> Result<ModModule, Fault> {
    let options = ParseOptions::from(Mode::Module).with_target_version(PythonVersion::PY311);
    let parsed = parse(text, options).map_err(|e| {
        Fault::at(
            ErrorKind::Syntax,
            e.error.to_string(),
            e.location.start().to_u32(),
        )
    })?;
    if let Some(e) = parsed.unsupported_syntax_errors().first() {
        return Err(Fault::at(
            ErrorKind::Syntax,
            e.to_string(),
            e.range().start().to_u32(),
        ));
    }
    match parsed.into_syntax() {
        Mod::Module(module) => Ok(module),
        Mod::Expression(_) => Err(Fault::new(ErrorKind::Syntax, "expected a module", None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_source_parses() {
        let module = parse_module("def make_walker():\n    return 1\n").unwrap();
        assert_eq!(module.body.len(), 1);
    }

    #[test]
    fn invalid_utf8_is_a_syntax_error_at_the_bad_byte() {
        let (fault, prefix) = decode(b"x = 1\ny = '\xff'\n", 1000).unwrap_err();
        assert_eq!(fault.kind, ErrorKind::Syntax);
        assert!(fault.message.contains("UTF-8"));
        assert_eq!(fault.at, Some(11));
        assert_eq!(prefix, "x = 1\ny = '");
    }

    #[test]
    fn nul_byte_is_a_syntax_error() {
        let (fault, _) = decode(b"x = 1\0\n", 1000).unwrap_err();
        assert_eq!((fault.kind, fault.at), (ErrorKind::Syntax, Some(5)));
    }

    #[test]
    fn oversized_source_is_a_limit_before_parsing() {
        let big = vec![b'#'; 10_000_000];
        let (fault, _) = decode(&big, 65536).unwrap_err();
        assert_eq!(fault.kind, ErrorKind::Limit);
    }

    #[test]
    fn parse_errors_carry_an_offset() {
        let fault = parse_module("def f(:\n  pass\n").unwrap_err();
        assert_eq!(fault.kind, ErrorKind::Syntax);
        assert!(fault.at.is_some());
    }

    #[test]
    fn syntax_newer_than_311_is_rejected() {
        // PEP 695 type parameters arrived in Python 3.12.
        let fault = parse_module("def f[T](x: T) -> T:\n    return x\n").unwrap_err();
        assert_eq!(fault.kind, ErrorKind::Syntax);
    }
}
