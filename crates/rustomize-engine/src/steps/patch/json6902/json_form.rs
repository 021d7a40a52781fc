//! The JSON form of patch text and of the patched object.
//!
//! kustomize reads operations written as YAML through `sigs.k8s.io/yaml`
//! (YAML 1.1 types: `yes`, `on`, `y` are booleans, `0777` is octal, map
//! keys become strings), and it patches the object as JSON, reading the
//! result back: afterwards every number is a float64 as yaml.v3 prints it,
//! timestamps are strings.
//!
//! Errors: the round trip returns `Result<_, String>` with Go's JSON text,
//! which the transformer wraps in a patch error.

use super::DecodeError;
use crate::model::go_yaml::{go_float_name, number_node, yaml_to_json};
use rustomize_yaml::resolve::{self, Number};
use rustomize_yaml::{Entry, Map, Node, Scalar, Style, Tag};

/// Converts patch text to its JSON form: parsed as JSON when it starts with
/// `[`, else as YAML with YAML 1.1 types (`sigs.k8s.io/yaml.YAMLToJSON`).
pub(crate) fn text_to_json(text: &str) -> Result<Node, DecodeError> {
    if text.starts_with('[') {
        return text_to_json_parsed(text, None);
    }
    text_to_json_parsed(text, Some(&rustomize_yaml::parse_documents(text)))
}

/// [`text_to_json`] with the YAML documents of `text` already parsed
/// (needed only when the text does not start with `[`).
pub(crate) fn text_to_json_parsed(
    text: &str,
    parsed: Option<&Result<Vec<Node>, rustomize_yaml::ParseError>>,
) -> Result<Node, DecodeError> {
    if text.starts_with('[') {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| DecodeError::Shape {
                json: text.to_string(),
                message: e.to_string(),
            })?;
        return Ok(from_serde(&value));
    }
    let owned;
    let parsed = match parsed {
        Some(p) => p,
        None => {
            owned = rustomize_yaml::parse_documents(text);
            &owned
        }
    };
    let docs = parsed.as_ref().map_err(|e| {
        DecodeError::Syntax(format!(
            "error converting YAML to JSON: yaml: line {}: {}",
            e.line, e.message
        ))
    })?;
    match docs.first() {
        Some(doc) => yaml_to_json(doc).map_err(|e| DecodeError::Syntax(e.to_string())),
        None => Ok(Node::null()),
    }
}

/// The JSON text kustomize shows for a patch: the text itself when it was
/// JSON, else the converted YAML.
pub(super) fn json_text(text: &str, json: &Node) -> String {
    if text.starts_with('[') {
        text.to_string()
    } else {
        rustomize_yaml::json::to_string(json).unwrap_or_default()
    }
}

fn from_serde(v: &serde_json::Value) -> Node {
    use serde_json::Value;
    match v {
        Value::Null => Node::null(),
        Value::Bool(b) => Node::bool(*b),
        Value::Number(n) => number_node(n.to_string()),
        Value::String(s) => Node::string(s.clone()),
        Value::Array(items) => Node::seq(items.iter().map(from_serde).collect()),
        Value::Object(obj) => {
            let mut m = Map::new();
            for (k, v) in obj {
                m.entries.push(Entry {
                    key: Scalar::string(k.clone()),
                    value: from_serde(v),
                });
            }
            Node::Map(m)
        }
    }
}

/// The JSON type name Go's decoder uses in its errors.
pub(super) fn json_type(n: &Node) -> &'static str {
    match n {
        Node::Map(_) => "object",
        Node::Seq(_) => "array",
        Node::Scalar(s) => match s.tag {
            Tag::Null => "null",
            Tag::Bool => "bool",
            Tag::Int | Tag::Float => "number",
            Tag::Str | Tag::Timestamp | Tag::Other => "string",
        },
    }
}

/// Gives `doc` the types it has after kustomize's trip through JSON and
/// back: numbers become float64 printed by yaml.v3 (`3`, `1.5`, `1e+06`),
/// booleans and nulls their canonical text, timestamps RFC 3339 strings.
/// The top level must be an object.
pub(super) fn json_round_trip(doc: &mut Node) -> Result<(), String> {
    normalize(doc)?;
    if doc.is_null() {
        *doc = Node::map();
    }
    match doc {
        Node::Map(_) => Ok(()),
        other => Err(format!(
            "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_type(other)
        )),
    }
}

fn normalize(node: &mut Node) -> Result<(), String> {
    match node {
        Node::Map(m) => m
            .entries
            .iter_mut()
            .try_for_each(|e| normalize(&mut e.value)),
        Node::Seq(s) => s.items.iter_mut().try_for_each(normalize),
        Node::Scalar(s) => normalize_scalar(s),
    }
}

fn normalize_scalar(s: &mut Scalar) -> Result<(), String> {
    match s.tag {
        Tag::Str | Tag::Other => {}
        Tag::Null => {
            if s.value != "null" {
                s.value = "null".into();
            }
        }
        Tag::Bool => {
            let canonical = if s.value.eq_ignore_ascii_case("true") {
                "true"
            } else {
                "false"
            };
            if s.value != canonical {
                s.value = canonical.into();
            }
        }
        Tag::Timestamp => {
            if let Some(t) = resolve::format_timestamp(&s.value) {
                s.value = t.into();
            }
            s.tag = Tag::Str;
        }
        Tag::Int | Tag::Float => {
            let f = match resolve::parse_number(&s.value) {
                Some(Number::Int(i)) => i as f64,
                Some(Number::Uint(u)) => u as f64,
                Some(Number::Float(f)) => f,
                None => return Ok(()),
            };
            if !f.is_finite() {
                return Err(format!("json: unsupported value: {}", go_float_name(f)));
            }
            let text = resolve::format_go_g(f);
            if text != s.value {
                s.tag = match resolve::resolve_plain(&text) {
                    Tag::Int => Tag::Int,
                    _ => Tag::Float,
                };
                s.value = text.into();
            }
        }
    }
    s.style = Style::Plain;
    Ok(())
}
