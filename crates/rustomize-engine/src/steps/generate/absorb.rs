//! How generated resources join the accumulated ones (kustomize's
//! `resWrangler.AbsorbAll` and `appendReplaceOrMerge`).
//!
//! A generated resource matches an accumulated one when its current id
//! equals the accumulated resource's current id or any of its earlier ids
//! (so a base's `cm`, since renamed `p-cm` or moved to a namespace, is still
//! found by an overlay's generator named `cm`). Ids compare namespaces
//! effectively: none and `default` are the same.
//!
//! - no match: `create` appends; `merge` and `replace` fail;
//! - one match: `create` fails; `replace` takes the generated object with the
//!   existing one's name, namespace and build bookkeeping, and the union of
//!   both label and annotation sets (generated values win); `merge` does the
//!   same and also takes the union of `data` and of `binaryData` (generated
//!   values win). Every other field of the existing object is dropped;
//! - several matches fail.
//!
//! The result needs a hash suffix only when both resources did.

use crate::error::Error;
use crate::model::resid::ResId;
use crate::model::resmap::ResMap;
use crate::model::resource::{Behavior, Resource};
use rustomize_yaml::{Entry, Map, Node, Pos, Scalar};
use std::collections::{BTreeMap, HashMap};

/// Absorbs the output of several generators into one resource map, indexing
/// the map once: kustomize's `runGenerators` loop is
/// `for g in generators { absorber.absorb(g.generate(ldr)?)? }`.
pub(crate) struct Absorber<'a> {
    rm: &'a mut ResMap,
    /// Positions of resources by current and earlier names. Entries may be
    /// stale after a replace; lookups check each candidate's ids.
    by_name: HashMap<String, Vec<usize>>,
}

impl<'a> Absorber<'a> {
    /// Indexes `rm` by the current and earlier names of its resources.
    pub(crate) fn new(rm: &'a mut ResMap) -> Self {
        let mut a = Absorber {
            by_name: HashMap::with_capacity(rm.len()),
            rm,
        };
        for i in 0..a.rm.len() {
            a.index(i);
        }
        a
    }

    /// The resources so far (their positions in the map do not change).
    pub(crate) fn resources_mut(&mut self) -> &mut [Resource] {
        self.rm.resources_mut()
    }

    /// Adds `generated` to the map one by one, each according to its
    /// behavior (see the module docs). Later resources see the earlier
    /// ones, so two generators of the same name in one kustomization
    /// collide unless the second merges or replaces. Errors carry
    /// kustomize's text; the caller adds "merging from generator".
    pub(crate) fn absorb(&mut self, generated: Vec<Resource>) -> Result<(), Error> {
        for res in generated {
            self.absorb_one(res)?;
        }
        Ok(())
    }

    fn absorb_one(&mut self, res: Resource) -> Result<(), Error> {
        let id = res.cur_id();
        let matches = self.matches(&id);
        let behavior = res.meta.behavior.unwrap_or_default();
        match (matches.as_slice(), behavior) {
            ([], Behavior::Create) => {
                // No resource has this id as current or earlier id, so the
                // conflict check of `append` cannot fail.
                self.rm.push_unchecked(res);
                self.index(self.rm.len() - 1);
                Ok(())
            }
            ([], _) => Err(Error::generator(format!(
                "id {} does not exist; cannot merge or replace",
                go_syntax(&id)
            ))),
            ([_], Behavior::Create) => Err(Error::generator(format!(
                "id {} exists; behavior must be merge or replace",
                go_syntax(&id)
            ))),
            (&[i], behavior) => {
                let merged = combine(res, self.rm.get(i), behavior == Behavior::Merge);
                *self.rm.get_mut(i) = merged;
                self.index(i);
                Ok(())
            }
            (many, _) => {
                let ids: Vec<String> = many
                    .iter()
                    .map(|&i| self.rm.get(i).cur_id().to_string())
                    .collect();
                Err(Error::generator(format!(
                    "found multiple objects [{}] that could accept merge of {id}",
                    ids.join(" ")
                )))
            }
        }
    }

    /// Records the names of the resource at position `i`.
    fn index(&mut self, i: usize) {
        let r = self.rm.get(i);
        let names = std::iter::once(r.name())
            .chain(r.meta.previous.iter().map(|(_, name, _)| name.as_str()));
        for name in names {
            match self.by_name.get_mut(name) {
                Some(v) => v.push(i),
                None => {
                    self.by_name.insert(name.to_string(), vec![i]);
                }
            }
        }
    }

    /// Positions, in map order, of resources with `id` as current or
    /// earlier id.
    fn matches(&self, id: &ResId) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .by_name
            .get(&id.name)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| self.rm.get(i).any_id(|other| other.equals(id)))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// kustomize's `CopyMergeMetaDataFieldsFrom` (and, for `merge`, its data
