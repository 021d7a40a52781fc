//! `requests-exceed-limits`: no container requests more of a resource than
//! its limit allows. The API server rejects such a pod ("must be less than
//! or equal to cpu limit"), so the workload's pods are never created.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::quantity::Quantity;
use crate::workload::{pod_template, q};
use rustomize_engine::Resource;
use rustomize_yaml::Node;

/// See the module docs.
pub(crate) struct RequestsExceedLimits;

impl Rule for RequestsExceedLimits {
    fn id(&self) -> &'static str {
        "requests-exceed-limits"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "No container requests more of a resource than its limit."
    }

    fn check(&self, _cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        let Some(pt) = pod_template(r) else {
            return;
        };
        for c in pt.containers() {
            let resources = c.map.get("resources");
            let (Some(requests), Some(limits)) = (
                resources
                    .and_then(|x| x.get("requests"))
                    .and_then(Node::as_map),
                resources.and_then(|x| x.get("limits")),
            ) else {
                continue;
            };
            for e in &requests.entries {
                let name = e.key.value.as_str();
                let (Some(request), Some(limit)) =
                    (Quantity::of(Some(&e.value)), Quantity::of(limits.get(name)))
                else {
                    continue;
                };
                if request > limit {
                    let text = |n: Option<&Node>| {
                        n.and_then(Node::as_scalar)
                            .map(|s| s.value.clone())
                            .unwrap_or_default()
                    };
                    out.push(Hit::new(
                        c.at(&format!("resources.requests.{name}")),
                        format!(
                            "container {} requests {name} {}, more than its limit {}: the API server rejects the pod",
                            q(c.name),
                            text(Some(&e.value)),
                            text(limits.get(name))
                        ),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{GOOD_APP, findings};

    const RULE: &str = "requests-exceed-limits";

    #[test]
    fn requests_within_limits_pass() {
        assert_eq!(findings(RULE, GOOD_APP), "");
        let equal = GOOD_APP.replace(
            "requests: {cpu: 100m, memory: 256Mi}",
            "requests: {cpu: \"1\", memory: 512Mi}",
        );
        assert_eq!(findings(RULE, &equal), "");
        let only_requests = GOOD_APP.replace("          limits: {cpu: \"1\", memory: 512Mi}\n", "");
        assert_eq!(findings(RULE, &only_requests), "");
    }

    #[test]
    fn requests_over_limits_fail() {
        let yaml = GOOD_APP.replace(
            "requests: {cpu: 100m, memory: 256Mi}",
            "requests: {cpu: 1500m, memory: 1Gi}",
        );
        assert_eq!(
            findings(RULE, &yaml),
            "\
app.yaml:26: error[requests-exceed-limits] Deployment api: spec.template.spec.containers[0].resources.requests.cpu: container \"api\" requests cpu 1500m, more than its limit 1: the API server rejects the pod
app.yaml:26: error[requests-exceed-limits] Deployment api: spec.template.spec.containers[0].resources.requests.memory: container \"api\" requests memory 1Gi, more than its limit 512Mi: the API server rejects the pod
"
        );
    }
}
