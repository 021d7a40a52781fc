//! Applying one patch to resources, with the bookkeeping kustomize does
//! around the patch itself: which id a patch targets, the name, kind and
//! namespace a strategic merge may not change, the copy of the patch made
//! for each selected resource, and what a JSON patch does to annotations.

use super::json6902;
use super::load::scalar_text;
use super::strategic_merge::{self, Outcome};
use crate::error::Error;
use crate::model::resid::{Gvk, ResId};
use crate::model::resmap::ResMap;
use crate::model::resource::Resource;
use crate::steps::openapi::Schema;
use rustomize_yaml::{Entry, Map, Node, Pos, Scalar};

/// Whether a strategic merge patch may rename its target or change its
/// kind (`patches[].options`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ChangeOptions {
    /// `allowNameChange`.
    pub allow_name_change: bool,
    /// `allowKindChange`.
    pub allow_kind_change: bool,
}

/// The id a strategic merge patch names: its own group, version, kind,
/// name and namespace.
pub(crate) fn patch_id(patch: &Node) -> ResId {
    ResId::new(
        Gvk::from_api_version(
            patch.str_at(&["apiVersion"]).unwrap_or(""),
            patch.str_at(&["kind"]).unwrap_or(""),
        ),
        patch.str_at(&["metadata", "name"]).unwrap_or(""),
        patch.str_at(&["metadata", "namespace"]).unwrap_or(""),
    )
}

/// kustomize's `GetById`: the one resource whose current or any earlier id
/// equals `id`. The error is kustomize's message.
// Err: kustomize's message, which callers embed in their own ("no resource matches ...: <this>").
pub(crate) fn find_by_any_id(rm: &ResMap, id: &ResId) -> Result<usize, String> {
    let mut found = None;
    let mut count = 0;
    for (i, r) in rm.resources().iter().enumerate() {
        if has_id(r, id) {
            count += 1;
            found.get_or_insert(i);
        }
    }
    match (count, found) {
        (1, Some(i)) => Ok(i),
        (0, _) | (_, None) => Err(format!(
            "no matches for Id {id}; failed to find unique target for patch {id}"
        )),
        _ => Err(format!(
            "multiple matches for Id {id}; failed to find unique target for patch {id}"
        )),
    }
}

/// Whether `r`'s current or an earlier id equals `id`, comparing the cheap
/// fields first.
fn has_id(r: &Resource, id: &ResId) -> bool {
    let name_hit =
        r.name() == id.name || r.meta.previous.iter().any(|(_, name, _)| *name == id.name);
    name_hit && r.any_id(|x| x.equals(id))
}

/// kustomize's `Resource.ApplySmPatch`: merges `patch` into `res` (list
/// semantics from `schema`), then
/// puts back the name and kind (unless `opts` allow changing them) and
/// always the namespace. Returns `false` when the patch deleted the
/// resource.
pub(crate) fn apply_sm_patch(
    res: &mut Resource,
    patch: &Node,
    opts: ChangeOptions,
    schema: &Schema,
) -> Result<bool, Error> {
    let name = res.name().to_string();
    let namespace = res.namespace().to_string();
    let kind = res.kind().to_string();
    if opts.allow_name_change || opts.allow_kind_change {
        res.store_previous_id();
    }
    let outcome = strategic_merge::merge(&mut res.node, patch, schema)?;
    if outcome == Outcome::Deleted || res.node.is_nil_or_empty() {
        return Ok(false);
    }
    res.put_back_identity(
        (!opts.allow_name_change).then_some(name.as_str()),
        &namespace,
        (!opts.allow_kind_change).then_some(kind.as_str()),
    );
    Ok(true)
}

/// The copy of `patch` kustomize merges into each resource a selecting
/// patch applies to (`resWrangler.ApplySmPatch`): labels and annotations
/// rewritten as string maps (`null` becomes the text `null`, an empty map
/// disappears), and the target's `apiVersion` with the patch's kind.
pub(crate) fn patch_copy_for(patch: &Node, target: &Resource) -> Node {
    let mut copy = patch.clone();
    restring_metadata_map(&mut copy, "labels");
    restring_metadata_map(&mut copy, "annotations");
    if let Node::Map(top) = &mut copy {
        top.insert("apiVersion", Node::string(target.api_version()));
    }
    copy
}

/// Applies `patch` to the resources at `positions` (in order), each
/// getting its own [`patch_copy_for`]; removes those the patch deletes.
pub(crate) fn apply_sm_patch_to(
    rm: &mut ResMap,
    positions: &[usize],
    patch: &Node,
    opts: ChangeOptions,
    schema: &Schema,
) -> Result<(), Error> {
    let mut deleted = Vec::new();
    for &i in positions {
        let res = rm.get_mut(i);
        let copy = patch_copy_for(patch, res);
        if !apply_sm_patch(res, &copy, opts, schema)? {
            deleted.push(i);
        }
    }
    for &i in deleted.iter().rev() {
        rm.remove(i);
    }
    Ok(())
}

/// The prefix of kustomize's build annotations.
const INTERNAL_PREFIX: &str = "internal.config.kubernetes.io/";

