//! The OpenAPI knowledge strategic merge needs, looked up the way kyaml's
//! `openapi` package does.
//!
//! A [`Schema`] holds OpenAPI v2 definitions, reduced to what kustomize's
//! merge reads: each schema's properties, `additionalProperties`, `items`,
//! `$ref`, whether its type is `array`, and the extensions
//! `x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key` and
//! `x-kubernetes-list-map-keys`; plus the index from apiVersion and kind to
//! a definition, built from `x-kubernetes-group-version-kind`.
//!
//! - [`Schema::builtin`] is what kustomize embeds: Kubernetes v1.21.2 and
//!   kustomize's own generator argument types. The data files in
//!   `src/data/openapi/` are produced by `tools/openapi/gen_openapi.py`.
//! - [`Schema::custom`] is what kustomize uses when a kustomization names a
//!   schema file (`openapi: {path: ...}`): that file's definitions instead
//!   of Kubernetes', plus kustomize's own.
//! - [`Schema::from_document`] reads any OpenAPI v2 document (JSON or YAML,
//!   already parsed into a [`Node`]).
//!
//! Lookups mirror kyaml: [`Schema::for_type`] finds a resource's schema,
//! [`SchemaRef::field`] a field's (a property, else the
//! `additionalProperties` schema), [`SchemaRef::elements`] an array's items;
//! references are followed on the way.

mod document;
mod json;

use crate::error::Error;
use crate::model::resid::Gvk;
use rustomize_yaml::Node;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The Kubernetes v1.21.2 definitions kustomize v5.5.0 embeds, reduced.
const KUBERNETES_V1_21_2: &str = include_str!("../../data/openapi/kubernetes-v1.21.2.json");

/// kustomize's own definitions (`kyaml/openapi/kustomizationapi`), reduced.
const KUSTOMIZATION_API: &str = include_str!("../../data/openapi/kustomization-api.json");

/// How many `$ref` hops a lookup follows before it gives up (a cycle of
/// references would make kyaml loop forever; here the lookup just fails).
const MAX_REF_HOPS: usize = 64;

/// Index of a schema node in [`Schema::nodes`].
type Id = u32;

/// OpenAPI v2 definitions, reduced to what strategic merge reads, with
/// hashed lookups by definition name, by apiVersion and kind, and by
/// property name.
#[derive(Debug, Default)]
pub(crate) struct Schema {
    /// Every schema object, definitions and nested ones alike.
    nodes: Vec<SchemaNode>,
    /// Definition name to node.
    definitions: HashMap<String, Id>,
    /// apiVersion, then kind, to the definition node.
    by_type: HashMap<String, HashMap<String, Id>>,
}

/// One schema object.
#[derive(Debug, Default)]
struct SchemaNode {
    /// `$ref`, as written.
    reference: Option<Box<str>>,
    /// Where `reference` points, once resolved (`None` when it points
    /// nowhere this schema knows).
    target: Option<Id>,
    /// Whether `type` is exactly `array` (kyaml only looks at items then).
    is_array: bool,
    /// `properties`.
    properties: HashMap<Box<str>, Id>,
    /// `additionalProperties`, when it is a schema.
    additional: Option<Id>,
    /// `items`, when it is a single schema.
    items: Option<Id>,
    /// `x-kubernetes-patch-strategy`.
    patch_strategy: Option<Box<str>>,
    /// `x-kubernetes-patch-merge-key`.
    merge_key: Option<Box<str>>,
    /// `x-kubernetes-list-map-keys`.
    list_map_keys: Option<Box<[Box<str>]>>,
}

impl Schema {
    /// An empty schema: every lookup fails, so every list is replaced.
    pub(crate) fn empty() -> Schema {
        Schema::default()
    }

