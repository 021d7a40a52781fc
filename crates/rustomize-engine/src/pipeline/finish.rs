//! What runs once, after the whole tree is accumulated: hash suffixes,
//! name references, vars, local-config removal; then, after sorting, the
//! build metadata annotations, the managed-by label and kustomize's final
//! annotation clean-up.

use super::Context;
use super::target::Accumulator;
use crate::error::Error;
use crate::model::resmap::ResMap;
use crate::model::resource::{Origin, Resource};
use crate::steps::Transformer;
use crate::steps::generate::HashTransformer;
use crate::steps::transform::go_kind;
use crate::steps::transform::name_reference::NameReferenceTransformer;
use crate::steps::transform::vars;
use rustomize_yaml::{Entry, Map, Node, Pos, Scalar, Style, Tag};

/// Steps that run once, after the whole tree is accumulated.
pub(super) fn finish(acc: &mut Accumulator, ctx: &Context) -> Result<(), Error> {
    // Field provenance: a name's hash suffix keeps the name's place (the
    // generator entry, or the prefix that changed it last).
    let names: Vec<Pos> = match ctx.provenance {
        Some(_) => acc
            .rm
            .resources()
            .iter()
            .map(|r| {
                r.node
                    .get_path(&["metadata", "name"])
                    .map_or_else(Pos::default, Node::pos)
            })
            .collect(),
        None => Vec::new(),
    };
    HashTransformer.transform(&mut acc.rm)?;
    if !names.is_empty() {
        for (r, pos) in acc.rm.resources_mut_keeping_ids().iter_mut().zip(&names) {
            if let Some(name) = r.node.get_path_mut(&["metadata", "name"])
                && name.src() == 0
            {
                name.set_pos(*pos);
            }
        }
    }
    // kustomize keeps its bookkeeping in annotations and panics writing it
    // where they are a sequence (which it otherwise reads as pairs).
    if let Some(r) = acc
        .rm
        .resources()
        .iter()
        .find(|r| annotations_are_a_sequence(r) && r.bookkeeping_in_annotations())
    {
        return Err(Error::resource(format!(
            "{}: metadata.annotations is a sequence, where the build has to record a rename \
             or a reference (kubectl kustomize panics: wrong node kind: expected MappingNode \
             but got SequenceNode){}",
            r.cur_id(),
            from_origin(r)
        )));
    }
    // kustomize reads every resource's previous ids when it fixes name
    // references, and panics where that record has come apart.
    if let Some(r) = acc
        .rm
        .resources()
        .iter()
        .find(|r| r.previous_ids_unaligned())
    {
        return Err(Error::resource(format!(
            "{}: renamed while its metadata.name was empty, which kustomize cannot \
             follow (kubectl kustomize panics: number of previous names, number of \
             previous namespaces, number of previous kinds not equal){}",
            r.cur_id(),
            from_origin(r)
        )));
    }
    NameReferenceTransformer::new(&acc.config.name_reference).transform(&mut acc.rm)?;
    let unused = vars::resolve(&mut acc.rm, &acc.vars, &acc.config.var_reference)?;
    if let Some(reg) = &ctx.provenance {
        super::provenance::stamp_build(&mut acc.rm, reg, "set by vars or a name reference");
    }
    if !unused.is_empty() {
        ctx.warn(format!(
            "well-defined vars that were never replaced: {}",
            unused.join(",")
        ));
    }
    // kustomize's IgnoreLocal: the resources that are not local config
    // go into a new resource map, where two with the same current id
    // (renamed alike by patches, say) are an error.
    // Its `DropLocalNodes` first checks every resource's kind and name,
    // local config or not: a generator's output (an IAMPolicyGenerator
    // account without `kubernetesService.name`) and a patch's (one that
    // removes the name) are checked only here, after the renames.
    for r in acc.rm.resources() {
        let kind = r.kind();
        if kind.is_empty() {
            return Err(Error::resource(format!(
                "missing kind in object {}{}",
                r.cur_id(),
                from_origin(r)
            )));
        }
        if !kind.ends_with("List") && r.name().is_empty() {
            return Err(Error::resource(format!(
                "missing metadata.name in object {}{}",
                r.cur_id(),
                from_origin(r)
            )));
        }
    }
    let mut kept = ResMap::new();
    for r in std::mem::take(&mut acc.rm).into_resources() {
        if !r.is_local_config() {
            kept.append(r)?;
        }
    }
    acc.rm = kept;
    Ok(())
}

