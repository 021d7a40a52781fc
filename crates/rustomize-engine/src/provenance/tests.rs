//! Field provenance through each kind of step: for one field of one
//! object, the place the build records, as `file:line:column detail`.

use super::{locate, select};
use crate::pipeline::{BuildOptions, build};
use crate::testing::{ROOT, Tree};
use indoc::indoc;
use std::path::Path;

const DEPLOYMENT: &str = indoc! {"
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 1
      template:
        spec:
          containers:
          - name: app
            image: nginx:1.25
            readinessProbe:
              httpGet: {path: /, port: 80}
"};

const CONFIG: &str = indoc! {"
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
    data:
      HOST: db.example.com
"};

/// The place of `path` in `object` after building `dir` of `files`.
fn place(files: &[(&str, &str)], dir: &str, object: &str, path: &str) -> Result<String, String> {
    let tree = Tree::new(files);
    let opts = BuildOptions {
        provenance: true,
        paths_relative_to: Some(ROOT.into()),
        ..BuildOptions::default()
    };
    let out =
        build(tree.fs(), &Path::new(ROOT).join(dir), &opts).map_err(|e| e.report().to_string())?;
    let table = out.provenance.as_ref().ok_or("no table")?;
    let r = select(out.resources.resources(), object).map_err(|e| e.to_string())?;
    let at = locate(&r.node, path).ok_or_else(|| format!("no {path}"))?;
    let by = table
        .set_by(at.pos())
        .ok_or_else(|| format!("{path}: no place"))?;
    let mut s = format!("{}:{}", by.location, by.column);
    if !by.detail.is_empty() {
        s.push(' ');
        s.push_str(&by.detail);
    }
    if !at.complete {
        s.push_str(" (missing)");
    }
    Ok(s)
}

/// What a row shows, its files, the object and field, and the place.
type Row<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str, &'a str, &'a str);

#[test]
fn each_step_places_what_it_sets() {
    fn base(k: &str) -> Vec<(&str, &str)> {
        vec![
            ("kustomization.yaml", k),
            ("deploy.yaml", DEPLOYMENT),
            ("cm.yaml", CONFIG),
        ]
    }
    let rows: Vec<Row<'_>> = vec![
        (
            "a value read from a file",
            base("resources: [deploy.yaml]\n"),
            "Deployment/web",
            "spec.template.spec.containers[app].image",
            "deploy.yaml:11:16",
        ),
        (
            "images: entry",
            base("resources: [deploy.yaml]\nimages:\n- name: nginx\n  newTag: '1.27'\n"),
            "Deployment/web",
            "spec.template.spec.containers[0].image",
            "kustomization.yaml:3:3 images[0]",
        ),
        (
            "replicas: entry",
            base("resources: [deploy.yaml]\nreplicas:\n- {name: web, count: 3}\n"),
            "Deployment/web",
            "spec.replicas",
            "kustomization.yaml:3:3 replicas[0]",
        ),
        (
            "namespace:",
            base("resources: [deploy.yaml]\nnamespace: prod\n"),
            "Deployment/web",
            "metadata.namespace",
            "kustomization.yaml:2:12 namespace",
        ),
        (
            "namePrefix:",
            base("namePrefix: dev-\nresources: [deploy.yaml]\n"),
            "Deployment/dev-web",
            "metadata.name",
            "kustomization.yaml:1:13 namePrefix",
        ),
        (
            "commonLabels, each key at its line",
            base("resources: [deploy.yaml]\ncommonLabels:\n  team: a\n  tier: web\n"),
            "Deployment/web",
            "metadata.labels.tier",
            "kustomization.yaml:4:3 commonLabels",
        ),
        (
            "commonAnnotations",
            base("resources: [deploy.yaml]\ncommonAnnotations:\n  owner: me\n"),
            "Deployment/web",
            "metadata.annotations.owner",
            "kustomization.yaml:3:3 commonAnnotations",
        ),
        (
            "a strategic merge patch file",
            vec![
                (
                    "kustomization.yaml",
                    "resources: [deploy.yaml]\npatches:\n- path: p.yaml\n",
                ),
                ("deploy.yaml", DEPLOYMENT),
                (
                    "p.yaml",
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n",
                ),
            ],
            "Deployment/web",
            "spec.replicas",
            "p.yaml:5:13",
        ),
        (
            "an inline patch, at its line in the kustomization",
            base(indoc! {"
                resources: [deploy.yaml]
                patches:
                - target: {kind: Deployment}
                  patch: |-
                    - op: replace
                      path: /spec/replicas
                      value: 5
            "}),
            "Deployment/web",
            "spec.replicas",
            "kustomization.yaml:7:14",
        ),
        (
            "a patch that removes a field: the patch, for what is missing",
            base(indoc! {"
                resources: [deploy.yaml]
                patches:
                - patch: |-
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: web}
                    spec:
                      template:
                        spec:
                          containers:
                          - name: app
                            readinessProbe: null
            "}),
            "Deployment/web",
            "spec.template.spec.containers[app].readinessProbe",
            "kustomization.yaml:12:13 (missing)",
        ),
        (
            "a JSON patch that removes a field",
            vec![
                (
                    "kustomization.yaml",
                    "resources: [deploy.yaml]\npatchesJson6902:\n- target: {group: apps, version: v1, kind: Deployment, name: web}\n  path: ops.yaml\n",
                ),
                ("deploy.yaml", DEPLOYMENT),
                (
                    "ops.yaml",
                    "- op: remove\n  path: /spec/template/spec/containers/0/readinessProbe\n",
                ),
            ],
            "Deployment/web",
            "spec.template.spec.containers[app].readinessProbe",
            "ops.yaml:1:3 (missing)",
        ),
        (
            "a replacement: its entry, and the source",
            base(indoc! {"
                resources: [deploy.yaml, cm.yaml]
                replacements:
                - source: {kind: ConfigMap, name: settings, fieldPath: data.HOST}
                  targets:
                  - select: {kind: Deployment}
                    fieldPaths: [spec.template.spec.containers.0.image]
            "}),
            "Deployment/web",
            "spec.template.spec.containers[0].image",
            "kustomization.yaml:3:3 replacements[0] from ConfigMap/settings data.HOST (cm.yaml:6)",
        ),
        (
            "a generator literal",
            base("configMapGenerator:\n- name: env\n  literals:\n  - A=1\n  - B=2\n"),
            "ConfigMap/env",
            "data.B",
            "kustomization.yaml:5:5 configMapGenerator[0] literals[1]",
        ),
        (
            "a generator's env file line",
            vec![
                (
                    "kustomization.yaml",
                    "secretGenerator:\n- name: s\n  envs: [s.env]\n",
                ),
                ("s.env", "# keys\nA=1\n  B=2\n"),
            ],
            "Secret/s",
            "data.B",
            "s.env:3:3 secretGenerator[0] envs: s.env",
        ),
        (
            "a generated object's name, hashed",
            base("configMapGenerator:\n- name: env\n  literals: [A=1]\n"),
            "ConfigMap/env",
            "metadata.name",
            "kustomization.yaml:2:3 configMapGenerator[0]",
        ),
        (
            "an overlay over a base",
            vec![
                ("base/kustomization.yaml", "resources: [deploy.yaml]\n"),
                ("base/deploy.yaml", DEPLOYMENT),
                (
                    "kustomization.yaml",
                    "resources: [base]\nimages:\n- {name: nginx, digest: 'sha256:abc'}\n",
                ),
            ],
            "Deployment/web",
            "spec.template.spec.containers[0].readinessProbe.httpGet.path",
            "base/deploy.yaml:13:27",
        ),
        (
            "a component",
            vec![
                (
                    "kustomization.yaml",
                    "resources: [deploy.yaml]\ncomponents: [c]\n",
                ),
                ("deploy.yaml", DEPLOYMENT),
                (
                    "c/kustomization.yaml",
                    "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nnamespace: team\n",
                ),
            ],
            "Deployment/web",
            "metadata.namespace",
            "c/kustomization.yaml:3:12 namespace",
        ),
    ];
    crate::testing::rows(&rows, |(_, files, object, path, want)| {
        let got = place(files, "", object, path).map_err(|e| format!("error: {e}"))?;
        let dir_got = got.replace(&format!("{ROOT}/"), "");
        if dir_got == *want {
            Ok(())
        } else {
            Err(format!("got {dir_got:?}"))
        }
    });
}

/// The chain of kustomizations an object passed through, innermost first.
#[test]
fn objects_list_the_kustomizations_they_passed() {
    let tree = Tree::new(&[
        ("base/kustomization.yaml", "resources: [deploy.yaml]\n"),
        ("base/deploy.yaml", DEPLOYMENT),
        (
            "prod/kustomization.yaml",
            "resources: [../base]\ncomponents: [../c]\n",
        ),
        (
            "c/kustomization.yaml",
            // A component with no field at all is "empty" (kustomize).
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonAnnotations: {team: web}\n",
        ),
    ]);
    let opts = BuildOptions {
        provenance: true,
        paths_relative_to: Some(ROOT.into()),
        ..BuildOptions::default()
    };
    let out = build(tree.fs(), &Path::new(ROOT).join("prod"), &opts).unwrap();
    let table = out.provenance.unwrap();
    let chain: Vec<&str> = out.resources.resources()[0]
        .meta
        .kustomizations
        .iter()
        .map(|f| table.file(*f).unwrap().path.as_str())
        .collect();
    assert_eq!(
        chain,
        [
            "base/kustomization.yaml",
            "c/kustomization.yaml",
            "prod/kustomization.yaml"
        ]
    );
}

/// With provenance off, nodes carry no source.
#[test]
fn off_by_default() {
    let tree = Tree::new(&[
        ("kustomization.yaml", "resources: [d.yaml]\n"),
        ("d.yaml", DEPLOYMENT),
    ]);
    let out = build(tree.fs(), Path::new(ROOT), &BuildOptions::default()).unwrap();
    assert!(out.provenance.is_none());
    let r = &out.resources.resources()[0];
    assert!(r.meta.kustomizations.is_empty());
    assert_eq!(locate(&r.node, "spec.replicas").unwrap().pos().src, 0);
}

/// Targets that select nothing are reported, at their entry.
#[test]
fn unmatched_targets_are_reported() {
    let tree = Tree::new(&[
        (
            "kustomization.yaml",
            indoc! {"
                resources: [d.yaml]
                patches:
                - target: {kind: Deployment, name: web}
                  patch: '[{\"op\": \"add\", \"path\": \"/metadata/labels\", \"value\": {}}]'
                - target: {kind: StatefulSet}
                  patch: '[{\"op\": \"add\", \"path\": \"/metadata/labels\", \"value\": {}}]'
                replacements:
                - source: {kind: Deployment, name: web, fieldPath: metadata.name}
                  targets:
                  - select: {kind: Service}
                    fieldPaths: [spec.selector.app]
            "},
        ),
        ("d.yaml", DEPLOYMENT),
    ]);
    let out = build(tree.fs(), Path::new(ROOT), &BuildOptions::default()).unwrap();
    let got: Vec<String> = out
        .unmatched
        .iter()
        .map(|u| format!("{}:{}:{} {} {}", u.file, u.line, u.col, u.field, u.selector))
        .collect();
    assert_eq!(
        got,
        [
            "/app/kustomization.yaml:5:3 patches[1] {kind: StatefulSet}",
            "/app/kustomization.yaml:10:5 replacements[0].targets[0] {kind: Service}",
        ]
    );
}
