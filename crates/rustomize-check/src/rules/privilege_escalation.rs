//! `privilege-escalation`: every container sets
//! `allowPrivilegeEscalation: false` (the default is to allow it).

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{is_false, pod_template, q};
use rustomize_engine::Resource;

/// See the module docs.
pub(super) struct PrivilegeEscalation;

impl Rule for PrivilegeEscalation {
    fn id(&self) -> &'static str {
        "privilege-escalation"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        "Containers set securityContext.allowPrivilegeEscalation: false."
    }

    fn check(&self, _cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        let Some(pt) = pod_template(r) else {
            return;
        };
        for c in pt.containers() {
            let set = c.security("allowPrivilegeEscalation");
            if !is_false(set) {
                let why = if set.is_some() { "" } else { " (the default)" };
                out.push(Hit::new(
                    c.at("securityContext.allowPrivilegeEscalation"),
                    format!(
                        "container {} allows privilege escalation{why}: set securityContext.allowPrivilegeEscalation: false",
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

    const RULE: &str = "privilege-escalation";

    #[test]
    fn disallowed_passes() {
        assert_eq!(findings(RULE, GOOD_APP), "");
    }

    #[test]
    fn unset_or_true_fails() {
        let unset = GOOD_APP.replace("          allowPrivilegeEscalation: false\n", "");
        assert_eq!(
            findings(RULE, &unset),
            "app.yaml:28: warning[privilege-escalation] Deployment api: \
spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation: container \"api\" allows privilege \
escalation (the default): set securityContext.allowPrivilegeEscalation: false\n"
        );
        let set = GOOD_APP.replace(
            "allowPrivilegeEscalation: false",
            "allowPrivilegeEscalation: true",
        );
        assert_eq!(
            findings(RULE, &set),
            "app.yaml:30: warning[privilege-escalation] Deployment api: \
spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation: container \"api\" allows privilege \
escalation: set securityContext.allowPrivilegeEscalation: false\n"
        );
    }
}
