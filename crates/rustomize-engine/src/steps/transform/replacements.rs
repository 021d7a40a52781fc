//! `replacements`: copy a field of one resource into fields of others
//! (kustomize's ReplacementTransformer).

use crate::error::Error;
use crate::model::fieldpath;
use crate::model::kustomization::Selector;
use crate::model::resid::{Gvk, ResId};
use crate::model::resmap::ResMap;
use crate::model::resource::Resource;
use crate::steps::patch::LabelSelector;
use crate::steps::patch::selector::selector_text;
use crate::steps::{Miss, Transformer};
use regex::Regex;
use rustomize_loader::Loader;
use rustomize_yaml::{Node, Pos, Scalar, Tag};
use serde::Deserialize;

/// One replacement: a source field and the targets it is copied to.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct Replacement {
    /// Where the value comes from.
    pub source: Option<SourceSelector>,
    /// Where it goes.
    pub targets: Option<Vec<TargetSelector>>,
}

/// The resource and field a replacement reads.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub(crate) struct SourceSelector {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub field_path: String,
    pub options: Option<FieldOptions>,
}

impl SourceSelector {
    fn res_id(&self) -> ResId {
        ResId::new(
            Gvk::new(&self.group, &self.version, &self.kind),
            &self.name,
            &self.namespace,
        )
    }
}

/// The resources and fields a replacement writes.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub(crate) struct TargetSelector {
    pub select: Option<Selector>,
    pub reject: Vec<Selector>,
    pub field_paths: Vec<String>,
    pub options: Option<FieldOptions>,
}

/// How a value is cut from the source or spliced into a target.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[allow(missing_docs)]
pub(crate) struct FieldOptions {
    pub delimiter: String,
    pub index: i64,
    pub encoding: String,
    pub create: bool,
}

/// A `replacements` entry as written: inline, or a `path` to a file holding
/// one replacement or a list of them.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct ReplacementField {
    /// File with replacements.
    pub path: String,
    /// Inline source.
    pub source: Option<SourceSelector>,
    /// Inline targets.
    pub targets: Option<Vec<TargetSelector>>,
}

/// kustomize's ReplacementTransformer.
#[derive(Clone, Default)]
pub(crate) struct ReplacementTransformer {
    /// The replacements, in order.
    pub replacements: Vec<Replacement>,
    /// For each replacement, the `replacements` entry it comes from (an
    /// entry with a `path` holds several).
    pub entries: Vec<usize>,
    /// Field provenance: the place of a value a replacement copies, given
    /// the entry, the source (`ConfigMap/cfg data.HOST`) and the value's
    /// own place.
    pub placer: Option<Placer>,
}

/// See [`ReplacementTransformer::placer`].
pub(crate) type Placer = std::sync::Arc<dyn Fn(usize, &str, Pos) -> Pos + Send + Sync>;

impl std::fmt::Debug for ReplacementTransformer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplacementTransformer")
            .field("replacements", &self.replacements)
            .field("entries", &self.entries)
            .finish_non_exhaustive()
    }
}

impl ReplacementTransformer {
    /// Builds the transformer from `replacements` entries, reading `path`
    /// entries through `ldr`. The entries are decoded `strict`ly (unknown
    /// fields refused) when they come from a kustomization, leniently when
    /// from a plugin config; files named by `path` always leniently, as
    /// kustomize decodes each.
    pub(crate) fn new(entries: &[Node], ldr: &Loader, strict: bool) -> Result<Self, Error> {
        let mut replacements = Vec::new();
        let mut indexes = Vec::new();
        for (i, node) in entries.iter().enumerate() {
            let field: ReplacementField = if strict {
                rustomize_yaml::de::from_node(node)
            } else {
                rustomize_yaml::de::from_plugin_config(node)
            }
            .map_err(|e| Error::transformer(format!("invalid replacement: {e}")))?;
            if field.path.is_empty() {
                replacements.push(Replacement {
                    source: field.source,
                    targets: field.targets,
                });
                indexes.push(i);
                continue;
            }
            if field.source.is_some() || field.targets.is_some() {
                return Err(Error::transformer(
                    "cannot specify both path and inline replacement",
                ));
            }
            let bytes = ldr.load(&field.path)?;
            let text = String::from_utf8_lossy(&bytes);
            // `yaml.Unmarshal` (sigs.k8s.io/yaml, over yaml.v2): the first
            // document only, and a repeated key's last value wins.
            let doc = rustomize_yaml::parse::parse_one_last_key_wins(&text).map_err(|e| {
                Error::Parse {
                    file: field.path.clone(),
                    error: e,
                }
            })?;
            let items = match &doc {
                Node::Seq(seq) => seq.items.iter().collect::<Vec<_>>(),
                other => vec![other],
            };
            for item in items {
                // kustomize reads a replacement file with the lenient
                // `yaml.Unmarshal`: fields it does not know are ignored
                // (inline replacements are checked with the kustomization).
                let r: Replacement = rustomize_yaml::de::from_node_lenient(item).map_err(|e| {
                    Error::transformer(format!("{}: invalid replacement: {e}", field.path))
                })?;
                replacements.push(r);
                indexes.push(i);
            }
        }
        Ok(ReplacementTransformer {
            replacements,
            entries: indexes,
            placer: None,
        })
    }
}

