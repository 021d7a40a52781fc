//! A directory reached several times in one build is built once, and the
//! build gives exactly what building it at every visit gives: the same
//! output, warnings and errors; where sharing would change anything (or
//! cannot be checked), the directory is built again.

use crate::{BuildOptions, build};
use rustomize_loader::LoadRestrictor;
use std::path::Path;
use std::sync::atomic::Ordering;

const SCHEMA: &str = "definitions:\n  com.example.v1.Foo:\n    x-kubernetes-group-version-kind: [{group: example.com, version: v1, kind: Foo}]\n    properties:\n      spec:\n        properties:\n          items:\n            type: array\n            items: {}\n            x-kubernetes-patch-strategy: merge\n            x-kubernetes-patch-merge-key: id\n";

/// Three environments, each taking the overlay of one app for it, each
/// overlay on the one base; `top`, `base` and `overlay` are added to the
/// kustomizations of the top, the base and every overlay. The environments
/// are components, which load one after the other: which visit builds the
/// base and which take it does not depend on timing (`resources:` load in
/// parallel, and a visit while another builds the same directory builds it
/// too).
fn tree(top: &str, base: &str, overlay: &str) -> Vec<(String, String)> {
    let mut files = vec![
        (
            "all/kustomization.yaml".to_string(),
            format!("components: [../envs/dev, ../envs/stg, ../envs/prod]\n{top}"),
        ),
        ("all/schema.yaml".into(), SCHEMA.into()),
        (
            "app/base/kustomization.yaml".into(),
            format!(
                "resources: [d.yaml, foo.yaml]\nconfigMapGenerator:\n- name: cfg\n  literals: [K=v]\nlabels:\n- pairs: {{app: web}}\n  includeSelectors: true\n{base}"
            ),
        ),
        ("app/base/schema.yaml".into(), SCHEMA.into()),
        (
            "app/base/d.yaml".into(),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: web\n        envFrom: [{configMapRef: {name: cfg}}]\n".into(),
        ),
        (
            "app/base/foo.yaml".into(),
            "apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: f}\nspec:\n  items: [{id: a, v: 1}, {id: b, v: 2}]\n".into(),
        ),
    ];
    for env in ["dev", "stg", "prod"] {
        files.push((
            format!("envs/{env}/kustomization.yaml"),
            format!("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [../../app/overlays/{env}]\n"),
        ));
        files.push((
            format!("app/overlays/{env}/kustomization.yaml"),
            format!(
                "namespace: {env}\nnamePrefix: {env}-\nresources: [../../base]\nimages: [{{name: web, newTag: '{env}'}}]\npatches:\n- patch: |-\n    apiVersion: example.com/v1\n    kind: Foo\n    metadata: {{name: f}}\n    spec:\n      items: [{{id: b, v: 3}}]\n{overlay}"
            ),
        ));
    }
    files
}

/// What a build gave: its output or its error, and its warnings; and how
/// many files it read.
fn run(files: &[(String, String)], dir: &str, opts: &BuildOptions) -> (String, usize) {
    let fs = super::super::tests::Versioned::new(files);
    let got = match build(fs.clone(), Path::new(dir), opts) {
        Ok(out) => format!(
            "{}\nwarnings: {:?}",
            out.to_yaml().unwrap_or_else(|e| format!("emit: {e}")),
            out.warnings
        ),
        Err(e) => format!("error: {}", crate::testing::report(&e)),
    };
    (got, fs.reads.load(Ordering::Relaxed))
}

/// A case: its name, its files, the options, whether the base is built
/// once.
type Case<'a> = (
    &'static str,
    Vec<(String, String)>,
    &'a BuildOptions,
    Option<bool>,
);

#[test]
fn a_directory_reached_again_is_built_once_where_that_changes_nothing() {
    let none = BuildOptions {
        load_restrictor: LoadRestrictor::None,
        ..BuildOptions::default()
    };
    let default = BuildOptions::default();
    // (case, files, options, whether the base is built once: unknown for
    // a build that fails, where the plan may have read more files than
    // the build reached).
    let cases: Vec<Case<'_>> = vec![
        ("plain", tree("", "", ""), &default, Some(true)),
        ("LoadRestrictionsNone", tree("", "", ""), &none, Some(true)),
        (
            "origins recorded",
            tree(
                "buildMetadata: [originAnnotations, transformerAnnotations]\n",
                "",
                "",
            ),
            &default,
            Some(true),
        ),
        (
            "a deprecated field in the base (warned at every visit)",
            tree("", "commonLabels: {old: x}\n", ""),
            &default,
            Some(false),
        ),
        (
            "a custom schema in the base",
            tree("", "openapi: {path: schema.yaml}\n", ""),
            &default,
            Some(false),
        ),
        (
            "a custom schema at the top",
            tree("openapi: {path: schema.yaml}\n", "", ""),
            &default,
            Some(false),
        ),
        (
            "a builtin schema version at the top",
            tree("openapi: {version: v1.21.2}\n", "", ""),
            &default,
            Some(true),
        ),
        (
            "a base that is missing a file",
            tree(
                "",
                "configMapGenerator:\n- name: more\n  files: [missing.txt]\n",
                "",
            ),
            &default,
            None,
        ),
        (
            "the same var from every visit",
            tree(
                "",
                "vars:\n- name: IMG\n  objref: {kind: Deployment, name: web, apiVersion: apps/v1}\n  fieldref: {fieldpath: metadata.name}\n",
                "",
            ),
            &default,
            None,
        ),
    ];
    let mut failed = Vec::new();
    for (name, files, opts, shared) in cases {
        let rebuild = BuildOptions {
            rebuild_shared_dirs: true,
            ..opts.clone()
        };
        let (got, reads) = run(&files, "/t/all", opts);
        let (want, rebuilt_reads) = run(&files, "/t/all", &rebuild);
        if got != want {
            failed.push(format!("{name}: got\n{got}\nwant\n{want}"));
        }
        // The base's kustomization and two files, read once instead of
        // three times.
        let Some(shared) = shared else { continue };
        let saved = if shared { 6 } else { 0 };
        if reads + saved != rebuilt_reads {
            failed.push(format!(
                "{name}: read {reads} files, {rebuilt_reads} when built at every visit (expected {saved} fewer)"
            ));
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

/// A result taken at a later visit is checked against the roots above
/// that visit: a base whose directory contains a kustomization above it is
/// a cycle kustomize refuses, even when the same base was built fine from
/// elsewhere first.
#[test]
fn a_kept_result_that_would_close_a_cycle_is_built_again_and_refused() {
    let files: Vec<(String, String)> = [
        (
            "all/kustomization.yaml",
            "resources: [../lib, ../other, ../lib/sub]\n",
        ),
        (
            "other/kustomization.yaml",
            "resources: [../lib]\nnamePrefix: o-\n",
        ),
        ("lib/kustomization.yaml", "resources: [cm.yaml]\n"),
        (
            "lib/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
        ),
        (
            "lib/sub/kustomization.yaml",
            "resources: [..]\nnamePrefix: s-\n",
        ),
    ]
    .iter()
    .map(|(p, t)| (p.to_string(), t.to_string()))
    .collect();
    let rebuild = BuildOptions {
        rebuild_shared_dirs: true,
        ..BuildOptions::default()
    };
    let (got, _) = run(&files, "/t/all", &BuildOptions::default());
    let (want, _) = run(&files, "/t/all", &rebuild);
    assert_eq!(got, want);
    assert!(got.contains("cycle"), "{got}");
}
