//! Test helpers: build inline YAML through the engine's public build (with
//! the in-memory file system), check it and print findings as `check`
//! does; and a table runner that reports every failing row.

use crate::finding::Report;
use crate::{Options, Target, check_built};
use rustomize_engine::{BuildOptions, BuildOutput, build};
use rustomize_loader::MemFs;
use std::path::Path;
use std::sync::Arc;

/// Builds a tree of files (relative path, text) rooted at `/app`, whose
/// `kustomization.yaml` is given or, when absent, lists `app.yaml` with
/// `sortOptions: fifo` so objects keep their order; with provenance, as
/// `check` builds (paths relative to `/app`).
pub(crate) fn build_tree(files: &[(&str, &str)]) -> BuildOutput {
    FILES.with(|f| {
        *f.borrow_mut() = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    });
    let fs = MemFs::new();
    for (path, text) in files {
        fs.write(Path::new("/app").join(path), *text);
    }
    if !files.iter().any(|(p, _)| *p == "kustomization.yaml") {
        fs.write(
            "/app/kustomization.yaml",
            "resources: [app.yaml]\nsortOptions: {order: fifo}\n",
        );
    }
    let opts = BuildOptions {
        provenance: true,
        paths_relative_to: Some("/app".into()),
        ..BuildOptions::default()
    };
    build(Arc::new(fs), Path::new("/app"), &opts).expect("test tree builds")
}

/// A build of one file, `app.yaml`.
pub(crate) fn resources(yaml: &str) -> BuildOutput {
    build_tree(&[("app.yaml", yaml)])
}

/// Checks a build as a built tree with `opts`.
pub(crate) fn report(built: &BuildOutput, opts: &Options) -> Report {
    let target = Target {
        name: "tree".into(),
        dir: None,
        provenance: true,
    };
    check_built(built, &target, opts).expect("check runs")
}

/// The findings of one rule, one text line each.
pub(crate) fn lines_of(rule: &str, report: &Report) -> String {
    let mut out = String::new();
    for f in report.findings.iter().filter(|f| f.rule == rule) {
        finding_line(&mut out, f, "tree");
    }
    out
}

/// The findings of one rule, one text line each.
pub(crate) fn findings_of(rule: &str, yaml: &str, opts: &Options) -> String {
    lines_of(rule, &report(&resources(yaml), opts))
}

/// The findings of one rule with default options.
pub(crate) fn findings(rule: &str, yaml: &str) -> String {
    findings_of(rule, yaml, &Options::default())
}

thread_local! {
    /// The files of the last tree built on this thread, for
    /// `RUSTOMIZE_SHOW_LINES`.
    static FILES: std::cell::RefCell<Vec<(String, String)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `file:line: severity[rule] Kind ns/name: path: message`: one finding
/// on one line, the form rule tests compare. With `RUSTOMIZE_SHOW_LINES`
/// set, also prints the line the finding names on stderr, to review
/// expectations.
pub(crate) fn finding_line(out: &mut String, f: &crate::finding::Finding, target: &str) {
    use std::fmt::Write as _;
    if std::env::var_os("RUSTOMIZE_SHOW_LINES").is_some() {
        let text = FILES.with(|files| {
            let files = files.borrow();
            let file = files
                .iter()
                .find(|(p, _)| Some(p.as_str()) == f.file.as_deref())?;
            let n = f.line? as usize;
            file.1.lines().nth(n.checked_sub(1)?).map(str::to_string)
        });
        eprintln!(
            "SHOW {}:{} [{}] {} => {:?}",
            f.file.as_deref().unwrap_or("?"),
            f.line.unwrap_or(0),
            f.rule,
            f.path,
            text.unwrap_or_default()
        );
    }
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

/// Runs `check` on every row and fails once, listing every row that
/// failed (not only the first).
pub(crate) fn rows<T: std::fmt::Debug>(rows: &[T], check: impl Fn(&T) -> Result<(), String>) {
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|row| check(row).err().map(|why| format!("  {row:?}: {why}")))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

/// A Deployment that passes every rule, to vary in tests: one replica,
/// Recreate, probes, requests and limits, non-root, read-only root,
/// no privilege escalation, a pinned image, and a ReadWriteOnce claim.
pub(crate) const GOOD_APP: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {app: api}
spec:
  replicas: 1
  strategy: {type: Recreate}
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 1000}
      containers:
      - name: api
        image: ghcr.io/org/api:v1.2.3
        ports:
        - containerPort: 8000
        readinessProbe:
          httpGet: {path: /healthz, port: 8000}
        livenessProbe:
          httpGet: {path: /healthz, port: 8000}
        resources:
          requests: {cpu: 100m, memory: 256Mi}
          limits: {cpu: "1", memory: 512Mi}
        securityContext:
          readOnlyRootFilesystem: true
          allowPrivilegeEscalation: false
        volumeMounts:
        - {name: data, mountPath: /data}
      volumes:
      - name: data
        persistentVolumeClaim: {claimName: api-data}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: api-data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests: {storage: 1Gi}
---
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector: {app: api}
  ports:
  - port: 80
    targetPort: 8000
"#;
