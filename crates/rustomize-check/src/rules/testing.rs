//! Test helpers: check inline YAML and print findings as `check` does.

use crate::finding::Report;
use crate::{Options, Target, check};
use rustomize_engine::{Origin, Resource};
use std::sync::Arc;

/// Resources parsed from one file, `app.yaml`, as a build would read them.
pub fn resources(yaml: &str) -> Vec<Resource> {
    let origin = Arc::new(Origin {
        path: "app.yaml".into(),
        ..Origin::default()
    });
    rustomize_yaml::parse_documents(yaml)
        .expect("test YAML parses")
        .into_iter()
        .map(|n| {
            let mut r = Resource::new(n);
            r.meta.origin = Some(origin.clone());
            r
        })
        .collect()
}

/// Checks resources as a built tree with `opts`.
pub fn report(resources: &[Resource], opts: &Options) -> Report {
    let target = Target {
        name: "tree".into(),
        dir: None,
        provenance: true,
    };
    check(resources, &target, opts).expect("check runs")
}

/// The findings of one rule, one text line each.
pub fn findings_of(rule: &str, yaml: &str, opts: &Options) -> String {
    let report = report(&resources(yaml), opts);
    let mut out = String::new();
    for f in report.findings.iter().filter(|f| f.rule == rule) {
        crate::output::finding_line(&mut out, f, "tree");
    }
    out
}

/// The findings of one rule with default options.
pub fn findings(rule: &str, yaml: &str) -> String {
    findings_of(rule, yaml, &Options::default())
}

/// A Deployment that passes every rule, to vary in tests: one replica,
/// Recreate, probes, requests and limits, non-root, read-only root,
/// no privilege escalation, a pinned image, and a ReadWriteOnce claim.
pub const GOOD_APP: &str = r#"apiVersion: apps/v1
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
