//! What every rule can see besides the object it checks: an index of the
//! whole output, the schemas, and which environment an object belongs to.

use crate::environment::Chooser;
use crate::producers::Producer;
use crate::schema::Store;
use crate::schema::builtin::Builtin;
use crate::schema::crd::CrdSet;
use crate::workload::{PodTemplate, namespace_of, pod_template};
use rustomize_engine::Resource;
use rustomize_engine::split_api_version;
use rustomize_yaml::Node;
use std::collections::{HashMap, HashSet};

/// Indexes of the output, built once per check.
#[derive(Debug, Default)]
pub(crate) struct Index<'a> {
    /// Every object by (kind, namespace, name); cluster-scoped objects
    /// under the empty namespace. The first of duplicates wins.
    objects: HashMap<(&'a str, &'a str, &'a str), &'a Resource>,
    /// Secrets and ConfigMaps that controllers in the output will create:
    /// (kind, namespace, name).
    produced: HashSet<(String, &'a str, &'a str)>,
    /// Pod templates by namespace.
    pods: HashMap<&'a str, Vec<(&'a Resource, PodTemplate<'a>)>>,
    /// Services the build renamed (a prefix, a suffix), by (namespace
    /// now, a name they had before).
    renamed: HashMap<(&'a str, &'a str), &'a Resource>,
}

impl<'a> Index<'a> {
    /// Indexes `resources`; `producers` say which objects create Secrets
    /// and ConfigMaps.
    pub(crate) fn new(resources: &'a [Resource], producers: &[Producer]) -> Index<'a> {
        let mut ix = Index::default();
        for r in resources {
            let kind = r.kind();
            let cluster_scoped = r.gvk().is_cluster_scoped();
            let ns = if cluster_scoped { "" } else { namespace_of(r) };
            ix.objects.entry((kind, ns, r.name())).or_insert(r);
            let (group, _) = split_api_version(r.api_version());
            for p in producers.iter().filter(|p| p.is(group, kind)) {
                for name in p.names(&r.node, r.name()) {
                    ix.produced.insert((p.creates.clone(), ns, name));
                }
            }
            if let Some(pt) = pod_template(r) {
                ix.pods.entry(ns).or_default().push((r, pt));
            }
            if kind == "Service" {
                for (_, old, old_kind) in &r.meta.previous {
                    if old != r.name() && old_kind == "Service" {
                        ix.renamed.entry((ns, old.as_str())).or_insert(r);
                    }
                }
            }
        }
        ix
    }

    /// Services the build renamed, by (namespace, old name).
    pub(crate) fn renamed_services(&self) -> &HashMap<(&'a str, &'a str), &'a Resource> {
        &self.renamed
    }

    /// The Service of namespace `ns` that was called `old` before the build
    /// renamed it.
    pub(crate) fn renamed_service(&self, ns: &str, old: &str) -> Option<&'a Resource> {
        self.renamed.get(&(ns, old)).copied()
    }

    /// Whether the output has an object of this kind, namespace (empty for
    /// cluster-scoped kinds) and name, or a producer in it creates one.
    pub(crate) fn has(&self, kind: &str, namespace: &str, name: &str) -> bool {
        self.objects.contains_key(&(kind, namespace, name))
            || self.is_produced(kind, namespace, name)
    }

    /// Whether a producer in the output creates this Secret or ConfigMap.
    pub(crate) fn is_produced(&self, kind: &str, namespace: &str, name: &str) -> bool {
        self.produced.contains(&(kind.to_string(), namespace, name))
    }

    /// The object of this kind, namespace and name, if it is in the output.
    pub(crate) fn get(&self, kind: &str, namespace: &str, name: &str) -> Option<&'a Resource> {
        self.objects.get(&(kind, namespace, name)).copied()
    }

    /// The pod templates of a namespace, with their workloads.
    pub(crate) fn pods(&self, namespace: &str) -> &[(&'a Resource, PodTemplate<'a>)] {
        self.pods.get(namespace).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether a pod template in `namespace` has all these labels.
    pub(crate) fn pods_match(&self, namespace: &str, selector: &[(&str, &str)]) -> bool {
        self.pods(namespace)
            .iter()
            .any(|(_, pt)| labels_match(pt, selector))
    }
}

/// Whether a pod template has all these labels.
pub(crate) fn labels_match(pt: &PodTemplate<'_>, selector: &[(&str, &str)]) -> bool {
    let Some(labels) = pt.labels else {
        return selector.is_empty();
    };
    selector.iter().all(|(k, v)| {
        labels
            .get(k)
            .and_then(Node::as_scalar)
            .is_some_and(|s| s.value == *v)
    })
}

/// Everything a rule may look at.
#[derive(Debug)]
pub(crate) struct Context<'a> {
    /// Indexes of it.
    pub index: Index<'a>,
    /// Built-in schemas.
    pub builtin: &'a Builtin,
    /// Built-in and CRD schemas.
    pub store: Store,
    /// The custom kinds the output defines.
    pub crds: CrdSet,
    /// Whether the objects came from a build (so generated objects are
    /// marked as such); false for rendered YAML read with `-f`.
    pub provenance: bool,
    /// Which environment each object belongs to.
    pub envs: Chooser<'a>,
    /// Where each value came from, when the objects come from a build that
    /// recorded it.
    pub table: Option<&'a rustomize_engine::provenance::Table>,
    /// Patch, replacement and JSON 6902 targets the build found selecting
    /// nothing.
    pub unmatched: &'a [rustomize_engine::UnmatchedTarget],
}

impl Context<'_> {
    /// Whether an object is deployed to production.
    pub(crate) fn is_production(&self, r: &Resource) -> bool {
        self.envs.of(r).is_some_and(|c| c.is_production())
    }
}