/// merges) applied to the generated `res` taking over `old`.
fn combine(mut res: Resource, old: &Resource, merge_data: bool) -> Resource {
    let label_places = places(&old.node, &res.node, &["metadata", "labels"]);
    let annotation_places = places(&old.node, &res.node, &["metadata", "annotations"]);
    let labels = union(old.labels(), res.labels());
    res.set_string_map("labels", labels);
    let annotations = union(old.annotations(), res.annotations());
    res.set_string_map("annotations", annotations);
    replace_places(&mut res.node, &["metadata", "labels"], &label_places);
    replace_places(
        &mut res.node,
        &["metadata", "annotations"],
        &annotation_places,
    );
    res.put_back_identity(Some(old.name()), old.namespace(), None);

    // Build bookkeeping comes from the existing resource; the hash mark only
    // survives when both carry it. The origin is the generated one for
    // replace, the existing one for merge.
    let needs_hash = res.meta.needs_hash && old.meta.needs_hash;
    let origin = if merge_data {
        old.meta.origin.clone().or(res.meta.origin.take())
    } else {
        res.meta.origin.take().or(old.meta.origin.clone())
    };
    res.meta = old.meta.clone();
    res.meta.needs_hash = needs_hash;
    res.meta.origin = origin;

    if merge_data {
        for field in ["data", "binaryData"] {
            let kept = places(&old.node, &res.node, &[field]);
            let merged = union(data_map(&old.node, field), data_map(&res.node, field));
            set_data_map(&mut res.node, field, merged);
            replace_places(&mut res.node, &[field], &kept);
        }
    }
    res
}

/// Field provenance: the places of the entries of the map at `path` in
/// `old` and `new` (`new` wins), so that a merge keeps each entry's.
fn places(old: &Node, new: &Node, path: &[&str]) -> BTreeMap<String, (Pos, Pos)> {
    let mut out = BTreeMap::new();
    for node in [old, new] {
        if let Some(Node::Map(m)) = node.get_path(path) {
            for e in &m.entries {
                if e.value.src() != 0 {
                    out.insert(e.key.value.to_string(), (e.key.pos(), e.value.pos()));
                }
            }
        }
    }
    out
}

/// Gives the entries of the map at `path` the places in `kept`.
fn replace_places(node: &mut Node, path: &[&str], kept: &BTreeMap<String, (Pos, Pos)>) {
    if kept.is_empty() {
        return;
    }
    if let Some(Node::Map(m)) = node.get_path_mut(path) {
        for e in &mut m.entries {
            if let Some((k, v)) = kept.get(e.key.value.as_str()) {
                e.key.set_pos(*k);
                e.value.set_pos(*v);
            }
        }
    }
}

/// The pairs of both lists, keys sorted, `later` winning on equal keys.
fn union(earlier: Vec<(String, String)>, later: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut m: BTreeMap<String, String> = earlier.into_iter().collect();
    m.extend(later);
    m.into_iter().collect()
}

/// A `data`-like map as kyaml's `GetDataMap` reads it: each value's text,
/// null and non-scalar values as the empty string; anything but a mapping
/// reads as empty.
fn data_map(node: &Node, field: &str) -> Vec<(String, String)> {
    let Some(Node::Map(m)) = node.get(field) else {
        return Vec::new();
    };
    m.entries
        .iter()
        .map(|e| {
            let v = match &e.value {
                Node::Scalar(s) if !s.is_null() => s.value.to_string(),
                _ => String::new(),
            };
            (e.key.value.to_string(), v)
        })
        .collect()
}

/// kyaml's `SetDataMap`/`SetBinaryDataMap`: replaces the field with string
/// values, removing it when there are none.
fn set_data_map(node: &mut Node, field: &str, entries: Vec<(String, String)>) {
    let Some(top) = node.as_map_mut() else {
        return;
    };
    top.remove(field);
    if entries.is_empty() {
        return;
    }
    let mut m = Map::new();
    for (k, v) in entries {
        m.entries.push(Entry {
            key: Scalar::string(k),
            value: super::data_value(v),
        });
    }
    top.insert(field, Node::Map(m));
}

/// An id as Go's `%#v` prints kustomize's `resid.ResId`.
fn go_syntax(id: &ResId) -> String {
    use crate::gofmt::go_quote;
    format!(
        "resid.ResId{{Gvk:resid.Gvk{{Group:{}, Version:{}, Kind:{}, isClusterScoped:{}}}, Name:{}, Namespace:{}}}",
        go_quote(&id.gvk.group),
        go_quote(&id.gvk.version),
        go_quote(&id.gvk.kind),
        id.gvk.is_cluster_scoped(),
        go_quote(&id.name),
        go_quote(&id.namespace)
    )
}
