//! Referral candidates and how one is chosen for a reference.
//!
//! Only resources renamed at least once can be referrals (kustomize matches
//! the referenced name against previous names only). They are indexed by a
//! hash of each previous name, so a reference costs one binary search plus a
//! look at the few resources that ever had that name, instead of kustomize's
//! scan of every resource. Namespaces are interned to small numbers, so the
//! namespace rules compare integers.

use super::fast::{FastMap, ScopeCache, hash_str};
use super::is_go_string;
use crate::error::Error;
use crate::gofmt::go_quote;
use crate::model::resid::{DEFAULT_NAMESPACE, Gvk, split_api_version};
use crate::model::resource::Resource;
use rustomize_yaml::Node;
use std::cell::OnceCell;

/// kustomize's effective namespace of cluster-scoped ids.
const NOT_A_NAMESPACE: &str = "_non_namespaceable_";

/// An interned namespace.
type NsId = u32;

/// Namespace facts about every resource.
#[derive(Clone, Copy, Debug)]
struct Info {
    /// Whether the current GVK is cluster-scoped.
    cluster_scoped: bool,
    /// Current effective namespace (`default` for none, kustomize's
    /// placeholder for cluster-scoped kinds).
    eff_ns: NsId,
    /// Current `metadata.namespace` as written (possibly empty).
    raw_ns: NsId,
    /// Effective namespace of the original id.
    org_ns: NsId,
}

/// A renamed resource: what selection reads that may change while the
/// index is in use (the referrer's own tree is moved out while it is
/// fixed, so names are copied here).
#[derive(Debug)]
pub(super) struct Cand {
    /// Position in the resource list.
    pub res: usize,
    /// Current `metadata.name`.
    pub name: String,
    /// Current `apiVersion`, interned (previous ids share its group and
    /// version).
    api_version: u32,
    /// Whether the current kind is ServiceAccount.
    service_account: bool,
}

/// Which resources were originally in one namespace, to answer "may the
/// referrer see any resource originally in namespace N" without a scan.
#[derive(Debug, Default, Clone)]
struct OrgGroup {
    /// Some resource was originally there.
    any: bool,
    /// Some of them is currently cluster-scoped.
    any_cluster_scoped: bool,
    /// Their current effective namespaces.
    current: Vec<NsId>,
    /// Their current namespaces as written.
    written: Vec<NsId>,
}

/// The referral candidates and the namespace facts selection needs.
#[derive(Debug, Default)]
pub(super) struct Index {
    infos: Vec<Info>,
    namespaces: FastMap<String, NsId>,
    /// Interned namespaces by number.
    ns_names: Vec<String>,
    /// Interned `apiVersion`s of candidates.
    api_versions: Vec<String>,
    api_ids: FastMap<String, u32>,
    cands: Vec<Cand>,
    /// (hash of a previous name, current effective namespace, candidate
    /// number), sorted: a referrer finds the candidates in its own
    /// namespace without looking at those elsewhere.
    by_prev_name: Vec<(u64, NsId, u32)>,
    /// The interned placeholder namespace of cluster-scoped kinds.
    cluster_ns: Option<NsId>,
    /// Per original namespace; built on first use.
    org_groups: OnceCell<Vec<OrgGroup>>,
}

impl Index {
    /// Indexes `resources`. With no renamed resource nothing can be a
    /// referral, and the index stays empty.
    pub(super) fn build(resources: &[Resource], scopes: &mut ScopeCache) -> Index {
        let mut index = Index::default();
        let renamed = resources
            .iter()
            .filter(|r| !r.meta.previous.is_empty())
            .count();
        if renamed == 0 {
            return index;
        }
        index.infos.reserve(resources.len());
        index.cands.reserve(renamed);
        index.by_prev_name.reserve(renamed * 2);
        for (res, r) in resources.iter().enumerate() {
            let (api_version, kind, raw) = (r.api_version(), r.kind(), r.namespace());
            let cluster_scoped = scopes.is_cluster_scoped(api_version, kind);
            let eff = effective_namespace(cluster_scoped, raw);
            let org = match r.meta.previous.first() {
                Some((ns, _, _)) if ns.is_empty() => DEFAULT_NAMESPACE,
                Some((ns, _, _)) => ns.as_str(),
                None => eff,
            };
            let info = Info {
                cluster_scoped,
                eff_ns: index.intern(eff),
                raw_ns: index.intern(raw),
                org_ns: index.intern(org),
            };
            index.infos.push(info);
            if r.meta.previous.is_empty() {
                continue;
            }
            let c = index.cands.len() as u32;
            for (_, name, _) in &r.meta.previous {
                index.by_prev_name.push((hash_str(name), info.eff_ns, c));
            }
            let api = match index.api_ids.get(api_version) {
                Some(&api) => api,
                None => {
                    let api = index.api_versions.len() as u32;
                    index.api_versions.push(api_version.to_string());
                    index.api_ids.insert(api_version.to_string(), api);
                    api
                }
            };
            index.cands.push(Cand {
                res,
                name: r.name().to_string(),
                api_version: api,
                service_account: kind == "ServiceAccount",
            });
        }
        index.by_prev_name.sort_unstable();
        index.by_prev_name.dedup();
        index.cluster_ns = index.namespaces.get(NOT_A_NAMESPACE).copied();
        index
    }