fn annotations_are_a_sequence(r: &Resource) -> bool {
    matches!(
        r.node.get_path(&["metadata", "annotations"]),
        Some(Node::Seq(_))
    )
}

/// ` (from FILE)` for a resource whose origin is known.
fn from_origin(r: &Resource) -> String {
    r.meta
        .origin
        .as_ref()
        .map(|o| format!(" (from {})", o.path))
        .unwrap_or_default()
}

/// The `app.kubernetes.io/managed-by` value kubectl's embedded kustomize
/// writes (it reports its version as "(devel)").
pub(super) const DEFAULT_MANAGED_BY: &str = "kustomize-(devel)";

/// The last touches on every resource, in output order: bookkeeping
/// annotations removed; origin and transformation annotations and the
/// managed-by label (value `managed_by`) added when asked for.
pub(super) fn decorate(
    rm: &mut ResMap,
    build_metadata: &[String],
    managed_by: Option<&str>,
) -> Result<(), Error> {
    let has = |o: &str| build_metadata.iter().any(|b| b == o);
    for r in rm.resources_mut() {
        if (has("originAnnotations") || has("transformerAnnotations"))
            && annotations_are_a_sequence(r)
        {
            // kustomize adds them where it reads the resource, and fails.
            return Err(Error::resource(format!(
                "cannot add path annotation for {}: metadata.annotations is a sequence{}",
                r.cur_id(),
                from_origin(r)
            )));
        }
        strip_build_annotations(r);
        if has("originAnnotations")
            && let Some(origin) = r.meta.origin.clone()
        {
            set_annotation(r, "config.kubernetes.io/origin", origin.to_yaml());
        }
        if has("transformerAnnotations") && !r.meta.transformations.is_empty() {
            let text = Origin::list_to_yaml(&r.meta.transformations);
            set_annotation(r, "alpha.config.kubernetes.io/transformations", text);
        }
        if let Some(value) = managed_by {
            let mut labels = r.labels();
            labels.retain(|(k, _)| k != "app.kubernetes.io/managed-by");
            labels.push(("app.kubernetes.io/managed-by".into(), value.into()));
            r.set_string_map("labels", labels);
        }
        normalize_annotations(r)?;
    }
    Ok(())
}

/// Annotations kustomize uses for its own bookkeeping and removes before
/// printing, even when an input file carries them.
const BUILD_ANNOTATIONS: [&str; 20] = [
    "internal.config.kubernetes.io/previousKinds",
    "internal.config.kubernetes.io/previousNames",
    "internal.config.kubernetes.io/prefixes",
    "internal.config.kubernetes.io/suffixes",
    "internal.config.kubernetes.io/previousNamespaces",
    "internal.config.kubernetes.io/allowNameChange",
    "internal.config.kubernetes.io/allowKindChange",
    "internal.config.kubernetes.io/refBy",
    "internal.config.kubernetes.io/generatorBehavior",
    "internal.config.kubernetes.io/needsHashSuffix",
    "internal.config.kubernetes.io/path",
    "internal.config.kubernetes.io/index",
    "internal.config.kubernetes.io/seqindent",
    "internal.config.kubernetes.io/id",
    "internal.config.kubernetes.io/annotations-migration-resource-id",
    "config.kubernetes.io/path",
    "config.kubernetes.io/index",
    "config.k8s.io/id",
    "config.kubernetes.io/origin",
    "alpha.config.kubernetes.io/transformations",
];

