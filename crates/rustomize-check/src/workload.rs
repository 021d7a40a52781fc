//! Finding the pod template in workload kinds, and small field readers the
//! rules share.

use rustomize_engine::Resource;
use rustomize_yaml::{Map, Node, Tag};

/// The pod spec of a workload.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PodTemplate<'a> {
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
pub(crate) fn pod_template(r: &Resource) -> Option<PodTemplate<'_>> {
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
pub(crate) struct Container<'a> {
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
    pub(crate) fn security(&self, field: &str) -> Option<&Node> {
        self.map.get("securityContext")?.get(field)
    }

    /// A path below the container (`.securityContext.privileged`).
    pub(crate) fn at(&self, rest: &str) -> String {
        format!("{}.{rest}", self.path)
    }

    /// Whether this is an init container that keeps running beside the
    /// others (a native sidecar: `restartPolicy: Always`).
    pub(crate) fn is_sidecar(&self) -> bool {
        self.init && self.map.get("restartPolicy").and_then(Node::as_str) == Some("Always")
    }
}

impl PodTemplate<'_> {
    /// Init containers, then containers (ephemeral containers are not
    /// part of templates).
    pub(crate) fn containers(&self) -> Vec<Container<'_>> {
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
    pub(crate) fn security(&self, field: &str) -> Option<&Node> {
        self.spec.get("securityContext")?.get(field)
    }

    /// A path below the pod spec.
    pub(crate) fn at(&self, rest: &str) -> String {
        format!("{}.{rest}", self.path)
    }
}

/// Whether a node is the boolean `true`.
pub(crate) fn is_true(n: Option<&Node>) -> bool {
    n.and_then(Node::as_scalar)
        .is_some_and(|s| s.tag == Tag::Bool && s.value.eq_ignore_ascii_case("true"))
}

/// Whether a node is the boolean `false`.
pub(crate) fn is_false(n: Option<&Node>) -> bool {
    n.and_then(Node::as_scalar)
        .is_some_and(|s| s.tag == Tag::Bool && s.value.eq_ignore_ascii_case("false"))
}

/// An integer value.
pub(crate) fn int(n: Option<&Node>) -> Option<i64> {
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
pub(crate) fn text(n: Option<&Node>) -> Option<&str> {
    n.and_then(Node::as_scalar)
        .filter(|s| s.tag != Tag::Null)
        .map(|s| s.value.as_str())
}

/// The namespace references from an object resolve in: its own, with the
/// empty namespace meaning `default`.
pub(crate) fn namespace_of(r: &Resource) -> &str {
    match r.namespace() {
        "" => "default",
        ns => ns,
    }
}

/// A quoted string for messages.
pub(crate) fn q(s: &str) -> String {
    format!("\"{s}\"")
}

/// A label selector (`matchLabels` and `matchExpressions`, or the plain
/// map of a Service or ReplicationController), read from a node.
#[derive(Clone, Debug, Default)]
pub(crate) struct Selector<'a> {
    /// `key=value` requirements.
    pub(crate) labels: Vec<(&'a str, &'a str)>,
    /// `matchExpressions`: (key, operator, values).
    pub(crate) expressions: Vec<(&'a str, &'a str, Vec<&'a str>)>,
}

impl<'a> Selector<'a> {
    /// A `LabelSelector` (`matchLabels`, `matchExpressions`).
    pub(crate) fn label_selector(n: &'a Node) -> Selector<'a> {
        let mut s = Selector::default();
        if let Some(m) = n.get("matchLabels").and_then(Node::as_map) {
            s.labels = pairs(m);
        }
        if let Some(seq) = n.get("matchExpressions").and_then(Node::as_seq) {
            for e in seq {
                let values = e
                    .get("values")
                    .and_then(Node::as_seq)
                    .map(|v| v.iter().filter_map(Node::as_str).collect())
                    .unwrap_or_default();
                s.expressions.push((
                    text(e.get("key")).unwrap_or(""),
                    text(e.get("operator")).unwrap_or(""),
                    values,
                ));
            }
        }
        s
    }

    /// A plain map of labels (a Service's or ReplicationController's
    /// selector).
    pub(crate) fn map(m: &'a Map) -> Selector<'a> {
        Selector {
            labels: pairs(m),
            expressions: Vec::new(),
        }
    }

    /// Whether it has no requirement (selects everything).
    pub(crate) fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.expressions.is_empty()
    }

    /// Whether a set of labels satisfies every requirement.
    pub(crate) fn matches(&self, labels: Option<&Map>) -> bool {
        let get = |k: &str| {
            labels
                .and_then(|m| m.get(k))
                .and_then(Node::as_scalar)
                .map(|s| s.value.as_str())
        };
        self.labels.iter().all(|(k, v)| get(k) == Some(*v))
            && self.expressions.iter().all(|(k, op, values)| match *op {
                "In" => get(k).is_some_and(|v| values.contains(&v)),
                "NotIn" => get(k).is_none_or(|v| !values.contains(&v)),
                "Exists" => get(k).is_some(),
                "DoesNotExist" => get(k).is_none(),
                _ => false,
            })
    }
}

impl std::fmt::Display for Selector<'_> {
    /// `app=api,tier in (web, api)`, requirements sorted.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts: Vec<String> = self
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        parts.sort();
        for (k, op, values) in &self.expressions {
            parts.push(match *op {
                "Exists" => k.to_string(),
                "DoesNotExist" => format!("!{k}"),
                op => format!("{k} {} ({})", op.to_ascii_lowercase(), values.join(", ")),
            });
        }
        f.write_str(&parts.join(","))
    }
}

fn pairs(m: &Map) -> Vec<(&str, &str)> {
    m.entries
        .iter()
        .filter_map(|e| Some((e.key.value.as_str(), e.value.as_scalar()?.value.as_str())))
        .collect()
}

/// `key=value,...` of a label map, sorted, for messages.
pub(crate) fn show_labels(m: Option<&Map>) -> String {
    let Some(m) = m else {
        return "none".to_string();
    };
    let mut parts: Vec<String> = pairs(m).iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.sort();
    if parts.is_empty() {
        "none".to_string()
    } else {
        parts.join(",")
    }
}
