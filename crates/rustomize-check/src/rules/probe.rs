//! `readiness-probe` and `liveness-probe`: every container of a
//! long-running workload (Deployment, StatefulSet, DaemonSet, ReplicaSet,
//! ReplicationController) has the probe. Jobs, CronJobs and bare Pods are
//! not checked, nor init containers other than native sidecars.
//!
//! One implementation, two rules: [`READINESS`] and [`LIVENESS`]. A missing
//! readiness probe is an error in production (a warning elsewhere): a
//! rollout there goes on past pods that never become ready.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{pod_template, q};
use rustomize_engine::Resource;

/// A rule that wants one probe field on every long-running container.
pub(super) struct Probe {
    id: &'static str,
    field: &'static str,
    what: &'static str,
    why: &'static str,
    production: Severity,
}

/// `readiness-probe`.
pub(super) const READINESS: Probe = Probe {
    id: "readiness-probe",
    field: "readinessProbe",
    what: "readiness",
    why: "the Service sends traffic to pods that are not ready yet, and a rollout goes on past pods that never become ready",
    production: Severity::Error,
};

/// `liveness-probe`.
pub(super) const LIVENESS: Probe = Probe {
    id: "liveness-probe",
    field: "livenessProbe",
    what: "liveness",
    why: "a container that hangs without exiting is never restarted",
    production: Severity::Warning,
};

impl Rule for Probe {
    fn id(&self) -> &'static str {
        self.id
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn production_severity(&self) -> Severity {
        self.production
    }

    fn summary(&self) -> &'static str {
        match self.field {
            "readinessProbe" => "Containers of long-running workloads have a readinessProbe.",
            _ => "Containers of long-running workloads have a livenessProbe.",
        }
    }

    fn check(&self, _cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        let Some(pt) = pod_template(r).filter(|pt| pt.long_running) else {
            return;
        };
        for c in pt.containers() {
            if c.init && !c.is_sidecar() {
                continue;
            }
            if c.map.get(self.field).is_none_or(|p| p.is_null()) {
                out.push(Hit::new(
                    c.at(self.field),
                    format!(
                        "container {} has no {} probe: without one, {}",
                        q(c.name),
                        self.what,
                        self.why
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Options;
    use crate::testing::{GOOD_APP, findings, findings_of, rows};

    const JOB: &str = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      \
containers:\n      - {name: once, image: \"app:v1\"}\n      restartPolicy: Never\n";

    #[test]
    fn probed_passes() {
        assert_eq!(findings("readiness-probe", GOOD_APP), "");
        assert_eq!(findings("liveness-probe", GOOD_APP), "");
    }

    #[test]
    fn missing_readiness_probe_fails() {
        let yaml = GOOD_APP.replace("readinessProbe:", "startupProbe:");
        assert_eq!(
            findings("readiness-probe", &yaml),
            "app.yaml:17: warning[readiness-probe] Deployment api: spec.template.spec.containers[0].readinessProbe: \
container \"api\" has no readiness probe: without one, the Service sends traffic to pods that are not ready yet, and a rollout goes on past pods that never become ready\n"
        );
    }

    #[test]
    fn missing_liveness_probe_fails() {
        let yaml = GOOD_APP.replace("livenessProbe:", "startupProbe:");
        assert_eq!(
            findings("liveness-probe", &yaml),
            "app.yaml:17: warning[liveness-probe] Deployment api: spec.template.spec.containers[0].livenessProbe: \
container \"api\" has no liveness probe: without one, a container that hangs without exiting is never restarted\n"
        );
    }

    /// A CI gate that requires probes could not fail on a missing readiness
    /// probe: it was a warning everywhere.
    #[test]
    fn missing_readiness_probe_is_an_error_in_production() {
        let yaml = GOOD_APP.replace("readinessProbe:", "startupProbe:");
        let prod = Options {
            env: Some("production".into()),
            ..Options::default()
        };
        assert!(
            findings_of("readiness-probe", &yaml, &prod)
                .starts_with("app.yaml:17: error[readiness-probe]")
        );
        let yaml = GOOD_APP.replace("livenessProbe:", "startupProbe:");
        assert!(
            findings_of("liveness-probe", &yaml, &prod)
                .starts_with("app.yaml:17: warning[liveness-probe]")
        );
    }

    #[test]
    fn jobs_and_plain_init_containers_are_exempt() {
        let init = GOOD_APP.replace(
            "      containers:\n",
            "      initContainers:\n      - {name: migrate, image: \"app:v1\"}\n      containers:\n",
        );
        rows(&["readiness-probe", "liveness-probe"], |rule| {
            let got = findings(rule, JOB) + &findings(rule, &init);
            got.is_empty().then_some(()).ok_or(got)
        });
    }
}
