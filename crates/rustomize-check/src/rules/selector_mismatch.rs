//! `selector-mismatch`: a workload's `spec.selector` selects the pods of
//! its own template. The API server rejects a Deployment, ReplicaSet,
//! StatefulSet or DaemonSet whose selector does not match its template
//! labels ("selector does not match template labels"), or whose selector
//! is empty; a ReplicationController's plain selector must match too.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{Selector, pod_template, show_labels};
use rustomize_engine::Resource;

/// See the module docs.
pub(crate) struct SelectorMismatch;

impl Rule for SelectorMismatch {
    fn id(&self) -> &'static str {
        "selector-mismatch"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "A workload's selector matches the labels of its own pod template."
    }

    fn check(&self, _cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        let kind = r.kind();
        if !matches!(
            kind,
            "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "ReplicationController"
        ) {
            return;
        }
        let Some(pt) = pod_template(r) else {
            return;
        };
        let Some(sel) = r
            .node
            .get_path(&["spec", "selector"])
            .filter(|n| !n.is_null())
        else {
            return; // required: the schema rule reports it
        };
        let selector = if kind == "ReplicationController" {
            match sel.as_map() {
                Some(m) => Selector::map(m),
                None => return,
            }
        } else {
            Selector::label_selector(sel)
        };
        if selector.is_empty() {
            if kind != "ReplicationController" {
                out.push(Hit::new(
                    "spec.selector",
                    format!(
                        "the selector is empty: the API server rejects a {kind} whose selector would select every pod"
                    ),
                ));
            }
            return;
        }
        if !selector.matches(pt.labels) {
            out.push(Hit::new(
                "spec.selector",
                format!(
                    "selects {selector}, but the pod template's labels are {}: the API server rejects the {kind} (selector does not match template labels)",
                    show_labels(pt.labels)
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{GOOD_APP, findings};

    const RULE: &str = "selector-mismatch";

    #[test]
    fn matching_selector_passes() {
        assert_eq!(findings(RULE, GOOD_APP), "");
        let expressions = GOOD_APP.replace(
            "    matchLabels: {app: api}\n",
            "    matchExpressions:\n    - {key: app, operator: In, values: [api, web]}\n    - {key: canary, operator: DoesNotExist}\n",
        );
        assert_eq!(findings(RULE, &expressions), "");
    }

    #[test]
    fn selector_not_matching_the_template_fails() {
        let yaml = GOOD_APP.replace(
            "    matchLabels: {app: api}\n",
            "    matchLabels: {app: api, tier: web}\n",
        );
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:9: error[selector-mismatch] Deployment api: spec.selector: selects app=api,tier=web, but the pod \
template's labels are app=api: the API server rejects the Deployment (selector does not match template labels)\n"
        );
        let yaml = GOOD_APP.replace(
            "    matchLabels: {app: api}\n",
            "    matchExpressions:\n    - {key: app, operator: NotIn, values: [api]}\n",
        );
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:9: error[selector-mismatch] Deployment api: spec.selector: selects app notin (api), but the pod \
template's labels are app=api: the API server rejects the Deployment (selector does not match template labels)\n"
        );
    }

    #[test]
    fn empty_selector_fails() {
        let yaml = GOOD_APP.replace("    matchLabels: {app: api}\n", "    matchLabels: {}\n");
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:9: error[selector-mismatch] Deployment api: spec.selector: the selector is empty: the API server \
rejects a Deployment whose selector would select every pod\n"
        );
    }
}
