//! kustomize's handling of a resource's identity around a strategic
//! merge: the patch copy it makes for each selected target, and the kind,
//! name and namespace it puts back afterwards.

use super::{Kind, Outcome, merge, new_scalar, value_text, wrong_kind};
use crate::error::Error;
use crate::openapi::Schema;
use rustomize_yaml::{Entry, Map, Node, Scalar, Style, Tag};

/// Which of the target's identity a patch may change (the `allowNameChange`
/// and `allowKindChange` options of a `patches` entry).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IdentityChanges {
    /// The patch may rename the target.
    pub allow_name_change: bool,
    /// The patch may change the target's kind.
    pub allow_kind_change: bool,
}

/// Applies a strategic merge patch to a resource as kustomize's
/// `Resource.ApplySmPatch` does: [`merge`], then, unless the object was
/// deleted or is left empty, the target's kind and name are put back
/// (unless `changes` allows them to change) and so is its namespace (a
/// namespace the target did not have is removed).
///
/// Recording the previous id when a change is allowed is the caller's job.
pub fn merge_resource(
    target: &mut Node,
    patch: &Node,
    schema: &Schema,
    changes: IdentityChanges,
) -> Result<Outcome, Error> {
    let name = meta_text(target, "name");
    let namespace = meta_text(target, "namespace");
    let kind = target
        .get("kind")
        .map(value_text)
        .unwrap_or_default()
        .to_string();
    if merge(target, patch, schema)? == Outcome::Deleted {
        return Ok(Outcome::Deleted);
    }
    let Node::Map(object) = target else {
        return Ok(Outcome::Merged);
    };
    if object.is_empty() {
        return Ok(Outcome::Merged);
    }
    if !changes.allow_kind_change {
        set_field(object, "kind", &kind);
    }
    if !changes.allow_name_change {
        set_field(metadata_map(object)?, "name", &name);
    }
    if namespace.is_empty() {
        if let Some(Node::Map(metadata)) = object.get_mut("metadata") {
            metadata.remove("namespace");
        }
    } else {
        set_field(metadata_map(object)?, "namespace", &namespace);
    }
    Ok(Outcome::Merged)
}

/// The copy of a patch kustomize merges into one of the resources a
/// `patches` entry's `target` selects (`resWrangler.ApplySmPatch`): the
/// patch's labels and annotations rewritten as sorted maps of strings (the
/// text of each value, so `app:` becomes `app: ""`; empty maps dropped),
/// its name and namespace set again (an empty namespace removed), and its
/// apiVersion set to the target's.
///
/// Patches found by their own id (no `target`) are merged as loaded.
pub fn patch_for_target(patch: &Node, target: &Node) -> Result<Node, Error> {
    let mut copy = patch.clone();
    let Node::Map(object) = &mut copy else {
        return Ok(copy);
    };
    let name = meta_text(patch, "name");
    let namespace = meta_text(patch, "namespace");
    {
        let metadata = metadata_map(object)?;
        for field in ["labels", "annotations"] {
            let mut pairs: Vec<(String, String)> = match metadata.get(field) {
                Some(Node::Map(m)) => m
                    .entries
                    .iter()
                    .map(|e| (e.key.value.clone(), value_text(&e.value).to_string()))
                    .collect(),
                _ => Vec::new(),
            };
            metadata.remove(field);
            if pairs.is_empty() {
                continue;
            }
            pairs.sort();
            pairs.dedup_by(|a, b| a.0 == b.0);
            let mut map = Map::new();
            for (k, v) in pairs {
                map.entries.push(Entry {
                    key: Scalar::string(k),
                    value: Node::Scalar(string_scalar(v)),
                });
            }
            metadata.insert(field, Node::Map(map));
        }
        set_field(metadata, "name", &name);
        if namespace.is_empty() {
            metadata.remove("namespace");
        } else {
            set_field(metadata, "namespace", &namespace);
        }
    }
    let api_version = target
        .get("apiVersion")
        .map(value_text)
        .unwrap_or_default()
        .to_string();
    set_field(object, "apiVersion", &api_version);
    Ok(copy)
}

/// A string scalar as yaml.v3's `SetString` and kyaml's field setter make
/// it: multi-line text as a literal block, text YAML 1.1 would read as
/// another type double-quoted.
fn string_scalar(value: String) -> Scalar {
    let style = if value.contains('\n') {
        Style::Literal
    } else if !value.is_empty() && !rustomize_yaml::resolve::v2_plain_is_string(&value) {
        Style::DoubleQuoted
    } else {
        Style::Plain
    };
    Scalar {
        value,
        tag: Tag::Str,
        style,
        line: 0,
    }
}

/// The object's `metadata` map, made when it is missing or null (kyaml's
/// `LookupCreate`).
fn metadata_map(object: &mut Map) -> Result<&mut Map, Error> {
    let metadata = object.get_or_insert_with("metadata", Node::map);
    if metadata.is_null() {
        *metadata = Node::map();
    }
    match metadata {
        Node::Map(m) => Ok(m),
        other => Err(wrong_kind(Kind::Map, other)),
    }
}

/// Whether kyaml counts a value as absent (`IsYNodeNilOrEmpty`): null, or
/// an empty map or list.
fn nil_or_empty(node: &Node) -> bool {
    match node {
        Node::Scalar(s) => s.is_null(),
        Node::Map(m) => m.is_empty(),
        Node::Seq(s) => s.items.is_empty(),
    }
}

/// A metadata field's text as kyaml's `GetName`/`GetNamespace` read it
/// (empty when it or `metadata` is absent).
fn meta_text(object: &Node, field: &str) -> String {
    object
        .get("metadata")
        .filter(|m| !nil_or_empty(m))
        .and_then(|m| m.get(field))
        .filter(|v| !nil_or_empty(v))
        .map(value_text)
        .unwrap_or_default()
        .to_string()
}

/// Sets `key` to a new scalar `value`, as kyaml's `SetField` with a new
/// scalar node does: a new field is quoted when YAML 1.1 would read it as
/// another type; an existing field keeps its quoting.
fn set_field(map: &mut Map, key: &str, value: &str) {
    let mut scalar = new_scalar(value);
    match map.get_mut(key) {
        Some(Node::Scalar(old)) => {
            scalar.style = old.style;
            scalar.tag = if old.style == Style::Plain {
                rustomize_yaml::resolve::resolve_plain(value)
            } else {
                Tag::Str
            };
            *old = scalar;
        }
        Some(slot) => *slot = Node::Scalar(scalar),
        None => map.insert(key, Node::Scalar(scalar)),
    }
}