fn strip_build_annotations(r: &mut Resource) {
    if let Some(Node::Map(m)) = r.node.get_path_mut(&["metadata", "annotations"]) {
        m.entries
            .retain(|e| !BUILD_ANNOTATIONS.contains(&e.key.value.as_str()));
    }
}

fn set_annotation(r: &mut Resource, key: &str, value: String) {
    let mut annotations = r.annotations();
    annotations.retain(|(k, _)| k != key);
    annotations.push((key.to_string(), value));
    r.set_string_map("annotations", annotations);
}

/// kustomize rewrites `metadata.annotations` of every resource when it
/// strips its bookkeeping (`RemoveBuildAnnotations`): it reads them as
/// kyaml's `getMapFromMeta` does and writes them back as a new mapping of
/// strings; an empty one is removed.
fn normalize_annotations(r: &mut Resource) -> Result<(), Error> {
    let cleanup = |what: String| Error::Resource {
        message: format!("failed to clean up origin tracking annotations: {what}"),
    };
    let Some(meta) = r.node.get_mut("metadata") else {
        // It does so through `LookupCreate(metadata)`: an object without
        // `metadata` (a `...List` kind, which needs no name) gains
        // `metadata: {}` (kubectl-verified; a null one stays null).
        if let Some(top) = r.node.as_map_mut() {
            top.insert("metadata", Node::Map(Map::new()));
        }
        return Ok(());
    };
    let meta = match meta {
        Node::Map(m) => m,
        n if n.is_null() => return Ok(()),
        // `metadata: []` on a List kind (the only kind that gets here
        // without a name).
        n => {
            return Err(cleanup(format!(
                "wrong node kind: expected MappingNode but got {}",
                go_kind(n)
            )));
        }
    };
    let Some(annotations) = meta.get_mut("annotations") else {
        return Ok(());
    };
    // kyaml walks a node's content two items at a time without looking
    // at its kind, so a sequence is read as key, value, key, value: it
    // becomes the mapping of those pairs.
    if let Node::Seq(seq) = annotations
        && !seq.items.is_empty()
    {
        if seq.items.len() % 2 == 1 {
            // kubectl panics (index out of range in `visitFieldsWhileTrue`).
            return Err(cleanup(format!(
                "metadata.annotations is a sequence of {} items, which kustomize reads as key, value pairs",
                seq.items.len()
            )));
        }
        let mut items = std::mem::take(&mut seq.items).into_iter();
        let mut entries = Vec::with_capacity(items.len() / 2);
        while let (Some(key), Some(value)) = (items.next(), items.next()) {
            let Node::Scalar(key) = key else {
                // kubectl panics: the key is read as a string.
                return Err(cleanup(format!(
                    "wrong node kind: expected ScalarNode but got {}",
                    go_kind(&key)
                )));
            };
            entries.push(Entry { key, value });
        }
        *annotations = Node::Map(Map {
            entries,
            ..Map::new()
        });
    }
    let m = match annotations {
        Node::Map(m) if !m.is_empty() => m,
        _ => {
            meta.remove("annotations");
            return Ok(());
        }
    };
    for e in &mut m.entries {
        // Rewritten as new plain keys, which yaml.v3 types again:
        // `"true"` becomes a boolean, `"1"` an integer, and the JSON
        // step then refuses the object (kubectl: "json: unsupported
        // type: map[interface {}]interface {}").
        e.key.tag = rustomize_yaml::resolve::resolve_plain(&e.key.value);
        e.key.style = Style::Plain;
        // Values are new plain strings of the node's text: a folded
        // block's style (and its re-reading quirk) is gone, and a
        // collection, which has no text, becomes "".
        match &mut e.value {
            Node::Scalar(s) => {
                s.tag = Tag::Str;
                s.style = Style::Plain;
            }
            other => {
                let mut empty = Node::Scalar(Scalar::new("", Tag::Str, Style::Plain));
                empty.set_pos(other.pos());
                *other = empty;
            }
        }
    }
    Ok(())
}
