//! Values as reports print them: one-line YAML flow, and JSON.

use rustomize_yaml::{Node, Tag};

/// A value on one line, as YAML flow: `ghcr.io/app:v1`, `"1"` (a string
/// that would read as a number is quoted), `{name: A, value: "1"}`,
/// `[a, b]`. Mapping keys are sorted.
pub fn flow(n: &Node) -> String {
    let mut out = String::new();
    write_flow(n, &mut out);
    out
}

fn write_flow(n: &Node, out: &mut String) {
    match n {
        Node::Scalar(s) => match s.tag {
            Tag::Null => out.push_str("null"),
            Tag::Str if !is_plain_safe(&s.value) => {
                out.push_str(&serde_json::Value::from(s.value.as_str()).to_string())
            }
            _ => out.push_str(&s.value),
        },
        Node::Seq(s) => {
            out.push('[');
            for (i, item) in s.items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_flow(item, out);
            }
            out.push(']');
        }
        Node::Map(m) => {
            let mut entries: Vec<_> = m.entries.iter().collect();
            entries.sort_by(|a, b| a.key.value.cmp(&b.key.value));
            out.push('{');
            for (i, e) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if is_plain_safe(&e.key.value) {
                    out.push_str(&e.key.value);
                } else {
                    out.push_str(&serde_json::Value::from(e.key.value.as_str()).to_string());
                }
                out.push_str(": ");
                write_flow(&e.value, out);
            }
            out.push('}');
        }
    }
}

/// Whether a string can be written unquoted in a flow and still read back
/// as the same string.
fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if rustomize_yaml::resolve::resolve_plain(s) != Tag::Str
        || s.trim() != s
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
    {
        return false;
    }
    if "?:,[]{}#&*!|>'\"%@`".contains(first) || (first == '-' && s[1..].starts_with(' ')) {
        return false;
    }
    s.chars()
        .all(|c| !c.is_control() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
}

/// A node as a JSON value: integers, floats and booleans as JSON numbers
/// and booleans when they parse, null as null, everything else a string.
pub fn to_json(n: &Node) -> serde_json::Value {
    use serde_json::Value;
    match n {
        Node::Scalar(s) => match s.tag {
            Tag::Null => Value::Null,
            Tag::Bool => Value::Bool(s.value.eq_ignore_ascii_case("true")),
            Tag::Int => match s.value.parse::<i64>() {
                Ok(i) => Value::from(i),
                Err(_) => Value::from(s.value.as_str()),
            },
            Tag::Float => match s.value.parse::<f64>() {
                Ok(f) if f.is_finite() => Value::from(f),
                _ => Value::from(s.value.as_str()),
            },
            Tag::Str | Tag::Timestamp | Tag::Other => Value::from(s.value.as_str()),
        },
        Node::Seq(s) => Value::Array(s.items.iter().map(to_json).collect()),
        Node::Map(m) => Value::Object(
            m.entries
                .iter()
                .map(|e| (e.key.value.to_string(), to_json(&e.value)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_quotes_what_would_read_otherwise() {
        let cases = [
            ("v: abc", "abc"),
            ("v: 'true'", "\"true\""),
            ("v: '1'", "\"1\""),
            ("v: 1", "1"),
            ("v: ''", "\"\""),
            ("v: ~", "null"),
            ("v: 'a: b'", "\"a: b\""),
            ("v: 'a,b'", "\"a,b\""),
            ("v: --x", "--x"),
            ("v: \"- x\"", "\"- x\""),
            ("v: \"two\\nlines\"", "\"two\\nlines\""),
            ("v: http://x:80/y", "http://x:80/y"),
            ("v: {b: 1, a: [x, 'y z']}", "{a: [x, y z], b: 1}"),
        ];
        let mut failed = Vec::new();
        for (text, want) in cases {
            let node = rustomize_yaml::parse_one(text).unwrap();
            let got = flow(node.get("v").unwrap());
            if got != want {
                failed.push(format!("{text}: got {got}, want {want}"));
            }
        }
        assert!(failed.is_empty(), "{failed:#?}");
    }
}
