//! Container images: references split as kustomize splits them, and the
//! images a set of objects runs.

use rustomize_engine::Resource;
use rustomize_yaml::Node;

/// An image reference split into its name, tag and digest, as kustomize's
/// `image.Split` splits it (a registry's `host:port` is part of the name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// `ghcr.io/org/app`.
    pub name: String,
    /// `v1.2.3`; empty when there is none.
    pub tag: String,
    /// `sha256:...`; empty when there is none.
    pub digest: String,
}

impl ImageRef {
    /// Splits `image`.
    pub fn parse(image: &str) -> ImageRef {
        let (rest, digest) = match image.split_once('@') {
            Some((r, d)) => (r, d.to_string()),
            None => (image, String::new()),
        };
        let slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[slash..].rfind(':') {
            Some(i) => (&rest[..slash + i], rest[slash + i + 1..].to_string()),
            None => (rest, String::new()),
        };
        ImageRef {
            name: name.to_string(),
            tag,
            digest,
        }
    }

    /// The version it runs: its digest when it has one, else its tag
    /// (empty: none, which means `latest`).
    pub fn version(&self) -> &str {
        if self.digest.is_empty() {
            &self.tag
        } else {
            &self.digest
        }
    }

    /// The last segment of the name (`app` for `ghcr.io/org/app`).
    pub fn short_name(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or(&self.name)
    }
}

/// The pod spec of a workload kind, if `r` is one.
pub(crate) fn pod_spec(r: &Resource) -> Option<&Node> {
    let path: &[&str] = match r.kind() {
        "Pod" => &["spec"],
        "Deployment"
        | "ReplicaSet"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicationController"
        | "Job" => &["spec", "template", "spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        "PodTemplate" => &["template", "spec"],
        _ => return None,
    };
    r.node.get_path(path)
}

/// Every container image of every workload in `resources` that `keep`
/// accepts, in order of appearance (containers, then init containers).
pub(crate) fn images_of<'a>(
    resources: impl IntoIterator<Item = &'a Resource>,
    keep: impl Fn(&Resource) -> bool,
) -> Vec<ImageRef> {
    let mut out: Vec<ImageRef> = Vec::new();
    for r in resources {
        if !keep(r) {
            continue;
        }
        let Some(spec) = pod_spec(r) else { continue };
        for list in ["containers", "initContainers"] {
            let Some(items) = spec.get(list).and_then(Node::as_seq) else {
                continue;
            };
            for c in items {
                if let Some(image) = c.get("image").and_then(Node::as_str) {
                    let image = ImageRef::parse(image);
                    if !out.contains(&image) {
                        out.push(image);
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::ImageRef;

    #[test]
    fn references_split_as_kustomize_splits_them() {
        let rows = [
            ("ghcr.io/org/app:v1", "ghcr.io/org/app", "v1", ""),
            ("localhost:5000/app", "localhost:5000/app", "", ""),
            ("localhost:5000/app:1.2", "localhost:5000/app", "1.2", ""),
            ("app@sha256:ab", "app", "", "sha256:ab"),
            ("app:v1@sha256:ab", "app", "v1", "sha256:ab"),
            ("nginx", "nginx", "", ""),
        ];
        let bad: Vec<String> = rows
            .iter()
            .filter_map(|(s, n, t, d)| {
                let r = ImageRef::parse(s);
                (r.name != *n || r.tag != *t || r.digest != *d).then(|| format!("{s}: {r:?}"))
            })
            .collect();
        assert!(bad.is_empty(), "{bad:#?}");
        assert_eq!(ImageRef::parse("ghcr.io/org/app:v1").short_name(), "app");
    }
}
