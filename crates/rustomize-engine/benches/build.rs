//! A whole build in memory: a generated tree of many small apps (the shape
//! of `bench/gen_tree.py`'s, smaller), built and printed.
//! Run with `cargo bench -p rustomize-engine`.
//!
//! Each app has a base (Deployment, Service, ServiceAccount, autoscaler,
//! claim, a ConfigMap generator with literals and a file) and a production
//! overlay (namespace, prefix, labels, annotations, image, replicas, a
//! merged ConfigMap generator, a Secret generator from an env file, a
//! strategic merge patch from a file and an inline JSON 6902 patch); the
//! build root lists every overlay.

use rustomize_engine::{BuildOptions, build};
use rustomize_loader::{FileSystem, MemFs};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

fn main() {
    divan::main();
}

const BASE: &str = r#"apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- deployment.yaml
- service.yaml
- extras.yaml
configMapGenerator:
- name: APP-config
  literals: [MODE=standard, "STRICT=on", WORKERS=4, 'FILE_MODE=0644']
  files:
  - app.properties
"#;

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: APP
  labels:
    app.kubernetes.io/name: APP
  annotations:
    description: "Handles incoming requests for team NUM and keeps a small local cache on its volume"
spec:
  replicas: 2
  selector:
    matchLabels: {app: APP}
  template:
    metadata:
      labels: {app: APP}
    spec:
      serviceAccountName: APP
      securityContext: {runAsNonRoot: true, runAsUser: 1000}
      containers:
      - name: app
        image: ghcr.io/example/APP:1.0.NUM
        args: ["--port", "8080", "--verbose=yes"]
        ports:
        - {containerPort: 8080, name: http}
        envFrom:
        - configMapRef: {name: APP-config}
        env:
        - {name: MODE, value: "on"}
        - name: RATIO
          value: "0.5"
        resources:
          limits: {cpu: 500m, memory: 256Mi}
          requests: {cpu: 100m, memory: 128Mi}
        volumeMounts:
        - {name: data, mountPath: /data}
      volumes:
      - name: data
        persistentVolumeClaim: {claimName: APP-data}
"#;

const SERVICE: &str = r#"apiVersion: v1
kind: Service
metadata:
  name: APP
spec:
  selector:
    app: APP
  ports:
  - port: 80
    targetPort: http
"#;

const EXTRAS: &str = r#"apiVersion: v1
kind: ServiceAccount
metadata:
  name: APP
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: APP
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: APP}
  minReplicas: 2
  maxReplicas: 10
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: APP-data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
"#;

const OVERLAY: &str = r#"resources:
- ../../base
namespace: APP-prod
namePrefix: prod-
labels:
- pairs: {env: production, team: tNUM}
  includeSelectors: true
commonAnnotations:
  owner: "team NUM"
  oncall: "yes"
images:
- name: ghcr.io/example/APP
  newTag: "2.0.NUM"
replicas:
- name: APP
  count: 3
configMapGenerator:
- name: APP-config
  behavior: merge
  literals: [MODE=production, "LOG_LEVEL=info"]
secretGenerator:
- name: APP-secret
  envs: [secret.env]
patches:
- path: deployment-patch.yaml
- target: {kind: HorizontalPodAutoscaler, name: APP}
  patch: |-
    - op: replace
      path: /spec/maxReplicas
      value: 20
"#;

const PATCH: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: APP
spec:
  template:
    spec:
      containers:
      - name: app
        resources:
          limits: {memory: 512Mi}
        envFrom:
        - secretRef: {name: APP-secret}
"#;

/// The tree for `apps` apps, under `/tree`; builds `/tree/production`.
fn tree(apps: usize) -> Arc<dyn FileSystem> {
    let fs = MemFs::new();
    let mut root = String::from("resources:\n");
    for i in 0..apps {
        let app = format!("app-{i:04}");
        let num = i.to_string();
        let fill = |t: &str| t.replace("APP", &app).replace("NUM", &num);
        let dir = format!("/tree/apps/{app}");
        fs.write(format!("{dir}/base/kustomization.yaml"), fill(BASE));
        fs.write(format!("{dir}/base/deployment.yaml"), fill(DEPLOYMENT));
        fs.write(format!("{dir}/base/service.yaml"), fill(SERVICE));
        fs.write(format!("{dir}/base/extras.yaml"), fill(EXTRAS));
        fs.write(
            format!("{dir}/base/app.properties"),
            fill("name = APP\nindex = NUM\ncache.size = 64Mi\n"),
        );
        let overlay = format!("{dir}/overlays/production");
        fs.write(format!("{overlay}/kustomization.yaml"), fill(OVERLAY));
        fs.write(format!("{overlay}/deployment-patch.yaml"), fill(PATCH));
        fs.write(
            format!("{overlay}/secret.env"),
            fill("DB_PASSWORD=not-a-secret-NUM\nAPI_TOKEN=0777\n"),
        );
        let _ = writeln!(root, "- ../apps/{app}/overlays/production");
    }
    fs.write("/tree/production/kustomization.yaml", root);
    Arc::new(fs)
}

/// Build and print, as `rustomize build` does (minus reading the disk).
#[divan::bench(args = [10, 100, 500])]
fn build_and_print(bencher: divan::Bencher, apps: usize) {
    let fs = tree(apps);
    let opts = BuildOptions::default();
    bencher.bench(|| {
        let out = build(fs.clone(), Path::new("/tree/production"), &opts).expect("build");
        out.to_yaml().expect("print")
    });
}
