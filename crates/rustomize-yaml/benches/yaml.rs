//! Parse and emit throughput on a stream of typical Deployments.
//! Run with `cargo bench -p rustomize-yaml`.

use rustomize_yaml::{emit, parse_documents};

fn main() {
    divan::main();
}

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-NUM
  namespace: prod
  labels:
    app.kubernetes.io/name: web
    app.kubernetes.io/part-of: shop
  annotations:
    description: "a long description that goes on past the eighty column limit so that the emitter has to fold it"
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  strategy:
    type: Recreate
  template:
    metadata:
      labels: {app: web}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 1000}
      containers:
      - name: app
        image: ghcr.io/org/web:v1.2.3
        args: ["--port", "8080", "--verbose=yes"]
        ports:
        - {containerPort: 8080, name: http}
        env:
        - {name: MODE, value: "on"}
        - {name: RATIO, value: "0.5"}
        readinessProbe:
          httpGet: {path: /healthz, port: 8080}
        resources:
          limits: {cpu: 500m, memory: 256Mi}
          requests: {cpu: 100m, memory: 128Mi}
        volumeMounts:
        - {name: data, mountPath: /data}
      volumes:
      - name: data
        persistentVolumeClaim: {claimName: web-data}
"#;

fn stream(n: usize) -> String {
    (0..n)
        .map(|i| DEPLOYMENT.replace("NUM", &i.to_string()))
        .collect::<Vec<_>>()
        .join("---\n")
}

#[divan::bench(args = [100, 1000])]
fn parse(bencher: divan::Bencher, n: usize) {
    let text = stream(n);
    bencher
        .counter(divan::counter::BytesCount::new(text.len()))
        .bench(|| parse_documents(divan::black_box(&text)));
}

#[divan::bench(args = [100, 1000])]
fn emit(bencher: divan::Bencher, n: usize) {
    let docs = parse_documents(&stream(n)).expect("valid YAML");
    bencher.bench(|| {
        let mut out = String::new();
        for d in &docs {
            emit::write_document(&mut out, divan::black_box(d)).expect("emit");
        }
        out
    });
}
