//! `rustomize check` end to end: a dojo-style tree (a Python API with
//! DuckDB on a ReadWriteOnce volume: one replica, Recreate, probes,
//! limits, non-root, read-only root) passes clean in every environment,
//! and each unsafe variant fails with the right rule, object and file.
//!
//! The overlays use only `resources` so that they build with today's
//! engine; the environment comes from `.rustomize-check.yaml`.

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

use std::path::Path;
use std::process::{Command, Output};

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
  hostPath: {path: /srv/api}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: api-data
spec:
  accessModes: [ReadWriteOnce]
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

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("has a parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// The tree, with `edit` applied to the Deployment and staging volumes.
fn tree(deployment: &str, staging_volumes: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, ".rustomize-check.yaml", CONFIG);
    write(root, "base/deployment.yaml", deployment);
    write(root, "base/rest.yaml", BASE_REST);
    write(
        root,
        "base/kustomization.yaml",
        "resources:\n- deployment.yaml\n- rest.yaml\n",
    );
    for env in ["dev", "production"] {
        write(root, &format!("overlays/{env}/claim.yaml"), CLAIM);
        write(
            root,
            &format!("overlays/{env}/kustomization.yaml"),
            "resources:\n- ../../base\n- claim.yaml\n",
        );
    }
    write(root, "overlays/staging/volumes.yaml", staging_volumes);
    write(
        root,
        "overlays/staging/kustomization.yaml",
        "resources:\n- ../../base\n- volumes.yaml\n",
    );
    dir
}

fn check(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rustomize"))
        .arg("check")
        .args(args)
        .current_dir(root)
        .output()
        .expect("run rustomize")
}

const ALL: &[&str] = &["overlays/dev", "overlays/staging", "overlays/production"];

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

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
base/deployment.yaml:1: error[single-writer-volume] Deployment api: spec.replicas: replicas is 2, but the pods mount ReadWriteOnce PersistentVolumeClaim \"api-data\": a single-writer volume needs exactly one replica
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
base/deployment.yaml:1: error[single-writer-volume] Deployment api: spec.strategy: the update strategy is RollingUpdate (the default), but the pods mount ReadWriteOnce PersistentVolumeClaim \"api-data\": the new pod needs the volume while the old one holds it; set spec.strategy.type: Recreate
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
base/deployment.yaml:1: error[mutable-image-tag] Deployment api: spec.template.spec.containers[0].image: image \"ghcr.io/org/api:edge\" uses the moving tag \"edge\"; production must pin a release tag (v1.2.3) or a digest
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
base/deployment.yaml:1: warning[liveness-probe] Deployment api: spec.template.spec.containers[0].livenessProbe: container \"api\" has no liveness probe: without one, a container that hangs without exiting is never restarted
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
overlays/staging/volumes.yaml:1: error[dangling-reference] PersistentVolumeClaim api-data: spec.volumeName: no PersistentVolume \"api-staging-pv\" in the output: the claim stays Pending
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
base/deployment.yaml:1: error[schema] Deployment api: spec.template.spec.containers[0].ports[0].containerPort: expected an integer, got string \"8000\"
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
    let mut child = Command::new(env!("CARGO_BIN_EXE_rustomize"))
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
<stdin>:1: error[single-writer-volume] Deployment api: spec.replicas: replicas is 2, but the pods mount ReadWriteOnce PersistentVolumeClaim \"api-data\": a single-writer volume needs exactly one replica
<stdin>:1: error[dangling-reference] Deployment api: spec.template.spec.containers[0].envFrom[0].configMapRef.name: no ConfigMap \"api-config\" in the output
<stdin>: 2 errors, 0 warnings, 0 info in 2 objects (Kubernetes 1.37)
"
    );
    // The configuration can lower the severity and silence a rule.
    write(
        t.path(),
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
    write(
        t.path(),
        ".rustomize-check.yaml",
        "rules:\n  no-such-rule: off\n",
    );
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
