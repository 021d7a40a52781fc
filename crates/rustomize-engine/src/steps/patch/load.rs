//! Reading strategic merge patches from text, as kustomize's resource
//! factory (`SliceFromBytes`) reads them.
//!
//! Every document that is not empty must look like an object: a `kind`,
//! and a `metadata.name` unless the kind ends in `List`. A lone `List` (or
//! `ResourceList`) document with `items` is unwrapped, and any `*List`
//! with `items` is replaced by its items (appended after the other
//! documents). Unlike a resource file, two patches may have the same id.

use crate::error::Error;
use rustomize_yaml::{Map, Node};
use std::collections::VecDeque;

/// Why text could not be read as strategic merge patches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// The text is not YAML.
    Malformed(String),
    /// A document is not shaped like an object.
    Invalid(String),
}

impl LoadError {
    /// The message, with the file named the way kustomize names it when
    /// the text came from `path`.
    pub fn in_file(self, path: &str) -> Error {
        match self {
            LoadError::Malformed(m) => Error::patch(format!("{m} in File: {path}")),
            LoadError::Invalid(m) => Error::patch(m),
        }
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Malformed(m) | LoadError::Invalid(m) => f.write_str(m),
        }
    }
}

impl From<LoadError> for Error {
    fn from(e: LoadError) -> Self {
        Error::patch(e.to_string())
    }
}

/// The strategic merge patches in `text`, in order.
pub(crate) fn sm_patches_from_text(text: &str) -> Result<Vec<Node>, LoadError> {
    let text = text.replace("\r\n", "\n");
    // kyaml reads patches: a repeated key is ignored, the first wins.
    sm_patches_from_parsed(rustomize_yaml::parse::parse_documents_first_key_wins(&text))
}

/// [`sm_patches_from_text`] of text already parsed (with `\r\n` read as
/// `\n`), for callers that read the same text in another way too.
pub(crate) fn sm_patches_from_parsed(
    parsed: Result<Vec<Node>, rustomize_yaml::ParseError>,
) -> Result<Vec<Node>, LoadError> {
    let docs = parsed.map_err(|e| {
        LoadError::Malformed(format!(
            "MalformedYAMLError: yaml: line {}: {}",
            e.line, e.message
        ))
    })?;
    let docs: Vec<Node> = docs.into_iter().filter(|d| !d.is_null()).collect();
    // kio's reader unwraps a lone List/ResourceList document.
    let docs = match docs.as_slice() {
        [only] if is_wrapping_list(only) => match only.get("items") {
            Some(Node::Seq(items)) => items.items.clone(),
            _ => Vec::new(),
        },
        _ => docs,
    };
    let mut good = Vec::with_capacity(docs.len());
    for d in docs {
        if d.is_nil_or_empty() {
            continue;
        }
        validate(&d)?;
        good.push(d);
    }
    inline_lists(good)
}

fn is_wrapping_list(n: &Node) -> bool {
    matches!(n.str_at(&["kind"]), Some("List" | "ResourceList"))
        && (n.get("items").is_some() || n.get("functionConfig").is_some())
}

/// Replaces each `*List` that has `items` by its items, queued after the
/// remaining documents.
fn inline_lists(docs: Vec<Node>) -> Result<Vec<Node>, LoadError> {
    let mut queue: VecDeque<Node> = docs.into();
    let mut out = Vec::with_capacity(queue.len());
    while let Some(n) = queue.pop_front() {
        let kind = n.str_at(&["kind"]).unwrap_or("");
        if !kind.ends_with("List") {
            out.push(n);
            continue;
        }
        match n.get("items") {
            None => out.push(n),
            Some(items) if items.is_null() => {}
            Some(Node::Seq(items)) => {
                for item in &items.items {
                    if item.is_nil_or_empty() {
                        continue;
                    }
                    validate(item)?;
                    queue.push_back(item.clone());
                }
            }
            Some(other) => {
                return Err(LoadError::Invalid(format!(
                    "expected array in {kind}/items, but found {}",
                    go_type(other)
                )));
            }
        }
    }
    Ok(out)
}

/// The Go type `Map()` decodes a value to, for error messages.
fn go_type(n: &Node) -> &'static str {
    match n {
        Node::Map(_) => "map[string]interface {}",
        Node::Seq(_) => "[]interface {}",
        Node::Scalar(s) => match s.tag {
            rustomize_yaml::Tag::Bool => "bool",
            rustomize_yaml::Tag::Int => "int",
            rustomize_yaml::Tag::Float => "float64",
            _ => "string",
        },
    }
}

/// kyaml's `GetValidatedMetadata`.
fn validate(n: &Node) -> Result<(), LoadError> {
    let meta = ResourceMeta::of(n)?;
    if meta.kind.is_empty() {
        return Err(LoadError::Invalid(format!(
            "missing kind in object {}",
            meta.go_repr()
        )));
    }
    if meta.kind.ends_with("List") {
        return Ok(());
    }
    if meta.name.is_empty() {
        return Err(LoadError::Invalid(format!(
            "missing metadata.name in object {}",
            meta.go_repr()
        )));
    }
    Ok(())
}

