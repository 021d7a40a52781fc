//! The name reference transformer: after resources were renamed (name
//! prefixes and suffixes, content hashes, namespaces, patches that may
//! change names), every field that names one of them is rewritten to the
//! new name, and, for `{name, namespace}` mappings, to its namespace.
//!
//! It follows kustomize v5.5's `nameReferenceTransformer` and
//! `filters/nameref`, which run once, at the top of the build, after hash
//! suffixes were added:
//!
//! - A resource is a *referrer* for every back reference whose field spec
//!   selects its **original** GVK (kind before any kind change). The field
//!   is then looked up in the resource whatever its current GVK.
//! - The value found at the path is a name (a scalar), a list of names
//!   (`rules/resourceNames`), a `{name, namespace}` mapping
//!   (`webhooks/clientConfig/service`) or a list of such mappings
//!   (`subjects`).
//! - The *referral* is chosen among resources that were renamed at least
//!   once (those with previous ids): some previous name equals the value,
//!   some previous id is of the referenced GVK, for `roleRef/name` some
//!   previous id matches the `roleRef`'s `apiGroup` and `kind`, and the
//!   namespaces allow it (same namespace as the referrer, or either side
//!   cluster-scoped, or a ServiceAccount in a namespace a RoleBinding's
//!   subjects name). For mappings with a `namespace`, candidates are those
//!   originally in that namespace, or failing any, those now in it.
//! - Several candidates are narrowed to those whose name prefixes and
//!   suffixes match the referrer's; candidates that would all write the same
//!   value are fine; otherwise the build fails with kustomize's
//!   "found multiple possible referrals" message.
//! - Each chosen referral records the referrer in [`BuildMeta::ref_by`].
//!
//! kustomize compares every referrer with every resource and walks every
//! field spec of every referrer. Here:
//!
//! - renamed resources are indexed by each previous name they had and their
//!   current namespace (module `index`), so a reference costs a binary search
//!   and a look at the few resources that once had that name where the
//!   referrer may see them;
//! - the field spec paths of a kind are merged into a trie and walked once,
//!   read-only, to find the few specs that reach a value (module `probe`); only
//!   those are then applied, in kustomize's order;
//! - the referrer's tree is moved out of the list while it is fixed, so no
//!   resource is cloned.
//!
//! [`BuildMeta::ref_by`]: crate::model::resource::BuildMeta::ref_by

mod fast;
mod index;
mod probe;
#[cfg(test)]
mod tests;
mod walk;

use crate::error::Error;
use crate::model::fieldspec::{FieldSpec, NameBackReference};
use crate::model::resid::{Gvk, split_api_version};
use crate::model::resmap::ResMap;
use crate::model::resource::{BuildMeta, Resource};
use crate::steps::Transformer;
use fast::{FastMap, ScopeCache};
use index::{Index, Referrer};
use probe::Trie;
use rustomize_yaml::{Node, Scalar, Tag};
use std::collections::HashMap;
use walk::{Fail, Segment, WalkError};

/// Rewrites references to renamed resources (kustomize's
/// `nameReferenceTransformer`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct NameReferenceTransformer<'a> {
    /// For each referenced kind, the fields of other kinds that hold its
    /// name (kustomize's `nameReference` configuration).
    pub back_refs: &'a [NameBackReference],
}

impl<'a> NameReferenceTransformer<'a> {
    /// A transformer for these back references.
    pub(crate) fn new(back_refs: &'a [NameBackReference]) -> Self {
        NameReferenceTransformer { back_refs }
    }

    /// A transformer for kustomize's default back reference table.
    #[cfg(test)]
    pub(crate) fn with_default_config() -> NameReferenceTransformer<'static> {
        NameReferenceTransformer::new(
            &crate::model::fieldspec::TransformerConfig::default_config().name_reference,
        )
    }
}

impl Transformer for NameReferenceTransformer<'_> {
    fn transform(&self, rm: &mut ResMap) -> Result<(), Error> {
        self.fix_all(rm, true)
    }
}

/// kustomize's sanity check of each referrer before it fixes its fields
/// (`confirmNodeMatchesReferrer`): the object's metadata decoded (where a
/// null `apiVersion` is "") against its id (where it is the text, `null`
/// or `~`), so such an object with fields to fix fails the build.
fn confirm_referrer(r: &Resource) -> Result<(), Error> {
    match r.node.get("apiVersion") {
        Some(Node::Scalar(s)) if s.is_null() && !s.value.is_empty() => {
            Err(Error::transformer(format!(
                "node-referrerOriginal 'APIVersion' mismatch '' != '{}'",
                s.value
            )))
        }
        _ => Ok(()),
    }
}

