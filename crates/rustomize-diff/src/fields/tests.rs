use super::*;
use indoc::indoc;

const DEPLOYMENT: TypeRef<'static> = TypeRef {
    api_version: "apps/v1",
    kind: "Deployment",
};

fn yaml(text: &str) -> Node {
    rustomize_yaml::parse_one(text).unwrap()
}

/// Each change as `~ path: old -> new`, `+ path: value`, `- path: value`
/// (values printed as one-line YAML flow).
fn lines(ty: TypeRef<'_>, a: &str, b: &str) -> Vec<String> {
    changes(ty, &yaml(a), &yaml(b))
        .into_iter()
        .map(|c| match c.change {
            Change::Added(v) => format!("+ {}: {}", c.path, crate::value::flow(&v)),
            Change::Removed(v) => format!("- {}: {}", c.path, crate::value::flow(&v)),
            Change::Changed { old, new } => format!(
                "~ {}: {} -> {}",
                c.path,
                crate::value::flow(&old),
                crate::value::flow(&new)
            ),
        })
        .collect()
}

const POD: &str = indoc! {"
    spec:
      template:
        spec:
          containers:
          - name: dojo
            image: ghcr.io/blogle/dojo:v0.1.0
            env:
            - {name: A, value: '1'}
            - {name: B, value: '2'}
            ports:
            - {containerPort: 8000, protocol: TCP}
            - {containerPort: 9000, protocol: TCP}
            args: [--a, --b, --c]
          - name: sidecar
            image: busybox
"};

#[test]
fn lists_match_by_merge_key() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("same", POD, &[]),
        (
            "the image of one container, containers reordered",
            indoc! {"
                spec:
                  template:
                    spec:
                      containers:
                      - name: sidecar
                        image: busybox
                      - name: dojo
                        image: ghcr.io/blogle/dojo:v0.2.0
                        env:
                        - {name: B, value: '2'}
                        - {name: A, value: '1'}
                        ports:
                        - {containerPort: 9000, protocol: TCP}
                        - {containerPort: 8000, protocol: TCP}
                        args: [--a, --b, --c]
            "},
            &[
                "~ spec.template.spec.containers[dojo].image: ghcr.io/blogle/dojo:v0.1.0 -> ghcr.io/blogle/dojo:v0.2.0",
            ],
        ),
        (
            "one env var changed, one added, a port removed, an argument inserted",
            indoc! {"
                spec:
                  template:
                    spec:
                      containers:
                      - name: dojo
                        image: ghcr.io/blogle/dojo:v0.1.0
                        env:
                        - {name: A, value: '10'}
                        - {name: B, value: '2'}
                        - {name: C, value: '3'}
                        ports:
                        - {containerPort: 8000, protocol: TCP}
                        args: [--a, --x, --b, --c]
                      - name: sidecar
                        image: busybox
            "},
            &[
                "+ spec.template.spec.containers[dojo].args[1]: --x",
                "~ spec.template.spec.containers[dojo].env[A].value: \"1\" -> \"10\"",
                "+ spec.template.spec.containers[dojo].env[C]: {name: C, value: \"3\"}",
                "- spec.template.spec.containers[dojo].ports[containerPort=9000,protocol=TCP]: {containerPort: 9000, protocol: TCP}",
            ],
        ),
    ];
    let mut failed = Vec::new();
    for (name, b, want) in cases {
        let got = lines(DEPLOYMENT, POD, b);
        if got != *want {
            failed.push(format!("{name}:\n  got  {got:#?}\n  want {want:#?}"));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn maps_scalars_and_unknown_types() {
    let ty = TypeRef {
        api_version: "example.com/v1",
        kind: "Widget",
    };
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (
            "labels with dots are quoted",
            "metadata: {labels: {app.kubernetes.io/name: a, tier: web}}",
            "metadata: {labels: {app.kubernetes.io/name: b}}",
            &[
                "~ metadata.labels[\"app.kubernetes.io/name\"]: a -> b",
                "- metadata.labels.tier: web",
            ],
        ),
        (
            "a type change and a null",
            "spec: {a: {b: 1}, c: 1}",
            "spec: {a: [1], c: null}",
            &["~ spec.a: {b: 1} -> [1]", "~ spec.c: 1 -> null"],
        ),
        (
            "an int and a string are different values",
            "spec: {replicas: 1}",
            "spec: {replicas: '1'}",
            &["~ spec.replicas: 1 -> \"1\""],
        ),
        (
            "unknown lists of named items match by name",
            "spec: {rules: [{name: a, v: 1}, {name: b, v: 1}]}",
            "spec: {rules: [{name: b, v: 2}, {name: a, v: 1}]}",
            &["~ spec.rules[b].v: 1 -> 2"],
        ),
        (
            "duplicate names: by position",
            "spec: {rules: [{name: a, v: 1}, {name: a, v: 2}]}",
            "spec: {rules: [{name: a, v: 1}, {name: a, v: 3}]}",
            &["~ spec.rules[1].v: 2 -> 3"],
        ),
        (
            "a removed item in a positional list",
            "spec: {xs: [a, b, c]}",
            "spec: {xs: [a, c]}",
            &["- spec.xs[1]: b"],
        ),
    ];
    let mut failed = Vec::new();
    for (name, a, b, want) in cases {
        let got = lines(ty, a, b);
        if got != *want {
            failed.push(format!("{name}:\n  got  {got:#?}\n  want {want:#?}"));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn align_follows_the_left_order() {
    let left = yaml(POD);
    let mut right = yaml(indoc! {"
        spec:
          template:
            spec:
              containers:
              - name: new
                image: x
              - name: sidecar
                image: busybox
              - name: dojo
                image: ghcr.io/blogle/dojo:v0.1.0
                env:
                - {name: Z, value: '9'}
                - {name: B, value: '2'}
                - {name: A, value: '1'}
    "});
    align(DEPLOYMENT, &left, &mut right);
    let names = |n: &Node, path: &[&str]| -> Vec<String> {
        n.get_path(path)
            .and_then(Node::as_seq)
            .unwrap()
            .iter()
            .map(|i| i.str_at(&["name"]).unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(&right, &["spec", "template", "spec", "containers"]),
        ["new", "dojo", "sidecar"]
    );
    let dojo = &right
        .get_path(&["spec", "template", "spec", "containers"])
        .unwrap()
        .as_seq()
        .unwrap()[1];
    assert_eq!(names(dojo, &["env"]), ["Z", "A", "B"]);
}
