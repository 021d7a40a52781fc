//! `pdb-selector`: a PodDisruptionBudget's selector matches the pod
//! template of a workload in the output, in the same namespace.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{Selector, namespace_of};
use rustomize_engine::Resource;

/// See the module docs.
pub(crate) struct PdbSelector;

impl Rule for PdbSelector {
    fn id(&self) -> &'static str {
        "pdb-selector"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "A PodDisruptionBudget's selector matches the pod template of a workload in the output."
    }

    fn check(&self, cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        if r.kind() != "PodDisruptionBudget" {
            return;
        }
        let Some(sel) = r
            .node
            .get_path(&["spec", "selector"])
            .filter(|n| !n.is_null())
        else {
            return;
        };
        let selector = Selector::label_selector(sel);
        if selector.is_empty() {
            return; // policy/v1: every pod of the namespace
        }
        let ns = namespace_of(r);
        if cx
            .index
            .pods(ns)
            .iter()
            .any(|(_, pt)| selector.matches(pt.labels))
        {
            return;
        }
        out.push(Hit::new(
            "spec.selector",
            format!(
                "selects {selector}, but no pod template in namespace \"{ns}\" of the output has these labels: the budget protects no pod"
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{GOOD_APP, findings};

    const RULE: &str = "pdb-selector";

    fn pdb(selector: &str) -> String {
        format!(
            "{GOOD_APP}---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: api}}\nspec:\n  \
maxUnavailable: 1\n  selector:\n    {selector}\n"
        )
    }

    #[test]
    fn matching_budget_passes() {
        assert_eq!(findings(RULE, &pdb("matchLabels: {app: api}")), "");
    }

    #[test]
    fn budget_selecting_nothing_fails() {
        assert_eq!(
            findings(RULE, &pdb("matchLabels: {app: apı}")),
            "app.yaml:61: error[pdb-selector] PodDisruptionBudget api: spec.selector: selects app=apı, but no pod \
template in namespace \"default\" of the output has these labels: the budget protects no pod\n"
        );
    }
}