impl Transformer for ReplacementTransformer {
    fn transform(&self, rm: &mut ResMap) -> Result<(), Error> {
        self.transform_noting(rm, &mut Vec::new())
    }

    fn transform_noting(&self, rm: &mut ResMap, misses: &mut Vec<Miss>) -> Result<(), Error> {
        for (k, r) in self.replacements.iter().enumerate() {
            let (Some(source), Some(targets)) = (&r.source, &r.targets) else {
                return Err(Error::transformer(
                    "replacements must specify a source and at least one target",
                ));
            };
            let (value, from) = source_value(rm, source)?;
            let entry = self.entries.get(k).copied().unwrap_or(k);
            let place = self
                .placer
                .as_ref()
                .map(|placer| placer(entry, &from, value.pos()));
            for (j, target) in targets.iter().enumerate() {
                if apply_target(rm, &value, target, place)? == 0 {
                    misses.push(Miss {
                        entry: Some(entry),
                        target: Some(j),
                        selector: target
                            .select
                            .as_ref()
                            .map(selector_text)
                            .unwrap_or_default(),
                    });
                }
            }
        }
        Ok(())
    }
}

fn all_ids(r: &Resource) -> Vec<ResId> {
    let mut ids = vec![r.cur_id()];
    ids.extend(r.prev_ids());
    ids
}

fn describe(id: &ResId) -> String {
    format!("{id}")
}

/// The value a replacement copies, and where it is read (`Kind/name
/// field.path`, for field provenance).
fn source_value(rm: &ResMap, source: &SourceSelector) -> Result<(Node, String), Error> {
    let selector = source.res_id();
    let mut found: Option<&Resource> = None;
    for r in rm.resources() {
        if all_ids(r).iter().any(|id| id.is_selected_by(&selector)) {
            if found.is_some() {
                return Err(Error::transformer(format!(
                    "multiple matches for selector {}",
                    describe(&selector)
                )));
            }
            found = Some(r);
        }
    }
    let res = found.ok_or_else(|| {
        Error::transformer(format!("nothing selected by {}", describe(&selector)))
    })?;
    let path = if source.field_path.is_empty() {
        "metadata.name"
    } else {
        &source.field_path
    };
    let node = fieldpath::lookup(&res.node, &fieldpath::split(path))
        .filter(|n| !n.is_nil_or_empty())
        .ok_or_else(|| {
            Error::transformer(format!(
                "fieldPath `{path}` is missing for replacement source {}",
                describe(&selector)
            ))
        })?;
    let mut value = node.clone();
    if let Some(opts) = source.options.as_ref().filter(|o| !o.delimiter.is_empty()) {
        let Node::Scalar(s) = &mut value else {
            return Err(Error::transformer(
                "delimiter option can only be used with scalar nodes",
            ));
        };
        let parts: Vec<&str> = s.value.split(opts.delimiter.as_str()).collect();
        let part = usize::try_from(opts.index)
            .ok()
            .and_then(|i| parts.get(i))
            .ok_or_else(|| {
                Error::transformer(format!(
                    "options.index {} is out of bounds for value {}",
                    opts.index, s.value
                ))
            })?;
        s.value = (*part).into();
    }
    let from = format!("{}/{} {path}", res.kind(), res.name());
    Ok((value, from))
}

/// Copies `value` into the fields of the resources `target` selects (each
/// copied node placed at `place`, for field provenance); returns how many
/// resources it selected.
fn apply_target(
    rm: &mut ResMap,
    value: &Node,
    target: &TargetSelector,
    place: Option<Pos>,
) -> Result<usize, Error> {
    let select = target
        .select
        .as_ref()
        .ok_or_else(|| Error::transformer("target must specify resources to select"))?;
    let default_paths = ["metadata.name".to_string()];
    let paths: &[String] = if target.field_paths.is_empty() {
        &default_paths
    } else {
        &target.field_paths
    };
    let select_id = select.res_id();
    let mut selected = 0;
    for r in rm.resources_mut() {
        if !matches_meta_selectors(r, select)? {
            continue;
        }
        let mut rejected = false;
        for reject in &target.reject {
            if (!reject.annotation_selector.is_empty() || !reject.label_selector.is_empty())
                && matches_meta_selectors(r, reject)?
            {
                rejected = true;
            }
        }
        if rejected {
            continue;
        }
        let ids = all_ids(r);
        let rejected_by_id = target.reject.iter().any(|rej| {
            let rid = rej.res_id();
            rid != ResId::default() && ids.iter().any(|id| id.is_selected_by(&rid))
        });
        if rejected_by_id || !ids.iter().any(|id| id.is_selected_by(&select_id)) {
            continue;
        }
        selected += 1;
        for path in paths {
            copy_to_target(&mut r.node, value, path, target.options.as_ref(), place)?;
        }
    }
    Ok(selected)
}

