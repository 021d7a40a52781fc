//! `patchesJson6902:` cases checked against `kubectl kustomize` (v5.5.0).

use crate::steps::patch::testing::{Case, check};

#[test]
fn builds_print_what_kubectl_prints() {
    check(&[
        Case {
            name: r#"j6902_inline_yaml"#,
            kustomization: r#"patchesJson6902:
- target: {group: apps, version: v1, kind: Deployment, name: api, namespace: prod}
  patch: |-
    - op: replace
      path: /spec/replicas
      value: 9
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
  replicas: 9
---
apiVersion: v1
data:
  k: v
kind: ConfigMap
metadata:
  name: cfg
"#),
        },
        Case {
            name: r#"j6902_file"#,
            kustomization: r#"patchesJson6902:
- target: {kind: ConfigMap, name: cfg}
  path: j.yaml
"#,
            files: &[(
                r#"j.yaml"#,
                r#"- {op: add, path: /data/j, value: 'on'}
"#,
            )],
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
  j: "on"
  k: v
kind: ConfigMap
metadata:
  name: cfg
"#),
        },
        Case {
            name: r#"j6902_no_name"#,
            kustomization: r#"patchesJson6902:
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
        Case {
            name: r#"j6902_path_and_patch"#,
            kustomization: r#"patchesJson6902:
- target: {kind: ConfigMap, name: cfg}
  path: j.yaml
  patch: "[]"
"#,
            files: &[(r#"j.yaml"#, r#"[]"#)],
            want: Err(
                r#"trouble configuring builtin PatchJson6902Transformer with config: `
jsonOp: '[]'
path: j.yaml
target:
  kind: ConfigMap
  name: cfg
`: must specify a file path or jsonOp, not both"#,
            ),
        },
        Case {
            name: r#"j6902_neither"#,
            kustomization: r#"patchesJson6902:
- target: {kind: ConfigMap, name: cfg}
"#,
            files: &[],
            want: Err(
                r#"trouble configuring builtin PatchJson6902Transformer with config: `
target:
  kind: ConfigMap
  name: cfg
`: empty file path and empty jsonOp"#,
            ),
        },
        Case {
            name: r#"j6902_empty_ops"#,
            kustomization: r#"patchesJson6902:
- target: {kind: ConfigMap, name: cfg}
  patch: "[]"
"#,
            files: &[],
            want: Err(
                r#"trouble configuring builtin PatchJson6902Transformer with config: `
jsonOp: '[]'
target:
  kind: ConfigMap
  name: cfg
`: patch appears to be empty; file=, JsonOp=[]"#,
            ),
        },
        Case {
            name: r#"j6902_empty_yaml_ops"#,
            kustomization: r##"patchesJson6902:
- target: {kind: ConfigMap, name: cfg}
  patch: "# none"
"##,
            files: &[],
            want: Err(
                r#"trouble configuring builtin PatchJson6902Transformer with config: `
jsonOp: '# none'
target:
  kind: ConfigMap
  name: cfg
`: patch appears to be empty; file=, JsonOp=null"#,
            ),
        },
        Case {
            name: r#"j6902_not_a_patch"#,
            kustomization: r#"patchesJson6902:
- target: {kind: ConfigMap, name: cfg}
  patch: thisIsNotAPatch
"#,
            files: &[],
            want: Err(
                r#"trouble configuring builtin PatchJson6902Transformer with config: `
jsonOp: thisIsNotAPatch
target:
  kind: ConfigMap
  name: cfg
`: decoding "thisIsNotAPatch": json: cannot unmarshal string into Go value of type jsonpatch.Patch"#,
            ),
        },
        Case {
            name: r#"j6902_no_match"#,
            kustomization: r#"patchesJson6902:
- target: {kind: ConfigMap, name: nope}
  patch: "[{\"op\": \"add\", \"path\": \"/x\", \"value\": 1}]"
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
  k: v
kind: ConfigMap
metadata:
  name: cfg
"#),
        },
        Case {
            name: r#"j6902_empty_file"#,
            kustomization: r#"patchesJson6902:
- target: {kind: ConfigMap, name: cfg}
  path: e.yaml
"#,
            files: &[(r#"e.yaml"#, r#""#)],
            want: Err(
                r#"trouble configuring builtin PatchJson6902Transformer with config: `
path: e.yaml
target:
  kind: ConfigMap
  name: cfg
`: patch file 'e.yaml' empty seems to be empty"#,
            ),
        },
    ]);
}
