//! `resource-requests`: every container sets CPU and memory requests.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{pod_template, q};
use rustomize_engine::Resource;

/// See the module docs.
pub struct ResourceRequests;

impl Rule for ResourceRequests {
    fn id(&self) -> &'static str {
        "resource-requests"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        "Containers set resources.requests.cpu and resources.requests.memory."
    }

    fn check(&self, _cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        let Some(pt) = pod_template(r) else {
            return;
        };
        for c in pt.containers() {
            let set = c.map.get("resources").and_then(|res| res.get("requests"));
            let missing: Vec<&str> = ["cpu", "memory"]
                .into_iter()
                .filter(|k| set.and_then(|s| s.get(k)).is_none_or(|v| v.is_null()))
                .collect();
            if missing.is_empty() {
                continue;
            }
            out.push(Hit::new(
                c.at("resources.requests"),
                format!(
                    "container {} sets no {} request: the scheduler places pods by their requests; without them a node is overcommitted and pods are evicted first",
                    q(c.name),
                    missing.join(" or ")
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{GOOD_APP, findings};

    const RULE: &str = "resource-requests";

    #[test]
    fn set_passes() {
        assert_eq!(findings(RULE, GOOD_APP), "");
    }

    #[test]
    fn unset_fails() {
        let yaml = GOOD_APP.replace("          requests: {cpu: 100m, memory: 256Mi}\n", "");
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:1: warning[resource-requests] Deployment api: spec.template.spec.containers[0].resources.requests: \
container \"api\" sets no cpu or memory request: the scheduler places pods by their requests; without them a node is overcommitted and pods are evicted first\n"
        );
    }

    #[test]
    fn half_set_fails() {
        let yaml = GOOD_APP.replace(
            "requests: {cpu: 100m, memory: 256Mi}",
            "requests: {memory: 256Mi}",
        );
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:1: warning[resource-requests] Deployment api: spec.template.spec.containers[0].resources.requests: \
container \"api\" sets no cpu request: the scheduler places pods by their requests; without them a node is overcommitted and pods are evicted first\n"
        );
    }
}
