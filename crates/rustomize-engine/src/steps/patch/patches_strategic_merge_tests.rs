//! `patchesStrategicMerge:` cases checked against `kubectl kustomize` (v5.5.0).

use crate::steps::patch::testing::{Case, check};

#[test]
fn builds_print_what_kubectl_prints() {
    check(&[
        Case {
            name: r#"psm_files_and_inline"#,
            kustomization: r#"patchesStrategicMerge:
- p.yaml
- |-
  apiVersion: v1
  kind: ConfigMap
  metadata: {name: cfg}
  data: {inline: "yes"}
"#,
            files: &[(
                r#"p.yaml"#,
                r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {version: 1}
spec: {replicas: 4}
"#,
            )],
            want: Ok(r#"apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    num: "1"
  labels:
    app: web
    version: "1"
  name: web
spec:
  replicas: 4
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
  inline: "yes"
  k: v
kind: ConfigMap
metadata:
  name: cfg
"#),
        },
        Case {
            name: r#"psm_wrong_namespace"#,
            kustomization: r#"patchesStrategicMerge:
- |-
  apiVersion: apps/v1
  kind: Deployment
  metadata: {name: api, namespace: dev}
  spec: {replicas: 4}
"#,
            files: &[],
            want: Err(
                r#"no matches for Id Deployment.v1.apps/api.dev; failed to find unique target for patch Deployment.v1.apps/api.dev"#,
            ),
        },
        Case {
            name: r#"psm_missing_file"#,
            kustomization: r#"patchesStrategicMerge:
- nope.yaml
"#,
            files: &[],
            want: Err(
                r#"trouble configuring builtin PatchStrategicMergeTransformer with config: `
paths:
- nope.yaml
`: evalsymlink failure on '/tmp/pt/tx/case/nope.yaml' : lstat /tmp/pt/tx/case/nope.yaml: no such file or directory"#,
            ),
        },
        Case {
            name: r#"psm_bad_patch"#,
            kustomization: r#"patchesStrategicMerge:
- bad.yaml
"#,
            files: &[(
                r#"bad.yaml"#,
                r#"apiVersion: v1
metadata: {name: x}
"#,
            )],
            want: Err(
                r#"trouble configuring builtin PatchStrategicMergeTransformer with config: `
paths:
- bad.yaml
`: missing kind in object {{v1 } {{x } map[] map[]}}"#,
            ),
        },
        Case {
            name: r#"psm_empty_entry"#,
            kustomization: r#"patchesStrategicMerge:
- ""
"#,
            files: &[],
            want: Err(
                r#"trouble configuring builtin PatchStrategicMergeTransformer with config: `
paths:
- ""
`: patch appears to be empty; files=[], Patch="#,
            ),
        },
        Case {
            name: r#"psm_delete"#,
            kustomization: r#"patchesStrategicMerge:
- |-
  apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web}
  $patch: delete
"#,
            files: &[],
            want: Ok(r#"apiVersion: apps/v1
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
    ]);
}