    /// The schema kustomize v5.5.0 uses by default: Kubernetes v1.21.2
    /// and kustomize's own types. Parsed once, on first use.
    pub(crate) fn builtin() -> &'static Schema {
        static BUILTIN: OnceLock<Schema> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            let mut schema = Schema::empty();
            // The embedded data is generated and checked by the test
            // `builtin_data_loads`, so loading it cannot fail; were it ever
            // broken, the schema would just know fewer types.
            let _ = schema.add_json(KUBERNETES_V1_21_2, "kubernetes-v1.21.2.json");
            let _ = schema.add_json(KUSTOMIZATION_API, "kustomization-api.json");
            schema
        })
    }

    /// Reads the `definitions` of an OpenAPI v2 document (JSON or YAML).
    pub(crate) fn from_document(doc: &Node) -> Result<Schema, Error> {
        let mut schema = Schema::empty();
        schema.add_document(doc)?;
        Ok(schema)
    }

    /// The schema kustomize uses when a kustomization names a custom
    /// OpenAPI file: that document's definitions (the Kubernetes ones are
    /// not loaded), then kustomize's own types.
    pub(crate) fn custom(doc: &Node) -> Result<Schema, Error> {
        let mut schema = Schema::from_document(doc)?;
        schema.add_json(KUSTOMIZATION_API, "kustomization-api.json")?;
        Ok(schema)
    }

    /// Adds the `definitions` of another OpenAPI v2 document; a definition
    /// whose name is already known replaces the old one, as in kyaml.
    pub(crate) fn add_document(&mut self, doc: &Node) -> Result<(), Error> {
        document::add(self, doc)?;
        self.resolve_references();
        Ok(())
    }

    /// Adds the definitions of embedded JSON data.
    fn add_json(&mut self, text: &str, name: &str) -> Result<(), Error> {
        let doc = json::parse(text).map_err(|e| Error::schema(format!("{name}: {e}")))?;
        self.add_document(&doc)
    }

    /// The schema of resources of this apiVersion and kind, found through
    /// the definitions' `x-kubernetes-group-version-kind`.
    pub(crate) fn for_type(&self, api_version: &str, kind: &str) -> Option<SchemaRef<'_>> {
        let id = *self.by_type.get(api_version)?.get(kind)?;
        Some(SchemaRef { schema: self, id })
    }

    #[cfg(test)]
    /// The definition of this name, its reference (if any) followed.
    pub(crate) fn definition(&self, name: &str) -> Option<SchemaRef<'_>> {
        let id = *self.definitions.get(name)?;
        self.resolved(id)
    }

    #[cfg(test)]
    /// Number of definitions.
    pub(crate) fn len(&self) -> usize {
        self.definitions.len()
    }

    #[cfg(test)]
    /// Whether there are no definitions.
    pub(crate) fn is_empty(&self) -> bool {
        self.definitions.is_empty()
    }

    /// Follows `$ref`s from `id` to a schema without one.
    fn resolved(&self, mut id: Id) -> Option<SchemaRef<'_>> {
        for _ in 0..MAX_REF_HOPS {
            let node = &self.nodes[id as usize];
            if node.reference.is_none() {
                return Some(SchemaRef { schema: self, id });
            }
            id = node.target?;
        }
        None
    }

    /// Points every `$ref` at the node it names, by the current definitions.
    fn resolve_references(&mut self) {
        for i in 0..self.nodes.len() {
            if let Some(r) = &self.nodes[i].reference {
                let target = self.lookup_pointer(r);
                self.nodes[i].target = target;
            }
        }
    }

    /// Resolves a local JSON pointer such as `#/definitions/a.b.C` (and
    /// deeper ones through `properties`, `items`, `additionalProperties`).
    fn lookup_pointer(&self, reference: &str) -> Option<Id> {
        let path = reference.strip_prefix("#/")?;
        let mut parts = path.split('/').map(unescape_pointer);
        if parts.next()? != "definitions" {
            return None;
        }
        let mut id = *self.definitions.get(parts.next()?.as_ref())?;
        while let Some(part) = parts.next() {
            let node = &self.nodes[id as usize];
            id = match part.as_ref() {
                "properties" => *node.properties.get(parts.next()?.as_ref())?,
                "items" => node.items?,
                "additionalProperties" => node.additional?,
                _ => return None,
            };
        }
        Some(id)
    }
}

