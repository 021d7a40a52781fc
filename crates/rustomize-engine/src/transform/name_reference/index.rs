//! Referral candidates and how one is chosen for a reference.
//!
//! Only resources renamed at least once can be referrals (kustomize matches
//! the referenced name against previous names only). They are indexed by
//! each previous name, so a reference costs one hash lookup plus a look at
//! the few resources that ever had that name, instead of kustomize's scan of
//! every resource.

use super::is_go_string;
use crate::error::Error;
use crate::resid::{DEFAULT_NAMESPACE, Gvk, ResId, split_api_version};
use crate::resource::Resource;
use rustomize_yaml::Node;
use std::collections::{HashMap, HashSet};

/// kustomize's effective namespace of cluster-scoped ids.
const NOT_A_NAMESPACE: &str = "_non_namespaceable_";

/// What selection needs to know about a renamed resource, copied out so
/// the resources can be changed while the index is read.
#[derive(Debug)]
pub(super) struct Cand {
    /// Position in the resource list.
    pub res: usize,
    /// Current `metadata.name`.
    pub name: String,
    /// Current `metadata.namespace`, as written (possibly empty).
    pub namespace: String,
    /// Current effective namespace.
    eff_ns: String,
    /// Whether the current GVK is cluster-scoped.
    cluster_scoped: bool,
    /// Whether the current kind is ServiceAccount.
    service_account: bool,
    /// Current group and version (previous ids share them).
    group: String,
    version: String,
    /// Kinds of the previous ids.
    prev_kinds: Vec<String>,
    /// Effective namespace of the original id.
    org_ns: String,
    /// Name prefixes and suffixes as kustomize reads them back.
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

impl Cand {
    /// Whether some previous id is selected by `gvk` (empty fields match
    /// anything).
    fn prev_selected_by(&self, gvk: &Gvk) -> bool {
        (gvk.group.is_empty() || gvk.group == self.group)
            && (gvk.version.is_empty() || gvk.version == self.version)
            && (gvk.kind.is_empty() || self.prev_kinds.contains(&gvk.kind))
            && !self.prev_kinds.is_empty()
    }
}

/// Which namespaces' resources exist, grouped by original namespace, to
/// answer "is any resource the referrer may see originally in namespace
/// N" without a scan.
#[derive(Debug, Default)]
struct NsGroup {
    /// Some member is currently cluster-scoped.
    any_cluster_scoped: bool,
    /// Current effective namespaces of the members.
    current: HashSet<String>,
    /// Current namespaces of the members as written.
    written: HashSet<String>,
}

/// The referral candidates, indexed by previous name.
#[derive(Debug, Default)]
pub(super) struct Index {
    cands: Vec<Cand>,
    by_prev_name: HashMap<String, Vec<usize>>,
    by_org_ns: HashMap<String, NsGroup>,
}

impl Index {
    /// Indexes the renamed resources among `resources`.
    pub fn build(resources: &[Resource]) -> Index {
        let mut index = Index::default();
        for (res, r) in resources.iter().enumerate() {
            if r.meta.previous.is_empty() {
                continue;
            }
            let c = index.cands.len();
            let mut seen: Vec<&str> = Vec::with_capacity(r.meta.previous.len());
            for (_, name, _) in &r.meta.previous {
                if !seen.contains(&name.as_str()) {
                    seen.push(name);
                    match index.by_prev_name.get_mut(name.as_str()) {
                        Some(list) => list.push(c),
                        None => {
                            index.by_prev_name.insert(name.clone(), vec![c]);
                        }
                    }
                }
            }
            let id = r.cur_id();
            let (group, version) = split_api_version(r.api_version());
            index.cands.push(Cand {
                res,
                eff_ns: id.effective_namespace().to_string(),
                cluster_scoped: id.gvk.is_cluster_scoped(),
                service_account: id.gvk.kind == "ServiceAccount",
                group: group.to_string(),
                version: version.to_string(),
                prev_kinds: r.meta.previous.iter().map(|p| p.2.clone()).collect(),
                org_ns: org_namespace(r).to_string(),
                prefixes: csv_view(&r.meta.prefixes),
                suffixes: csv_view(&r.meta.suffixes),
                name: id.name,
                namespace: id.namespace,
            });
        }
        if index.cands.is_empty() {
            return index;
        }
        for r in resources {
            let org = org_namespace(r);
            if org == NOT_A_NAMESPACE {
                continue;
            }
            if !index.by_org_ns.contains_key(org) {
                index.by_org_ns.insert(org.to_string(), NsGroup::default());
            }
            let Some(group) = index.by_org_ns.get_mut(org) else {
                continue;
            };
            let id = r.cur_id();
            if id.gvk.is_cluster_scoped() {
                group.any_cluster_scoped = true;
            }
            let eff = id.effective_namespace();
            if !group.current.contains(eff) {
                group.current.insert(eff.to_string());
            }
            if !group.written.contains(&id.namespace) {
                group.written.insert(id.namespace);
            }
        }
        index
    }

