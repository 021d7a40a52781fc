//! `resource-limits`: every container sets CPU and memory limits.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{pod_template, q};
use rustomize_engine::Resource;

/// See the module docs.
pub struct ResourceLimits;

impl Rule for ResourceLimits {
    fn id(&self) -> &'static str {
        "resource-limits"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        "Containers set resources.limits.cpu and resources.limits.memory."
    }

    fn check(&self, _cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        let Some(pt) = pod_template(r) else {
            return;
        };
        for c in pt.containers() {
            let set = c.map.get("resources").and_then(|res| res.get("limits"));
            let missing: Vec<&str> = ["cpu", "memory"]
                .into_iter()
                .filter(|k| set.and_then(|s| s.get(k)).is_none_or(|v| v.is_null()))
                .collect();
            if missing.is_empty() {
                continue;
            }
            out.push(Hit::new(
                c.at("resources.limits"),
                format!(
                    "container {} sets no {} limit: without limits one container can take the node's memory or CPU from every other pod",
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

    const RULE: &str = "resource-limits";

    #[test]
    fn set_passes() {
        assert_eq!(findings(RULE, GOOD_APP), "");
    }

    #[test]
    fn unset_fails() {
        let yaml = GOOD_APP.replace("          limits: {cpu: \"1\", memory: 512Mi}\n", "");
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:1: warning[resource-limits] Deployment api: spec.template.spec.containers[0].resources.limits: \
container \"api\" sets no cpu or memory limit: without limits one container can take the node's memory or CPU from every other pod\n"
        );
    }

    #[test]
    fn half_set_fails() {
        let yaml = GOOD_APP.replace(
            "limits: {cpu: \"1\", memory: 512Mi}",
            "limits: {cpu: \"1\"}",
        );
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:1: warning[resource-limits] Deployment api: spec.template.spec.containers[0].resources.limits: \
container \"api\" sets no memory limit: without limits one container can take the node's memory or CPU from every other pod\n"
        );
    }
}