/// Label and annotation selectors of `sel` against the resource.
fn matches_meta_selectors(r: &Resource, sel: &Selector) -> Result<bool, Error> {
    Ok(matches_selector(r, "labels", &sel.label_selector)?
        && matches_selector(r, "annotations", &sel.annotation_selector)?)
}

fn matches_selector(r: &Resource, field: &str, text: &str) -> Result<bool, Error> {
    if text.is_empty() {
        return Ok(true);
    }
    let selector = LabelSelector::parse(text).map_err(Error::transformer)?;
    let map = r.node.get_path(&["metadata", field]);
    Ok(selector.matches(|k| {
        map.and_then(|m| m.get(k))
            .and_then(Node::as_scalar)
            .map(|s| s.value.as_str())
    }))
}

fn copy_to_target(
    obj: &mut Node,
    value: &Node,
    path: &str,
    opts: Option<&FieldOptions>,
    place: Option<Pos>,
) -> Result<(), Error> {
    let create = opts.is_some_and(|o| o.create).then(|| kind_of(value));
    let parts = fieldpath::split(path);
    let mut count = 0usize;
    let mut set_err: Option<Error> = None;
    path_match(obj, &parts, create, &mut |field, created| {
        count += 1;
        if set_err.is_none()
            && let Err(e) = set_field(field, created, value, opts)
        {
            set_err = Some(e);
        }
        if let Some(pos) = place {
            crate::model::provenance::stamp_subtree(field, pos);
        }
    })
    .map_err(|e| e.context(retrieval_error(path, create.is_some())))?;
    if let Some(e) = set_err {
        return Err(e);
    }
    if count == 0 {
        return Err(Error::transformer(retrieval_error(path, create.is_some())));
    }
    Ok(())
}

