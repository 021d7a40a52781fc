//! Text for values an edit adds: exactly what kustomize writes for them
//! (yaml.v2 through `sigs.k8s.io/yaml`: keys sorted, strings quoted only
//! when YAML 1.1 would read them as another type, multi-line strings as
//! literal blocks), laid out like the file around them.

use crate::value::Value;
use rustomize_yaml::emit;
use rustomize_yaml::node::{Entry, Map, Node, Scalar, Seq, Style as YStyle, Tag};

/// How a file lays out block collections, so added text looks like the
/// rest of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Columns a nested mapping is indented by (kustomize: 2).
    pub map_indent: usize,
    /// Columns a sequence's `-` is indented under its key (kustomize: 0).
    pub seq_indent: usize,
    /// Whether blank lines separate the top-level fields.
    pub blank_between_top: bool,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            map_indent: 2,
            seq_indent: 0,
            blank_between_top: false,
        }
    }
}

/// The node the emitter prints for `v`.
pub fn to_node(v: &Value) -> Node {
    match v {
        Value::Null => Node::null(),
        Value::Bool(b) => Node::bool(*b),
        Value::Int(i) => Node::int(*i),
        Value::Float(f) => Node::Scalar(Scalar::new(
            rustomize_yaml::resolve::format_go_g(*f),
            Tag::Float,
            YStyle::Plain,
        )),
        Value::Str(s) => Node::string(s.clone()),
        Value::Seq(items) => Node::Seq(Seq::new(items.iter().map(to_node).collect())),
        Value::Map(entries) => {
            let mut map = Map::new();
            for (k, v) in entries {
                map.entries.push(Entry {
                    key: Scalar::string(k.clone()),
                    value: to_node(v),
                });
            }
            Node::Map(map)
        }
    }
}

/// A scalar as kustomize writes it at the start of a line; a literal
/// block comes back as its header and content lines indented by two.
pub fn scalar(v: &Value) -> String {
    let text = emit::to_string(&to_node(v)).unwrap_or_else(|_| match v {
        Value::Str(s) => double_quoted(s),
        _ => "null".into(),
    });
    text.strip_suffix('\n').unwrap_or(&text).to_string()
}

/// A key as kustomize writes it.
pub fn key(k: &str) -> String {
    let s = scalar(&Value::str(k));
    if s.contains('\n') {
        double_quoted(k)
    } else {
        s
    }
}

/// `s` in double quotes with JSON-style escapes (valid YAML).
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `s` in single quotes, when it fits on one line.
pub fn single_quoted(s: &str) -> Option<String> {
    (!s.contains(['\n', '\r'])
        && s.chars()
            .all(|c| c == '\t' || (c as u32) >= 0x20 && c != '\u{7f}'))
    .then(|| format!("'{}'", s.replace('\'', "''")))
}

/// Whether the canonical text of a string is the string itself (it can be
/// written unquoted in block context).
pub fn plain_ok(s: &str) -> bool {
    scalar(&Value::str(s)) == s
}

