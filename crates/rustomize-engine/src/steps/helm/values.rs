//! The values file kustomize writes for `helm template`: inline values
//! read with YAML 1.1 types, merged with the chart's values file by kyaml's
//! `merge2` walker, printed through a JSON round trip.
//!
//! The merge, as `merge2` does it for values (no schema, no associative
//! lists):
//!
//! - maps merge key by key; a `null` (or empty) value on the winning side
//!   removes the field; a map there may carry `$patch: delete`, `replace`
//!   or `merge`;
//! - lists and scalars on the winning side replace the other side's;
//! - every map of the losing side is walked too, where the winning side
//!   says nothing: a field written with no value (`key:`) disappears, one
//!   written `null` or `~` stays;
//! - a map against a list (or a scalar) is kyaml's "wrong node kind" error.
//!
//! `override` (the default) lets the inline values win, `merge` the file's.
//!
//! Errors: these functions return `Result<_, String>` with the text of
//! kyaml's `merge2` and Go's JSON decoder, which kustomize prints; the helm
//! step wraps it in [`Error::Plugin`](crate::error::Error::Plugin).

use crate::model::go_yaml::not_a_map;
use rustomize_yaml::{Map, Node};

/// How inline values combine with the values file (`valuesMerge`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ValuesMerge {
    /// Inline values win (the default).
    Override,
    /// The file's values win.
    Merge,
    /// Only the inline values are used; the file is not read.
    Replace,
}

impl ValuesMerge {
    /// Parses `valuesMerge`; empty means `override`.
    pub(crate) fn parse(s: &str) -> Result<ValuesMerge, String> {
        match s {
            "" | "override" => Ok(ValuesMerge::Override),
            "merge" => Ok(ValuesMerge::Merge),
            "replace" => Ok(ValuesMerge::Replace),
            _ => Err("valuesMerge must be one of [merge override replace]".into()),
        }
    }
}

/// Merges the chart's values (`file`, as yaml.v3 read it) with the inline
/// values as `valuesMerge` says (`Replace` returns the inline values).
pub(crate) fn merge(file: &Node, inline: &Node, how: ValuesMerge) -> Result<Node, String> {
    let merged = match how {
        ValuesMerge::Override => walk(Some(file), Some(inline))?,
        ValuesMerge::Merge => walk(Some(inline), Some(file))?,
        ValuesMerge::Replace => return Ok(inline.clone()),
    };
    match merged {
        Some(m @ Node::Map(_)) => Ok(m),
        Some(n) if !n.is_null() => Err(format!(
            "could not parse merged values into map: {}",
            not_a_map(&n)
        )),
        _ => Ok(Node::map()),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Map,
    Seq,
    Scalar,
}

fn kind(n: &Node) -> Kind {
    match n {
        Node::Map(_) => Kind::Map,
        Node::Seq(_) => Kind::Seq,
        Node::Scalar(_) => Kind::Scalar,
    }
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Map => "MappingNode",
        Kind::Seq => "SequenceNode",
        Kind::Scalar => "ScalarNode",
    }
}

/// One step of `merge2`: `dest` is the losing side, `src` the winning one.
/// `None` means the field is cleared.
fn walk(dest: Option<&Node>, src: Option<&Node>) -> Result<Option<Node>, String> {
    let expected = dest
        .filter(|n| !n.is_null())
        .or(src.filter(|n| !n.is_null()))
        .map(kind);
    if let Some(want) = expected {
        for n in [dest, src].into_iter().flatten() {
            if !n.is_null() && kind(n) != want {
                return Err(format!(
                    "wrong node kind: expected {} but got {}: node contents:\n{}",
                    kind_name(want),
                    kind_name(kind(n)),
                    rustomize_yaml::emit::to_string(n).unwrap_or_default()
                ));
            }
        }
    }
    match expected {
        None | Some(Kind::Map) => walk_map(dest, src),
        Some(Kind::Seq | Kind::Scalar) => Ok(match src {
            Some(s) if s.is_null() => None,
            Some(s) => Some(s.clone()),
            None => dest.cloned(),
        }),
    }
}

#[derive(PartialEq, Eq)]
enum Directive {
    Merge,
    Replace,
    Delete,
}

/// Takes `$patch` out of a map and says what it asked for.
fn take_directive(map: &mut Map) -> Result<Directive, String> {
    let Some(v) = map.get("$patch") else {
        return Ok(Directive::Merge);
    };
    let d = match v.as_str().unwrap_or("") {
        "merge" => Directive::Merge,
        "replace" => Directive::Replace,
        "delete" => Directive::Delete,
        other => return Err(format!("unknown patch strategy '{other}'")),
    };
    map.remove("$patch");
    Ok(d)
}

fn walk_map(dest: Option<&Node>, src: Option<&Node>) -> Result<Option<Node>, String> {
    let mut src_map = match src {
        Some(Node::Map(m)) => Some(m.clone()),
        _ => None,
    };
    let directive = match src_map.as_mut() {
        Some(m) => take_directive(m)?,
        None => Directive::Merge,
    };
    let dest_map = match dest {
        Some(Node::Map(m)) => m,
        // Nothing (or null) to merge into: the winning side as it is,
        // walked so that its nulls drop out.
        _ => {
            if directive == Directive::Delete {
                return Ok(None);
            }
            let Some(src_map) = src_map else {
                // A null kept from the losing side when written as `null`
                // or `~`; `key:` disappears, and so does any null that wins.
                return Ok(match (src, dest) {
                    (None, Some(Node::Scalar(s))) if !s.value.is_empty() => {
                        Some(Node::Scalar(s.clone()))
                    }
                    _ => None,
                });
            };
            return walk_fields(&Map::new(), &src_map).map(|m| Some(Node::Map(m)));
        }
    };
    if src.is_some_and(Node::is_null) {
        return Ok(None);
    }
    match directive {
        Directive::Delete => Ok(None),
        Directive::Replace => {
            let src_map = src_map.unwrap_or_default();
            walk_fields(&Map::new(), &src_map).map(|m| Some(Node::Map(m)))
        }
        Directive::Merge => {
            let empty = Map::new();
            walk_fields(dest_map, src_map.as_ref().unwrap_or(&empty)).map(|m| Some(Node::Map(m)))
        }
    }
}

/// Merges two maps field by field, in the losing side's key order with
/// new keys after.
fn walk_fields(dest: &Map, src: &Map) -> Result<Map, String> {
    let mut out = Map::new();
    for e in &dest.entries {
        if let Some(v) = walk(Some(&e.value), src.get(&e.key.value))? {
            out.entries.push(rustomize_yaml::Entry {
                key: e.key.clone(),
                value: v,
            });
        }
    }
    for e in &src.entries {
        if dest.contains_key(&e.key.value) {
            continue;
        }
        if let Some(v) = walk(None, Some(&e.value))? {
            out.entries.push(rustomize_yaml::Entry {
                key: e.key.clone(),
                value: v,
            });
        }
    }
    Ok(out)
}

/// The values file text: the values printed as kustomize prints them
/// (`yaml.Marshal` of a Go map: sorted keys, JSON types).
pub(crate) fn to_yaml(values: &Node) -> Result<String, String> {
    if let Node::Map(m) = values
        && m.is_empty()
    {
        return Ok("{}\n".into());
    }
    rustomize_yaml::emit::to_string(values).map_err(|e| e.to_string())
}