    fn intern(&mut self, ns: &str) -> NsId {
        if let Some(&id) = self.namespaces.get(ns) {
            return id;
        }
        let id = self.ns_names.len() as NsId;
        self.namespaces.insert(ns.to_string(), id);
        self.ns_names.push(ns.to_string());
        id
    }

    /// The current `metadata.namespace` of candidate `c`, as written.
    pub(super) fn cand_namespace(&self, c: u32) -> &str {
        &self.ns_names[self.infos[self.cands[c as usize].res].raw_ns as usize]
    }

    /// The candidate numbered `c`.
    pub(super) fn cand(&self, c: u32) -> &Cand {
        &self.cands[c as usize]
    }

    /// Chooses the referral for a reference holding `old_name`
    /// (kustomize's `selectReferral`), for a referrer field that refers to
    /// `target` objects.
    ///
    /// `namespace` is the `namespace` field beside the name when the
    /// reference is a mapping that has one; `mapping` says the reference is
    /// a mapping (candidates then must agree on namespace too to count as
    /// one). `Err` holds the candidates when several remain.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn select(
        &self,
        resources: &[Resource],
        referrer: &Referrer,
        target: &Gvk,
        role_ref: Option<&Gvk>,
        old_name: &str,
        namespace: Option<&str>,
        mapping: bool,
    ) -> Result<Option<u32>, Vec<u32>> {
        if self.cands.is_empty() {
            return Ok(None);
        }
        let named = self.named(referrer, hash_str(old_name)).filter(|&c| {
            let res = self.cands[c as usize].res;
            resources[res].meta.previous.iter().any(|p| p.1 == old_name)
        });
        let ns_filter = match namespace {
            None => NsFilter::Any,
            Some(NOT_A_NAMESPACE) => return Ok(None),
            Some(ns) => match self.namespaces.get(ns) {
                // No resource was ever in that namespace.
                None => return Ok(None),
                Some(&id) if self.seen_in_org_ns(referrer, id) => NsFilter::Original(id),
                Some(&id) => NsFilter::Current(id),
            },
        };
        let accepts = |c: &u32| {
            let cand = &self.cands[*c as usize];
            let info = &self.infos[cand.res];
            let prev = &resources[cand.res].meta.previous;
            self.may_refer_to(referrer, cand, info)
                && ns_filter.accepts(info)
                && self.prev_selected_by(cand, prev, target)
                && role_ref.is_none_or(|g| self.prev_selected_by(cand, prev, g))
        };
        let mut named = named.filter(accepts);
        let Some(first) = named.next() else {
            return Ok(None);
        };
        let Some(second) = named.next() else {
            return Ok(Some(first));
        };
        let mut found: Vec<u32> = [first, second].into_iter().chain(named).collect();
        let affixes = |res: usize| {
            let meta = &resources[res].meta;
            (csv_view(&meta.prefixes), csv_view(&meta.suffixes))
        };
        let (r_pre, r_suf) = affixes(referrer.idx);
        let matches = |c: u32, allow_empty: bool| {
            let (pre, suf) = affixes(self.cands[c as usize].res);
            affix_match(&pre, &r_pre, allow_empty) && affix_match(&suf, &r_suf, allow_empty)
        };
        found.retain(|&c| matches(c, true));
        if found.len() > 1 {
            found.retain(|&c| matches(c, false));
        }
        match found.len() {
            0 => Ok(None),
            1 => Ok(Some(found[0])),
            _ => {
                let first = &self.cands[found[0] as usize];
                let same = found.iter().all(|&c| {
                    let cand = &self.cands[c as usize];
                    cand.name == first.name
                        && (!mapping || self.infos[cand.res].raw_ns == self.infos[first.res].raw_ns)
                });
                if same { Ok(Some(found[0])) } else { Err(found) }
            }
        }
    }

    /// The candidates, in resource order, that once had a name with hash
    /// `h` and are in a namespace the referrer may refer to: its own, the
    /// cluster's, and those its RoleBinding subjects name. A
    /// cluster-scoped referrer may refer to any.
    fn named(&self, referrer: &Referrer, h: u64) -> Named<'_> {
        let with_hash = |ns: Option<NsId>| -> &[(u64, NsId, u32)] {
            let lo = match ns {
                Some(ns) => self
                    .by_prev_name
                    .partition_point(|&(k, n, _)| (k, n) < (h, ns)),
                None => self.by_prev_name.partition_point(|&(k, _, _)| k < h),
            };
            let rest = &self.by_prev_name[lo..];
            let len = rest
                .iter()
                .take_while(|&&(k, n, _)| k == h && ns.is_none_or(|ns| n == ns))
                .count();
            &rest[..len]
        };
        let own = &self.infos[referrer.idx];
        if own.cluster_scoped {
            let mut all: Vec<u32> = with_hash(None).iter().map(|e| e.2).collect();
            all.sort_unstable();
            all.dedup();
            return Named::Many(all.into_iter());
        }
        let mine = with_hash(Some(own.eff_ns));
        let cluster = self.cluster_ns.map(|ns| with_hash(Some(ns))).unwrap_or(&[]);
        if referrer.binding_effective.is_empty() {
            if cluster.is_empty() {
                return Named::One(mine.iter());
            }
            if mine.is_empty() {
                return Named::One(cluster.iter());
            }
        }
        let mut all: Vec<u32> = mine.iter().chain(cluster).map(|e| e.2).collect();
        for &ns in &referrer.binding_effective {
            if ns != own.eff_ns {
                all.extend(with_hash(Some(ns)).iter().map(|e| e.2));
            }
        }
        all.sort_unstable();
        all.dedup();
        Named::Many(all.into_iter())
    }

    /// Whether some previous id of a candidate is selected by `gvk` (empty
    /// fields match anything); previous ids share the current group and
    /// version.
    fn prev_selected_by(
        &self,
        cand: &Cand,
        previous: &[(String, String, String)],
        gvk: &Gvk,
    ) -> bool {
        let (group, version) = split_api_version(&self.api_versions[cand.api_version as usize]);
        (gvk.group.is_empty() || gvk.group == group)
            && (gvk.version.is_empty() || gvk.version == version)
            && previous
                .iter()
                .any(|p| gvk.kind.is_empty() || p.2 == gvk.kind)
    }

    /// Whether the namespaces allow the referrer to refer to a candidate:
    /// kustomize's `SubsetThatCouldBeReferencedByResource` followed by its
    /// same-namespace sieve.
    fn may_refer_to(&self, referrer: &Referrer, cand: &Cand, info: &Info) -> bool {
        let own = &self.infos[referrer.idx];
        own.cluster_scoped
            || info.cluster_scoped
            || info.eff_ns == own.eff_ns
            || (cand.service_account && referrer.binding_namespaces.contains(&info.raw_ns))
    }

    /// Whether some resource the referrer may see was originally in
    /// namespace `ns` (kustomize groups the referrer's candidates by
    /// original namespace and falls back to current namespaces when that
    /// group is missing).
    fn seen_in_org_ns(&self, referrer: &Referrer, ns: NsId) -> bool {
        let groups = self.org_groups.get_or_init(|| {
            let mut groups = vec![OrgGroup::default(); self.namespaces.len()];
            let skip = self.namespaces.get(NOT_A_NAMESPACE).copied();
            for info in &self.infos {
                if Some(info.org_ns) == skip {
                    continue;
                }
                let g = &mut groups[info.org_ns as usize];
                g.any = true;
                g.any_cluster_scoped |= info.cluster_scoped;
                if !g.current.contains(&info.eff_ns) {
                    g.current.push(info.eff_ns);
                }
                if !g.written.contains(&info.raw_ns) {
                    g.written.push(info.raw_ns);
                }
            }
            groups
        });
        let g = &groups[ns as usize];
        let info = &self.infos[referrer.idx];
        g.any
            && (info.cluster_scoped
                || g.any_cluster_scoped
                || g.current.contains(&info.eff_ns)
                || referrer
                    .binding_namespaces
                    .iter()
                    .any(|n| g.written.contains(n)))
    }
}

