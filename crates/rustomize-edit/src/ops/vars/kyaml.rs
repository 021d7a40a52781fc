//! How kustomize's conversion sees a resource file: kyaml's nodes and
//! field lookups (quirks included), field paths, field options, and Go's
//! `path.Join`.

use crate::value::Value;
use rustomize_yaml::node::{Node as YNode, Style as YStyle};

/// The nodes kio reads from a file's documents: every non-empty document,
/// the items of a `List` in its place.
pub(super) fn resource_nodes(docs: Vec<YNode>) -> Vec<YNode> {
    let mut out = Vec::new();
    for d in docs {
        if matches!(&d, YNode::Scalar(s) if s.is_null()) {
            continue;
        }
        if top(&d, "kind") == "List"
            && let YNode::Map(m) = &d
            && let Some(e) = m.entries.iter().find(|e| e.key.value == "items")
        {
            if let YNode::Seq(items) = &e.value {
                out.extend(items.items.iter().cloned());
            }
            continue;
        }
        out.push(d);
    }
    out
}

fn map_get<'n>(n: &'n YNode, key: &str) -> Option<&'n YNode> {
    match n {
        YNode::Map(m) => m
            .entries
            .iter()
            .rev()
            .find(|e| e.key.value == key)
            .map(|e| &e.value),
        _ => None,
    }
}

fn scalar_text(n: Option<&YNode>) -> String {
    match n {
        Some(YNode::Scalar(s)) if !s.is_null() => s.value.to_string(),
        _ => String::new(),
    }
}

/// A top-level string field of a resource (`kind`, `apiVersion`).
pub(super) fn top(doc: &YNode, key: &str) -> String {
    scalar_text(map_get(doc, key))
}

/// What kyaml's field lookups (`GetKind`, `GetName`...) find under `key`
/// in `n`: the first entry of a mapping; in a sequence, whose items kyaml
/// walks as if they were key, value, key... pairs, the item after a scalar
/// item `key`. kustomize v5.5 crashes (an index out of range) on a
/// sequence of odd length; that is an error here.
fn kyaml_get<'n>(n: &'n YNode, key: &str) -> Result<Option<&'n YNode>, String> {
    match n {
        YNode::Map(m) => Ok(m
            .entries
            .iter()
            .find(|e| e.key.value == key)
            .map(|e| &e.value)),
        YNode::Seq(s) if s.items.len() % 2 == 1 => Err(format!(
            "cannot convert a var in a document that is not a mapping (kustomize v5.5 crashes on it), looking for '{key}'"
        )),
        YNode::Seq(s) => Ok(s.items.chunks(2).find_map(|pair| match &pair[0] {
            YNode::Scalar(k) if k.value == key => Some(&pair[1]),
            _ => None,
        })),
        YNode::Scalar(_) => Ok(None),
    }
}

/// A scalar's text as kyaml's `Value` has it ("" for a collection).
fn node_text(n: Option<&YNode>) -> String {
    match n {
        Some(YNode::Scalar(s)) => s.value.to_string(),
        _ => String::new(),
    }
}

/// `GetKind`: the `kind` field's text.
pub(super) fn kyaml_text(doc: &YNode, key: &str) -> Result<String, String> {
    Ok(node_text(kyaml_get(doc, key)?))
}

/// `GetName`, `GetNamespace`: a `metadata` field's text (the first
/// `metadata` that is not empty).
pub(super) fn meta(doc: &YNode, key: &str) -> Result<String, String> {
    let metadata = kyaml_get(doc, "metadata")?.filter(|m| match m {
        YNode::Scalar(s) => !s.is_null() && !s.value.is_empty(),
        YNode::Seq(s) => !s.items.is_empty(),
        YNode::Map(m) => !m.entries.is_empty(),
    });
    match metadata {
        Some(m) => Ok(node_text(kyaml_get(m, key)?)),
        None => Ok(String::new()),
    }
}

/// A mapping key as kyaml prints it in a field path (`MustString`,
/// trimmed), in brackets when it holds a dot.
fn path_key(k: &rustomize_yaml::node::Scalar) -> String {
    let printed = match k.style {
        YStyle::SingleQuoted => format!("'{}'", k.value.replace('\'', "''")),
        YStyle::DoubleQuoted => {
            let mut s = String::new();
            rustomize_yaml::json::write_string(&mut s, &k.value);
            s
        }
        _ => k.value.to_string(),
    };
    let printed = printed.trim().to_string();
    if printed.contains('.') {
        format!("[{printed}]")
    } else {
        printed
    }
}

