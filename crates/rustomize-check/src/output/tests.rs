//! The formats on one small report.

use super::*;
use crate::finding::{Finding, ObjectRef, Severity};
use crate::rules;

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
        line: Some(7),
        column: Some(5),
        detail: None,
        object_file: Some("base/my app.yaml".into()),
        object_line: Some(3),
    };
    Report {
        target: "overlays/prod".into(),
        kubernetes_version: "1.37".into(),
        objects: 1,
        findings: vec![
            f(Severity::Error, "schema", "spec.replicas"),
            f(Severity::Info, "schema-not-checked", ""),
        ],
        assumed_environments: vec!["production, because the path has a segment \"prod\"".into()],
    }
}

fn outcomes() -> [Outcome; 2] {
    [
        Outcome::Checked(report()),
        Outcome::Failed {
            target: "overlays/broken".into(),
            error: "boom".into(),
        },
    ]
}

#[test]
fn text_groups_an_objects_findings_under_one_heading() {
    assert_eq!(
        render(&outcomes(), Format::Text),
        "\
base/my app.yaml:3: Deployment shop/web
  base/my app.yaml:7: error[schema] spec.replicas: msg
  base/my app.yaml:7: info[schema-not-checked] msg
overlays/prod: 1 error, 0 warnings, 1 info in 1 object (Kubernetes 1.37; assumed environment production, because the path has a segment \"prod\")
"
    );
}

/// A value with an escape sequence or a newline could recolour the
/// terminal or print a line that looks like another finding.
#[test]
fn text_escapes_control_characters() {
    let mut r = report();
    r.findings.truncate(1);
    r.findings[0].message =
        "image \"x\u{1b}[31m\" then\nbase/x.yaml:1: error[schema] fake\u{7}".into();
    r.assumed_environments.clear();
    assert_eq!(
        render(&[Outcome::Checked(r)], Format::Text),
        "\
base/my app.yaml:3: Deployment shop/web
  base/my app.yaml:7: error[schema] spec.replicas: image \"x\\u{1b}[31m\" then\\nbase/x.yaml:1: error[schema] fake\\u{7}
overlays/prod: 1 error, 0 warnings, 0 info in 1 object (Kubernetes 1.37)
"
    );
}

#[test]
fn github_annotations() {
    assert_eq!(
        render(&outcomes(), Format::Github),
        "\
::error file=base/my app.yaml,line=7,col=5,title=schema::Deployment shop/web: spec.replicas: msg
::notice file=base/my app.yaml,line=7,col=5,title=schema-not-checked::Deployment shop/web: msg
overlays/prod: 1 error, 0 warnings, 1 info in 1 object (Kubernetes 1.37; assumed environment production, because the path has a segment \"prod\")
::error title=build failed::overlays/broken: boom
"
    );
}

#[test]
fn json_and_sarif_documents() {
    let outcomes = outcomes();
    let v: Value = serde_json::from_str(&render(&outcomes, Format::Json)).unwrap();
    assert_eq!(v["targets"][0]["summary"]["info"], 1);
    assert_eq!(v["targets"][0]["findings"][1]["path"], "");
    assert_eq!(
        v["targets"][0]["assumedEnvironments"][0],
        "production, because the path has a segment \"prod\""
    );
    assert_eq!(v["targets"][1]["error"], "boom");
    let s: Value = serde_json::from_str(&render(&outcomes, Format::Sarif)).unwrap();
    let run = &s["runs"][0];
    assert_eq!(run["results"][1]["level"], "note");
    assert_eq!(run["results"][0]["ruleIndex"], 0);
    assert_eq!(
        run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "base/my%20app.yaml"
    );
    assert_eq!(
        run["results"][0]["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 7, "startColumn": 5})
    );
    assert_eq!(v["targets"][0]["findings"][0]["column"], 5);
    assert_eq!(v["targets"][0]["findings"][0]["objectLine"], 3);
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
