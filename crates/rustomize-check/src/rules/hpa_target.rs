//! `hpa-target`: a HorizontalPodAutoscaler can scale what it names. Its
//! `scaleTargetRef` names an object in the output (same namespace), its
//! `minReplicas` is not above `maxReplicas` (the API server rejects that),
//! and for a CPU or memory utilization target every container of the
//! target's pods requests that resource (else the autoscaler cannot compute
//! utilization and never scales).

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{int, namespace_of, pod_template, q, text};
use rustomize_engine::Resource;
use rustomize_yaml::Node;

/// See the module docs.
pub(crate) struct HpaTarget;

impl Rule for HpaTarget {
    fn id(&self) -> &'static str {
        "hpa-target"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "A HorizontalPodAutoscaler names a workload in the output, with minReplicas <= maxReplicas and the requests its utilization targets need."
    }

    fn check(&self, cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        if r.kind() != "HorizontalPodAutoscaler" {
            return;
        }
        let spec = r.node.get("spec");
        let min = int(spec.and_then(|s| s.get("minReplicas")));
        let max = int(spec.and_then(|s| s.get("maxReplicas")));
        if let (Some(min), Some(max)) = (min, max)
            && min > max
        {
            out.push(Hit::new(
                "spec.minReplicas",
                format!(
                    "minReplicas {min} is more than maxReplicas {max}: the API server rejects the autoscaler"
                ),
            ));
        }
        let target = spec.and_then(|s| s.get("scaleTargetRef"));
        let (Some(kind), Some(name)) = (
            text(target.and_then(|t| t.get("kind"))),
            text(target.and_then(|t| t.get("name"))),
        ) else {
            return;
        };
        let ns = namespace_of(r);
        let Some(workload) = cx.index.get(kind, ns, name) else {
            out.push(Hit::new(
                "spec.scaleTargetRef.name",
                format!(
                    "no {kind} {} in namespace \"{ns}\" of the output: the autoscaler has nothing to scale",
                    q(name)
                ),
            ));
            return;
        };
        let Some(pt) = pod_template(workload) else {
            return;
        };
        for resource in utilization_targets(spec) {
            let missing: Vec<&str> = pt
                .containers()
                .iter()
                .filter(|c| !c.init || c.is_sidecar())
                .filter(|c| {
                    c.map
                        .get("resources")
                        .and_then(|x| x.get("requests"))
                        .and_then(|x| x.get(resource))
                        .is_none_or(Node::is_null)
                })
                .map(|c| c.name)
                .collect();
            if !missing.is_empty() {
                out.push(Hit::new(
                    "spec.metrics",
                    format!(
                        "scales on {resource} utilization, but container{} {} of {kind} {} request{} no {resource}: the autoscaler cannot compute utilization and never scales",
                        if missing.len() == 1 { "" } else { "s" },
                        missing.iter().map(|m| q(m)).collect::<Vec<_>>().join(", "),
                        q(name),
                        if missing.len() == 1 { "s" } else { "" },
                    ),
                ));
            }
        }
    }
}

/// The resources (`cpu`, `memory`) the autoscaler targets by utilization.
fn utilization_targets(spec: Option<&Node>) -> Vec<&str> {
    let mut out = Vec::new();
    if spec
        .and_then(|s| s.get("targetCPUUtilizationPercentage"))
        .is_some_and(|n| !n.is_null())
    {
        out.push("cpu");
    }
    let metrics = spec.and_then(|s| s.get("metrics")).and_then(Node::as_seq);
    for m in metrics.into_iter().flatten() {
        for key in ["resource", "containerResource"] {
            let Some(res) = m.get(key) else { continue };
            let utilization = text(res.get_path(&["target", "type"])) == Some("Utilization")
                || res.get("targetAverageUtilization").is_some();
            if let Some(name) = text(res.get("name")).filter(|_| utilization)
                && !out.contains(&name)
            {
                out.push(name);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::testing::{GOOD_APP, findings};

    const RULE: &str = "hpa-target";

    fn hpa(target: &str, min: u32, max: u32) -> String {
        format!(
            "{GOOD_APP}---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: api}}\nspec:\n  \
scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {target}}}\n  minReplicas: {min}\n  maxReplicas: {max}\n  \
metrics:\n  - type: Resource\n    resource:\n      name: cpu\n      target: {{type: Utilization, averageUtilization: 70}}\n"
        )
    }

    #[test]
    fn autoscaler_of_a_workload_passes() {
        assert_eq!(findings(RULE, &hpa("api", 1, 1)), "");
    }

    #[test]
    fn autoscaler_of_nothing_fails() {
        assert_eq!(
            findings(RULE, &hpa("apii", 1, 1)),
            "app.yaml:60: error[hpa-target] HorizontalPodAutoscaler api: spec.scaleTargetRef.name: no Deployment \
\"apii\" in namespace \"default\" of the output: the autoscaler has nothing to scale\n"
        );
    }

    #[test]
    fn min_above_max_fails() {
        assert_eq!(
            findings(RULE, &hpa("api", 3, 2)),
            "app.yaml:61: error[hpa-target] HorizontalPodAutoscaler api: spec.minReplicas: minReplicas 3 is more than \
maxReplicas 2: the API server rejects the autoscaler\n"
        );
    }

    #[test]
    fn utilization_without_requests_fails() {
        let yaml = hpa("api", 1, 1).replace(
            "requests: {cpu: 100m, memory: 256Mi}",
            "requests: {memory: 256Mi}",
        );
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:63: error[hpa-target] HorizontalPodAutoscaler api: spec.metrics: scales on cpu utilization, but \
container \"api\" of Deployment \"api\" requests no cpu: the autoscaler cannot compute utilization and never scales\n"
        );
    }
}
