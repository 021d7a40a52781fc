//! Compact JSON in the exact bytes Go's `encoding/json` produces.
//!
//! kustomize hashes generated ConfigMaps and Secrets over `json.Marshal`
//! output, so the name suffix depends on these bytes: keys sorted by byte
//! order, `<`, `>`, `&`, U+2028 and U+2029 escaped, numbers printed as Go
//! prints them.

use crate::emit::EmitError;
use crate::node::{Node, Tag};
use crate::resolve::{self, Number};

/// Appends `s` as a JSON string literal.
pub fn write_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{0}'..='\u{1f}' => {
                let b = c as u32 as u8;
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Which Go value a node is printed as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// The node itself, as `json.Marshal` prints kyaml's node: numbers as
    /// written (integers stay integers).
    Node,
    /// The value Go has after decoding that JSON into `interface{}`: every
    /// number a `float64`, and a map keeps the last of repeated keys.
    Decoded,
}

/// Appends `node` as compact JSON, map keys in byte order.
pub fn write_node(out: &mut String, node: &Node) -> Result<(), EmitError> {
    write_form(out, node, Form::Node)
}

/// Appends `node` as compact JSON in the given [`Form`], map keys in byte
/// order.
pub fn write_form(out: &mut String, node: &Node, form: Form) -> Result<(), EmitError> {
    match node {
        Node::Scalar(s) => match s.tag {
            Tag::Null => out.push_str("null"),
            Tag::Bool => out.push_str(if s.value.eq_ignore_ascii_case("true") {
                "true"
            } else {
                "false"
            }),
            Tag::Str | Tag::Other => write_string(out, &s.value),
            Tag::Timestamp => write_string(
                out,
                &resolve::format_timestamp(&s.value).unwrap_or_else(|| s.value.to_string()),
            ),
            Tag::Int | Tag::Float => match (resolve::parse_number(&s.value), form) {
                (Some(Number::Int(i)), Form::Node) => out.push_str(&i.to_string()),
                (Some(Number::Uint(u)), Form::Node) => out.push_str(&u.to_string()),
                (Some(Number::Int(i)), Form::Decoded) => {
                    out.push_str(&resolve::format_json_float(i as f64));
                }
                (Some(Number::Uint(u)), Form::Decoded) => {
                    out.push_str(&resolve::format_json_float(u as f64));
                }
                (Some(Number::Float(f)), _) if f.is_finite() => {
                    out.push_str(&resolve::format_json_float(f));
                }
                (Some(Number::Float(_)), _) => {
                    return Err(EmitError::UnsupportedValue(s.value.to_string()));
                }
                (None, _) => write_string(out, &s.value),
            },
        },
        Node::Seq(seq) => {
            out.push('[');
            for (i, item) in seq.items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_form(out, item, form)?;
            }
            out.push(']');
        }
        Node::Map(map) => {
            let mut entries: Vec<_> = map.entries.iter().collect();
            entries.sort_by(|a, b| a.key.value.cmp(&b.key.value));
            if form == Form::Decoded {
                // A Go map keeps the last of repeated keys (the sort is
                // stable, so the last one written is last among equals).
                entries.dedup_by(|later, earlier| {
                    if later.key.value == earlier.key.value {
                        std::mem::swap(later, earlier);
                        true
                    } else {
                        false
                    }
                });
            }
            out.push('{');
            for (i, e) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, &e.key.value);
                out.push(':');
                write_form(out, &e.value, form)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// `node` as compact JSON.
pub fn to_string(node: &Node) -> Result<String, EmitError> {
    let mut out = String::new();
    write_node(&mut out, node)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_one;

    #[test]
    fn escapes_like_go() {
        let mut s = String::new();
        write_string(&mut s, "a<b>&\"\\\n\u{1}\u{2028}é");
        assert_eq!(s, r#""a\u003cb\u003e\u0026\"\\\n\u0001\u2028é""#);
    }

    #[test]
    fn the_decoded_form_has_float64_numbers_and_the_last_repeated_key() {
        let mut n = parse_one("b: 7\na: 0x10\nc: [1, 2.50]\n").unwrap();
        if let Node::Map(m) = &mut n {
            m.entries.push(crate::node::Entry {
                key: crate::node::Scalar::string("a"),
                value: Node::string("last"),
            });
        }
        let mut node = String::new();
        write_node(&mut node, &n).unwrap();
        assert_eq!(node, r#"{"a":16,"a":"last","b":7,"c":[1,2.5]}"#);
        let mut decoded = String::new();
        write_form(&mut decoded, &n, Form::Decoded).unwrap();
        assert_eq!(decoded, r#"{"a":"last","b":7,"c":[1,2.5]}"#);
        let inf = parse_one("x: .inf\n").unwrap();
        let err = write_form(&mut String::new(), &inf, Form::Decoded).unwrap_err();
        assert_eq!(err.to_string(), "json: unsupported value: .inf");
    }

    #[test]
    fn keys_sort_by_bytes_and_numbers_print_like_go() {
        let n = parse_one("b: 1.0\na10: x\na2: [1e21, 0.5, true, ~]\n").unwrap();
        assert_eq!(
            to_string(&n).unwrap(),
            r#"{"a10":"x","a2":[1e+21,0.5,true,null],"b":1}"#
        );
    }
}