    /// The candidate numbered `c`.
    pub fn cand(&self, c: usize) -> &Cand {
        &self.cands[c]
    }

    /// Chooses the referral for a reference holding `old_name`
    /// (kustomize's `selectReferral`), for a referrer field that refers
    /// to `target` objects.
    ///
    /// `namespace` is the `namespace` field beside the name when the
    /// reference is a mapping that has one; `mapping` says the reference
    /// is a mapping (candidates then must agree on namespace too to count
    /// as one). `Err` holds the candidates when several remain.
    pub fn select(
        &self,
        referrer: &Referrer,
        target: &Gvk,
        role_ref: Option<&Gvk>,
        old_name: &str,
        namespace: Option<&str>,
        mapping: bool,
    ) -> Result<Option<usize>, Vec<usize>> {
        let Some(named) = self.by_prev_name.get(old_name) else {
            return Ok(None);
        };
        let ns_filter = match namespace {
            None => NsFilter::Any,
            Some(NOT_A_NAMESPACE) => return Ok(None),
            Some(ns) if self.seen_in_org_ns(referrer, ns) => NsFilter::Original(ns),
            Some(ns) => NsFilter::Current(ns),
        };
        let mut found: Vec<usize> = named
            .iter()
            .copied()
            .filter(|&c| {
                let cand = &self.cands[c];
                referrer.may_refer_to(cand)
                    && ns_filter.accepts(cand)
                    && cand.prev_selected_by(target)
                    && role_ref.is_none_or(|g| cand.prev_selected_by(g))
            })
            .collect();
        if found.len() == 1 {
            return Ok(Some(found[0]));
        }
        found.retain(|&c| referrer.affixes_match(&self.cands[c], true));
        if found.len() > 1 {
            found.retain(|&c| referrer.affixes_match(&self.cands[c], false));
        }
        match found.len() {
            0 => Ok(None),
            1 => Ok(Some(found[0])),
            _ => {
                let first = &self.cands[found[0]];
                let same = found.iter().all(|&c| {
                    let cand = &self.cands[c];
                    cand.name == first.name && (!mapping || cand.namespace == first.namespace)
                });
                if same { Ok(Some(found[0])) } else { Err(found) }
            }
        }
    }

    /// Whether some resource the referrer may see was originally in
    /// namespace `ns` (kustomize groups the referrer's candidates by
    /// original namespace and falls back to current namespaces when the
    /// group is missing).
    fn seen_in_org_ns(&self, referrer: &Referrer, ns: &str) -> bool {
        let Some(group) = self.by_org_ns.get(ns) else {
            return false;
        };
        referrer.cluster_scoped
            || group.any_cluster_scoped
            || group.current.contains(referrer.eff_ns.as_str())
            || referrer
                .binding_namespaces
                .iter()
                .any(|n| group.written.contains(n))
    }
}

/// How a `namespace` beside a referenced name narrows the candidates.
enum NsFilter<'a> {
    /// No namespace given.
    Any,
    /// Candidates originally in this namespace.
    Original(&'a str),
    /// Candidates now in this namespace.
    Current(&'a str),
}

impl NsFilter<'_> {
    fn accepts(&self, cand: &Cand) -> bool {
        match self {
            NsFilter::Any => true,
            NsFilter::Original(ns) => cand.org_ns == *ns,
            NsFilter::Current(ns) => cand.eff_ns == *ns,
        }
    }
}

/// The resource whose fields are being fixed.
#[derive(Debug)]
pub(super) struct Referrer {
    /// Position in the resource list.
    pub idx: usize,
    /// Current id (recorded in referrals' `ref_by`).
    pub id: ResId,
    eff_ns: String,
    cluster_scoped: bool,
    /// For a RoleBinding: namespaces its ServiceAccount subjects name.
    binding_namespaces: Vec<String>,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

impl Referrer {
    /// Describes resource `idx`. A RoleBinding whose ServiceAccount
    /// subject has a namespace that is not a string is an error, as in
    /// kustomize.
    pub fn new(idx: usize, res: &Resource) -> Result<Referrer, Error> {
        let id = res.cur_id();
        let binding_namespaces = if id.gvk.kind == "RoleBinding" {
            binding_namespaces(&res.node, &id)?
        } else {
            Vec::new()
        };
        Ok(Referrer {
            idx,
            eff_ns: id.effective_namespace().to_string(),
            cluster_scoped: id.gvk.is_cluster_scoped(),
            binding_namespaces,
            prefixes: csv_view(&res.meta.prefixes),
            suffixes: csv_view(&res.meta.suffixes),
            id,
        })
    }

