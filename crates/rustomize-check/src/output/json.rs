//! The JSON document.

use super::Outcome;
use crate::finding::{Finding, Severity};
use serde_json::{Value, json};

fn finding_json(f: &Finding) -> Value {
    json!({
        "rule": f.rule,
        "severity": f.severity.as_str(),
        "object": {
            "apiVersion": f.object.api_version,
            "kind": f.object.kind,
            "namespace": f.object.namespace,
            "name": f.object.name,
        },
        "path": f.path,
        "message": f.message,
        "file": f.file,
        "line": f.line,
        "column": f.column,
        "setBy": f.detail,
        "objectFile": f.object_file,
        "objectLine": f.object_line,
    })
}

/// A JSON document: `{"targets": [{"target", "kubernetesVersion",
/// "objects", "summary": {"error", "warning", "info"}, "findings": [...]}
/// | {"target", "error"}]}`; `assumedEnvironments` is added when the
/// check inferred an environment.
pub(super) fn json(outcomes: &[Outcome]) -> String {
    let targets: Vec<Value> = outcomes
        .iter()
        .map(|o| match o {
            Outcome::Checked(r) => {
                let mut t = json!({
                "target": r.target,
                "kubernetesVersion": r.kubernetes_version,
                "objects": r.objects,
                "summary": {
                    "error": r.count(Severity::Error),
                    "warning": r.count(Severity::Warning),
                    "info": r.count(Severity::Info),
                },
                "findings": r.findings.iter().map(finding_json).collect::<Vec<_>>(),
                });
                if !r.assumed_environments.is_empty() {
                    t["assumedEnvironments"] = json!(r.assumed_environments);
                }
                t
            }
            Outcome::Failed { target, error } => json!({"target": target, "error": error}),
        })
        .collect();
    super::pretty(&json!({ "targets": targets }))
}