impl NameReferenceTransformer<'_> {
    /// Fixes every referrer; without `probe`, every matching spec is
    /// walked (the plain, slower way, kept to test the probe against).
    fn fix_all(&self, rm: &mut ResMap, probe: bool) -> Result<(), Error> {
        let table = SpecTable::new(self.back_refs);
        if table.specs.is_empty() || rm.is_empty() {
            return Ok(());
        }
        let mut scopes = ScopeCache::default();
        let index = Index::build(rm.resources(), &mut scopes);
        let resources = rm.resources_mut();
        let mut matching = MatchCache::default();
        let (mut chosen, mut hits, mut run) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..resources.len() {
            let (matched, trie) = matching.specs_for(&table, &resources[i]);
            if matched.is_empty() {
                continue;
            }
            confirm_referrer(&resources[i])?;
            let referrer = Referrer::new(i, &resources[i], &index)?;
            // Apply only the specs that reach something, unless some spec
            // fails: then all of them, in order, to fail as kustomize does.
            hits.clear();
            hits.resize(matched.len(), false);
            run.clear();
            if probe && trie.probe(&resources[i].node, &mut hits).is_ok() {
                run.extend(
                    matched
                        .iter()
                        .zip(&hits)
                        .filter(|(_, h)| **h)
                        .map(|(s, _)| *s),
                );
            } else {
                run.extend_from_slice(matched);
            }
            if run.is_empty() {
                continue;
            }
            // The referrer's tree is moved out while its fields are fixed,
            // so the other resources can be read meanwhile; it goes back
            // before anything else happens.
            let mut node = std::mem::take(&mut resources[i].node);
            chosen.clear();
            let result = fix_referrer(
                &table,
                &run,
                &index,
                &referrer,
                &mut node,
                resources,
                &mut chosen,
            );
            resources[i].node = node;
            if !chosen.is_empty() {
                let id = resources[i].cur_id();
                for &target in &chosen {
                    crate::model::resource::push_snug(
                        &mut resources[target].meta.ref_by,
                        id.clone(),
                    );
                }
            }
            if let Err((spec, e)) = result {
                return Err(failure(&table.specs[spec], &index, i, resources, e));
            }
        }
        Ok(())
    }
}

/// One field spec of one back reference, ready to walk.
struct RefSpec<'a> {
    /// The referenced GVK (the back reference's), in `SpecTable::targets`.
    target: usize,
    /// The referrer selector and path.
    spec: &'a FieldSpec,
    /// The path, split when a referrer of a kind the spec selects is met
    /// (the default tables hold some three hundred paths; a small tree
    /// meets a few of them).
    path: std::cell::OnceCell<Vec<Segment<'a>>>,
    /// Whether the path ends in `roleRef/name`, where the `roleRef`'s own
    /// `apiGroup` and `kind` narrow the referral.
    role_ref: bool,
}

impl<'a> RefSpec<'a> {
    /// The path, split.
    fn path(&self) -> &[Segment<'a>] {
        self.path.get_or_init(|| Segment::split(&self.spec.path))
    }
}

/// The field specs of all back references, in configuration order, with
/// an index by referrer kind.
struct SpecTable<'a> {
    targets: Vec<Gvk>,
    specs: Vec<RefSpec<'a>>,
    by_kind: HashMap<&'a str, Vec<usize>>,
    any_kind: Vec<usize>,
}

impl<'a> SpecTable<'a> {
    /// The specs of `back_refs`, ordered as kustomize orders them: back
    /// references by their GVK (its configuration sorts them whenever two
    /// are merged), field specs as configured.
    fn new(back_refs: &'a [NameBackReference]) -> Self {
        let mut table = SpecTable {
            targets: Vec::with_capacity(back_refs.len()),
            specs: Vec::new(),
            by_kind: HashMap::new(),
            any_kind: Vec::new(),
        };
        let mut sorted: Vec<(i64, String, &NameBackReference)> = back_refs
            .iter()
            .map(|br| {
                (
                    crate::model::resid::kind_rank(&br.kind),
                    br.gvk().stable_sort_key(),
                    br,
                )
            })
            .collect();
        sorted.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        for (_, _, br) in sorted {
            let target = table.targets.len();
            table.targets.push(br.gvk());
            for spec in &br.field_specs {
                let n = table.specs.len();
                if spec.kind.is_empty() {
                    table.any_kind.push(n);
                } else {
                    table.by_kind.entry(&spec.kind).or_default().push(n);
                }
                table.specs.push(RefSpec {
                    target,
                    spec,
                    path: std::cell::OnceCell::new(),
                    role_ref: spec.path.ends_with("roleRef/name"),
                });
            }
        }
        table
    }