/// Candidate numbers from [`Index::named`].
enum Named<'a> {
    /// One run of the index (already in candidate order).
    One(std::slice::Iter<'a, (u64, NsId, u32)>),
    /// Several runs, merged.
    Many(std::vec::IntoIter<u32>),
}

impl Iterator for Named<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        match self {
            Named::One(it) => it.next().map(|e| e.2),
            Named::Many(it) => it.next(),
        }
    }
}

/// How a `namespace` beside a referenced name narrows the candidates.
enum NsFilter {
    /// No namespace given.
    Any,
    /// Candidates originally in this namespace.
    Original(NsId),
    /// Candidates now in this namespace.
    Current(NsId),
}

impl NsFilter {
    fn accepts(&self, info: &Info) -> bool {
        match *self {
            NsFilter::Any => true,
            NsFilter::Original(ns) => info.org_ns == ns,
            NsFilter::Current(ns) => info.eff_ns == ns,
        }
    }
}

/// The resource whose fields are being fixed.
#[derive(Debug)]
pub(super) struct Referrer {
    /// Position in the resource list.
    pub idx: usize,
    /// For a RoleBinding: namespaces its ServiceAccount subjects name
    /// (those some resource is in).
    binding_namespaces: Vec<NsId>,
    /// The same as effective namespaces (empty is `default`).
    binding_effective: Vec<NsId>,
}

