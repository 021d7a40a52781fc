//! `rustomize check` end to end: a dojo-style tree (a Python API with
//! DuckDB on a ReadWriteOnce volume: one replica, Recreate, probes,
//! limits, non-root, read-only root) passes clean in every environment,
//! and each unsafe variant fails with the right rule, object and file.
//!
//! The overlays use only `resources` so that they build with today's
//! engine; the environment comes from `.rustomize-check.yaml`.

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

mod support;

use std::path::Path;
use std::process::Output;
use support::{Tree, stdout};

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {app: api}
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
        fsGroup: 1000
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
        envFrom:
        - configMapRef: {name: api-config}
        volumeMounts:
        - {name: data, mountPath: /data}
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: api-data
"#;

const BASE_REST: &str = r#"apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector: {app: api}
  ports:
  - {port: 80, targetPort: http}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: api-config
data:
  LOG_LEVEL: info
"#;

const STAGING_VOLUMES: &str = r#"apiVersion: v1
kind: PersistentVolume
metadata:
  name: api-staging-pv
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  hostPath: {path: /srv/api}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: api-data
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  volumeName: api-staging-pv
  resources:
    requests: {storage: 1Gi}
"#;

const CLAIM: &str = r#"apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: api-data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests: {storage: 1Gi}
"#;

const CONFIG: &str = r#"environments:
  production:
    paths: [overlays/production]
  staging:
    paths: [overlays/staging]
"#;

/// The tree, with `edit` applied to the Deployment and staging volumes.
fn tree(deployment: &str, staging_volumes: &str) -> Tree {
    let t = Tree::new();
    t.write(".rustomize-check.yaml", CONFIG)
        .write("base/deployment.yaml", deployment)
        .write("base/rest.yaml", BASE_REST)
        .write(
            "base/kustomization.yaml",
            "resources:\n- deployment.yaml\n- rest.yaml\n",
        );
    for env in ["dev", "production"] {
        t.write(&format!("overlays/{env}/claim.yaml"), CLAIM).write(
            &format!("overlays/{env}/kustomization.yaml"),
            "resources:\n- ../../base\n- claim.yaml\n",
        );
    }
    t.write("overlays/staging/volumes.yaml", staging_volumes)
        .write(
            "overlays/staging/kustomization.yaml",
            "resources:\n- ../../base\n- volumes.yaml\n",
        );
    t
}

fn check(root: &Path, args: &[&str]) -> Output {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    support::run_in(root, &all)
}

/// The output of `check args` in each format, with the exit status, as
/// snapshots named `{name}-text`, `{name}-json` and `{name}-sarif`.
fn formats(name: &str, t: &Tree, cwd: &Path, args: &[&str]) -> Vec<(String, String)> {
    ["text", "json", "sarif"]
        .into_iter()
        .map(|format| {
            let mut all = vec!["--format", format];
            all.extend_from_slice(args);
            let out = check(cwd, &all);
            let shown = format!(
                "exit status: {:?}\n{}",
                out.status.code(),
                t.redact(&stdout(&out))
            );
            (format!("{name}-{format}"), shown)
        })
        .collect()
}

const ALL: &[&str] = &["overlays/dev", "overlays/staging", "overlays/production"];

