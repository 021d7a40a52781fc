//! `liveness-probe`: every container of a long-running workload
//! (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController)
//! has a liveness probe. Jobs, CronJobs and bare Pods are not checked.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{pod_template, q};
use rustomize_engine::Resource;

/// See the module docs.
pub struct LivenessProbe;

impl Rule for LivenessProbe {
    fn id(&self) -> &'static str {
        "liveness-probe"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        "Containers of long-running workloads have a livenessProbe."
    }

    fn check(&self, _cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        let Some(pt) = pod_template(r).filter(|pt| pt.long_running) else {
            return;
        };
        for c in pt.containers() {
            if c.init && !c.is_sidecar() {
                continue;
            }
            if c.map.get("livenessProbe").is_none_or(|p| p.is_null()) {
                out.push(Hit::new(
                    c.at("livenessProbe"),
                    format!(
                        "container {} has no liveness probe: without one, a container that hangs without exiting is never restarted",
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

    const RULE: &str = "liveness-probe";

    #[test]
    fn probed_passes() {
        assert_eq!(findings(RULE, GOOD_APP), "");
    }

    #[test]
    fn missing_probe_fails() {
        let yaml = GOOD_APP.replace("livenessProbe:", "startupProbe:");
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:1: warning[liveness-probe] Deployment api: spec.template.spec.containers[0].livenessProbe: \
container \"api\" has no liveness probe: without one, a container that hangs without exiting is never restarted\n"
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
