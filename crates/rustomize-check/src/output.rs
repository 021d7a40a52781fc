//! Printing reports: readable text, JSON, and SARIF 2.1.0 for code
//! scanning.

use crate::finding::{Finding, Report, Severity};
use crate::rules;
use serde_json::{Value, json};
use std::fmt::Write as _;

/// The result of checking one target.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// It was checked.
    Checked(Report),
    /// It could not be built or read.
    Failed {
        /// The directory or file.
        target: String,
        /// Why.
        error: String,
    },
}

/// One line per finding, then one summary line per target:
///
/// ```text
/// base/deployment.yaml:1: error[single-writer-volume] Deployment app/web: spec.replicas: replicas is 2, ...
/// overlays/production: 1 error, 0 warnings, 0 info in 4 objects (Kubernetes 1.37)
/// ```
///
/// Failed targets are left out: the caller reports them on stderr.
pub fn text(outcomes: &[Outcome]) -> String {
    let mut out = String::new();
    for o in outcomes {
        let Outcome::Checked(report) = o else {
            continue;
        };
        for f in &report.findings {
            finding_line(&mut out, f, &report.target);
        }
        let _ = write!(out, "{}: ", report.target);
        if report.findings.is_empty() {
            out.push_str("no findings");
        } else {
            let e = report.count(Severity::Error);
            let w = report.count(Severity::Warning);
            let i = report.count(Severity::Info);
            let _ = write!(
                out,
                "{e} error{}, {w} warning{}, {i} info",
                plural(e),
                plural(w)
            );
        }
        let _ = writeln!(
            out,
            " in {} object{} (Kubernetes {})",
            report.objects,
            plural(report.objects),
            report.kubernetes_version
        );
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `file:line: severity[rule] Kind ns/name: path: message`.
pub fn finding_line(out: &mut String, f: &Finding, target: &str) {
    out.push_str(f.file.as_deref().unwrap_or(target));
    if let Some(line) = f.line {
        let _ = write!(out, ":{line}");
    }
    let _ = write!(out, ": {}[{}] {}: ", f.severity, f.rule, f.object);
    if !f.path.is_empty() {
        let _ = write!(out, "{}: ", f.path);
    }
    out.push_str(&f.message);
    out.push('\n');
}

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
    })
}

/// A JSON document: `{"targets": [{"target", "kubernetesVersion",
/// "objects", "summary": {"error", "warning", "info"}, "findings": [...]}
/// | {"target", "error"}]}`.
pub fn json(outcomes: &[Outcome]) -> String {
    let targets: Vec<Value> = outcomes
        .iter()
        .map(|o| match o {
            Outcome::Checked(r) => json!({
                "target": r.target,
                "kubernetesVersion": r.kubernetes_version,
                "objects": r.objects,
                "summary": {
                    "error": r.count(Severity::Error),
                    "warning": r.count(Severity::Warning),
                    "info": r.count(Severity::Info),
                },
                "findings": r.findings.iter().map(finding_json).collect::<Vec<_>>(),
            }),
            Outcome::Failed { target, error } => json!({"target": target, "error": error}),
        })
        .collect();
    pretty(&json!({ "targets": targets }))
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A file path as a relative SARIF URI.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '\\' => out.push('/'),
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

/// A SARIF 2.1.0 log with one run: every rule described in the driver,
/// one result per finding, build failures as tool notifications.
pub fn sarif(outcomes: &[Outcome]) -> String {
    let all = rules::all();
    let repo = env!("CARGO_PKG_REPOSITORY");
    let rule_meta: Vec<Value> = all
        .iter()
        .map(|r| {
            json!({
                "id": r.id(),
                "shortDescription": {"text": r.summary()},
                "helpUri": format!("{repo}/blob/main/docs/rules/{}.md", r.id()),
                "defaultConfiguration": {"level": sarif_level(r.default_severity())},
            })
        })
        .collect();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for o in outcomes {
        match o {
            Outcome::Checked(report) => {
                for f in &report.findings {
                    let index = all.iter().position(|r| r.id() == f.rule);
                    let mut text = format!("{}: ", f.object);
                    if !f.path.is_empty() {
                        let _ = write!(text, "{}: ", f.path);
                    }
                    text.push_str(&f.message);
                    let mut location = json!({
                        "logicalLocations": [{
                            "fullyQualifiedName": format!("{}/{}", f.object.kind, qualified(f)),
                            "kind": "object",
                        }],
                    });
                    if let Some(file) = &f.file {
                        let mut physical = json!({"artifactLocation": {"uri": uri(file)}});
                        if let Some(line) = f.line {
                            physical["region"] = json!({"startLine": line});
                        }
                        location["physicalLocation"] = physical;
                    }
                    results.push(json!({
                        "ruleId": f.rule,
                        "ruleIndex": index,
                        "level": sarif_level(f.severity),
                        "message": {"text": text},
                        "locations": [location],
                        "properties": {
                            "target": report.target,
                            "kubernetesVersion": report.kubernetes_version,
                            "apiVersion": f.object.api_version,
                            "path": f.path,
                        },
                    }));
                }
            }
            Outcome::Failed { target, error } => notifications.push(json!({
                "level": "error",
                "message": {"text": format!("{target}: {error}")},
            })),
        }
    }
    pretty(&json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "rustomize check",
                "informationUri": repo,
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rule_meta,
            }},
            "invocations": [{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    }))
}

