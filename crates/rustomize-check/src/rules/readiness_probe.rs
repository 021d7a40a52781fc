//! `readiness-probe`: every container of a long-running workload
//! (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController)
//! has a readiness probe. Jobs, CronJobs and bare Pods are not checked.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{pod_template, q};
use rustomize_engine::Resource;

/// See the module docs.
pub struct ReadinessProbe;

impl Rule for ReadinessProbe {
    fn id(&self) -> &'static str {
        "readiness-probe"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        "Containers of long-running workloads have a readinessProbe."
    }

    fn check(&self, _cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        let Some(pt) = pod_template(r).filter(|pt| pt.long_running) else {
            return;
        };
        for c in pt.containers() {
            if c.init && !c.is_sidecar() {
                continue;
            }
            if c.map.get("readinessProbe").is_none_or(|p| p.is_null()) {
                out.push(Hit::new(
                    c.at("readinessProbe"),
                    format!(
                        "container {} has no readiness probe: without one, the Service sends traffic to pods that are not ready yet, and a rollout goes on past pods that never become ready",
                        q(c.name)
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{GOOD_APP, findings};

    const RULE: &str = "readiness-probe";

    #[test]
    fn probed_passes() {
        assert_eq!(findings(RULE, GOOD_APP), "");
    }

    #[test]
    fn missing_probe_fails() {
        let yaml = GOOD_APP.replace("readinessProbe:", "startupProbe:");
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:1: warning[readiness-probe] Deployment api: spec.template.spec.containers[0].readinessProbe: \
container \"api\" has no readiness probe: without one, the Service sends traffic to pods that are not ready yet, and a rollout goes on past pods that never become ready\n"
        );
    }

    #[test]
    fn jobs_and_plain_init_containers_are_exempt() {
        let job = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      \
containers:\n      - {name: once, image: \"app:v1\"}\n";
        assert_eq!(findings(RULE, job), "");
        let init = GOOD_APP.replace(
            "      containers:\n",
            "      initContainers:\n      - {name: migrate, image: \"app:v1\"}\n      containers:\n",
        );
        assert_eq!(findings(RULE, &init), "");
    }
}