    /// The specs (in table order) whose selector matches an original GVK.
    fn matching(&self, api_version: &str, kind: &str) -> Vec<usize> {
        let (group, version) = split_api_version(api_version);
        let selects = |i: &usize| {
            let s = self.specs[*i].spec;
            (s.group.is_empty() || s.group == group)
                && (s.version.is_empty() || s.version == version)
        };
        let by_kind = self.by_kind.get(kind).map(Vec::as_slice).unwrap_or(&[]);
        let mut out: Vec<usize> = by_kind
            .iter()
            .chain(&self.any_kind)
            .copied()
            .filter(|i| selects(i))
            .collect();
        out.sort_unstable();
        out
    }
}

/// The matching specs per original `apiVersion` and kind, with the trie
/// of their paths, computed once per distinct pair.
#[derive(Default)]
struct MatchCache<'a> {
    by_key: FastMap<String, usize>,
    lists: Vec<(Vec<usize>, Trie<'a>)>,
    key: String,
}

impl<'a> MatchCache<'a> {
    /// The specs for which the resource is a referrer: those selecting its
    /// original id's GVK (original kind, current group and version, as
    /// kustomize's `OrgId` has them).
    fn specs_for(&mut self, table: &'a SpecTable<'a>, res: &Resource) -> (&[usize], &Trie<'a>) {
        let kind = match res.meta.previous.first() {
            Some((_, _, kind)) => kind.as_str(),
            None => res.kind(),
        };
        let api_version = res.api_version();
        self.key.clear();
        self.key.push_str(api_version);
        self.key.push('\0');
        self.key.push_str(kind);
        let ix = match self.by_key.get(self.key.as_str()) {
            Some(&ix) => ix,
            None => {
                let specs = table.matching(api_version, kind);
                let trie = Trie::new(specs.iter().map(|&s| table.specs[s].path()));
                self.lists.push((specs, trie));
                self.by_key.insert(self.key.clone(), self.lists.len() - 1);
                self.lists.len() - 1
            }
        };
        let (specs, trie) = &self.lists[ix];
        (specs, trie)
    }
}

/// Applies every matching spec to the referrer's tree, in order. On
/// failure, says which spec failed.
fn fix_referrer(
    table: &SpecTable<'_>,
    matched: &[usize],
    index: &Index,
    referrer: &Referrer,
    node: &mut Node,
    resources: &[Resource],
    chosen: &mut Vec<usize>,
) -> Result<(), (usize, WalkError)> {
    for &s in matched {
        let spec = &table.specs[s];
        let role_ref = if spec.role_ref {
            role_ref_gvk(node)
        } else {
            None
        };
        let mut fixer = walk::Fixer {
            index,
            referrer,
            target: &table.targets[spec.target],
            role_ref: role_ref.as_ref(),
            resources,
            chosen: &mut *chosen,
        };
        walk::walk(spec.path(), node, &mut fixer).map_err(|e| (s, e))?;
    }
    Ok(())
}

/// The group and kind in a referrer's `roleRef`, when it has both fields
/// (kustomize's `getRoleRefGvk`); without them any referral kind is
/// accepted.
fn role_ref_gvk(node: &Node) -> Option<Gvk> {
    let role_ref = node.get("roleRef")?.as_map()?;
    let text = |n: &Node| match n {
        Node::Scalar(s) => s.value.to_string(),
        _ => String::new(),
    };
    let group = text(role_ref.get("apiGroup")?);
    let kind = text(role_ref.get("kind")?);
    Some(Gvk::new(group, "", kind))
}

/// Turns a walk failure into kustomize's error text, rendering the
/// referrer (resource `referrer`, its tree back in place) and the
/// candidates for an ambiguous reference.
fn failure(
    spec: &RefSpec<'_>,
    index: &Index,
    referrer: usize,
    resources: &[Resource],
    e: WalkError,
) -> Error {
    let render = |r: &Resource| yaml_with_build_annotations(&r.node, &r.meta);
    let message = match e.fail {
        Fail::Msg(m) => m,
        Fail::Ambiguous(cands) => {
            let ids: Vec<String> = cands
                .iter()
                .map(|&c| resources[index.cand(c).res].cur_id().to_string())
                .collect();
            let mut m = format!(
                "found multiple possible referrals: {}\n\n**** Too many possible referral targets to referrer:\n{}\n",
                ids.join(", "),
                render(&resources[referrer])
            );
            for (n, &c) in cands.iter().enumerate() {
                let yaml = render(&resources[index.cand(c).res]);
                m.push_str(&format!("--- possible referral {n}:\n{yaml}\n"));
            }
            m
        }
    };
    let mut err = Error::transformer(message);
    for c in e.contexts {
        err = err.context(c);
    }
    let path = &spec.spec.path;
    let id = resources[referrer].cur_id();
    err.context(format!("considering field '{path}' of object {id}"))
        .context(format!(
            "updating name reference in '{path}' field of '{id}'"
        ))
}