fn qualified(f: &Finding) -> String {
    let mut s = if f.object.namespace.is_empty() {
        f.object.name.clone()
    } else {
        format!("{}/{}", f.object.namespace, f.object.name)
    };
    if !f.path.is_empty() {
        s.push('.');
        s.push_str(&f.path);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::ObjectRef;

    fn report() -> Report {
        let f = |severity, rule, path: &str| Finding {
            rule,
            severity,
            object: ObjectRef {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                namespace: "shop".into(),
                name: "web".into(),
            },
            path: path.into(),
            message: "msg".into(),
            file: Some("base/my app.yaml".into()),
            line: Some(3),
        };
        Report {
            target: "overlays/prod".into(),
            kubernetes_version: "1.37".into(),
            objects: 1,
            findings: vec![
                f(Severity::Error, "schema", "spec.replicas"),
                f(Severity::Info, "schema-not-checked", ""),
            ],
        }
    }

    #[test]
    fn text_lines_and_summary() {
        let outcomes = [
            Outcome::Checked(report()),
            Outcome::Failed {
                target: "overlays/broken".into(),
                error: "boom".into(),
            },
        ];
        assert_eq!(
            text(&outcomes),
            "\
base/my app.yaml:3: error[schema] Deployment shop/web: spec.replicas: msg
base/my app.yaml:3: info[schema-not-checked] Deployment shop/web: msg
overlays/prod: 1 error, 0 warnings, 1 info in 1 object (Kubernetes 1.37)
"
        );
    }

    #[test]
    fn json_and_sarif_documents() {
        let outcomes = [
            Outcome::Checked(report()),
            Outcome::Failed {
                target: "overlays/broken".into(),
                error: "boom".into(),
            },
        ];
        let v: Value = serde_json::from_str(&json(&outcomes)).unwrap();
        assert_eq!(v["targets"][0]["summary"]["info"], 1);
        assert_eq!(v["targets"][0]["findings"][1]["path"], "");
        assert_eq!(v["targets"][1]["error"], "boom");
        let s: Value = serde_json::from_str(&sarif(&outcomes)).unwrap();
        let run = &s["runs"][0];
        assert_eq!(run["results"][1]["level"], "note");
        assert_eq!(run["results"][0]["ruleIndex"], 0);
        assert_eq!(
            run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "base/my%20app.yaml"
        );
        assert_eq!(
            run["results"][0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "Deployment/shop/web.spec.replicas"
        );
        assert_eq!(run["invocations"][0]["executionSuccessful"], false);
        assert_eq!(
            run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"],
            "overlays/broken: boom"
        );
        assert_eq!(
            run["tool"]["driver"]["rules"].as_array().unwrap().len(),
            rules::all().len()
        );
    }
}