    /// Whether the namespaces allow a reference to `cand`: kustomize's
    /// `SubsetThatCouldBeReferencedByResource` followed by its
    /// same-namespace sieve.
    fn may_refer_to(&self, cand: &Cand) -> bool {
        self.cluster_scoped
            || cand.cluster_scoped
            || cand.eff_ns == self.eff_ns
            || (cand.service_account && self.binding_namespaces.contains(&cand.namespace))
    }

    /// kustomize's `PrefixesSuffixesEquals`: the candidate's prefixes and
    /// suffixes end the same way as the referrer's; with `allow_empty`,
    /// an empty list on either side matches anything.
    fn affixes_match(&self, cand: &Cand, allow_empty: bool) -> bool {
        let ok = |a: &[String], b: &[String]| {
            (allow_empty && (a.is_empty() || b.is_empty())) || same_ending(a, b)
        };
        ok(&cand.prefixes, &self.prefixes) && ok(&cand.suffixes, &self.suffixes)
    }
}

/// Whether the shorter list is the tail of the longer; an empty list only
/// matches an empty one (kustomize's `SameEndingSubSlice`).
fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    long.ends_with(short)
}

/// The namespaces named by a RoleBinding's ServiceAccount subjects
/// (kustomize's `getNamespacesForRoleBinding`).
fn binding_namespaces(node: &Node, id: &ResId) -> Result<Vec<String>, Error> {
    let mut out: Vec<String> = Vec::new();
    let Some(subjects) = node.get("subjects").and_then(Node::as_seq) else {
        return Ok(out);
    };
    for subject in subjects {
        let Some(m) = subject.as_map() else {
            continue;
        };
        let (Some(ns), Some(kind)) = (m.get("namespace"), m.get("kind")) else {
            continue;
        };
        if !is_go_string(kind) || kind.as_str() != Some("ServiceAccount") {
            continue;
        }
        match ns {
            Node::Scalar(s) if is_go_string(ns) => {
                if !out.contains(&s.value) {
                    out.push(s.value.clone());
                }
            }
            _ => {
                return Err(Error::msg(format!(
                    "Invalid Input: namespace is blank for resource {}\n",
                    go_quote(&id.to_string())
                )));
            }
        }
    }
    Ok(out)
}

/// The effective namespace of a resource's original id, as kustomize
/// computes it (a previous id's namespace is never treated as
/// cluster-scoped; empty and `default` are `default`).
fn org_namespace(r: &Resource) -> &str {
    match r.meta.previous.first() {
        Some((ns, _, _)) if ns.is_empty() || ns == DEFAULT_NAMESPACE => DEFAULT_NAMESPACE,
        Some((ns, _, _)) => ns,
        None => {
            let ns = r.namespace();
            if r.gvk().is_cluster_scoped() {
                NOT_A_NAMESPACE
            } else if ns.is_empty() {
                DEFAULT_NAMESPACE
            } else {
                ns
            }
        }
    }
}

/// A list as kustomize reads it back from its comma-separated annotation:
/// empty entries were never written, and commas split entries.
fn csv_view(list: &[String]) -> Vec<String> {
    list.iter()
        .filter(|s| !s.is_empty())
        .flat_map(|s| s.split(','))
        .map(str::to_string)
        .collect()
}

/// Go's `%q` of a string.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
