//! `read-only-root-filesystem`: every container has a read-only root
//! filesystem; what it must write goes to mounted volumes.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{is_true, pod_template, q};
use rustomize_engine::resource::Resource;

/// See the module docs.
pub struct ReadOnlyRootFilesystem;

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