#[test]
fn dojo_example_is_clean_everywhere() {
    let t = tree(DEPLOYMENT, STAGING_VOLUMES);
    let out = check(t.path(), ALL);
    assert_eq!(
        stdout(&out),
        "\
overlays/dev: no findings in 4 objects (Kubernetes 1.37)
overlays/staging: no findings in 5 objects (Kubernetes 1.37)
overlays/production: no findings in 4 objects (Kubernetes 1.37)
"
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn two_replicas_fail_everywhere() {
    let t = tree(
        &DEPLOYMENT.replace("replicas: 1", "replicas: 2"),
        STAGING_VOLUMES,
    );
    let out = check(t.path(), &["overlays/dev"]);
    assert_eq!(
        stdout(&out),
        "\
base/deployment.yaml:1: Deployment api
  base/deployment.yaml:7: error[single-writer-volume] spec.replicas: replicas is 2, but the pods mount ReadWriteOnce PersistentVolumeClaim \"api-data\": a single-writer volume needs exactly one replica
overlays/dev: 1 error, 0 warnings, 0 info in 4 objects (Kubernetes 1.37)
"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn removed_strategy_fails() {
    let t = tree(
        &DEPLOYMENT.replace("  strategy:\n    type: Recreate\n", ""),
        STAGING_VOLUMES,
    );
    let out = check(t.path(), &["overlays/staging"]);
    assert_eq!(
        stdout(&out),
        "\
base/deployment.yaml:1: Deployment api
  base/deployment.yaml:6: error[single-writer-volume] spec.strategy: the update strategy is RollingUpdate (the default), but the pods mount ReadWriteOnce PersistentVolumeClaim \"api-data\": the new pod needs the volume while the old one holds it; set spec.strategy.type: Recreate
overlays/staging: 1 error, 0 warnings, 0 info in 5 objects (Kubernetes 1.37)
"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn edge_tag_fails_in_production_only() {
    let t = tree(
        &DEPLOYMENT.replace("api:v0.1.0", "api:edge"),
        STAGING_VOLUMES,
    );
    let out = check(t.path(), ALL);
    assert_eq!(
        stdout(&out),
        "\
overlays/dev: no findings in 4 objects (Kubernetes 1.37)
overlays/staging: no findings in 5 objects (Kubernetes 1.37)
base/deployment.yaml:1: Deployment api
  base/deployment.yaml:22: error[mutable-image-tag] spec.template.spec.containers[0].image: image \"ghcr.io/org/api:edge\" uses the moving tag \"edge\"; production must pin a release tag (v1.2.3) or a digest
overlays/production: 1 error, 0 warnings, 0 info in 4 objects (Kubernetes 1.37)
"
    );
    assert_eq!(out.status.code(), Some(1));
    // --env wins over the configuration.
    let dev = check(t.path(), &["--env", "production", "overlays/dev"]);
    assert_eq!(dev.status.code(), Some(1));
}

#[test]
fn missing_probe_warns() {
    let t = tree(
        &DEPLOYMENT.replace(
            "        livenessProbe:\n          httpGet: {path: /healthz, port: http}\n",
            "",
        ),
        STAGING_VOLUMES,
    );
    let out = check(t.path(), &["overlays/production"]);
    assert_eq!(
        stdout(&out),
        "\
base/deployment.yaml:1: Deployment api
  base/deployment.yaml:21: warning[liveness-probe] spec.template.spec.containers[0].livenessProbe: container \"api\" has no liveness probe: without one, a container that hangs without exiting is never restarted
overlays/production: 0 errors, 1 warning, 0 info in 4 objects (Kubernetes 1.37)
"
    );
    assert_eq!(out.status.code(), Some(0), "warnings do not fail");
}

#[test]
fn claim_bound_to_a_missing_volume_fails() {
    let volumes = STAGING_VOLUMES
        .split("---\n")
        .nth(1)
        .expect("two documents");
    let t = tree(DEPLOYMENT, volumes);
    let out = check(t.path(), &["overlays/staging"]);
    assert_eq!(
        stdout(&out),
        "\
overlays/staging/volumes.yaml:1: PersistentVolumeClaim api-data
  overlays/staging/volumes.yaml:8: error[dangling-reference] spec.volumeName: no PersistentVolume \"api-staging-pv\" in the output: the claim stays Pending
overlays/staging: 1 error, 0 warnings, 0 info in 4 objects (Kubernetes 1.37)
"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn schema_typo_names_the_field_and_file() {
    let t = tree(
        &DEPLOYMENT.replace("containerPort: 8000", "containerPort: \"8000\""),
        STAGING_VOLUMES,
    );
    let out = check(t.path(), &["overlays/dev"]);
    assert_eq!(
        stdout(&out),
        "\
base/deployment.yaml:1: Deployment api
  base/deployment.yaml:24: error[schema] spec.template.spec.containers[0].ports[0].containerPort: expected an integer, got string \"8000\"
overlays/dev: 1 error, 0 warnings, 0 info in 4 objects (Kubernetes 1.37)
"
    );
}

#[test]
fn rendered_yaml_from_stdin_and_config_severity() {
    let t = tree(
        &DEPLOYMENT.replace("replicas: 1", "replicas: 2"),
        STAGING_VOLUMES,
    );
    let yaml = std::fs::read_to_string(t.path().join("base/deployment.yaml")).expect("read")
        + "---\n"
        + CLAIM;
    let mut child = support::rustomize()
        .args(["check", "-f", "-"])
        .current_dir(t.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(yaml.as_bytes()).expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait");
    assert_eq!(
        stdout(&out),
        "\
<stdin>:1: Deployment api
  <stdin>:7: error[single-writer-volume] spec.replicas: replicas is 2, but the pods mount ReadWriteOnce PersistentVolumeClaim \"api-data\": a single-writer volume needs exactly one replica
  <stdin>:36: error[dangling-reference] spec.template.spec.containers[0].envFrom[0].configMapRef.name: no ConfigMap \"api-config\" in the output
<stdin>: 2 errors, 0 warnings, 0 info in 2 objects (Kubernetes 1.37)
"
    );
    // The configuration can lower the severity and silence a rule.
    t.write(
        ".rustomize-check.yaml",
        "rules:\n  single-writer-volume: warning\n  dangling-reference: off\n",
    );
    let out = check(t.path(), &["overlays/dev"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("warning[single-writer-volume]"));
}

#[test]
fn annotation_silences_one_object() {
    let t = tree(
        &DEPLOYMENT.replace(
            "  labels: {app: api}\nspec:",
            "  labels: {app: api}\n  annotations:\n    check.rustomize.io/ignore: single-writer-volume\nspec:",
        )
        .replace("replicas: 1", "replicas: 2"),
        STAGING_VOLUMES,
    );
    let out = check(t.path(), &["overlays/dev"]);
    assert_eq!(
        stdout(&out),
        "overlays/dev: no findings in 4 objects (Kubernetes 1.37)\n"
    );
}

#[test]
fn build_and_usage_errors_exit_2() {
    let t = tree(DEPLOYMENT, STAGING_VOLUMES);
    let out = check(t.path(), &["overlays/missing", "overlays/dev"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stdout(&out),
        "overlays/dev: no findings in 4 objects (Kubernetes 1.37)\n"
    );
    let out = check(t.path(), &["--kubernetes-version", "1.12", "overlays/dev"]);
    assert_eq!(out.status.code(), Some(2));
    t.write(".rustomize-check.yaml", "rules:\n  no-such-rule: off\n");
    let out = check(t.path(), &["overlays/dev"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown rule \"no-such-rule\""));
}

#[test]
fn json_and_sarif() {
    let t = tree(
        &DEPLOYMENT.replace("replicas: 1", "replicas: 2"),
        STAGING_VOLUMES,
    );
    let out = check(t.path(), &["--format", "json", "overlays/dev"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let f = &v["targets"][0]["findings"][0];
    assert_eq!(f["rule"], "single-writer-volume");
    assert_eq!(f["file"], "base/deployment.yaml");
    assert_eq!(f["path"], "spec.replicas");
    assert_eq!(f["object"]["kind"], "Deployment");
    assert_eq!(v["targets"][0]["summary"]["error"], 1);
    let out = check(t.path(), &["--format", "sarif", "overlays/dev"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("sarif");
    assert_eq!(v["version"], "2.1.0");
    let r = &v["runs"][0]["results"][0];
    assert_eq!(r["ruleId"], "single-writer-volume");
    assert_eq!(r["level"], "error");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "base/deployment.yaml"
    );
    assert_eq!(out.status.code(), Some(1));
}

/// The trees the tests above build, each with the directories to check.
fn variants() -> Vec<(&'static str, Tree, &'static [&'static str])> {
    let volumes = STAGING_VOLUMES
        .split("---\n")
        .nth(1)
        .expect("two documents");
    vec![
        ("clean", tree(DEPLOYMENT, STAGING_VOLUMES), ALL),
        (
            "two-replicas",
            tree(
                &DEPLOYMENT.replace("replicas: 1", "replicas: 2"),
                STAGING_VOLUMES,
            ),
            &["overlays/dev"],
        ),
        (
            "removed-strategy",
            tree(
                &DEPLOYMENT.replace("  strategy:\n    type: Recreate\n", ""),
                STAGING_VOLUMES,
            ),
            &["overlays/staging"],
        ),
        (
            "edge-tag",
            tree(
                &DEPLOYMENT.replace("api:v0.1.0", "api:edge"),
                STAGING_VOLUMES,
            ),
            ALL,
        ),
        (
            "missing-liveness-probe",
            tree(
                &DEPLOYMENT.replace(
                    "        livenessProbe:\n          httpGet: {path: /healthz, port: http}\n",
                    "",
                ),
                STAGING_VOLUMES,
            ),
            &["overlays/production"],
        ),
        (
            "claim-to-missing-volume",
            tree(DEPLOYMENT, volumes),
            &["overlays/staging"],
        ),
        (
            "schema-typo",
            tree(
                &DEPLOYMENT.replace("containerPort: 8000", "containerPort: \"8000\""),
                STAGING_VOLUMES,
            ),
            &["overlays/dev"],
        ),
    ]
}

/// Text, JSON and SARIF of every variant above, as snapshots.
#[test]
fn variants_in_every_format() {
    let mut all = Vec::new();
    for (name, t, dirs) in variants() {
        all.extend(formats(name, &t, t.path(), dirs));
    }
    assert_snapshots!(all);
}

/// Text, JSON and SARIF of the dojo example's overlays, as snapshots.
#[test]
fn dojo_example_in_every_format() {
    let t = Tree::new();
    t.copy_from_workspace("examples/dojo", "dojo");
    let k8s = t.path().join("dojo/deploy/k8s");
    let mut all = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(k8s.join("overlays"))
        .expect("overlays")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    assert!(names.len() >= 3, "{names:?}");
    for env in &names {
        let dir = format!("overlays/{env}");
        all.extend(formats(&format!("dojo-{env}"), &t, &k8s, &[&dir]));
    }
    assert_snapshots!(all);
}

/// A tree without configuration, as a newcomer has it: a base, and the
/// overlays `edit` gives.
fn newcomer_tree(overlay: &str, kustomization: &str) -> Tree {
    let t = Tree::new();
    t.write(".git/HEAD", "ref: refs/heads/main\n")
        .write("base/deployment.yaml", DEPLOYMENT)
        .write("base/rest.yaml", BASE_REST)
        .write("base/claim.yaml", CLAIM)
        .write(
            "base/kustomization.yaml",
            "resources:\n- deployment.yaml\n- rest.yaml\n- claim.yaml\n",
        )
        .write(&format!("{overlay}/kustomization.yaml"), kustomization);
    t
}

/// Regressions of the newcomer's list (issue 12): each finding `check`
/// missed or got wrong on a tree without configuration, as snapshots of
/// the text output with the exit status. (The file and line each finding
/// names are in `check_locations.rs`; the objects the API server rejects
/// or that never become ready are the defect set, `tests/defects/`.)
#[test]
fn newcomer_regressions() {
    let edge = "resources: [../../base]\nnamespace: dojo-prod\nimages:\n- {name: ghcr.io/org/api, newTag: edge}\n";
    let mut all = Vec::new();
    let mut text = |name: &str, t: &Tree, args: &[&str]| {
        let out = check(t.path(), args);
        all.push((
            name.to_string(),
            format!(
                "exit status: {:?}\n{}",
                out.status.code(),
                t.redact(&stdout(&out))
            ),
        ));
    };
    // Production is inferred from the path, or else from the namespace,
    // and the output says which it assumed.
    let t = newcomer_tree("overlays/production", edge);
    text("newcomer-production-by-path", &t, &["overlays/production"]);
    let t = newcomer_tree("overlays/live", edge);
    text("newcomer-production-by-namespace", &t, &["overlays/live"]);
    // A volume mounting the Secret a cert-manager Certificate creates is
    // not a dangling reference.
    let t = newcomer_tree(
        "overlays/staging",
        "resources: [../../base, certificate.yaml]\npatches:\n- target: {kind: Deployment}\n  patch: |-\n    \
- {op: add, path: /spec/template/spec/volumes/-, value: {name: tls, secret: {secretName: api-tls}}}\n",
    );
    t.write(
        "overlays/staging/certificate.yaml",
        "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: api}\nspec:\n  secretName: api-tls\n  \
dnsNames: [api.example.com]\n  issuerRef: {name: letsencrypt, kind: ClusterIssuer}\n",
    );
    text("newcomer-certificate-secret", &t, &["overlays/staging"]);
    // secretGenerator literals are committed secrets.
    let t = newcomer_tree(
        "overlays/staging",
        "resources: [../../base]\nsecretGenerator:\n- name: db\n  literals: [POSTGRES_PASSWORD=supersecret]\n",
    );
    text("newcomer-generator-literals", &t, &["overlays/staging"]);
    // A missing readiness probe fails a production check; --fail-on
    // warning fails on the liveness probe too.
    let t = newcomer_tree("overlays/production", "resources: [../../base]\n");
    t.edit(
        "base/deployment.yaml",
        "        readinessProbe:\n          httpGet: {path: /healthz, port: http}\n        \
livenessProbe:\n          httpGet: {path: /healthz, port: http}\n",
        "",
    );
    text(
        "newcomer-probes-in-production",
        &t,
        &["overlays/production"],
    );
    text(
        "newcomer-probes-fail-on-warning",
        &t,
        &[
            "--env",
            "staging",
            "--fail-on",
            "warning",
            "overlays/production",
        ],
    );
    text(
        "newcomer-probes-github",
        &t,
        &["--format", "github", "overlays/production"],
    );
    // A committed env file read by a secretGenerator: its line.
    let t = newcomer_tree(
        "overlays/staging",
        "resources: [../../base]\nsecretGenerator:\n- name: db\n  envs: [db.env]\n",
    );
    t.write("overlays/staging/db.env", "POSTGRES_PASSWORD=supersecret\n");
    text("newcomer-secret-env-file", &t, &["overlays/staging"]);
    // A value naming the Service by its name before namePrefix, and a
    // patch whose target selects nothing (the overlay's lines).
    let t = newcomer_tree(
        "overlays/staging",
        "resources: [../../base]\nnamePrefix: hs-\npatches:\n- target: {kind: Deployment, name: api-server}\n  \
patch: |-\n    - {op: replace, path: /spec/replicas, value: 1}\n",
    );
    t.edit(
        "base/deployment.yaml",
        "        envFrom:\n",
        "        env:\n        - {name: API_URL, value: \"http://api:80/v1\"}\n        envFrom:\n",
    );
    text(
        "newcomer-stale-name-unmatched-target",
        &t,
        &["overlays/staging"],
    );
    assert_snapshots!(all);
}
