//! Finding the pod template in workload kinds, and small field readers the
//! rules share.

use rustomize_engine::Resource;
use rustomize_yaml::{Map, Node, Tag};

/// The pod spec of a workload.
#[derive(Clone, Copy, Debug)]
pub struct PodTemplate<'a> {
    /// The pod spec mapping.
    pub spec: &'a Map,
    /// Its field path (`spec.template.spec`).
    pub path: &'static str,
    /// The pod labels (`spec.template.metadata.labels`), when set.
    pub labels: Option<&'a Map>,
    /// Whether pods run until stopped (Deployment, StatefulSet, DaemonSet,
    /// ReplicaSet, ReplicationController), as opposed to Jobs and bare Pods.
    pub long_running: bool,
}

/// The pod template of a workload: Pod, Deployment, ReplicaSet, StatefulSet,
/// DaemonSet, ReplicationController, Job, CronJob or PodTemplate.
pub fn pod_template(r: &Resource) -> Option<PodTemplate<'_>> {
    let api = r.api_version();
    let group = api.rsplit_once('/').map_or("", |(g, _)| g);
    if !matches!(group, "" | "apps" | "extensions" | "batch") {
        return None;
    }
    let (spec_path, labels_path, path, long_running): (&[&str], &[&str], &'static str, bool) =
        match r.kind() {
            "Pod" => (&["spec"], &["metadata", "labels"], "spec", false),
            "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "ReplicationController" => {
                (
                    &["spec", "template", "spec"],
                    &["spec", "template", "metadata", "labels"],
                    "spec.template.spec",
                    true,
                )
            }
            "Job" => (
                &["spec", "template", "spec"],
                &["spec", "template", "metadata", "labels"],
                "spec.template.spec",
                false,
            ),
            "CronJob" => (
                &["spec", "jobTemplate", "spec", "template", "spec"],
                &[
                    "spec",
                    "jobTemplate",
                    "spec",
                    "template",
                    "metadata",
                    "labels",
                ],
                "spec.jobTemplate.spec.template.spec",
                false,
            ),
            "PodTemplate" => (
                &["template", "spec"],
                &["template", "metadata", "labels"],
                "template.spec",
                false,
            ),
            _ => return None,
        };
    let spec = r.node.get_path(spec_path)?.as_map()?;
    Some(PodTemplate {
        spec,
        path,
        labels: r.node.get_path(labels_path).and_then(Node::as_map),
        long_running,
    })
}

/// One container of a pod spec.
#[derive(Clone, Debug)]
pub struct Container<'a> {
    /// The container mapping.
    pub map: &'a Map,
    /// Its field path (`spec.template.spec.containers[0]`).
    pub path: String,
    /// `name`.
    pub name: &'a str,
    /// Whether it is an init container.
    pub init: bool,
}

impl Container<'_> {
    /// A field of the container's `securityContext`.
    pub fn security(&self, field: &str) -> Option<&Node> {
        self.map.get("securityContext")?.get(field)
    }

    /// A path below the container (`.securityContext.privileged`).
    pub fn at(&self, rest: &str) -> String {
        format!("{}.{rest}", self.path)
    }

    /// Whether this is an init container that keeps running beside the
    /// others (a native sidecar: `restartPolicy: Always`).
    pub fn is_sidecar(&self) -> bool {
        self.init && self.map.get("restartPolicy").and_then(Node::as_str) == Some("Always")
    }
}

impl PodTemplate<'_> {
    /// Init containers, then containers (ephemeral containers are not
    /// part of templates).
    pub fn containers(&self) -> Vec<Container<'_>> {
        let mut out = Vec::new();
        for (field, init) in [("initContainers", true), ("containers", false)] {
            let Some(seq) = self.spec.get(field).and_then(Node::as_seq) else {
                continue;
            };
            for (i, c) in seq.iter().enumerate() {
                if let Some(map) = c.as_map() {
                    out.push(Container {
                        map,
                        path: format!("{}.{field}[{i}]", self.path),
                        name: map.get("name").and_then(Node::as_str).unwrap_or(""),
                        init,
                    });
                }
            }
        }
        out
    }

    /// A field of the pod's `securityContext`.
    pub fn security(&self, field: &str) -> Option<&Node> {
        self.spec.get("securityContext")?.get(field)
    }

    /// A path below the pod spec.
    pub fn at(&self, rest: &str) -> String {
        format!("{}.{rest}", self.path)
    }
}

/// Whether a node is the boolean `true`.
pub fn is_true(n: Option<&Node>) -> bool {
    n.and_then(Node::as_scalar)
        .is_some_and(|s| s.tag == Tag::Bool && s.value.eq_ignore_ascii_case("true"))
}

/// Whether a node is the boolean `false`.
pub fn is_false(n: Option<&Node>) -> bool {
    n.and_then(Node::as_scalar)
        .is_some_and(|s| s.tag == Tag::Bool && s.value.eq_ignore_ascii_case("false"))
}

/// An integer value.
pub fn int(n: Option<&Node>) -> Option<i64> {
    let s = n?.as_scalar()?;
    if s.tag != Tag::Int {
        return None;
    }
    match rustomize_yaml::resolve::parse_number(&s.value)? {
        rustomize_yaml::resolve::Number::Int(i) => Some(i),
        _ => None,
    }
}

/// The text of a scalar that is not null.
pub fn text(n: Option<&Node>) -> Option<&str> {
    n.and_then(Node::as_scalar)
        .filter(|s| s.tag != Tag::Null)
        .map(|s| s.value.as_str())
}

/// The namespace references from an object resolve in: its own, with the
/// empty namespace meaning `default`.
pub fn namespace_of(r: &Resource) -> &str {
    match r.namespace() {
        "" => "default",
        ns => ns,
    }
}

/// A quoted string for messages.
pub fn q(s: &str) -> String {
    format!("\"{s}\"")
}
