//! `single-writer-volume`: a Deployment or ReplicaSet whose pods mount a
//! ReadWriteOnce claim runs exactly one replica, and a Deployment replaces
//! its pod with `strategy: Recreate`, never a rolling update.
//!
//! A HorizontalPodAutoscaler that may scale such a workload above one
//! replica is reported too.
//!
//! A ReadWriteOnce volume attaches to one node at a time. With two replicas,
//! or during a rolling update (the new pod starts before the old one
//! stops), either the second pod cannot start (the rollout hangs), or both
//! land on one node and write the same single-writer file (SQLite, DuckDB),
//! which corrupts it.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{int, namespace_of, pod_template, q, text};
use rustomize_engine::Resource;
use rustomize_yaml::Node;

/// See the module docs.
pub(super) struct SingleWriterVolume;

impl Rule for SingleWriterVolume {
    fn id(&self) -> &'static str {
        "single-writer-volume"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "A Deployment or ReplicaSet mounting a ReadWriteOnce volume runs one replica with strategy Recreate."
    }

    fn check(&self, cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        let kind = r.kind();
        if kind == "HorizontalPodAutoscaler" {
            return check_autoscaler(cx, r, out);
        }
        if kind != "Deployment" && kind != "ReplicaSet" {
            return;
        }
        let Some(what) = single_writer_claims(cx, r) else {
            return;
        };
        let replicas = int(r.node.get_path(&["spec", "replicas"])).unwrap_or(1);
        if replicas > 1 {
            out.push(Hit::new(
                "spec.replicas",
                format!(
                    "replicas is {replicas}, but the pods mount {what}: a single-writer volume needs exactly one replica"
                ),
            ));
        }
        if kind == "Deployment" {
            let strategy = text(r.node.get_path(&["spec", "strategy", "type"]));
            if strategy.is_none_or(|s| s == "RollingUpdate") {
                let (path, how) = match strategy {
                    Some(_) => ("spec.strategy.type", "RollingUpdate"),
                    None => ("spec.strategy", "RollingUpdate (the default)"),
                };
                out.push(Hit::new(
                    path,
                    format!(
                        "the update strategy is {how}, but the pods mount {what}: the new pod needs the volume while the old one holds it; set spec.strategy.type: Recreate"
                    ),
                ));
            }
        }
    }
}

/// "ReadWriteOnce PersistentVolumeClaim \"x\"" when the workload's pods
/// mount single-node claims of the output.
fn single_writer_claims(cx: &Context<'_>, r: &Resource) -> Option<String> {
    let pt = pod_template(r)?;
    let ns = namespace_of(r);
    let claims: Vec<String> = pt
        .spec
        .get("volumes")
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
        .filter_map(|v| text(v.get_path(&["persistentVolumeClaim", "claimName"])))
        .filter(|name| {
            cx.index
                .get("PersistentVolumeClaim", ns, name)
                .is_some_and(is_single_node)
        })
        .map(q)
        .collect();
    match claims.len() {
        0 => None,
        1 => Some(format!("ReadWriteOnce PersistentVolumeClaim {}", claims[0])),
        _ => Some(format!(
            "ReadWriteOnce PersistentVolumeClaims {}",
            claims.join(", ")
        )),
    }
}

/// An autoscaler that may scale a single-writer workload past one replica.
fn check_autoscaler(cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
    let max = int(r.node.get_path(&["spec", "maxReplicas"])).unwrap_or(0);
    if max <= 1 {
        return;
    }
    let target = r.node.get_path(&["spec", "scaleTargetRef"]);
    let (Some(kind), Some(name)) = (
        text(target.and_then(|t| t.get("kind"))),
        text(target.and_then(|t| t.get("name"))),
    ) else {
        return;
    };
    if !matches!(kind, "Deployment" | "ReplicaSet") {
        return;
    }
    let Some(workload) = cx.index.get(kind, namespace_of(r), name) else {
        return;
    };
    if let Some(what) = single_writer_claims(cx, workload) {
        out.push(Hit::new(
            "spec.maxReplicas",
            format!(
                "maxReplicas is {max}, but the pods of {kind} {} mount {what}: a single-writer volume needs exactly one replica",
                q(name)
            ),
        ));
    }
}

/// Whether a claim's access modes allow only one node (or one pod).
fn is_single_node(claim: &Resource) -> bool {
    claim
        .node
        .get_path(&["spec", "accessModes"])
        .and_then(Node::as_seq)
        .is_some_and(|modes| {
            let has = |want: &[&str]| {
                modes
                    .iter()
                    .any(|m| m.as_str().is_some_and(|m| want.contains(&m)))
            };
            has(&["ReadWriteOnce", "ReadWriteOncePod"]) && !has(&["ReadWriteMany"])
        })
}

#[cfg(test)]
mod tests {
    use crate::testing::{GOOD_APP, findings};

    const RULE: &str = "single-writer-volume";

    #[test]
    fn one_replica_with_recreate_passes() {
        assert_eq!(findings(RULE, GOOD_APP), "");
    }

    #[test]
    fn two_replicas_fail() {
        let yaml = GOOD_APP.replace("replicas: 1", "replicas: 2");
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:7: error[single-writer-volume] Deployment api: spec.replicas: replicas is 2, \
but the pods mount ReadWriteOnce PersistentVolumeClaim \"api-data\": a single-writer volume needs exactly one replica\n"
        );
    }

    #[test]
    fn default_strategy_fails() {
        let yaml = GOOD_APP.replace("  strategy: {type: Recreate}\n", "");
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:6: error[single-writer-volume] Deployment api: spec.strategy: the update strategy is \
RollingUpdate (the default), but the pods mount ReadWriteOnce PersistentVolumeClaim \"api-data\": the new pod \
needs the volume while the old one holds it; set spec.strategy.type: Recreate\n"
        );
    }

    #[test]
    fn explicit_rolling_update_fails() {
        let yaml = GOOD_APP.replace("type: Recreate", "type: RollingUpdate");
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:8: error[single-writer-volume] Deployment api: spec.strategy.type: the update strategy is \
RollingUpdate, but the pods mount ReadWriteOnce PersistentVolumeClaim \"api-data\": the new pod \
needs the volume while the old one holds it; set spec.strategy.type: Recreate\n"
        );
    }

    #[test]
    fn autoscaler_past_one_replica_fails() {
        let hpa = "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: api}\n\
spec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}\n  minReplicas: 1\n  maxReplicas: 3\n";
        assert_eq!(
            findings(RULE, &format!("{GOOD_APP}{hpa}")),
            "app.yaml:62: error[single-writer-volume] HorizontalPodAutoscaler api: spec.maxReplicas: maxReplicas is 3, \
but the pods of Deployment \"api\" mount ReadWriteOnce PersistentVolumeClaim \"api-data\": a single-writer volume needs exactly one replica\n"
        );
        let one = hpa.replace("maxReplicas: 3", "maxReplicas: 1");
        assert_eq!(findings(RULE, &format!("{GOOD_APP}{one}")), "");
    }

    #[test]
    fn read_write_many_and_unknown_claims_pass() {
        let rwx = GOOD_APP
            .replace("replicas: 1", "replicas: 3")
            .replace("type: Recreate", "type: RollingUpdate")
            .replace("[ReadWriteOnce]", "[ReadWriteMany]");
        assert_eq!(findings(RULE, &rwx), "");
        // A claim made outside the tree: its access mode is unknown.
        let outside = GOOD_APP
            .replace("replicas: 1", "replicas: 3")
            .replace("claimName: api-data", "claimName: elsewhere");
        assert_eq!(findings(RULE, &outside), "");
    }
}
