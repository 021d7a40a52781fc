//! `run-as-non-root`: every container runs as a non-root user, said by
//! `runAsNonRoot: true` or a non-zero `runAsUser`, on the container or the
//! pod.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{int, is_false, is_true, pod_template, q};
use rustomize_engine::resource::Resource;

/// See the module docs.
pub struct RunAsNonRoot;

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
