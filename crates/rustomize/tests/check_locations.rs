//! `rustomize check` names the file and line to edit (issue 12): the
//! overlay's `images:` entry for a moving tag, its `replicas:` entry for
//! a replica count, the patch that removed a probe, and, for an object of
//! a remote base, the repository, ref and path (never the cache). Each
//! as text, JSON and SARIF snapshots.

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

mod support;

use std::path::Path;
use std::process::Output;
use support::{Tree, stderr, stdout};

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 1
  strategy:
    type: Recreate
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
      containers:
      - name: api
        image: ghcr.io/org/api:v0.1.0
        ports:
        - {name: http, containerPort: 8000}
        readinessProbe:
          httpGet: {path: /healthz, port: http}
        livenessProbe:
          httpGet: {path: /healthz, port: http}
        resources:
          requests: {cpu: 100m, memory: 256Mi}
          limits: {cpu: 500m, memory: 512Mi}
        securityContext:
          readOnlyRootFilesystem: true
          allowPrivilegeEscalation: false
        volumeMounts:
        - {name: data, mountPath: /data}
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: api-data
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: api-data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests: {storage: 1Gi}
"#;

/// A base and a production overlay with `kustomization`.
fn tree(kustomization: &str) -> Tree {
    let t = Tree::new();
    t.write("base/app.yaml", DEPLOYMENT)
        .write("base/kustomization.yaml", "resources: [app.yaml]\n")
        .write("overlays/production/kustomization.yaml", kustomization);
    t
}

/// The output of `check args` (run in `cwd`) in each format, with the
/// exit status, as snapshots `{name}-text`, `{name}-json`, `{name}-sarif`.
fn formats(
    name: &str,
    t: &Tree,
    run: &dyn Fn(&[&str]) -> Output,
    args: &[&str],
) -> Vec<(String, String)> {
    ["text", "json", "sarif"]
        .into_iter()
        .map(|format| {
            let all = [&["check", "--format", format], args].concat();
            let out = run(&all);
            let mut shown = format!(
                "exit status: {:?}\n{}",
                out.status.code(),
                t.redact(&stdout(&out))
            );
            let err = stderr(&out);
            if !err.is_empty() {
                shown.push_str("--- stderr\n");
                shown.push_str(&t.redact(&err));
            }
            (format!("{name}-{format}"), shown)
        })
        .collect()
}

#[test]
fn findings_name_the_kustomization_entry_or_patch() {
    let mut all = Vec::new();
    let cases = [
        // The moving tag comes from the overlay's `images:` entry (line 4).
        (
            "images-entry",
            "resources: [../../base]\nnamespace: shop-prod\nimages:\n- name: ghcr.io/org/api\n  newTag: edge\n",
        ),
        // Two replicas of a single-writer volume, from `replicas:` (line 3).
        (
            "replicas-entry",
            "resources: [../../base]\nreplicas:\n- name: api\n  count: 2\n",
        ),
        // The readiness probe removed by the overlay's patch (line 10 of
        // the patch).
        (
            "probe-removed-by-patch",
            "resources: [../../base]\npatches:\n- path: no-probe.yaml\n",
        ),
        // The same, by an inline JSON patch: the kustomization's line.
        (
            "probe-removed-by-inline-json-patch",
            "resources: [../../base]\npatches:\n- target: {kind: Deployment, name: api}\n  patch: |-\n    \
- op: remove\n      path: /spec/template/spec/containers/0/readinessProbe\n",
        ),
    ];
    for (name, kustomization) in cases {
        let t = tree(kustomization);
        t.write(
            "overlays/production/no-probe.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      \
containers:\n      - name: api\n        readinessProbe: null\n",
        );
        let root = t.path().to_path_buf();
        let run = move |args: &[&str]| support::run_in(&root, args);
        all.extend(formats(name, &t, &run, &["overlays/production"]));
    }
    assert_snapshots!(all);
}

fn git(dir: &Path, args: &[&str]) {
    support::git_in(dir, "master", args);
}

/// A finding in an object of a remote base (a local git repository
/// reached through `insteadOf`) names the repository, the ref and the path
/// inside it; one set by the local overlay names the overlay.
#[test]
fn remote_base_is_named_by_repository_ref_and_path() {
    if support::git("remote_base_is_named_by_repository_ref_and_path").is_none() {
        return;
    }
    let t = Tree::new();
    let edge = DEPLOYMENT.replace("api:v0.1.0", "api:edge");
    t.write("app/deploy/base/app.yaml", &edge).write(
        "app/deploy/base/kustomization.yaml",
        "resources: [app.yaml]\n",
    );
    let app = t.path().join("app");
    git(&app, &["init", "-q"]);
    git(&app, &["add", "-A"]);
    git(&app, &["commit", "-qm", "v0.1.0"]);
    git(&app, &["tag", "v0.1.0"]);
    t.write(
        "infra/production/kustomization.yaml",
        "resources:\n- github.com/org/app//deploy/base?ref=v0.1.0\nreplicas:\n- name: api\n  count: 2\n",
    );
    let config = support::GitConfig::new();
    config.redirect("org/app", &app);
    let infra = t.path().join("infra");
    let cache = t.path().join("cache");
    let run = move |args: &[&str]| {
        let mut cmd = support::rustomize();
        config
            .apply(&mut cmd)
            .args(args)
            .current_dir(&infra)
            .env("RUSTOMIZE_CACHE_DIR", &cache);
        cmd.output().expect("run rustomize")
    };
    let all = formats("remote-base", &t, &run, &["production"]);
    for (_, shown) in &all {
        assert!(!shown.contains("[TREE]/cache"), "a cache path:\n{shown}");
        assert!(
            shown.contains("github.com/org/app"),
            "no repository:\n{shown}"
        );
    }
    assert_snapshots!(all);
}
