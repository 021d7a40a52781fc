//! `read-only-root-filesystem`: every container has a read-only root
//! filesystem; what it must write goes to mounted volumes.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{is_true, pod_template, q};
use rustomize_engine::Resource;

/// See the module docs.
pub(super) struct ReadOnlyRootFilesystem;

impl Rule for ReadOnlyRootFilesystem {
    fn id(&self) -> &'static str {
        "read-only-root-filesystem"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        "Containers set securityContext.readOnlyRootFilesystem: true."
    }

    fn check(&self, _cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        let Some(pt) = pod_template(r) else {
            return;
        };
        for c in pt.containers() {
            if !is_true(c.security("readOnlyRootFilesystem")) {
                out.push(Hit::new(
                    c.at("securityContext.readOnlyRootFilesystem"),
                    format!(
                        "container {} can write to its root filesystem: set securityContext.readOnlyRootFilesystem: true and mount a volume where it must write",
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

    const RULE: &str = "read-only-root-filesystem";

    #[test]
    fn read_only_passes() {
        assert_eq!(findings(RULE, GOOD_APP), "");
    }

    #[test]
    fn writable_fails() {
        let yaml = GOOD_APP.replace(
            "readOnlyRootFilesystem: true",
            "readOnlyRootFilesystem: false",
        );
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:29: warning[read-only-root-filesystem] Deployment api: \
spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem: container \"api\" can write to its \
root filesystem: set securityContext.readOnlyRootFilesystem: true and mount a volume where it must write\n"
        );
    }

    #[test]
    fn init_containers_count() {
        let yaml = GOOD_APP.replace(
            "      containers:\n",
            "      initContainers:\n      - {name: migrate, image: \"app:v1\"}\n      containers:\n",
        );
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:17: warning[read-only-root-filesystem] Deployment api: \
spec.template.spec.initContainers[0].securityContext.readOnlyRootFilesystem: container \"migrate\" can write to its \
root filesystem: set securityContext.readOnlyRootFilesystem: true and mount a volume where it must write\n"
        );
    }
}
