//! What every rule can see besides the object it checks: an index of the
//! whole output, the schemas, and which environment an object belongs to.

use crate::config::Config;
use crate::schema::Store;
use crate::schema::builtin::Builtin;
use crate::schema::crd::CrdSet;
use crate::workload::{namespace_of, pod_template};
use rustomize_engine::Resource;
use rustomize_yaml::{Map, Node};
use std::collections::{HashMap, HashSet};

/// Indexes of the output, built once per check.
#[derive(Debug, Default)]
pub struct Index<'a> {
    /// (kind, namespace, name) of every object; cluster-scoped objects
    /// under the empty namespace.
    names: HashSet<(&'a str, &'a str, &'a str)>,
    /// Secrets that controllers in the output will create (SealedSecret,
    /// ExternalSecret): (namespace, name).
    provided_secrets: HashSet<(&'a str, &'a str)>,
    /// PersistentVolumeClaims by (namespace, name).
    claims: HashMap<(&'a str, &'a str), &'a Resource>,
    /// Pod template labels by namespace.
    pod_labels: HashMap<&'a str, Vec<&'a Map>>,
    /// Deployments and ReplicaSets by (namespace, kind, name).
    scalable: HashMap<(&'a str, &'a str, &'a str), &'a Resource>,
}

impl<'a> Index<'a> {
    /// Indexes `resources`.
    pub fn new(resources: &'a [Resource]) -> Index<'a> {
        let mut ix = Index::default();
        for r in resources {
            let kind = r.kind();
            let cluster_scoped = r.gvk().is_cluster_scoped();
            let ns = if cluster_scoped { "" } else { namespace_of(r) };
            ix.names.insert((kind, ns, r.name()));
            match kind {
                "PersistentVolumeClaim" => {
                    ix.claims.insert((ns, r.name()), r);
                }
                "Deployment" | "ReplicaSet" => {
                    ix.scalable.insert((ns, kind, r.name()), r);
                }
                "SealedSecret" => {
                    let name = r
                        .node
                        .str_at(&["spec", "template", "metadata", "name"])
                        .unwrap_or(r.name());
                    ix.provided_secrets.insert((ns, name));
                }
                "ExternalSecret" => {
                    let name = r
                        .node
                        .str_at(&["spec", "target", "name"])
                        .unwrap_or(r.name());
                    ix.provided_secrets.insert((ns, name));
                }
                _ => {}
            }
            if let Some(pt) = pod_template(r)
                && let Some(labels) = pt.labels
            {
                ix.pod_labels.entry(ns).or_default().push(labels);
            }
        }
        ix
    }

    /// Whether the output has an object of this kind, namespace (empty for
    /// cluster-scoped kinds) and name. A Secret also exists when a
    /// SealedSecret or ExternalSecret in the output makes it.
    pub fn has(&self, kind: &str, namespace: &str, name: &str) -> bool {
        self.names.contains(&(kind, namespace, name))
            || (kind == "Secret" && self.provided_secrets.contains(&(namespace, name)))
    }

    /// A PersistentVolumeClaim.
    pub fn claim(&self, namespace: &str, name: &str) -> Option<&'a Resource> {
        self.claims.get(&(namespace, name)).copied()
    }

    /// A Deployment or ReplicaSet.
    pub fn scalable(&self, namespace: &str, kind: &str, name: &str) -> Option<&'a Resource> {
        self.scalable.get(&(namespace, kind, name)).copied()
    }

    /// Whether a pod template in `namespace` has all these labels.
    pub fn pods_match(&self, namespace: &str, selector: &[(&str, &str)]) -> bool {
        self.pod_labels.get(namespace).is_some_and(|all| {
            all.iter().any(|labels| {
                selector.iter().all(|(k, v)| {
                    labels
                        .get(k)
                        .and_then(Node::as_scalar)
                        .is_some_and(|s| s.value == *v)
                })
            })
        })
    }
}

/// Everything a rule may look at.
#[derive(Debug)]
pub struct Context<'a> {
    /// The whole output.
    pub resources: &'a [Resource],
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
    /// `--env`, which wins over the configuration.
    pub env_override: Option<String>,
    /// The environment of the checked directory, from the configuration.
    pub target_env: Option<String>,
    /// The configuration.
    pub config: &'a Config,
}

impl Context<'_> {
    /// The environment an object is deployed to: `--env`, else the first
    /// environment whose namespaces match the object's, else the one whose
    /// paths match the checked directory.
    pub fn env_of(&self, r: &Resource) -> Option<&str> {
        if let Some(e) = &self.env_override {
            return Some(e);
        }
        self.config
            .env_for_namespace(r.namespace())
            .or(self.target_env.as_deref())
    }

    /// Whether an object is deployed to production (an environment named
    /// `production` or `prod`).
    pub fn is_production(&self, r: &Resource) -> bool {
        self.env_of(r)
            .is_some_and(|e| e.eq_ignore_ascii_case("production") || e.eq_ignore_ascii_case("prod"))
    }
}
