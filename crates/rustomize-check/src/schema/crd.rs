//! Schemas of custom resources, from the CustomResourceDefinitions found in
//! the same output.
//!
//! Each served version's `openAPIV3Schema` is converted into the [`Store`]
//! the way the API server reads a structural schema: fields a schema does
//! not declare are pruned (so, under strict validation, unknown), unless
//! `x-kubernetes-preserve-unknown-fields` or `additionalProperties` say
//! otherwise; `allOf`/`anyOf`/`oneOf`/`not` only constrain values.

use super::{Additional, Constraints, Schema, SchemaId, Store, Ty};
use regex::Regex;
use rustomize_engine::Resource;
use rustomize_yaml::{Map, Node, Tag};
use std::collections::HashMap;

/// Deeper schemas than this are accepted as they are.
const MAX_DEPTH: usize = 64;

/// What the output's CRDs say about one group/kind.
#[derive(Clone, Debug)]
pub(crate) struct CrdKind {
    /// `metadata.name` of the CRD.
    pub crd_name: String,
    /// Schema of each served version (`None`: the version has no schema).
    pub versions: Vec<(String, Option<SchemaId>)>,
}

/// The custom kinds defined in one output, by (group, kind).
#[derive(Clone, Debug, Default)]
pub(crate) struct CrdSet {
    kinds: HashMap<(String, String), CrdKind>,
}

impl CrdSet {
    /// Reads every CustomResourceDefinition among `resources`, adding their
    /// schemas to `store`. `object_meta` is the built-in `ObjectMeta`.
    pub(crate) fn collect(
        resources: &[Resource],
        store: &mut Store,
        object_meta: SchemaId,
    ) -> CrdSet {
        let mut set = CrdSet::default();
        for r in resources {
            if r.kind() != "CustomResourceDefinition"
                || !r.api_version().starts_with("apiextensions.k8s.io/")
            {
                continue;
            }
            let Some(spec) = r.node.get("spec") else {
                continue;
            };
            let group = spec.str_at(&["group"]).unwrap_or("").to_string();
            let kind = spec.str_at(&["names", "kind"]).unwrap_or("").to_string();
            if kind.is_empty() {
                continue;
            }
            // apiextensions/v1beta1 kept unknown fields unless told not to.
            let prune = r.api_version() == "apiextensions.k8s.io/v1"
                || spec
                    .get("preserveUnknownFields")
                    .and_then(Node::as_scalar)
                    .is_some_and(|s| s.tag == Tag::Bool && s.value.eq_ignore_ascii_case("false"));
            let shared = spec.get_path(&["validation", "openAPIV3Schema"]);
            let mut versions = Vec::new();
            let mut add = |name: &str, schema: Option<&Node>, store: &mut Store| {
                let id = schema.map(|s| root(s, store, object_meta, prune));
                versions.push((name.to_string(), id));
            };
            match spec.get("versions").and_then(Node::as_seq) {
                Some(vs) => {
                    for v in vs {
                        let Some(name) = v.str_at(&["name"]) else {
                            continue;
                        };
                        if v.str_at(&["served"]) == Some("false") {
                            continue;
                        }
                        let schema = v.get_path(&["schema", "openAPIV3Schema"]).or(shared);
                        add(name, schema, store);
                    }
                }
                None => {
                    if let Some(name) = spec.str_at(&["version"]) {
                        add(name, shared, store);
                    }
                }
            }
            set.kinds.insert(
                (group, kind),
                CrdKind {
                    crd_name: r.name().to_string(),
                    versions,
                },
            );
        }
        set
    }

    /// The CRD of a group and kind, if the output has one.
    pub(crate) fn get(&self, group: &str, kind: &str) -> Option<&CrdKind> {
        self.kinds.get(&(group.to_string(), kind.to_string()))
    }
}

/// Converts a version's root schema: `apiVersion`, `kind` and `metadata`
/// are always allowed, `metadata` checked as `ObjectMeta`.
fn root(node: &Node, store: &mut Store, object_meta: SchemaId, prune: bool) -> SchemaId {
    let id = convert(node, store, prune, 0);
    let mut s = store.get(id).clone();
    if matches!(s.ty, Ty::Any) && s.properties.is_empty() {
        s.ty = Ty::Object;
    }
    let string = store.push(Schema::of(Ty::String));
    for (name, sid) in [
        ("apiVersion", string),
        ("kind", string),
        ("metadata", object_meta),
    ] {
        s.properties.retain(|(k, _)| k != name);
        s.properties.push((name.to_string(), sid));
    }
    s.properties.sort_by(|a, b| a.0.cmp(&b.0));
    store.push(s)
}

