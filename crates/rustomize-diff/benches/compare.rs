//! Comparing two large sides, as `rustomize diff` does after its builds:
//! N Deployments and N ConfigMaps on each side, one Deployment's image
//! changed. Run with `cargo bench -p rustomize-diff`.

use rustomize_diff::{Options, compare};
use rustomize_yaml::Node;

fn main() {
    divan::main();
}

fn side(n: usize, changed: Option<usize>) -> Vec<Node> {
    let mut out = Vec::with_capacity(n * 2);
    for i in 0..n {
        let tag = if changed == Some(i) { "v2" } else { "v1" };
        let text = format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: team-{}\n  labels: {{app.kubernetes.io/name: app-{i}, tier: web}}\nspec:\n  replicas: 2\n  selector: {{matchLabels: {{app.kubernetes.io/name: app-{i}}}}}\n  template:\n    metadata:\n      labels: {{app.kubernetes.io/name: app-{i}, tier: web}}\n    spec:\n      containers:\n      - name: app\n        image: registry.example.com/app-{i}:{tag}\n        ports: [{{containerPort: 8080, protocol: TCP}}]\n        env: [{{name: A, value: x}}, {{name: B, value: y}}]\n        resources: {{limits: {{cpu: 500m, memory: 256Mi}}}}\n",
            i % 9
        );
        out.push(rustomize_yaml::parse_one(&text).expect("yaml"));
        let cm = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: app-{i}-config-5h2mb6k7f8, namespace: team-{}}}\ndata: {{LOG: info, PORT: '8080'}}\n",
            i % 9
        );
        out.push(rustomize_yaml::parse_one(&cm).expect("yaml"));
    }
    out
}

#[divan::bench(args = [1_000, 10_000])]
fn one_change(bencher: divan::Bencher, n: usize) {
    let (left, right) = (side(n, None), side(n, Some(n / 2)));
    bencher.bench(|| {
        let c = compare(&left, &right, &Options::default()).expect("compare");
        assert_eq!(c.objects.len(), 1);
        c
    });
}
