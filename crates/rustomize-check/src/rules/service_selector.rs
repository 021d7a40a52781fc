//! `service-selector`: a Service's selector matches the pod template of at
//! least one workload in the output, in the same namespace.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{namespace_of, text};
use rustomize_engine::Resource;
use rustomize_yaml::Node;

/// Labels controllers put on the pods they make, which no template has:
/// a selector on them (one Service per StatefulSet pod) is not checked.
const CONTROLLER_LABELS: &[&str] = &[
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "controller-revision-hash",
    "pod-template-hash",
    "batch.kubernetes.io/job-name",
    "batch.kubernetes.io/controller-uid",
    "job-name",
    "controller-uid",
];

/// See the module docs.
pub(super) struct ServiceSelector;

impl Rule for ServiceSelector {
    fn id(&self) -> &'static str {
        "service-selector"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "A Service's selector matches the pod template of a workload in the output."
    }

    fn check(&self, cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        if r.kind() != "Service" || r.api_version() != "v1" {
            return;
        }
        if text(r.node.get_path(&["spec", "type"])) == Some("ExternalName") {
            return;
        }
        let Some(sel) = r
            .node
            .get_path(&["spec", "selector"])
            .and_then(Node::as_map)
        else {
            return;
        };
        let pairs: Vec<(&str, &str)> = sel
            .entries
            .iter()
            .filter(|e| !CONTROLLER_LABELS.contains(&e.key.value.as_str()))
            .filter_map(|e| {
                let v = e.value.as_scalar()?;
                Some((e.key.value.as_str(), v.value.as_str()))
            })
            .collect();
        if pairs.is_empty() || cx.index.pods_match(namespace_of(r), &pairs) {
            return;
        }
        let mut shown: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        shown.sort();
        out.push(Hit::new(
            "spec.selector",
            format!(
                "selects {}, but no pod template in the output has these labels: the Service has no endpoints",
                shown.join(",")
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{GOOD_APP, findings};

    const RULE: &str = "service-selector";

    #[test]
    fn matching_selector_passes() {
        assert_eq!(findings(RULE, GOOD_APP), "");
        let subset = GOOD_APP.replace("labels: {app: api}", "labels: {app: api, tier: web}");
        assert_eq!(findings(RULE, &subset), "");
    }

    #[test]
    fn selector_without_pods_fails() {
        let yaml = GOOD_APP.replace("selector: {app: api}", "selector: {app: api, tier: db}");
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:51: error[service-selector] Service api: spec.selector: selects app=api,tier=db, but no pod \
template in the output has these labels: the Service has no endpoints\n"
        );
    }

    #[test]
    fn labels_set_by_controllers_are_ignored() {
        let yaml = GOOD_APP.replace(
            "selector: {app: api}",
            "selector: {app: api, statefulset.kubernetes.io/pod-name: api-0}",
        );
        assert_eq!(findings(RULE, &yaml), "");
    }

    #[test]
    fn services_without_selector_are_exempt() {
        let yaml = "apiVersion: v1\nkind: Service\nmetadata: {name: ext}\nspec:\n  type: ExternalName\n  \
externalName: db.example.com\n  selector: {app: nothing}\n";
        assert_eq!(findings(RULE, yaml), "");
    }
}