fn convert(node: &Node, store: &mut Store, prune: bool, depth: usize) -> SchemaId {
    let Some(m) = node.as_map() else {
        return store.any();
    };
    if depth > MAX_DEPTH {
        return store.any();
    }
    let flag = |key: &str| {
        m.get(key)
            .and_then(Node::as_scalar)
            .is_some_and(|s| s.tag == Tag::Bool && s.value.eq_ignore_ascii_case("true"))
    };
    let preserve = flag("x-kubernetes-preserve-unknown-fields");
    let format = m.get("format").and_then(Node::as_str).unwrap_or("");
    let ty = if flag("x-kubernetes-int-or-string") {
        Ty::IntOrString
    } else {
        match m.get("type").and_then(Node::as_str) {
            Some("object") => Ty::Object,
            Some("array") => Ty::Array,
            Some("string") if format == "byte" => Ty::Bytes,
            Some("string") => Ty::String,
            Some("integer") => match format {
                "int32" => Ty::Int32,
                "int64" => Ty::Int64,
                _ => Ty::Integer,
            },
            Some("number") => Ty::Number,
            Some("boolean") => Ty::Boolean,
            _ if m.contains_key("properties") => Ty::Object,
            _ => Ty::Any,
        }
    };
    let mut s = Schema::of(ty);
    s.embedded_resource = flag("x-kubernetes-embedded-resource");
    if let Some(props) = m.get("properties").and_then(Node::as_map) {
        for e in &props.entries {
            let id = convert(&e.value, store, prune, depth + 1);
            s.properties.push((e.key.value.to_string(), id));
        }
        s.properties.sort_by(|a, b| a.0.cmp(&b.0));
    }
    if let Some(req) = m.get("required").and_then(Node::as_seq) {
        s.required = req
            .iter()
            .filter_map(|r| r.as_str().map(str::to_string))
            .collect();
    }
    s.additional = match m.get("additionalProperties") {
        Some(ap @ Node::Map(_)) => Additional::Schema(convert(ap, store, prune, depth + 1)),
        Some(Node::Scalar(b)) if b.tag == Tag::Bool && b.value.eq_ignore_ascii_case("false") => {
            Additional::Closed
        }
        Some(_) => Additional::Any,
        None if preserve || !prune => Additional::Any,
        None if ty == Ty::Object => Additional::Closed,
        None => Additional::Any,
    };
    s.items = match m.get("items") {
        Some(items @ Node::Map(_)) => Some(convert(items, store, prune, depth + 1)),
        Some(Node::Seq(seq)) => seq
            .items
            .first()
            .map(|i| convert(i, store, prune, depth + 1)),
        _ => None,
    };
    let c = constraints(m, store, prune, depth);
    if has_any(&c) {
        s.constraints = Some(Box::new(c));
    }
    store.push(s)
}

fn constraints(m: &Map, store: &mut Store, prune: bool, depth: usize) -> Constraints {
    let num = |key: &str| {
        m.get(key)
            .and_then(Node::as_scalar)
            .filter(|s| matches!(s.tag, Tag::Int | Tag::Float))
            .and_then(|s| s.value.parse::<f64>().ok())
    };
    let uint = |key: &str| {
        m.get(key)
            .and_then(Node::as_str)
            .and_then(|s| s.parse::<u64>().ok())
    };
    let flag = |key: &str| m.get(key).and_then(Node::as_str) == Some("true");
    let pattern = m
        .get("pattern")
        .and_then(Node::as_str)
        .map(|p| Regex::new(p).map_err(|e| (p, e)));
    let mut unchecked = Vec::new();
    if let Some(Err((p, e))) = &pattern {
        let why = match e {
            regex::Error::Syntax(s) => s.lines().last().unwrap_or("").trim().to_string(),
            other => other.to_string(),
        };
        unchecked.push(format!(
            "the CRD's pattern \"{p}\" is not a regular expression the validator can use ({why})"
        ));
    }
    if let Some(r) = m.get("$ref").and_then(Node::as_str) {
        unchecked.push(format!(
            "the CRD's schema refers to \"{r}\" ($ref), which the validator does not follow"
        ));
    }
    let list = |key: &str, store: &mut Store| -> Vec<SchemaId> {
        m.get(key)
            .and_then(Node::as_seq)
            .map(|seq| {
                seq.iter()
                    .map(|n| convert(n, store, prune, depth + 1))
                    .collect()
            })
            .unwrap_or_default()
    };
    Constraints {
        enum_values: m
            .get("enum")
            .and_then(Node::as_seq)
            .map(|seq| {
                seq.iter()
                    .filter_map(|n| n.as_scalar().map(|s| s.value.to_string()))
                    .collect()
            })
            .unwrap_or_default(),
        pattern: pattern.as_ref().and_then(|p| p.as_ref().ok()).cloned(),
        minimum: num("minimum").map(|v| (v, flag("exclusiveMinimum"))),
        maximum: num("maximum").map(|v| (v, flag("exclusiveMaximum"))),
        min_length: uint("minLength"),
        max_length: uint("maxLength"),
        min_items: uint("minItems"),
        max_items: uint("maxItems"),
        min_properties: uint("minProperties"),
        max_properties: uint("maxProperties"),
        all_of: list("allOf", store),
        any_of: list("anyOf", store),
        one_of: list("oneOf", store),
        not: m.get("not").map(|n| convert(n, store, prune, depth + 1)),
        unchecked,
    }
}

fn has_any(c: &Constraints) -> bool {
    !c.enum_values.is_empty()
        || c.pattern.is_some()
        || c.minimum.is_some()
        || c.maximum.is_some()
        || c.min_length.is_some()
        || c.max_length.is_some()
        || c.min_items.is_some()
        || c.max_items.is_some()
        || c.min_properties.is_some()
        || c.max_properties.is_some()
        || !c.all_of.is_empty()
        || !c.any_of.is_empty()
        || !c.one_of.is_empty()
        || c.not.is_some()
        || !c.unchecked.is_empty()
}
