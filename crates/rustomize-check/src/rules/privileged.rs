//! `privileged`: no container runs privileged.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{is_true, pod_template, q};
use rustomize_engine::resource::Resource;

/// See the module docs.
pub struct Privileged;

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
