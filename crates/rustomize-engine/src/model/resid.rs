//! Resource identity: group, version, kind, name and namespace.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

/// Group, version and kind of a resource.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gvk {
    /// API group; empty for the core group.
    pub group: String,
    /// API version.
    pub version: String,
    /// Kind.
    pub kind: String,
}

impl Gvk {
    /// A GVK from its parts.
    pub fn new(
        group: impl Into<String>,
        version: impl Into<String>,
        kind: impl Into<String>,
    ) -> Self {
        Gvk {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
        }
    }

    /// Splits an `apiVersion` into group and version.
    pub fn from_api_version(api_version: &str, kind: &str) -> Self {
        let (group, version) = split_api_version(api_version);
        Gvk::new(group, version, kind)
    }

    /// The `apiVersion` text: `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Whether every non-empty field of `selector` equals this GVK's.
    pub fn is_selected_by(&self, selector: &Gvk) -> bool {
        (selector.group.is_empty() || selector.group == self.group)
            && (selector.version.is_empty() || selector.version == self.version)
            && (selector.kind.is_empty() || selector.kind == self.kind)
    }

    /// Whether the built-in Kubernetes schema says this type is cluster-scoped.
    /// Unknown types (custom resources) are not.
    pub fn is_cluster_scoped(&self) -> bool {
        is_cluster_scoped(&self.group, &self.version, &self.kind)
    }

    /// kustomize's "stable sort string", used to order kinds it has no
    /// explicit rank for: `group_version_kind` with `~G`, `~V`, `~K` for
    /// empty parts.
    pub fn stable_sort_key(&self) -> String {
        let g = if self.group.is_empty() {
            "~G"
        } else {
            &self.group
        };
        let v = if self.version.is_empty() {
            "~V"
        } else {
            &self.version
        };
        let k = if self.kind.is_empty() {
            "~K"
        } else {
            &self.kind
        };
        format!("{g}_{v}_{k}")
    }
}

impl fmt::Display for Gvk {
    /// kustomize's `Kind.version.group` form with `[noGrp]`-style placeholders.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let g = if self.group.is_empty() {
            "[noGrp]"
        } else {
            &self.group
        };
        let v = if self.version.is_empty() {
            "[noVer]"
        } else {
            &self.version
        };
        let k = if self.kind.is_empty() {
            "[noKind]"
        } else {
            &self.kind
        };
        write!(f, "{k}.{v}.{g}")
    }
}

/// Whether the built-in Kubernetes schema says the type with this group,
/// version and kind is cluster-scoped (see [`Gvk::is_cluster_scoped`]);
/// allocation-free, for callers that hold the parts as text.
pub(crate) fn is_cluster_scoped(group: &str, version: &str, kind: &str) -> bool {
    // Kind -> the `apiVersion`s that make it cluster-scoped.
    static TABLE: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
        for (api_version, kind) in include_str!("../data/cluster_scoped.txt")
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once(' '))
        {
            t.entry(kind).or_default().push(api_version);
        }
        t
    });
    let Some(api_versions) = table.get(kind) else {
        return false;
    };
    api_versions
        .iter()
        .any(|av| split_api_version(av) == (group, version))
}

/// Splits `group/version`; a bare version has the empty group.
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.find('/') {
        Some(i) => (&api_version[..i], &api_version[i + 1..]),
        None => ("", api_version),
    }
}

/// The namespace kustomize compares with for an id that is namespaced but
/// names none.
pub(crate) const DEFAULT_NAMESPACE: &str = "default";

/// A resource's identity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResId {
    /// Group, version, kind.
    pub gvk: Gvk,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, possibly empty.
    pub namespace: String,
}

impl ResId {
    /// An id from its parts.
    pub fn new(gvk: Gvk, name: impl Into<String>, namespace: impl Into<String>) -> Self {
        ResId {
            gvk,
            name: name.into(),
            namespace: namespace.into(),
        }
    }

    /// The namespace used for comparisons: cluster-scoped kinds have none,
    /// and the empty namespace means `default`.
    pub fn effective_namespace(&self) -> &str {
        if self.gvk.is_cluster_scoped() {
            "_non_namespaceable_"
        } else if self.namespace.is_empty() {
            DEFAULT_NAMESPACE
        } else {
            &self.namespace
        }
    }

    /// Same GVK and name, ignoring namespace.
    pub fn gvkn_equals(&self, other: &ResId) -> bool {
        self.name == other.name && self.gvk == other.gvk
    }

    /// Same resource, as kustomize compares ids (namespaces compared
    /// effectively).
    pub fn equals(&self, other: &ResId) -> bool {
        self.gvkn_equals(other) && self.effective_namespace() == other.effective_namespace()
    }

    /// Whether the namespaces are equal in kustomize's sense.
    pub fn ns_equals(&self, other: &ResId) -> bool {
        self.effective_namespace() == other.effective_namespace()
    }

    /// Whether `selector` (empty fields match anything) selects this id.
    pub fn is_selected_by(&self, selector: &ResId) -> bool {
        (selector.name.is_empty() || selector.name == self.name)
            && (selector.namespace.is_empty() || selector.ns_equals(self))
            && self.gvk.is_selected_by(&selector.gvk)
    }
}

impl fmt::Display for ResId {
    /// kustomize's `Kind.version.group/name.namespace` form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = if self.namespace.is_empty() {
            "[noNs]"
        } else {
            &self.namespace
        };
        let name = if self.name.is_empty() {
            "[noName]"
        } else {
            &self.name
        };
        write!(f, "{}/{}.{}", self.gvk, name, ns)
    }
}

// Kinds and their ranks: kustomize's default output order, a fact about
// kinds that field specs and name references also use.

/// Kinds printed first, in this order, by the legacy sort.
pub(crate) const DEFAULT_ORDER_FIRST: [&str; 22] = [
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];

/// Kinds printed last, in this order, by the legacy sort.
pub(crate) const DEFAULT_ORDER_LAST: [&str; 2] = [
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// kustomize's default rank of a kind (`Gvk.IsLessThan`): the kinds of
/// [`DEFAULT_ORDER_FIRST`] first (negative ranks, in list order), those of
/// [`DEFAULT_ORDER_LAST`] last, every other kind 0.
pub(crate) fn kind_rank(kind: &str) -> i64 {
    if let Some(i) = DEFAULT_ORDER_FIRST.iter().position(|k| *k == kind) {
        return i as i64 - DEFAULT_ORDER_FIRST.len() as i64;
    }
    match DEFAULT_ORDER_LAST.iter().position(|k| *k == kind) {
        Some(i) => 1 + i as i64,
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_scope_is_by_api_version_and_kind() {
        assert!(Gvk::from_api_version("v1", "Namespace").is_cluster_scoped());
        assert!(
            Gvk::from_api_version("rbac.authorization.k8s.io/v1", "ClusterRole")
                .is_cluster_scoped()
        );
        assert!(!Gvk::from_api_version("example.com/v1", "ClusterRole").is_cluster_scoped());
        assert!(!Gvk::from_api_version("apps/v1", "Deployment").is_cluster_scoped());
    }

    #[test]
    fn empty_namespace_equals_default() {
        let a = ResId::new(Gvk::from_api_version("v1", "ConfigMap"), "x", "");
        let b = ResId::new(Gvk::from_api_version("v1", "ConfigMap"), "x", "default");
        assert!(a.equals(&b));
        assert_eq!(a.to_string(), "ConfigMap.v1.[noGrp]/x.[noNs]");
    }
}