/// The build annotations kustomize would carry in `metadata.annotations`
/// for this bookkeeping (rustomize keeps them in [`BuildMeta`]).
///
/// [`BuildMeta`]: crate::model::resource::BuildMeta
fn internal_annotations(res: &Resource) -> Vec<(String, String)> {
    let m = &res.meta;
    let mut out = Vec::new();
    let mut csv = |key: &str, values: Vec<&str>| {
        let values: Vec<&str> = values.into_iter().filter(|v| !v.is_empty()).collect();
        if !values.is_empty() {
            out.push((format!("{INTERNAL_PREFIX}{key}"), values.join(",")));
        }
    };
    csv(
        "previousNames",
        m.previous.iter().map(|(_, n, _)| n.as_str()).collect(),
    );
    csv(
        "previousNamespaces",
        m.previous.iter().map(|(ns, _, _)| ns.as_str()).collect(),
    );
    csv(
        "previousKinds",
        m.previous.iter().map(|(_, _, k)| k.as_str()).collect(),
    );
    csv("prefixes", m.prefixes.iter().map(String::as_str).collect());
    csv("suffixes", m.suffixes.iter().map(String::as_str).collect());
    let ref_by: Vec<String> = m.ref_by.iter().map(ToString::to_string).collect();
    csv("refBy", ref_by.iter().map(String::as_str).collect());
    if let Some(b) = m.behavior {
        out.push((
            format!("{INTERNAL_PREFIX}generatorBehavior"),
            b.as_str().into(),
        ));
    }
    if m.needs_hash {
        out.push((
            format!("{INTERNAL_PREFIX}needsHashSuffix"),
            "enabled".into(),
        ));
    }
    out
}

/// Applies a JSON patch to one resource as kustomize's JSON patch
/// transformers do. The operations see the build annotations kustomize
/// keeps in the object (so `metadata.annotations` exists whenever the
/// resource has any bookkeeping, e.g. after `patches:` recorded its id);
/// after the operations and the JSON round trip those are taken out again
/// and the annotations rewritten as a string map (`null` becomes `"null"`,
/// non-scalars `""`, an empty or non-mapping `annotations` disappears).
pub(crate) fn apply_json_patch(res: &mut Resource, patch: &json6902::Patch) -> Result<(), Error> {
    // kustomize turns the object into JSON through yaml.v3's writer, which
    // is when a folded block takes its final reading.
    settle_folded(&mut res.node);
    let internal = internal_annotations(res);
    if !internal.is_empty()
        && let Some(top) = res.node.as_map_mut()
    {
        let meta = top.get_or_insert_with("metadata", Node::map);
        if meta.is_null() {
            *meta = Node::map();
        }
        if let Some(meta) = meta.as_map_mut() {
            let annotations = meta.get_or_insert_with("annotations", Node::map);
            if !matches!(annotations, Node::Map(_)) {
                *annotations = Node::map();
            }
            if let Some(a) = annotations.as_map_mut() {
                for (k, v) in internal {
                    a.insert(k, Node::string(v));
                }
            }
        }
    }
    patch.apply(&mut res.node)?;
    // The object went through JSON: kustomize's shared label nodes are gone.
    res.meta.aliases.clear();
    if let Some(Node::Map(a)) = res.node.get_path_mut(&["metadata", "annotations"]) {
        a.entries
            .retain(|e| !e.key.value.starts_with(INTERNAL_PREFIX));
    }
    restring_metadata_map(&mut res.node, "annotations");
    // kustomize makes a resource of the patched JSON again, which needs a
    // kind (a `replace` at path '' with a value without one, a `remove` of
    // /kind); kubectl then prints the Go structure where this prints JSON.
    if res.node.str_at(&["kind"]).is_none_or(str::is_empty) {
        return Err(Error::patch(format!(
            "missing kind in object {}",
            rustomize_yaml::json::to_string(&res.node).unwrap_or_default()
        )));
    }
    Ok(())
}

/// kyaml's `SetLabels(GetLabels())` / `SetAnnotations(GetAnnotations())`:
/// `metadata.<field>` becomes a sorted map of strings, each value the
/// scalar's text (`""` for a non-scalar); an empty result removes the
/// field. `metadata` is created when absent.
pub(crate) fn restring_metadata_map(node: &mut Node, field: &str) {
    let Node::Map(top) = node else {
        return;
    };
    let meta = top.get_or_insert_with("metadata", Node::map);
    if meta.is_null() {
        *meta = Node::map();
    }
    let Node::Map(meta) = meta else {
        return;
    };
    // Each entry keeps its place (field provenance).
    let mut pairs: Vec<(String, String, Pos, Pos)> = match meta.get(field) {
        Some(Node::Map(m)) => m
            .entries
            .iter()
            .map(|e| {
                let text = scalar_text(&e.value);
                (e.key.value.to_string(), text, e.key.pos(), e.value.pos())
            })
            .collect(),
        _ => Vec::new(),
    };
    let old = meta.remove(field);
    if pairs.is_empty() {
        return;
    }
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let mut map = Map::new();
    for (k, v, key_pos, value_pos) in pairs {
        let mut key = Scalar::string(k);
        key.set_pos(key_pos);
        let mut value = Node::string(v);
        value.set_pos(value_pos);
        map.entries.push(Entry { key, value });
    }
    let mut map = Node::Map(map);
    if let Some(old) = old {
        map.set_pos(old.pos());
    }
    meta.insert(field, map);
}

/// Gives every folded-block string the value kustomize reads back after
/// writing it out, and drops the folded style (as kustomize's JSON round
/// trip does).
fn settle_folded(node: &mut Node) {
    match node {
        Node::Scalar(s)
            if s.style == rustomize_yaml::Style::Folded && s.tag == rustomize_yaml::Tag::Str =>
        {
            if let Some(v) = rustomize_yaml::emit::reread_folded(&s.value) {
                s.value = v.into();
            }
            s.style = rustomize_yaml::Style::DoubleQuoted;
        }
        Node::Scalar(_) => {}
        Node::Seq(seq) => seq.items.iter_mut().for_each(settle_folded),
        Node::Map(m) => m
            .entries
            .iter_mut()
            .for_each(|e| settle_folded(&mut e.value)),
    }
}
