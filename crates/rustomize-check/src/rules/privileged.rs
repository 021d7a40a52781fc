//! `privileged`: no container runs privileged.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{is_true, pod_template, q};
use rustomize_engine::Resource;

/// See the module docs.
pub(super) struct Privileged;

impl Rule for Privileged {
    fn id(&self) -> &'static str {
        "privileged"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "No container runs with securityContext.privileged: true."
    }

    fn check(&self, _cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        let Some(pt) = pod_template(r) else {
            return;
        };
        for c in pt.containers() {
            if is_true(c.security("privileged")) {
                out.push(Hit::new(
                    c.at("securityContext.privileged"),
                    format!(
                        "container {} runs privileged: it has every capability and the host's devices",
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

    const RULE: &str = "privileged";

    #[test]
    fn unprivileged_passes() {
        assert_eq!(findings(RULE, GOOD_APP), "");
        let explicit = GOOD_APP.replace(
            "readOnlyRootFilesystem: true",
            "readOnlyRootFilesystem: true\n          privileged: false",
        );
        assert_eq!(findings(RULE, &explicit), "");
    }

    #[test]
    fn privileged_fails() {
        let yaml = GOOD_APP.replace(
            "readOnlyRootFilesystem: true",
            "readOnlyRootFilesystem: true\n          privileged: true",
        );
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:30: error[privileged] Deployment api: spec.template.spec.containers[0].securityContext.privileged: \
container \"api\" runs privileged: it has every capability and the host's devices\n"
        );
    }
}