/// A value in flow style (`[a, b]`, `{k: v}`), for insertion into a flow
/// collection.
pub fn flow(v: &Value) -> String {
    match v {
        Value::Seq(items) => {
            let parts: Vec<String> = items.iter().map(flow).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Map(entries) => {
            let mut sorted: Vec<&(String, Value)> = entries.iter().collect();
            sorted.sort_by(|a, b| emit::compare_keys(&a.0, &b.0));
            let parts: Vec<String> = sorted
                .iter()
                .map(|(k, v)| format!("{}: {}", flow_scalar_str(k), flow(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Str(s) => flow_scalar_str(s),
        other => scalar(other),
    }
}

fn flow_scalar_str(s: &str) -> String {
    let c = scalar(&Value::str(s));
    if c.contains('\n') || s.contains([',', '[', ']', '{', '}']) {
        double_quoted(s)
    } else {
        c
    }
}

/// The lines of `v` as a block value whose content starts at column
/// `col`: for a mapping, its entries; for a sequence, its items; for a
/// scalar, one line (or a literal block's header and content lines,
/// indented under `col`). Lines carry their full indentation.
pub fn block_lines(v: &Value, col: usize, layout: &Layout) -> Vec<String> {
    let mut out = Vec::new();
    write_block(v, col, layout, &mut out);
    out
}

fn indent(n: usize) -> String {
    " ".repeat(n)
}

fn write_block(v: &Value, col: usize, layout: &Layout, out: &mut Vec<String>) {
    match v {
        Value::Map(entries) if !entries.is_empty() => {
            let mut sorted: Vec<&(String, Value)> = entries.iter().collect();
            sorted.sort_by(|a, b| emit::compare_keys(&a.0, &b.0));
            for (k, v) in sorted {
                entry_lines(k, v, col, layout, out);
            }
        }
        Value::Seq(items) if !items.is_empty() => {
            for item in items {
                item_lines(item, col, layout, out);
            }
        }
        other => {
            let text = scalar(other);
            for (i, line) in text.split('\n').enumerate() {
                if i == 0 {
                    out.push(format!("{}{line}", indent(col)));
                } else if line.is_empty() {
                    out.push(String::new());
                } else {
                    out.push(format!("{}{line}", indent(col)));
                }
            }
        }
    }
}

/// `key: value` at column `col`, with a block value below it.
pub fn entry_lines(k: &str, v: &Value, col: usize, layout: &Layout, out: &mut Vec<String>) {
    let head = format!("{}{}:", indent(col), key(k));
    match v {
        Value::Map(e) if !e.is_empty() => {
            out.push(head);
            write_block(v, col + layout.map_indent, layout, out);
        }
        Value::Seq(items) if !items.is_empty() => {
            out.push(head);
            write_block(v, col + layout.seq_indent, layout, out);
        }
        other => {
            let text = scalar(other);
            let mut lines = text.split('\n');
            let first = lines.next().unwrap_or_default();
            out.push(format!("{head} {first}"));
            for line in lines {
                out.push(if line.is_empty() {
                    String::new()
                } else {
                    format!("{}{line}", indent(col))
                });
            }
        }
    }
}

/// `- item` with its `-` at column `col`.
pub fn item_lines(v: &Value, col: usize, layout: &Layout, out: &mut Vec<String>) {
    let mut inner = Vec::new();
    match v {
        Value::Map(e) if !e.is_empty() => write_block(v, col + 2, layout, &mut inner),
        Value::Seq(items) if !items.is_empty() => write_block(v, col + 2, layout, &mut inner),
        other => {
            let text = scalar(other);
            for (i, line) in text.split('\n').enumerate() {
                inner.push(if i == 0 {
                    format!("{}{line}", indent(col + 2))
                } else if line.is_empty() {
                    String::new()
                } else {
                    format!("{}{line}", indent(col))
                });
            }
        }
    }
    for (i, line) in inner.into_iter().enumerate() {
        if i == 0 {
            out.push(format!(
                "{}- {}",
                indent(col),
                &line[(col + 2).min(line.len())..]
            ));
        } else {
            out.push(line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(entries: &[(&str, Value)]) -> Value {
        Value::Map(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn scalars_as_kustomize_writes_them() {
        assert_eq!(scalar(&Value::str("1.0")), "\"1.0\"");
        assert_eq!(scalar(&Value::str("yes")), "\"yes\"");
        assert_eq!(scalar(&Value::str("v1.2.3")), "v1.2.3");
        assert_eq!(scalar(&Value::Int(3)), "3");
        assert_eq!(scalar(&Value::str("a\nb")), "|-\n  a\n  b");
    }

    #[test]
    fn block_layouts() {
        let v = m(&[
            ("name", Value::str("app")),
            ("digest", Value::str("sha256:abc")),
        ]);
        let mut out = Vec::new();
        item_lines(&v, 0, &Layout::default(), &mut out);
        assert_eq!(out, ["- digest: sha256:abc", "  name: app"]);
        let mut out = Vec::new();
        let layout = Layout {
            seq_indent: 2,
            ..Layout::default()
        };
        entry_lines("images", &Value::Seq(vec![v]), 0, &layout, &mut out);
        assert_eq!(out, ["images:", "  - digest: sha256:abc", "    name: app"]);
        let mut out = Vec::new();
        item_lines(&Value::str("x\ny"), 2, &layout, &mut out);
        assert_eq!(out, ["  - |-", "    x", "    y"]);
    }

    #[test]
    fn flow_values() {
        let v = m(&[("b", Value::Int(1)), ("a", Value::str("x, y"))]);
        assert_eq!(flow(&v), "{a: \"x, y\", b: 1}");
    }
}
