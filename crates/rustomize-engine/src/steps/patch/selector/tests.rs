//! Selector cases checked against `kubectl kustomize` (v5.5.0): each target
//! below used in a `patches:` entry over these resources, and which ones
//! kubectl patched (or its error).

use super::*;
use crate::steps::patch::testing::{from_yaml, resmap};
use indoc::indoc;

const RESOURCES: &str = indoc! {r#"
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      labels: {app: web, tier: front, x: "5"}
      annotations: {note: a}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
      namespace: prod
      labels: {app: api, tier: back}
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: web
      labels: {app: web}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: reader
    ---
    apiVersion: example.com/v1
    kind: Widget
    metadata:
      name: w1
      namespace: prod
      labels: {empty: ""}
"#};

fn selected(rm: &ResMap, target: &str) -> Result<Vec<String>, String> {
    let sel: Selector = from_yaml(target);
    let hits = select(rm, &sel).map_err(|e| e.to_string())?;
    Ok(hits
        .into_iter()
        .map(|i| format!("{}/{}", rm.get(i).kind(), rm.get(i).name()))
        .collect())
}

#[test]
fn targets_select_as_kustomize_selects() {
    let rm = resmap(RESOURCES);
    let cases: &[(&str, Result<&[&str], &str>)] = &[
        (
            r#"{kind: Deployment}"#,
            Ok(&["Deployment/web", "Deployment/api"]),
        ),
        (r#"{kind: Deploy}"#, Ok(&[])),
        (
            r#"{kind: 'Deploy.*'}"#,
            Ok(&["Deployment/web", "Deployment/api"]),
        ),
        (r#"{name: web}"#, Ok(&["Deployment/web", "Service/web"])),
        (
            r#"{name: 'w.*|api'}"#,
            Ok(&[
                "Deployment/web",
                "Deployment/api",
                "Service/web",
                "Widget/w1",
            ]),
        ),
        (
            r#"{group: apps}"#,
            Ok(&["Deployment/web", "Deployment/api"]),
        ),
        (
            r#"{version: v1}"#,
            Ok(&[
                "Deployment/web",
                "Deployment/api",
                "Service/web",
                "ClusterRole/reader",
                "Widget/w1",
            ]),
        ),
        (r#"{namespace: prod}"#, Ok(&["Deployment/api", "Widget/w1"])),
        (
            r#"{namespace: default}"#,
            Ok(&["Deployment/web", "Service/web"]),
        ),
        (
            r#"{labelSelector: app=web}"#,
            Ok(&["Deployment/web", "Service/web"]),
        ),
        (
            r#"{labelSelector: 'app in (web,api),tier!=back'}"#,
            Ok(&["Deployment/web", "Service/web"]),
        ),
        (
            r#"{labelSelector: '!tier'}"#,
            Ok(&["Service/web", "ClusterRole/reader", "Widget/w1"]),
        ),
        (
            r#"{labelSelector: tier}"#,
            Ok(&["Deployment/web", "Deployment/api"]),
        ),
        (r#"{annotationSelector: note=a}"#, Ok(&["Deployment/web"])),
        (
            r#"{labelSelector: 'app notin (web)'}"#,
            Ok(&["Deployment/api", "ClusterRole/reader", "Widget/w1"]),
        ),
        (
            r#"{labelSelector: 'app=(x'}"#,
            Err(r#"unable to parse requirement: found '(', expected: identifier"#),
        ),
        (
            r#"{kind: '('}"#,
            Err(r#"error parsing regexp: missing closing ): `^(?:()$`"#),
        ),
        (
            r#"{namespace: _non_namespaceable_}"#,
            Ok(&["ClusterRole/reader"]),
        ),
        (
            r#"{labelSelector: 'app==web'}"#,
            Ok(&["Deployment/web", "Service/web"]),
        ),
        (r#"{labelSelector: 'x>1'}"#, Ok(&["Deployment/web"])),
        (r#"{labelSelector: 'x<1'}"#, Ok(&[])),
        (r#"{labelSelector: 'empty='}"#, Ok(&["Widget/w1"])),
        (r#"{labelSelector: 'empty in ()'}"#, Ok(&["Widget/w1"])),
        (
            r#"{kind: Widget, labelSelector: 'bad key!'}"#,
            Err(
                r#"unable to parse requirement: found 'key', expected: '=', '!=', '==', 'in', notin'"#,
            ),
        ),
        (r#"{kind: Nothing, labelSelector: 'bad key!'}"#, Ok(&[])),
        (
            r#"{labelSelector: 'app in (web'}"#,
            Err(r#"unable to parse requirement: found '', expected: ',' or ')'"#),
        ),
        (
            r#"{labelSelector: 'a,'}"#,
            Err(r#"found '', expected: identifier after ','"#),
        ),
        (
            r#"{labelSelector: '!a=b'}"#,
            Err(r#"found '=', expected: ',' or 'end of string'"#),
        ),
        (
            r#"{group: '', version: v1, kind: Service}"#,
            Ok(&["Service/web"]),
        ),
        (r#"{group: 'rbac.*'}"#, Ok(&["ClusterRole/reader"])),
        (
            r#"{labelSelector: 'tier notin (front), app'}"#,
            Ok(&["Deployment/api", "Service/web"]),
        ),
        (
            r#"{labelSelector: 'app in (web) , tier'}"#,
            Ok(&["Deployment/web"]),
        ),
    ];
    for (target, want) in cases {
        let want = want
            .map(|w| w.iter().map(|s| s.to_string()).collect())
            .map_err(str::to_string);
        assert_eq!(selected(&rm, target), want, "target {target}");
    }
}

#[test]
fn names_and_namespaces_match_the_original_id_too() {
    // A base with `namePrefix: p-` and `namespace: prod` (the ConfigMap was
    // in namespace `other`), as kustomize records it.
    let mut rm = resmap(indoc! {"
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: p-web, namespace: prod}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: p-web, namespace: prod}
    "});
    let rs = rm.resources_mut();
    rs[0].meta.previous = vec![
        ("default".into(), "web".into(), "Deployment".into()),
        ("default".into(), "p-web".into(), "Deployment".into()),
    ];
    rs[1].meta.previous = vec![
        ("other".into(), "web".into(), "ConfigMap".into()),
        ("other".into(), "p-web".into(), "ConfigMap".into()),
    ];
    let both: &[&str] = &["Deployment/p-web", "ConfigMap/p-web"];
    let cases: &[(&str, &[&str])] = &[
        ("{name: web}", both),
        ("{name: p-web}", both),
        ("{namespace: default}", &["Deployment/p-web"]),
        ("{namespace: prod}", both),
        ("{namespace: other}", &["ConfigMap/p-web"]),
        ("{name: '^w.*'}", both),
        ("{namespace: default, name: p-web}", &["Deployment/p-web"]),
    ];
    for (target, want) in cases {
        let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        assert_eq!(selected(&rm, target), Ok(want), "target {target}");
    }
}

#[test]
fn label_selectors_parse_like_kubernetes() {
    let labels = [("a", "1"), ("b", "x")];
    let get = |k: &str| labels.iter().find(|(l, _)| *l == k).map(|(_, v)| *v);
    let cases = [
        ("", true),
        ("a", true),
        ("!c", true),
        ("a=1,b=x", true),
        ("a = 1 , b in (x, y)", true),
        ("b notin (x)", false),
        ("c!=1", true),
        ("a>0", true),
        ("a<1", false),
        ("in=1", false),
        ("b in (in,notin,x)", true),
    ];
    for (text, want) in cases {
        let sel = LabelSelector::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(sel.matches(get), want, "{text}");
    }
    // The doubled spaces are in Kubernetes' messages too (checked with kubectl).
    let errors = [
        ("a=b=c", "found '=', expected: ',' or 'end of string'"),
        (
            "a>x",
            "unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer",
        ),
        ("a=b c", "found 'c', expected: ',' or 'end of string'"),
        (
            "-a=b",
            "unable to parse requirement: invalid label key \"-a\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        ),
        (
            "a=-b",
            "unable to parse requirement: invalid label value: \"-b\": at key: \"a\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
    ];
    for (text, want) in errors {
        assert_eq!(LabelSelector::parse(text), Err(want.to_string()), "{text}");
    }
}