fn retrieval_error(path: &str, create: bool) -> String {
    if create {
        format!("unable to find or create field \"{path}\" in replacement target")
    } else {
        format!("unable to find field \"{path}\" in replacement target")
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Scalar,
    Seq,
    Map,
}

fn kind_of(n: &Node) -> Kind {
    match n {
        Node::Scalar(_) => Kind::Scalar,
        Node::Seq(_) => Kind::Seq,
        Node::Map(_) => Kind::Map,
    }
}

fn empty_of(kind: Kind) -> Node {
    match kind {
        Kind::Scalar => Node::Scalar(Scalar::new(
            String::new(),
            Tag::Str,
            rustomize_yaml::Style::Plain,
        )),
        Kind::Seq => Node::seq(Vec::new()),
        Kind::Map => Node::map(),
    }
}

fn is_index(p: &str) -> bool {
    p.parse::<usize>().is_ok()
}

fn is_list_index(p: &str) -> bool {
    p.starts_with('[') && p.ends_with(']')
}

/// The kind a missing part is created as, given the part after it.
fn part_kind(next: Option<&String>, default: Kind) -> Kind {
    match next {
        Some(n) if is_list_index(n) || is_index(n) => Kind::Seq,
        Some(_) => Kind::Map,
        None => default,
    }
}

/// kyaml's `PathMatcher`: every node `parts` reaches, creating missing
/// parts when `create` is given. `[k=v]` matches list elements whose field
/// `k` matches the (unanchored) regular expression `v`; `*` matches every
/// element; a number is an index.
fn path_match(
    node: &mut Node,
    parts: &[String],
    create: Option<Kind>,
    f: &mut dyn FnMut(&mut Node, bool),
) -> Result<(), Error> {
    let Some((first, rest)) = parts.split_first() else {
        f(node, false);
        return Ok(());
    };
    let next = rest.first();
    if let Ok(idx) = first.parse::<usize>() {
        let items = seq_items(node)?;
        let mut created = false;
        if items.len() == idx
            && let Some(kind) = create
        {
            items.push(empty_of(part_kind(next, kind)));
            created = true;
        }
        let len = items.len();
        let elem = items.get_mut(idx).ok_or_else(|| {
            Error::transformer(format!(
                "index {idx} specified but only {len} elements found"
            ))
        })?;
        if created && rest.is_empty() {
            f(elem, true);
            return Ok(());
        }
        return path_match(elem, rest, create, f);
    }
    if is_list_index(first) {
        let (field, pattern) = fieldpath::list_selector(first).ok_or_else(|| {
            Error::transformer(
                "list path element must contain fieldName=fieldValue for element to match",
            )
        })?;
        let re = Regex::new(&crate::pattern::go_syntax(pattern))
            .map_err(|e| Error::transformer(format!("invalid pattern in '{first}': {e}")))?;
        let items = seq_items(node)?;
        let matches = |e: &Node| -> bool {
            let text = if field.is_empty() {
                e.as_scalar()
            } else {
                e.get(field).and_then(Node::as_scalar)
            };
            text.is_some_and(|s| re.is_match(s.value.trim()))
        };
        if !items.iter().any(matches) {
            let Some(kind) = create else { return Ok(()) };
            let _ = kind;
            let elem = if field.is_empty() {
                Node::plain(pattern)
            } else {
                let mut m = rustomize_yaml::Map::new();
                m.insert(field, Node::plain(pattern));
                Node::Map(m)
            };
            items.push(elem);
        }
        for elem in items.iter_mut().filter(|e| matches(e)) {
            path_match(elem, rest, create, f)?;
        }
        return Ok(());
    }
    if first == "*" {
        for elem in seq_items(node)? {
            path_match(elem, rest, create, f)?;
        }
        return Ok(());
    }
    let map = match node {
        Node::Map(m) => m,
        n if n.is_null() => return Ok(()),
        n => {
            return Err(Error::transformer(format!(
                "wrong node kind: expected MappingNode but got {}",
                n.kind_name()
            )));
        }
    };
    let mut created = false;
    if !map.contains_key(first) {
        let Some(kind) = create else { return Ok(()) };
        map.insert(first.clone(), empty_of(part_kind(next, kind)));
        created = true;
    }
    match map.get_mut(first) {
        Some(field) if created && rest.is_empty() => {
            f(field, true);
            Ok(())
        }
        Some(field) => path_match(field, rest, create, f),
        None => Ok(()),
    }
}

fn seq_items(node: &mut Node) -> Result<&mut Vec<Node>, Error> {
    match node {
        Node::Seq(s) => Ok(&mut s.items),
        n => Err(Error::transformer(format!(
            "wrong node kind: expected SequenceNode but got {}",
            n.kind_name()
        ))),
    }
}

/// Writes `value` into `target`. A scalar target keeps its own type and
/// style and only takes the text; a scalar created for the replacement has
/// no type yet and resolves as plain text would (`5` becomes an int).
fn set_field(
    target: &mut Node,
    created: bool,
    value: &Node,
    opts: Option<&FieldOptions>,
) -> Result<(), Error> {
    let mut value = value.clone();
    if let Some(o) = opts.filter(|o| !o.delimiter.is_empty()) {
        let Node::Scalar(t) = &*target else {
            return Err(Error::transformer(
                "delimiter option can only be used with scalar nodes",
            ));
        };
        let mut parts: Vec<String> = t
            .value
            .split(o.delimiter.as_str())
            .map(str::to_string)
            .collect();
        let v = value
            .as_scalar()
            .map(|s| s.value.to_string())
            .unwrap_or_default();
        if o.index < 0 {
            parts.insert(0, v);
        } else if o.index as usize >= parts.len() {
            parts.push(v);
        } else {
            parts[o.index as usize] = v;
        }
        if let Node::Scalar(s) = &mut value {
            s.value = parts.join(&o.delimiter).into();
        }
    }
    match target {
        Node::Scalar(t) => {
            let text = value
                .as_scalar()
                .map(|s| s.value.clone())
                .unwrap_or_default();
            if created {
                t.tag = rustomize_yaml::resolve::resolve_plain(&text);
            } else if t.tag == Tag::Null {
                // kustomize fails to re-read such a node.
                return Err(Error::transformer(format!(
                    "cannot decode `{text}` as a !!null"
                )));
            } else if let Some(name) = match t.tag {
                Tag::Int => Some("int"),
                Tag::Float => Some("float"),
                Tag::Bool => Some("bool"),
                _ => None,
            } && rustomize_yaml::resolve::resolve_plain(&text) == Tag::Str
            {
                // The target keeps its type (kustomize copies the value
                // only), so text that is no number or boolean fails the
                // re-reading of the node (kubectl: "yaml: cannot decode
                // !!str `settings` as a !!int").
                return Err(Error::transformer(format!(
                    "cannot decode !!str `{text}` as a !!{name}"
                )));
            }
            t.value = text;
        }
        other => *other = value,
    }
    Ok(())
}
