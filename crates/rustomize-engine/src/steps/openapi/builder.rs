//! OpenAPI definitions as they are read: one node per schema object,
//! hashed by name, then frozen into the compact tables lookups read (see
//! [`super::table`]).
//!
//! Definitions are added document by document (kyaml adds kustomize's own
//! types on top of the Kubernetes ones, or of a custom schema); a
//! definition whose name is already known replaces the old one, and every
//! `$ref` is resolved by the definitions known at the end.

use std::collections::HashMap;

/// Index of a node in [`Builder::nodes`].
pub(super) type Id = u32;

/// Definitions being read.
#[derive(Debug, Default)]
pub(super) struct Builder {
    /// Every schema object, definitions and nested ones alike.
    pub(super) nodes: Vec<Node>,
    /// Definition name to node.
    pub(super) definitions: HashMap<String, Id>,
    /// apiVersion, then kind, to the definition node.
    pub(super) by_type: HashMap<String, HashMap<String, Id>>,
}

/// One schema object, reduced to what kyaml's merge reads.
#[derive(Debug, Default)]
pub(super) struct Node {
    /// `$ref`, as written.
    pub(super) reference: Option<Box<str>>,
    /// Whether `type` is exactly `array` (kyaml only looks at items then).
    pub(super) is_array: bool,
    /// `properties`.
    pub(super) properties: HashMap<Box<str>, Id>,
    /// `additionalProperties`, when it is a schema.
    pub(super) additional: Option<Id>,
    /// `items`, when it is a single schema.
    pub(super) items: Option<Id>,
    /// `x-kubernetes-patch-strategy`.
    pub(super) patch_strategy: Option<Box<str>>,
    /// `x-kubernetes-patch-merge-key`.
    pub(super) merge_key: Option<Box<str>>,
    /// `x-kubernetes-list-map-keys`.
    pub(super) list_map_keys: Option<Box<[Box<str>]>>,
}

/// How many `$ref` hops a lookup follows before it gives up (a cycle of
/// references would make kyaml loop forever; here the lookup just fails).
const MAX_REF_HOPS: usize = 64;

impl Node {
    /// Whether the node holds nothing a lookup reads.
    pub(super) fn is_empty(&self) -> bool {
        self.reference.is_none()
            && !self.is_array
            && self.properties.is_empty()
            && self.additional.is_none()
            && self.items.is_none()
            && self.patch_strategy.is_none()
            && self.merge_key.is_none()
            && self.list_map_keys.is_none()
    }
}

impl Builder {
    /// Follows `$ref`s from `id`, by the current definitions, to a node
    /// without one; `None` when a reference points nowhere this schema
    /// knows, or the chain is too long (a cycle).
    pub(super) fn resolved(&self, mut id: Id) -> Option<Id> {
        for _ in 0..MAX_REF_HOPS {
            let node = &self.nodes[id as usize];
            let Some(r) = &node.reference else {
                return Some(id);
            };
            id = self.lookup_pointer(r)?;
        }
        None
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
