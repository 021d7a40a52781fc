//! YAML read the way Go's `sigs.k8s.io/yaml` reads it into JSON types
//! (`YAMLToJSON`): YAML 1.1 scalars (`yes` is a boolean, `0777` octal), map
//! keys as strings; and helm values as kustomize reads them into a
//! `map[string]interface{}` (every number a float64). JSON 6902 patches,
//! the kustomization's inline helm values and the helm step use it.

use crate::error::Error;
use rustomize_yaml::resolve::{self, Number};
use rustomize_yaml::{Map, Node, Scalar, Style, Tag};

/// A number scalar from JSON number text.
pub(crate) fn number_node(text: String) -> Node {
    let tag = match resolve::resolve_plain(&text) {
        Tag::Int => Tag::Int,
        _ => Tag::Float,
    };
    Node::Scalar(Scalar::new(text, tag, Style::Plain))
}

/// Converts a YAML tree to JSON types the way `sigs.k8s.io/yaml` does: plain
/// scalars resolve by YAML 1.1 rules (yaml.v2), map keys become strings.
pub(crate) fn yaml_to_json(node: &Node) -> Result<Node, Error> {
    let mut out = json_of(node)?;
    // Positions are kept, for field provenance.
    out.set_pos(node.pos());
    Ok(out)
}

fn json_of(node: &Node) -> Result<Node, Error> {
    Ok(match node {
        Node::Scalar(s) => v2_scalar(s)?,
        Node::Seq(seq) => Node::seq(
            seq.items
                .iter()
                .map(yaml_to_json)
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Node::Map(map) => {
            let mut out = Map::new();
            for e in &map.entries {
                let key = match v2_scalar(&e.key)? {
                    Node::Scalar(k) if k.tag == Tag::Null => {
                        return Err(Error::patch(
                            "error converting YAML to JSON: unsupported map key of type: <nil>",
                        ));
                    }
                    Node::Scalar(k) => k.value.into_string(),
                    _ => String::new(),
                };
                let value = yaml_to_json(&e.value)?;
                // Later keys win, as they do in a Go map.
                match out.entries.iter_mut().find(|o| o.key.value == key) {
                    Some(o) => o.value = value,
                    None => {
                        let mut k = Scalar::string(key);
                        k.set_pos(e.key.pos());
                        out.entries.push(rustomize_yaml::Entry { key: k, value });
                    }
                }
            }
            Node::Map(out)
        }
    })
}

/// One scalar as yaml.v2 reads it into an `interface{}`, in JSON form.
fn v2_scalar(s: &Scalar) -> Result<Node, Error> {
    let text = s.value.as_str();
    let explicit_str =
        s.tag == Tag::Str && (s.style != Style::Plain || resolve::resolve_plain(text) != Tag::Str);
    if explicit_str {
        return Ok(Node::string(text));
    }
    if s.style != Style::Plain {
        // A quoted scalar with an explicit non-string tag: keep its type.
        return Ok(Node::Scalar(Scalar {
            line: 0,
            style: Style::Plain,
            ..s.clone()
        }));
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Node::null()),
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Ok(Node::bool(true));
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Ok(Node::bool(false));
        }
        _ => {}
    }
    if resolve::v2_plain_is_string(text) || resolve::is_timestamp(text) {
        return Ok(Node::string(text));
    }
    match resolve::parse_number(text) {
        Some(Number::Float(f)) if !f.is_finite() => Err(Error::patch(format!(
            "error converting YAML to JSON: json: unsupported value: {}",
            go_float_name(f)
        ))),
        Some(Number::Int(i)) => Ok(Node::int(i)),
        Some(Number::Uint(u)) => Ok(number_node(u.to_string())),
        Some(Number::Float(f)) => Ok(number_node(resolve::format_json_float(f))),
        // Sexagesimal-looking text: a string to yaml.v2's decoder.
        None => Ok(Node::string(text)),
    }
}

/// Go's name for a float that JSON cannot hold.
pub(crate) fn go_float_name(f: f64) -> &'static str {
    if f.is_nan() {
        "NaN"
    } else if f > 0.0 {
        "+Inf"
    } else {
        "-Inf"
    }
}

/// Reads `valuesInline` as written in a kustomization file the way
/// kustomize does (`sigs.k8s.io/yaml`, then `map[string]interface{}`):
/// YAML 1.1 types (`yes` is a boolean, `0777` octal, a key `y` becomes
/// `"true"`) and every number a float64. `None` when absent or null.
// Err: Go's decoding message, prefixed with the field by the caller.
pub(crate) fn inline_values(written: Option<&Node>) -> Result<Option<Node>, String> {
    let Some(written) = written.filter(|n| !n.is_null()) else {
        return Ok(None);
    };
    let mut json = yaml_to_json(written).map_err(|e| e.to_string())?;
    if !matches!(json, Node::Map(_)) {
        return Err(not_a_map(&json));
    }
    floats(&mut json);
    Ok(Some(json))
}

/// Reads `valuesInline` from a plugin config object (already typed as
/// yaml.v3 reads it): every number becomes a float64. `None` when absent
/// or null.
// Err: Go's decoding message; the helm step wraps it in Error::Plugin.
pub(crate) fn config_values(node: Option<&Node>) -> Result<Option<Node>, String> {
    let Some(node) = node.filter(|n| !n.is_null()) else {
        return Ok(None);
    };
    if !matches!(node, Node::Map(_)) {
        return Err(not_a_map(node));
    }
    let mut json = node.clone();
    floats(&mut json);
    Ok(Some(json))
}

pub(crate) fn not_a_map(n: &Node) -> String {
    format!(
        "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
        match n {
            Node::Seq(_) => "array",
            Node::Scalar(s) if s.tag == Tag::Str => "string",
            Node::Scalar(s) if s.tag == Tag::Bool => "bool",
            _ => "number",
        }
    )
}

/// Gives every number the text Go's JSON encoder prints for it as a
/// float64 (`1.50` is `1.5`, `1e3` is `1000`).
fn floats(node: &mut Node) {
    match node {
        Node::Scalar(s) if matches!(s.tag, Tag::Int | Tag::Float) => {
            let f = match resolve::parse_number(&s.value) {
                Some(Number::Int(i)) => i as f64,
                Some(Number::Uint(u)) => u as f64,
                Some(Number::Float(f)) => f,
                None => return,
            };
            if !f.is_finite() {
                return;
            }
            let text = resolve::format_json_float(f);
            s.tag = if text.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                Tag::Int
            } else {
                Tag::Float
            };
            s.value = text.into();
            s.style = Style::Plain;
        }
        Node::Scalar(_) => {}
        Node::Seq(seq) => seq.items.iter_mut().for_each(floats),
        Node::Map(m) => m.entries.iter_mut().for_each(|e| floats(&mut e.value)),
    }
}
