//! The three patch fields together, checked against `kubectl kustomize`
//! (v5.5.0): all transformers are configured before any runs, and they run
//! in kustomize's order.

use crate::steps::patch::testing::{Case, check};

#[test]
fn builds_print_what_kubectl_prints() {
    check(&[
        Case {
            name: r#"order_psm_then_patches_then_json"#,
            kustomization: r#"patchesJson6902:
- target: {kind: ConfigMap, name: cfg}
  patch: |-
    - {op: test, path: /data/k, value: from-patches}
    - {op: add, path: /data/order, value: json-last}
patches:
- target: {kind: ConfigMap}
  patch: |-
    - {op: test, path: /data/k, value: from-psm}
    - {op: replace, path: /data/k, value: from-patches}
patchesStrategicMerge:
- |-
  apiVersion: v1
  kind: ConfigMap
  metadata: {name: cfg}
  data: {k: from-psm}
"#,
            files: &[],
            want: Ok(r#"apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    num: "1"
  labels:
    app: web
  name: web
spec:
  replicas: 1
  template:
    metadata:
      labels:
        app: web
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: prod
spec:
  replicas: 2
---
apiVersion: v1
data:
  k: from-patches
  order: json-last
kind: ConfigMap
metadata:
  name: cfg
"#),
        },
        Case {
            name: r#"config_error_before_transform_error"#,
            kustomization: r#"patches:
- patch: |-
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: nope}
patchesJson6902:
- target: {kind: ConfigMap}
  patch: "[]"
"#,
            files: &[],
            want: Err(
                r#"trouble configuring builtin PatchJson6902Transformer with config: `
jsonOp: '[]'
target:
  kind: ConfigMap
`: must specify the target name"#,
            ),
        },
    ]);
}