/// Undoes JSON pointer escapes (`~1` is `/`, `~0` is `~`).
fn unescape_pointer(part: &str) -> std::borrow::Cow<'_, str> {
    if part.contains('~') {
        part.replace("~1", "/").replace("~0", "~").into()
    } else {
        part.into()
    }
}

/// A schema within a [`Schema`], references already followed.
#[derive(Clone, Copy)]
pub(crate) struct SchemaRef<'a> {
    schema: &'a Schema,
    id: Id,
}

impl std::fmt::Debug for SchemaRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SchemaRef").field(self.node()).finish()
    }
}

impl<'a> SchemaRef<'a> {
    fn node(&self) -> &'a SchemaNode {
        &self.schema.nodes[self.id as usize]
    }

    /// The schema of field `name`: the property of that name, else the
    /// `additionalProperties` schema (maps), else none (kyaml's `Field`).
    pub(crate) fn field(self, name: &str) -> Option<SchemaRef<'a>> {
        let node = self.node();
        let id = match node.properties.get(name) {
            Some(&id) => id,
            None => node.additional?,
        };
        self.schema.resolved(id)
    }

    /// The schema of the elements, when this is an array (kyaml's
    /// `Elements`).
    pub(crate) fn elements(self) -> Option<SchemaRef<'a>> {
        let node = self.node();
        if !node.is_array {
            return None;
        }
        self.schema.resolved(node.items?)
    }

    /// `x-kubernetes-patch-strategy`, such as `merge` or `merge,retainKeys`.
    pub(crate) fn patch_strategy(self) -> Option<&'a str> {
        self.node().patch_strategy.as_deref()
    }

    /// Whether lists of this schema merge by key (their patch strategy
    /// includes `merge`); kyaml calls such lists associative.
    pub(crate) fn merges_lists(self) -> bool {
        self.patch_strategy()
            .is_some_and(|s| s.split(',').any(|s| s == "merge"))
    }

    /// The merge keys of a list, as kyaml's `PatchStrategyAndKeyList`
    /// reads them: none without a patch strategy; else
    /// `x-kubernetes-list-map-keys` when present, else the
    /// `x-kubernetes-patch-merge-key`, else none (a list of primitives).
    pub(crate) fn merge_keys(self) -> Vec<&'a str> {
        let node = self.node();
        if node.patch_strategy.is_none() {
            return Vec::new();
        }
        if let Some(keys) = &node.list_map_keys {
            return keys.iter().map(|k| &**k).collect();
        }
        node.merge_key.as_deref().into_iter().collect()
    }
}

