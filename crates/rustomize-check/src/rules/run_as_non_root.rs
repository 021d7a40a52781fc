//! `run-as-non-root`: every container runs as a non-root user, said by
//! `runAsNonRoot: true` or a non-zero `runAsUser`, on the container or the
//! pod.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{int, is_false, is_true, pod_template, q};
use rustomize_engine::Resource;

/// See the module docs.
pub(super) struct RunAsNonRoot;

impl Rule for RunAsNonRoot {
    fn id(&self) -> &'static str {
        "run-as-non-root"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        "Containers run as a non-root user (runAsNonRoot: true or a non-zero runAsUser)."
    }

    fn check(&self, _cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        let Some(pt) = pod_template(r) else {
            return;
        };
        for c in pt.containers() {
            let (user, user_path) = match c.security("runAsUser") {
                Some(n) => (int(Some(n)), c.at("securityContext.runAsUser")),
                None => (
                    int(pt.security("runAsUser")),
                    pt.at("securityContext.runAsUser"),
                ),
            };
            let (non_root, non_root_path) = match c.security("runAsNonRoot") {
                Some(n) => (Some(n), c.at("securityContext.runAsNonRoot")),
                None => (
                    pt.security("runAsNonRoot"),
                    pt.at("securityContext.runAsNonRoot"),
                ),
            };
            if user == Some(0) {
                out.push(Hit::new(
                    user_path,
                    format!("container {} runs as root (runAsUser: 0)", q(c.name)),
                ));
            } else if is_false(non_root) && user.is_none() {
                out.push(Hit::new(
                    non_root_path,
                    format!(
                        "container {} may run as root (runAsNonRoot: false): set runAsNonRoot: true, or a non-zero runAsUser",
                        q(c.name)
                    ),
                ));
            } else if !is_true(non_root) && user.is_none() {
                out.push(Hit::new(
                    c.at("securityContext.runAsNonRoot"),
                    format!(
                        "container {} may run as root: set securityContext.runAsNonRoot: true (and a non-zero runAsUser) on the pod or the container",
                        q(c.name)
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{GOOD_APP, findings};

    const RULE: &str = "run-as-non-root";

    fn pod(pod_sc: &str, container_sc: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  securityContext: {pod_sc}\n  \
containers:\n  - name: app\n    image: app:v1\n    securityContext: {container_sc}\n"
        )
    }

    #[test]
    fn non_root_passes() {
        assert_eq!(findings(RULE, GOOD_APP), "");
        assert_eq!(findings(RULE, &pod("{}", "{runAsNonRoot: true}")), "");
        assert_eq!(findings(RULE, &pod("{runAsUser: 1000}", "{}")), "");
        // The container's UID wins over the pod's.
        assert_eq!(
            findings(RULE, &pod("{runAsUser: 0}", "{runAsUser: 1000}")),
            ""
        );
    }

    #[test]
    fn unset_fails() {
        assert_eq!(
            findings(RULE, &pod("{}", "{}")),
            "app.yaml:9: warning[run-as-non-root] Pod p: spec.containers[0].securityContext.runAsNonRoot: \
container \"app\" may run as root: set securityContext.runAsNonRoot: true (and a non-zero runAsUser) on the pod or the container\n"
        );
    }

    #[test]
    fn root_uid_fails() {
        assert_eq!(
            findings(RULE, &pod("{runAsNonRoot: true}", "{runAsUser: 0}")),
            "app.yaml:9: warning[run-as-non-root] Pod p: spec.containers[0].securityContext.runAsUser: \
container \"app\" runs as root (runAsUser: 0)\n"
        );
        assert_eq!(
            findings(RULE, &pod("{runAsNonRoot: false}", "{}")),
            "app.yaml:5: warning[run-as-non-root] Pod p: spec.securityContext.runAsNonRoot: \
container \"app\" may run as root (runAsNonRoot: false): set runAsNonRoot: true, or a non-zero runAsUser\n"
        );
    }
}