/// kyaml's `ResourceMeta`, as `GetMeta` reads it.
#[derive(Default)]
struct ResourceMeta {
    api_version: String,
    kind: String,
    name: String,
    namespace: String,
    labels: Option<Vec<(String, String)>>,
    annotations: Option<Vec<(String, String)>>,
}

impl ResourceMeta {
    fn of(n: &Node) -> Result<ResourceMeta, LoadError> {
        let missing = || LoadError::Invalid("missing Resource metadata".into());
        let Node::Map(top) = n else {
            return Err(missing());
        };
        let mut m = ResourceMeta::default();
        let mut found = false;
        let text = |map: &Map, key: &str| -> Option<String> {
            match map.get(key) {
                Some(v) if !v.is_nil_or_empty() => Some(match v {
                    Node::Scalar(s) => s.value.to_string(),
                    _ => String::new(),
                }),
                _ => None,
            }
        };
        if let Some(v) = text(top, "apiVersion") {
            m.api_version = v;
            found = true;
        }
        if let Some(v) = text(top, "kind") {
            m.kind = v;
            found = true;
        }
        let meta = match top.get("metadata") {
            Some(Node::Map(meta)) if !meta.is_empty() => meta,
            Some(other) if !other.is_nil_or_empty() => {
                // A non-mapping metadata: nothing can be read from it.
                return if found { Ok(m) } else { Err(missing()) };
            }
            _ => return if found { Ok(m) } else { Err(missing()) },
        };
        if let Some(v) = text(meta, "name") {
            m.name = v;
            found = true;
        }
        if let Some(v) = text(meta, "namespace") {
            m.namespace = v;
            found = true;
        }
        for (field, slot) in [
            ("labels", &mut m.labels),
            ("annotations", &mut m.annotations),
        ] {
            if let Some(v) = meta.get(field).filter(|v| !v.is_nil_or_empty()) {
                let mut pairs: Vec<(String, String)> = match v {
                    Node::Map(map) => map
                        .entries
                        .iter()
                        .map(|e| (e.key.value.to_string(), scalar_text(&e.value)))
                        .collect(),
                    _ => Vec::new(),
                };
                pairs.sort();
                *slot = Some(pairs);
                found = true;
            }
        }
        if found { Ok(m) } else { Err(missing()) }
    }

    /// Go's `%v` of the struct: `{{apiVersion kind} {{name namespace}
    /// map[k:v] map[k:v]}}`.
    fn go_repr(&self) -> String {
        let map = |m: &Option<Vec<(String, String)>>| {
            let inner: Vec<String> = m
                .iter()
                .flatten()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect();
            format!("map[{}]", inner.join(" "))
        };
        format!(
            "{{{{{} {}}} {{{{{} {}}} {} {}}}}}",
            self.api_version,
            self.kind,
            self.name,
            self.namespace,
            map(&self.labels),
            map(&self.annotations)
        )
    }
}

/// A scalar's text; the empty string for anything else (kyaml's `Value`).
pub(crate) fn scalar_text(n: &Node) -> String {
    match n {
        Node::Scalar(s) => s.value.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;

    #[test]
    fn documents_lists_and_empty_ones() {
        let patches = sm_patches_from_text(indoc! {"
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: ConfigMap
              metadata: {name: b}
            ---
            ---
            {}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: a}
        "})
        .unwrap();
        let names: Vec<_> = patches
            .iter()
            .map(|p| p.str_at(&["metadata", "name"]).unwrap())
            .collect();
        assert_eq!(names, ["a", "b"]);
        let lone = sm_patches_from_text(
            "kind: List\nitems:\n- {kind: ConfigMap, metadata: {name: x}}\n- {kind: ConfigMap, metadata: {name: x}}\n",
        )
        .unwrap();
        assert_eq!(lone.len(), 2);
        assert!(
            sm_patches_from_text("# only a comment\n")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn errors_are_worded_as_kyaml_words_them() {
        let cases = [
            ("- op: add\n  path: /x\n", "missing Resource metadata"),
            ("patch.yaml", "missing Resource metadata"),
            (
                "apiVersion: apps/v1\nmetadata:\n  name: d\n  labels: {b: y, a: x}\n",
                "missing kind in object {{apps/v1 } {{d } map[a:x b:y] map[]}}",
            ),
            (
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  namespace: n\n",
                "missing metadata.name in object {{apps/v1 Deployment} {{ n} map[] map[]}}",
            ),
        ];
        for (text, want) in cases {
            let err = sm_patches_from_text(text).unwrap_err();
            assert_eq!(err.to_string(), want, "{text}");
        }
    }
}
