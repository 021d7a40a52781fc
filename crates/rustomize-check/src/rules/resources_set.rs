//! `resource-requests` and `resource-limits`: every container sets CPU and
//! memory requests, and limits. One implementation, two rules:
//! [`REQUESTS`] and [`LIMITS`].

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{pod_template, q};
use rustomize_engine::Resource;

/// A rule that wants `cpu` and `memory` under one field of
/// `resources`.
pub(super) struct ResourcesSet {
    id: &'static str,
    field: &'static str,
    noun: &'static str,
    why: &'static str,
    summary: &'static str,
}

/// `resource-requests`.
pub(super) const REQUESTS: ResourcesSet = ResourcesSet {
    id: "resource-requests",
    field: "requests",
    noun: "request",
    why: "the scheduler places pods by their requests; without them a node is overcommitted and pods are evicted first",
    summary: "Containers set resources.requests.cpu and resources.requests.memory.",
};

/// `resource-limits`.
pub(super) const LIMITS: ResourcesSet = ResourcesSet {
    id: "resource-limits",
    field: "limits",
    noun: "limit",
    why: "without limits one container can take the node's memory or CPU from every other pod",
    summary: "Containers set resources.limits.cpu and resources.limits.memory.",
};

impl Rule for ResourcesSet {
    fn id(&self) -> &'static str {
        self.id
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        self.summary
    }

    fn check(&self, _cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        let Some(pt) = pod_template(r) else {
            return;
        };
        for c in pt.containers() {
            let set = c.map.get("resources").and_then(|res| res.get(self.field));
            let missing: Vec<&str> = ["cpu", "memory"]
                .into_iter()
                .filter(|k| set.and_then(|s| s.get(k)).is_none_or(|v| v.is_null()))
                .collect();
            if missing.is_empty() {
                continue;
            }
            out.push(Hit::new(
                c.at(&format!("resources.{}", self.field)),
                format!(
                    "container {} sets no {} {}: {}",
                    q(c.name),
                    missing.join(" or "),
                    self.noun,
                    self.why
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{GOOD_APP, findings};

    #[test]
    fn set_passes() {
        assert_eq!(findings("resource-requests", GOOD_APP), "");
        assert_eq!(findings("resource-limits", GOOD_APP), "");
    }

    #[test]
    fn unset_limits_fail() {
        let yaml = GOOD_APP.replace("          limits: {cpu: \"1\", memory: 512Mi}\n", "");
        assert_eq!(
            findings("resource-limits", &yaml),
            "app.yaml:25: warning[resource-limits] Deployment api: spec.template.spec.containers[0].resources.limits: \
container \"api\" sets no cpu or memory limit: without limits one container can take the node's memory or CPU from every other pod\n"
        );
    }

    #[test]
    fn half_set_limits_fail() {
        let yaml = GOOD_APP.replace(
            "limits: {cpu: \"1\", memory: 512Mi}",
            "limits: {cpu: \"1\"}",
        );
        assert_eq!(
            findings("resource-limits", &yaml),
            "app.yaml:27: warning[resource-limits] Deployment api: spec.template.spec.containers[0].resources.limits: \
container \"api\" sets no memory limit: without limits one container can take the node's memory or CPU from every other pod\n"
        );
    }

    #[test]
    fn unset_requests_fail() {
        let yaml = GOOD_APP.replace("          requests: {cpu: 100m, memory: 256Mi}\n", "");
        assert_eq!(
            findings("resource-requests", &yaml),
            "app.yaml:25: warning[resource-requests] Deployment api: spec.template.spec.containers[0].resources.requests: \
container \"api\" sets no cpu or memory request: the scheduler places pods by their requests; without them a node is overcommitted and pods are evicted first\n"
        );
    }

    #[test]
    fn half_set_requests_fail() {
        let yaml = GOOD_APP.replace(
            "requests: {cpu: 100m, memory: 256Mi}",
            "requests: {memory: 256Mi}",
        );
        assert_eq!(
            findings("resource-requests", &yaml),
            "app.yaml:26: warning[resource-requests] Deployment api: spec.template.spec.containers[0].resources.requests: \
container \"api\" sets no cpu request: the scheduler places pods by their requests; without them a node is overcommitted and pods are evicted first\n"
        );
    }
}