/// The keys that identify the items of the list at `path` in objects of
/// `gvk`, by kustomize's builtin schema (Kubernetes v1.21.2): what a
/// strategic merge matches list items by (`containers` by `name`, a
/// container's `ports` by `containerPort`). `path` names mapping fields
/// only; lists on the way are stepped through (`["spec", "template",
/// "spec", "containers", "ports"]`). Empty when the schema does not know
/// the field, or the list has no merge key (it is replaced as a whole).
pub fn list_merge_keys(gvk: &Gvk, path: &[&str]) -> Vec<&'static str> {
    let Some(mut at) = Schema::builtin().for_type(&gvk.api_version(), &gvk.kind) else {
        return Vec::new();
    };
    for field in path {
        if let Some(items) = at.elements() {
            at = items;
        }
        match at.field(field) {
            Some(next) => at = next,
            None => return Vec::new(),
        }
    }
    at.merge_keys()
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;

    #[test]
    fn list_merge_keys_follow_the_builtin_schema() {
        let deployment = Gvk::new("apps", "v1", "Deployment");
        let pod_spec = ["spec", "template", "spec"];
        let at = |rest: &[&str]| {
            let path: Vec<&str> = pod_spec.iter().chain(rest).copied().collect();
            list_merge_keys(&deployment, &path)
        };
        assert_eq!(at(&["containers"]), ["name"]);
        assert_eq!(at(&["containers", "ports"]), ["containerPort", "protocol"]);
        assert_eq!(at(&["containers", "env"]), ["name"]);
        assert_eq!(at(&["volumes"]), ["name"]);
        // A list replaced as a whole, a field the schema does not know, a
        // kind it does not know.
        assert!(at(&["containers", "args"]).is_empty());
        assert!(at(&["nonsense"]).is_empty());
        assert!(list_merge_keys(&Gvk::new("example.com", "v1", "Thing"), &["spec"]).is_empty());
    }

    #[test]
    fn builtin_data_loads() {
        for (text, name) in [
            (KUBERNETES_V1_21_2, "kubernetes"),
            (KUSTOMIZATION_API, "kustomization"),
        ] {
            let mut schema = Schema::empty();
            schema.add_json(text, name).unwrap();
            assert!(!schema.is_empty(), "{name}");
            for node in &schema.nodes {
                if node.reference.is_some() {
                    assert!(node.target.is_some(), "{name}: {:?}", node.reference);
                }
            }
        }
        let builtin = Schema::builtin();
        assert!(builtin.len() > 600);
        assert!(
            builtin
                .for_type("kustomize.config.k8s.io/v1beta1", "Kustomization")
                .is_some()
        );
    }

    #[test]
    fn merge_keys_of_builtin_fields() {
        let s = Schema::builtin();
        let deployment = s.for_type("apps/v1", "Deployment").unwrap();
        let pod_spec = deployment
            .field("spec")
            .and_then(|s| s.field("template"))
            .and_then(|s| s.field("spec"))
            .unwrap();
        let cases: &[(&[&str], Option<&str>, &[&str])] = &[
            (&["containers"], Some("merge"), &["name"]),
            (&["volumes"], Some("merge,retainKeys"), &["name"]),
            (
                &["containers", "[]", "ports"],
                Some("merge"),
                &["containerPort", "protocol"],
            ),
            (&["containers", "[]", "env"], Some("merge"), &["name"]),
            (&["containers", "[]", "args"], None, &[]),
            (&["tolerations"], None, &[]),
        ];
        for (path, strategy, keys) in cases {
            let mut at = pod_spec;
            for p in *path {
                at = if *p == "[]" {
                    at.elements()
                } else {
                    at.field(p)
                }
                .unwrap();
            }
            assert_eq!(at.patch_strategy(), *strategy, "{path:?}");
            assert_eq!(at.merge_keys(), *keys, "{path:?}");
        }
        let meta = deployment.field("metadata").unwrap();
        assert!(meta.field("finalizers").unwrap().merges_lists());
        assert!(meta.field("finalizers").unwrap().merge_keys().is_empty());
        // Map values take the additionalProperties schema.
        assert!(meta.field("labels").unwrap().field("anything").is_some());
        assert!(meta.field("nonsense").is_none());
        let service = s.for_type("v1", "Service").unwrap();
        let ports = service.field("spec").unwrap().field("ports").unwrap();
        assert_eq!(ports.merge_keys(), ["port", "protocol"]);
        assert!(s.for_type("example.com/v1", "Foo").is_none());
        assert!(s.for_type("apps/v1", "Nonsense").is_none());
    }

    #[test]
    fn list_merge_keys_by_field_path() {
        let pod = ["spec", "template", "spec"];
        let at = |rest: &[&str]| {
            let path: Vec<&str> = pod.iter().chain(rest).copied().collect();
            list_merge_keys(&Gvk::new("apps", "v1", "Deployment"), &path)
        };
        assert_eq!(at(&["containers"]), ["name"]);
        assert_eq!(at(&["containers", "env"]), ["name"]);
        assert_eq!(at(&["containers", "volumeMounts"]), ["mountPath"]);
        assert_eq!(at(&["containers", "ports"]), ["containerPort", "protocol"]);
        assert!(at(&["containers", "args"]).is_empty());
        assert!(at(&["nonsense"]).is_empty());
        assert_eq!(
            list_merge_keys(&Gvk::new("", "v1", "Service"), &["spec", "ports"]),
            ["port", "protocol"]
        );
        assert!(list_merge_keys(&Gvk::new("example.com", "v1", "Foo"), &["spec"]).is_empty());
    }

    #[test]
    fn custom_document_in_yaml() {
        let doc = rustomize_yaml::parse_one(indoc! {r##"
            swagger: "2.0"
            definitions:
              v1alpha1.MyCRD:
                type: object
                properties:
                  spec:
                    $ref: "#/definitions/v1alpha1.Spec"
                x-kubernetes-group-version-kind:
                - group: example.com
                  kind: MyCRD
                  version: v1alpha1
                - group: ""
                  kind: Legacy
                  version: v1
              v1alpha1.Spec:
                properties:
                  items:
                    type: array
                    items:
                      type: object
                      properties:
                        id: {type: string}
                    x-kubernetes-patch-strategy: merge
                    x-kubernetes-patch-merge-key: id
                  pair:
                    type: [array]
                    items: {$ref: "#/definitions/v1alpha1.Spec/properties/items/items"}
                    x-kubernetes-patch-strategy: merge
                    x-kubernetes-patch-merge-key: id
                    x-kubernetes-list-map-keys: [id, other]
        "##})
        .unwrap();
        let s = Schema::custom(&doc).unwrap();
        let crd = s.for_type("example.com/v1alpha1", "MyCRD").unwrap();
        assert!(s.for_type("v1", "Legacy").is_some());
        let items = crd.field("spec").unwrap().field("items").unwrap();
        assert_eq!(items.merge_keys(), ["id"]);
        assert!(items.elements().unwrap().field("id").is_some());
        let pair = crd.field("spec").unwrap().field("pair").unwrap();
        assert_eq!(pair.merge_keys(), ["id", "other"]);
        assert!(pair.elements().unwrap().field("id").is_some());
        // Kubernetes types are not there; kustomize's own are.
        assert!(s.for_type("apps/v1", "Deployment").is_none());
        assert!(
            s.for_type("kustomize.config.k8s.io/v1beta1", "Kustomization")
                .is_some()
        );
    }

    #[test]
    fn broken_documents_are_errors() {
        for text in [
            "definitions: [a]\n",
            "definitions: {a: 1}\n",
            "definitions: {a: {properties: [x]}}\n",
            "definitions: {a: {x-kubernetes-patch-strategy: {a: b}}}\n",
            "definitions: {a: {x-kubernetes-group-version-kind: [{kind: A}]}}\n",
        ] {
            let doc = rustomize_yaml::parse_one(text).unwrap();
            assert!(Schema::from_document(&doc).is_err(), "{text}");
        }
    }

    #[test]
    fn reference_cycles_end() {
        let doc = rustomize_yaml::parse_one(indoc! {r##"
            definitions:
              a: {$ref: "#/definitions/b", x-kubernetes-group-version-kind: [{group: g, version: v, kind: K}]}
              b: {$ref: "#/definitions/a"}
              c: {properties: {x: {$ref: "#/definitions/a"}, y: {$ref: "elsewhere.json#/x"}}}
        "##})
        .unwrap();
        let s = Schema::from_document(&doc).unwrap();
        assert!(s.definition("a").is_none());
        let c = s.definition("c").unwrap();
        assert!(c.field("x").is_none());
        assert!(c.field("y").is_none());
    }
}
