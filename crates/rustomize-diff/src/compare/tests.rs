use super::*;
use indoc::indoc;

fn docs(text: &str) -> Vec<Node> {
    rustomize_yaml::parse_documents(text).unwrap()
}

/// `status id [note]` per differing object.
fn summary(c: &Comparison) -> Vec<String> {
    c.objects
        .iter()
        .map(|o| {
            let mut s = format!("{} {}", o.status.as_str(), o.id);
            if let Some(l) = o.left.as_ref().filter(|_| o.renamed() || o.moved()) {
                s.push_str(&format!(" from {l}"));
            }
            s
        })
        .collect()
}

const LEFT: &str = indoc! {"
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: cfg-5h2mb6k7f8, namespace: a}
    data: {LOG: info}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: a, labels: {v: '1'}}
    spec: {template: {spec: {containers: [{name: web, image: web:1}, {name: log, image: log:1}]}}}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: a}
    spec: {ports: [{port: 80}]}
    ---
    apiVersion: v1
    kind: Namespace
    metadata: {name: a}
"};

#[test]
fn objects_match_by_id_then_hash_stem_then_name() {
    let cases: &[(&str, &str, &[&str], usize)] = &[
        ("the same", LEFT, &[], 4),
        (
            "a new hash suffix, a reordered container list, a removed Service, an added Secret",
            indoc! {"
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: cfg-c2kbk6h7dm, namespace: a}
                data: {LOG: debug}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: a, labels: {v: '1'}}
                spec: {template: {spec: {containers: [{name: log, image: log:1}, {name: web, image: web:1}]}}}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: s, namespace: a}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: a}
            "},
            &[
                "changed ConfigMap/cfg-c2kbk6h7dm (a) from ConfigMap/cfg-5h2mb6k7f8 (a)",
                "added Secret/s (a)",
                "removed Service/web (a)",
            ],
            2,
        ),
        (
            "everything in another namespace: moved",
            &LEFT
                .replace("namespace: a", "namespace: b")
                .replace("cfg-5h2mb6k7f8", "cfg-c2kbk6h7dm"),
            &[
                "changed ConfigMap/cfg-c2kbk6h7dm (b) from ConfigMap/cfg-5h2mb6k7f8 (a)",
                "changed Deployment/web (b) from Deployment/web (a)",
                "changed Service/web (b) from Service/web (a)",
            ],
            1,
        ),
        (
            "a version change is the same object",
            &LEFT.replace("apps/v1", "apps/v1beta2"),
            &["changed Deployment/web (a)"],
            3,
        ),
    ];
    let mut failed = Vec::new();
    for (name, right, want, unchanged) in cases {
        let c = compare(&docs(LEFT), &docs(right), &Options::default()).unwrap();
        let got = summary(&c);
        if got != *want || c.unchanged != *unchanged {
            failed.push(format!(
                "{name}: got {got:#?} ({} unchanged), want {want:#?} ({unchanged})",
                c.unchanged
            ));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn options_leave_things_out() {
    let right = LEFT
        .replace(
            "labels: {v: '1'}",
            "labels: {v: '2'}, annotations: {ci/run: '7'}",
        )
        .replace("port: 80", "port: 81");
    let all = compare(&docs(LEFT), &docs(&right), &Options::default()).unwrap();
    assert_eq!(
        summary(&all),
        ["changed Deployment/web (a)", "changed Service/web (a)"]
    );
    let ignoring = Options {
        ignore_labels: true,
        ignore_annotations: vec!["ci/*".into()],
        ..Options::default()
    };
    let c = compare(&docs(LEFT), &docs(&right), &ignoring).unwrap();
    assert_eq!(summary(&c), ["changed Service/web (a)"]);
    assert_eq!(c.unchanged, 3);
    let only = Options {
        kinds: vec!["deployment".into()],
        ..Options::default()
    };
    let c = compare(&docs(LEFT), &docs(&right), &only).unwrap();
    assert_eq!(summary(&c), ["changed Deployment/web (a)"]);
    assert_eq!((c.left_total, c.right_total, c.unchanged), (1, 1, 0));
}

#[test]
fn changed_objects_carry_aligned_yaml_and_counts() {
    let right = LEFT.replace("image: web:1", "image: web:2");
    let c = compare(&docs(LEFT), &docs(&right), &Options::default()).unwrap();
    let o = &c.objects[0];
    assert_eq!(o.fields.len(), 1);
    assert_eq!((o.lines_added, o.lines_removed), (1, 1));
    assert!(o.right_yaml.contains("image: web:2"));
}

#[test]
fn secrets_are_redacted_unless_shown() {
    let left = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: b2xk}\n";
    let right = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: bmV3}\n";
    let c = compare(&docs(left), &docs(right), &Options::default()).unwrap();
    let o = &c.objects[0];
    let text = format!("{}{}{:?}", o.left_yaml, o.right_yaml, o.fields);
    assert!(!text.contains("b2xk") && !text.contains("bmV3"), "{text}");
    assert!(text.contains("<redacted sha256:"), "{text}");
    let shown = Options {
        show_secrets: true,
        ..Options::default()
    };
    let c = compare(&docs(left), &docs(right), &shown).unwrap();
    assert!(c.objects[0].right_yaml.contains("bmV3"));
}
