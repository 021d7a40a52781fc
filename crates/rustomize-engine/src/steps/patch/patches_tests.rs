//! `patches:` cases checked against `kubectl kustomize` (v5.5.0).

use crate::steps::patch::testing::{Case, check};

#[test]
fn builds_print_what_kubectl_prints() {
    check(&[
        Case {
            name: r#"sm_inline_no_target"#,
            kustomization: r#"patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      labels: {version: 1, gone: null}
    spec:
      replicas: 3
"#,
            files: &[],
            want: Ok(r#"apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    num: "1"
  labels:
    app: web
    version: 1
  name: web
spec:
  replicas: 3
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
            name: r#"sm_no_target_no_match"#,
            kustomization: r#"patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: nope}
    spec: {replicas: 3}
"#,
            files: &[],
            want: Err(
                r#"no resource matches strategic merge patch "Deployment.v1.apps/nope.[noNs]": no matches for Id Deployment.v1.apps/nope.[noNs]; failed to find unique target for patch Deployment.v1.apps/nope.[noNs]"#,
            ),
        },
        Case {
            name: r#"sm_no_target_other_version"#,
            kustomization: r#"patches:
- patch: |-
    apiVersion: apps/v2
    kind: Deployment
    metadata: {name: web}
    spec: {replicas: 3}
"#,
            files: &[],
            want: Err(
                r#"no resource matches strategic merge patch "Deployment.v2.apps/web.[noNs]": no matches for Id Deployment.v2.apps/web.[noNs]; failed to find unique target for patch Deployment.v2.apps/web.[noNs]"#,
            ),
        },
        Case {
            name: r#"sm_no_target_namespace_matters"#,
            kustomization: r#"patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api}
    spec: {replicas: 3}
"#,
            files: &[],
            want: Err(
                r#"no resource matches strategic merge patch "Deployment.v1.apps/api.[noNs]": no matches for Id Deployment.v1.apps/api.[noNs]; failed to find unique target for patch Deployment.v1.apps/api.[noNs]"#,
            ),
        },
        Case {
            name: r#"sm_no_target_default_namespace"#,
            kustomization: r#"patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: default}
    spec: {replicas: 3}
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
  replicas: 3
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
            name: r#"sm_target_all_deployments"#,
            kustomization: r#"patches:
- target: {kind: Deployment}
  patch: |-
    apiVersion: v9
    kind: Whatever
    metadata:
      name: anything
      namespace: elsewhere
      labels: {version: 1, app: null}
      annotations: {n: 2}
    spec:
      paused: true
"#,
            files: &[],
            want: Ok(r#"apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    "n": "2"
    num: "1"
  labels:
    app: "null"
    version: "1"
  name: web
spec:
  paused: true
  replicas: 1
  template:
    metadata:
      labels:
        app: web
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    "n": "2"
  labels:
    app: "null"
    version: "1"
  name: api
  namespace: prod
spec:
  paused: true
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
            name: r#"sm_target_allow_name_and_kind_change"#,
            kustomization: r#"patches:
- target: {name: cfg}
  options: {allowNameChange: true, allowKindChange: true}
  patch: |-
    apiVersion: v1
    kind: Secret
    metadata: {name: cfg2}
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
kind: Secret
metadata:
  name: cfg2
"#),
        },
        Case {
            name: r#"sm_file_several_documents"#,
            kustomization: r#"patches:
- path: p.yaml
"#,
            files: &[(
                r#"p.yaml"#,
                r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {replicas: 5}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {k2: v2}
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
  replicas: 5
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
  k2: v2
kind: ConfigMap
metadata:
  name: cfg
"#),
        },
        Case {
            name: r#"sm_several_documents_with_target"#,
            kustomization: r#"patches:
- path: p.yaml
  target: {kind: ConfigMap}
"#,
            files: &[(
                r#"p.yaml"#,
                r#"apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {a: b}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {c: d}
"#,
            )],
            want: Err(
                r#"Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field: [path: "p.yaml"]"#,
            ),
        },
        Case {
            name: r#"sm_delete_without_target"#,
            kustomization: r#"patches:
- patch: |-
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: cfg}
    $patch: delete
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
"#),
        },
        Case {
            name: r#"sm_delete_with_target"#,
            kustomization: r#"patches:
- target: {kind: Deployment}
  patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: x}
    $patch: delete
"#,
            files: &[],
            want: Ok(r#"apiVersion: v1
data:
  k: v
kind: ConfigMap
metadata:
  name: cfg
"#),
        },
        Case {
            name: r#"json_without_target"#,
            kustomization: r#"patches:
- patch: |-
    - {op: add, path: /x, value: 1}
"#,
            files: &[],
            want: Err(
                r#"must specify a target for JSON patch [patch: "- {op: add, path: /x, value: 1}"]"#,
            ),
        },
        Case {
            name: r#"json_file_with_target"#,
            kustomization: r#"patches:
- path: j.json
  target: {kind: Deployment, name: web}
"#,
            files: &[(
                r#"j.json"#,
                r#"[{"op": "replace", "path": "/spec/replicas", "value": 7}]"#,
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
  replicas: 7
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
            name: r#"json_annotations_exist_for_patches"#,
            kustomization: r#"patches:
- target: {kind: ConfigMap}
  patch: |-
    - {op: add, path: /metadata/annotations/foo, value: bar}
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
  annotations:
    foo: bar
  name: cfg
"#),
        },
        Case {
            name: r#"json_annotations_missing_for_patches_json6902"#,
            kustomization: r#"patchesJson6902:
- target: {kind: ConfigMap, name: cfg}
  patch: |-
    - {op: add, path: /metadata/annotations/foo, value: bar}
"#,
            files: &[],
            want: Err(
                r#"add operation does not apply: doc is missing path: "/metadata/annotations/foo": missing value"#,
            ),
        },
        Case {
            name: r#"json_stringifies_annotations"#,
            kustomization: r#"patches:
- target: {name: web}
  patch: |-
    - {op: add, path: /spec/paused, value: true}
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
  paused: true
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
            name: r#"path_and_patch"#,
            kustomization: r#"patches:
- path: p.yaml
  patch: "x: y"
"#,
            files: &[(
                r#"p.yaml"#,
                r#"a: b
"#,
            )],
            want: Err(
                r#"trouble configuring builtin PatchTransformer with config: `
patch: 'x: y'
path: p.yaml
`: patch and path can't be set at the same time
patch: 'x: y'
path: p.yaml"#,
            ),
        },
        Case {
            name: r#"neither_path_nor_patch"#,
            kustomization: r#"patches:
- target: {kind: Deployment}
"#,
            files: &[],
            want: Err(
                r#"trouble configuring builtin PatchTransformer with config: `
target:
  kind: Deployment
`: must specify one of patch and path in
target:
  kind: Deployment"#,
            ),
        },
        Case {
            name: r#"blank_patch"#,
            kustomization: r#"patches:
- patch: "  "
"#,
            files: &[],
            want: Err(
                r#"trouble configuring builtin PatchTransformer with config: `
patch: '  '
`: must specify one of patch and path in
patch: '  '"#,
            ),
        },
        Case {
            name: r#"both_sm_and_json"#,
            kustomization: r#"patches:
- target: {kind: Deployment}
  patch: "[]"
"#,
            files: &[],
            want: Err(
                r#"trouble configuring builtin PatchTransformer with config: `
patch: '[]'
target:
  kind: Deployment
`: illegally qualifies as both an SM and JSON patch: [patch: "[]"]"#,
            ),
        },
        Case {
            name: r#"comment_only"#,
            kustomization: r##"patches:
- target: {kind: Deployment}
  patch: "# nothing"
"##,
            files: &[],
            want: Err(
                r##"trouble configuring builtin PatchTransformer with config: `
patch: '# nothing'
target:
  kind: Deployment
`: illegally qualifies as both an SM and JSON patch: [patch: "# nothing"]"##,
            ),
        },
        Case {
            name: r#"neither_sm_nor_json"#,
            kustomization: r#"patches:
- patch: "a: b"
"#,
            files: &[],
            want: Err(
                r#"trouble configuring builtin PatchTransformer with config: `
patch: 'a: b'
`: unable to parse SM or JSON patch from [patch: "a: b"]"#,
            ),
        },
        Case {
            name: r#"empty_file_with_target"#,
            kustomization: r#"patches:
- path: empty.yaml
  target: {name: web}
"#,
            files: &[(r#"empty.yaml"#, r#""#)],
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
            name: r#"empty_file_without_target"#,
            kustomization: r#"patches:
- path: empty.yaml
"#,
            files: &[(r#"empty.yaml"#, r#""#)],
            want: Err(r#"must specify a target for JSON patch [path: "empty.yaml"]"#),
        },
        Case {
            name: r#"sm_without_name_is_not_a_patch"#,
            kustomization: r#"patches:
- target: {kind: ConfigMap}
  patch: |-
    apiVersion: v1
    kind: ConfigMap
    data: {x: y}
"#,
            files: &[],
            want: Err(
                r#"trouble configuring builtin PatchTransformer with config: `
patch: |-
  apiVersion: v1
  kind: ConfigMap
  data: {x: y}
target:
  kind: ConfigMap
`: unable to parse SM or JSON patch from [patch: "apiVersion: v1\nkind: ConfigMap\ndata: {x: y}"]"#,
            ),
        },
        Case {
            name: r#"sm_target_without_api_version"#,
            kustomization: r#"patches:
- target: {kind: ConfigMap}
  patch: |-
    kind: ConfigMap
    metadata: {name: any}
    data: {x: y}
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
  x: "y"
kind: ConfigMap
metadata:
  name: cfg
"#),
        },
        Case {
            name: r#"json_file_with_leading_space_and_crlf"#,
            kustomization: r#"patches:
- target: {kind: ConfigMap}
  path: j.json
"#,
            files: &[(
                r#"j.json"#,
                r#"  [{"op": "add", "path": "/data/x", "value": "y"}]
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
  k: v
  x: "y"
kind: ConfigMap
metadata:
  name: cfg
"#),
        },
        Case {
            name: r#"sm_file_with_crlf"#,
            kustomization: r#"patches:
- target: {kind: ConfigMap}
  path: p.yaml
"#,
            files: &[(
                r#"p.yaml"#,
                r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: x
data:
  crlf: "yes"
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
  crlf: "yes"
  k: v
kind: ConfigMap
metadata:
  name: cfg
"#),
        },
        Case {
            name: r#"json_sees_build_annotations"#,
            kustomization: r#"patches:
- target: {kind: ConfigMap}
  patch: |-
    - {op: add, path: /metadata/annotations/foo, value: bar}
    - {op: copy, from: /metadata/annotations, path: /data/m}
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
  m:
    foo: bar
    internal.config.kubernetes.io/previousKinds: ConfigMap
    internal.config.kubernetes.io/previousNames: cfg
    internal.config.kubernetes.io/previousNamespaces: default
kind: ConfigMap
metadata:
  annotations:
    foo: bar
  name: cfg
"#),
        },
        Case {
            name: r#"empty_map_patch_fails_when_applied"#,
            kustomization: r#"patches:
- target: {kind: ConfigMap}
  patch: "{}"
"#,
            files: &[],
            want: Err(r#"json: cannot unmarshal object into Go value of type jsonpatch.Patch"#),
        },
        Case {
            name: r#"empty_map_patch_without_match"#,
            kustomization: r#"patches:
- target: {kind: Nothing}
  patch: "{}"
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
    ]);
}