impl Referrer {
    /// Describes resource `idx`. A RoleBinding whose ServiceAccount
    /// subject has a namespace that is not a string is an error, as in
    /// kustomize.
    pub(super) fn new(idx: usize, res: &Resource, index: &Index) -> Result<Referrer, Error> {
        let mut referrer = Referrer {
            idx,
            binding_namespaces: Vec::new(),
            binding_effective: Vec::new(),
        };
        if res.kind() == "RoleBinding" {
            for ns in binding_namespaces(res)? {
                let ns_id = |n: &str| index.namespaces.get(n).copied();
                if let Some(id) = ns_id(ns) {
                    referrer.binding_namespaces.push(id);
                }
                if let Some(id) = ns_id(effective_namespace(false, ns)) {
                    referrer.binding_effective.push(id);
                }
            }
        }
        Ok(referrer)
    }
}

/// Whether a candidate's affix list fits the referrer's (kustomize's
/// `PrefixesSuffixesEquals` for one of the two lists): the shorter is the
/// tail of the longer; with `allow_empty`, an empty list on either side
/// matches anything; otherwise an empty list only matches an empty one.
fn affix_match(a: &[&str], b: &[&str], allow_empty: bool) -> bool {
    if allow_empty && (a.is_empty() || b.is_empty()) {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    long.ends_with(short)
}

/// The namespaces named by a RoleBinding's ServiceAccount subjects
/// (kustomize's `getNamespacesForRoleBinding`).
fn binding_namespaces(res: &Resource) -> Result<Vec<&str>, Error> {
    let mut out: Vec<&str> = Vec::new();
    let Some(subjects) = res.node.get("subjects").and_then(Node::as_seq) else {
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
                if !out.contains(&s.value.as_str()) {
                    out.push(&s.value);
                }
            }
            _ => {
                return Err(Error::transformer(format!(
                    "Invalid Input: namespace is blank for resource {}\n",
                    go_quote(&res.cur_id().to_string())
                )));
            }
        }
    }
    Ok(out)
}

/// kustomize's effective namespace.
fn effective_namespace(cluster_scoped: bool, ns: &str) -> &str {
    if cluster_scoped {
        NOT_A_NAMESPACE
    } else if ns.is_empty() {
        DEFAULT_NAMESPACE
    } else {
        ns
    }
}

/// A list as kustomize reads it back from its comma-separated annotation:
/// empty entries were never written, and commas split entries.
fn csv_view(list: &[String]) -> Vec<&str> {
    list.iter()
        .filter(|s| !s.is_empty())
        .flat_map(|s| s.split(','))
        .collect()
}