/// The annotation keys kustomize keeps its build bookkeeping under.
const ANNO_PREVIOUS_KINDS: &str = "internal.config.kubernetes.io/previousKinds";
const ANNO_PREVIOUS_NAMES: &str = "internal.config.kubernetes.io/previousNames";
const ANNO_PREVIOUS_NAMESPACES: &str = "internal.config.kubernetes.io/previousNamespaces";
const ANNO_PREFIXES: &str = "internal.config.kubernetes.io/prefixes";
const ANNO_SUFFIXES: &str = "internal.config.kubernetes.io/suffixes";
const ANNO_REF_BY: &str = "internal.config.kubernetes.io/refBy";
const ANNO_BEHAVIOR: &str = "internal.config.kubernetes.io/generatorBehavior";
const ANNO_NEEDS_HASH: &str = "internal.config.kubernetes.io/needsHashSuffix";

/// Prints a resource as kustomize prints it in error messages: with its
/// build bookkeeping as the annotations kustomize keeps it in.
fn yaml_with_build_annotations(node: &Node, meta: &BuildMeta) -> String {
    let csv = |parts: &mut dyn Iterator<Item = &str>| {
        parts
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut extra: Vec<(&str, String)> = Vec::new();
    if !meta.previous.is_empty() {
        let prev = &meta.previous;
        extra.push((
            ANNO_PREVIOUS_KINDS,
            csv(&mut prev.iter().map(|p| p.2.as_str())),
        ));
        extra.push((
            ANNO_PREVIOUS_NAMES,
            csv(&mut prev.iter().map(|p| p.1.as_str())),
        ));
        extra.push((
            ANNO_PREVIOUS_NAMESPACES,
            csv(&mut prev.iter().map(|p| p.0.as_str())),
        ));
    }
    extra.push((
        ANNO_PREFIXES,
        csv(&mut meta.prefixes.iter().map(String::as_str)),
    ));
    extra.push((
        ANNO_SUFFIXES,
        csv(&mut meta.suffixes.iter().map(String::as_str)),
    ));
    let refs: Vec<String> = meta.ref_by.iter().map(ToString::to_string).collect();
    extra.push((ANNO_REF_BY, csv(&mut refs.iter().map(String::as_str))));
    if let Some(b) = meta.behavior {
        // kustomize writes "unspecified" for generators that name no
        // behavior; BuildMeta does not tell that from an explicit
        // "create", and leaving it out is by far the more common.
        let name = match b {
            crate::model::resource::Behavior::Create => "unspecified",
            other => other.as_str(),
        };
        extra.push((ANNO_BEHAVIOR, name.to_string()));
    }
    if meta.needs_hash {
        extra.push((ANNO_NEEDS_HASH, "enabled".to_string()));
    }
    extra.retain(|(_, v)| !v.is_empty());

    let rendered;
    let node = if extra.is_empty() {
        node
    } else {
        let mut copy = node.clone();
        if let Some(top) = copy.as_map_mut() {
            let meta_node = top.get_or_insert_with("metadata", Node::map);
            if !matches!(meta_node, Node::Map(_)) {
                *meta_node = Node::map();
            }
            if let Some(m) = meta_node.as_map_mut() {
                let annos = m.get_or_insert_with("annotations", Node::map);
                if !matches!(annos, Node::Map(_)) {
                    *annos = Node::map();
                }
                if let Some(a) = annos.as_map_mut() {
                    for (k, v) in extra {
                        a.insert(k, Node::Scalar(Scalar::string(v)));
                    }
                }
            }
        }
        rendered = copy;
        &rendered
    };
    rustomize_yaml::emit::to_string(node).unwrap_or_else(|e| format!("<{e}>\n"))
}

/// Whether a scalar holds a string in kustomize's Go-typed view of YAML
/// (what a type assertion to `string` accepts after decoding).
fn is_go_string(node: &Node) -> bool {
    matches!(node, Node::Scalar(s) if s.tag == Tag::Str)
}