/// kustomize's `findVarName`: the field paths (and field options) of the
/// scalars under `n` that mention `var`.
pub(super) fn find_var(
    n: &YNode,
    var: &str,
    path: &mut Vec<String>,
    out: &mut Vec<(String, Option<Value>)>,
) -> Result<(), String> {
    match n {
        YNode::Seq(s) => {
            for (i, item) in s.items.iter().enumerate() {
                path.push(i.to_string());
                let r = find_var(item, var, path, out);
                path.pop();
                r?;
            }
        }
        YNode::Map(m) => {
            for e in &m.entries {
                path.push(path_key(&e.key));
                let r = find_var(&e.value, var, path, out);
                path.pop();
                r?;
            }
        }
        YNode::Scalar(s) => {
            if s.value.contains(var) {
                out.push((path.join("."), field_options(&s.value, var)?));
            }
        }
    }
    Ok(())
}

/// Go's `string(b)` of one byte: the character U+00XX.
fn byte_char(b: u8) -> String {
    char::from(b).to_string()
}

/// kustomize's `constructFieldOptions`: how `var` sits in `value` (a
/// delimiter and the index of the part it is), `None` when it is the whole
/// value.
fn field_options(value: &str, var: &str) -> Result<Option<Value>, String> {
    if value == var {
        return Ok(None);
    }
    let b = value.as_bytes();
    let i = value.find(var).unwrap_or_default();
    let end = i + var.len();
    let (delimiter, index) = if i == 0 {
        (byte_char(b[end]), 0)
    } else if end >= b.len() {
        let d = byte_char(b[i - 1]);
        let n = value.split(d.as_str()).count();
        (d, n - 1)
    } else {
        let (pre, post) = (b[i - 1], b[end]);
        if pre != post {
            return Err(format!(
                "cannot convert all vars to replacements; {var} is not delimited"
            ));
        }
        let d = byte_char(pre);
        let Some(index) = value.split(d.as_str()).position(|p| p == var) else {
            return Err(format!("internal error: could not get index of var {var}"));
        };
        (d, index)
    };
    let mut options = vec![("delimiter".to_string(), Value::Str(delimiter))];
    if index != 0 {
        options.push(("index".to_string(), Value::Int(index as i64)));
    }
    Ok(Some(Value::Map(options)))
}

/// Go's `path.Join`: the non-empty elements joined with `/`, cleaned.
pub fn go_join(parts: &[&str]) -> String {
    let joined = parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("/");
    if joined.is_empty() {
        return String::new();
    }
    go_clean(&joined)
}

/// Go's `path.Clean`.
fn go_clean(p: &str) -> String {
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_string(),
        (false, false) => body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_options_as_kustomize_computes_them() {
        let v = "$(V)";
        let opts = |value: &str| field_options(value, v);
        let d = |d: &str, i: i64| {
            let mut o = vec![("delimiter".to_string(), Value::str(d))];
            if i != 0 {
                o.push(("index".to_string(), Value::Int(i)));
            }
            Ok(Some(Value::Map(o)))
        };
        let mut failures = Vec::new();
        for (value, want) in [
            ("$(V)", Ok(None)),
            ("$(V)/path", d("/", 0)),
            ("path/$(V)", d("/", 1)),
            ("my/path/$(V)/secret/path", d("/", 2)),
            ("a-b-$(V)", d("-", 2)),
            ("--x=$(V)", d("=", 1)),
            (
                "var$(V)/path",
                Err("cannot convert all vars to replacements; $(V) is not delimited".to_string()),
            ),
            (
                "a.$(V)x.b",
                Err("cannot convert all vars to replacements; $(V) is not delimited".to_string()),
            ),
        ] {
            let got = opts(value);
            if got != want {
                failures.push(format!("{value}: got {got:?}, want {want:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn go_path_join() {
        let mut failures = Vec::new();
        for (parts, want) in [
            (&["", "pod.yaml"][..], "pod.yaml"),
            (&["base", "./d.yaml"], "base/d.yaml"),
            (&["base", "../common"], "common"),
            (&["", "../x/../y"], "../y"),
            (&["", "https://github.com/a/b"], "https:/github.com/a/b"),
            (&["", ""], ""),
            (&["/abs", "../.."], "/"),
        ] {
            let got = go_join(parts);
            if got != want {
                failures.push(format!("{parts:?}: got {got:?}, want {want:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
