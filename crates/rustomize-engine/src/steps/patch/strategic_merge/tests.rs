//! Cases verified against `kubectl kustomize` (kustomize v5.5.0): the
//! target is a resource file, the patch a `patches:` entry's file (with a
//! `target: {kind: ...}` selector where `targeted` is true), and the
//! expected text is what kubectl printed (for errors, the start of its
//! message).

use super::*;
use indoc::indoc;
use rustomize_yaml::{emit, parse_documents};

/// Applies each patch document to the resource it names (or, when
/// `targeted`, to the first resource of its kind, through the per-target
/// copy the patch transformer makes) as kustomize's patch transformer
/// does, and prints the result.
fn apply(target: &str, patch: &str, targeted: bool) -> Result<String, String> {
    use crate::model::resource::Resource;
    use crate::steps::patch::apply::{ChangeOptions, apply_sm_patch, patch_copy_for};
    let mut docs: Vec<Resource> = parse_documents(target)
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(Resource::new)
        .collect();
    let patches = parse_documents(patch).map_err(|e| e.to_string())?;
    for patch in patches.iter().filter(|p| !p.is_null()) {
        let kind = patch.str_at(&["kind"]).unwrap_or("");
        let name = patch.str_at(&["metadata", "name"]).unwrap_or("");
        let i = docs
            .iter()
            .position(|d| d.kind() == kind && (targeted || d.name() == name))
            .ok_or("no target")?;
        let patch = if targeted {
            patch_copy_for(patch, &docs[i])
        } else {
            patch.clone()
        };
        let kept = apply_sm_patch(
            &mut docs[i],
            &patch,
            ChangeOptions::default(),
            Schema::builtin(),
        )
        .map_err(|e| e.to_string())?;
        if !kept {
            docs.remove(i);
        }
    }
    let printed: Vec<String> = docs
        .iter()
        .map(|d| emit::to_string(&d.node).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    Ok(printed.join("---\n"))
}

fn check(target: &str, patch: &str, targeted: bool, expected: Result<&str, &str>) {
    let got = apply(target, patch, targeted);
    match expected {
        Ok(text) => assert_eq!(got.as_deref(), Ok(text)),
        Err(prefix) => match got {
            Err(e) => assert!(e.starts_with(prefix), "{e}\ndoes not start with\n{prefix}"),
            Ok(text) => panic!("expected error {prefix:?}, got\n{text}"),
        },
    }
}

#[test]
fn merge_reports_deletion_and_leaves_the_patch_alone() {
    let mut target = rustomize_yaml::parse_one("kind: ConfigMap\nmetadata: {name: x}\n").unwrap();
    let patch = rustomize_yaml::parse_one("kind: ConfigMap\nmetadata: {name: x}\n$patch: delete\n")
        .unwrap();
    let before = patch.clone();
    assert_eq!(
        merge(&mut target, &patch, Schema::builtin()).unwrap(),
        Outcome::Deleted
    );
    assert_eq!(patch, before);
}

#[test]
fn whole_object_replace_changes_nothing() {
    // kyaml returns the patch, but kustomize keeps the object it passed.
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: b\n";
    let mut target = rustomize_yaml::parse_one(text).unwrap();
    let patch = rustomize_yaml::parse_one(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n$patch: replace\ndata: {c: d}\n",
    )
    .unwrap();
    assert_eq!(
        merge(&mut target, &patch, Schema::builtin()).unwrap(),
        Outcome::Merged
    );
    assert_eq!(
        emit::to_string(&target).unwrap(),
        "apiVersion: v1\ndata:\n  a: b\nkind: ConfigMap\nmetadata:\n  name: x\n"
    );
}

#[test]
fn custom_schema_gives_crd_lists_merge_keys() {
    let schema = Schema::custom(
        &rustomize_yaml::parse_one(indoc! {r##"
            definitions:
              com.example.v1.Foo:
                x-kubernetes-group-version-kind: [{group: example.com, version: v1, kind: Foo}]
                properties:
                  spec:
                    properties:
                      items:
                        type: array
                        items: {}
                        x-kubernetes-patch-strategy: merge
                        x-kubernetes-patch-merge-key: id
        "##})
        .unwrap(),
    )
    .unwrap();
    // A custom schema replaces the Kubernetes one: Deployments lose their
    // merge keys.
    let mut deployment = rustomize_yaml::parse_one(
        "apiVersion: apps/v1\nkind: Deployment\nspec: {template: {spec: {containers: [{name: a}]}}}\n",
    )
    .unwrap();
    let patch = rustomize_yaml::parse_one(
        "apiVersion: apps/v1\nkind: Deployment\nspec: {template: {spec: {containers: [{name: b}]}}}\n",
    )
    .unwrap();
    merge(&mut deployment, &patch, &schema).unwrap();
    let containers = deployment.get_path(&["spec", "template", "spec", "containers"]);
    assert_eq!(containers.and_then(Node::as_seq).map(Vec::len), Some(1));
    let mut target = rustomize_yaml::parse_one(indoc! {"
        apiVersion: example.com/v1
        kind: Foo
        spec:
          items: [{id: a, v: 1}, {id: b, v: 2}]
    "})
    .unwrap();
    let patch = rustomize_yaml::parse_one(indoc! {"
        apiVersion: example.com/v1
        kind: Foo
        spec:
          items: [{id: b, v: 3}, {id: c}]
    "})
    .unwrap();
    merge(&mut target, &patch, &schema).unwrap();
    // Verified with `openapi: {path: schema.yaml}` in a kustomization.
    assert_eq!(
        emit::to_string(&target).unwrap(),
        indoc! {"
            apiVersion: example.com/v1
            kind: Foo
            spec:
              items:
              - id: b
                v: 3
              - id: c
              - id: a
                v: 1
        "}
    );
}

#[test]
fn container_ports_merge_by_port_and_protocol() {
    // Container ports: the same matching by port and protocol.
    check(
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - name: a
                    ports:
                    - containerPort: 80
                      protocol: TCP
                      name: http
                    - containerPort: 81
        "##},
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - name: a
                    ports:
                    - containerPort: 80
                      name: web
                    - containerPort: 81
                      protocol: UDP
        "##},
        false,
        Ok(indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - name: a
                    ports:
                    - containerPort: 80
                      name: http
                      protocol: TCP
                    - containerPort: 81
        "##}),
    );
}

#[test]
fn element_without_key_wipes_earlier_elements() {
    // A target element without the merge key drops every element before it.
    check(
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - name: a
                    image: a
                  - image: nokey
                  - name: c
                    image: c
        "##},
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - name: c
                    image: c2
        "##},
        false,
        Ok(indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - image: nokey
        "##}),
    );
}

#[test]
fn embedded_objects_use_their_own_schema() {
    // Below a field the schema does not know, a map with apiVersion and kind uses that type's schema.
    check(
        indoc! {r##"
            apiVersion: example.com/v1
            kind: Wrapper
            metadata:
              name: x
            spec:
              items:
              - name: a
              template:
                apiVersion: apps/v1
                kind: Deployment
                spec:
                  template:
                    spec:
                      containers:
                      - name: a
                        image: a
        "##},
        indoc! {r##"
            apiVersion: example.com/v1
            kind: Wrapper
            metadata:
              name: x
            spec:
              items:
              - name: b
              template:
                spec:
                  template:
                    spec:
                      containers:
                      - name: b
                        image: b
        "##},
        false,
        Ok(indoc! {r##"
            apiVersion: example.com/v1
            kind: Wrapper
            metadata:
              name: x
            spec:
              items:
              - name: b
              template:
                apiVersion: apps/v1
                kind: Deployment
                spec:
                  template:
                    spec:
                      containers:
                      - image: b
                        name: b
                      - image: a
                        name: a
        "##}),
    );
}

#[test]
fn env_and_volumes_merge_by_name() {
    // env and volumes merge by name (retainKeys means nothing to kyaml).
    check(
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - name: a
                    env:
                    - name: A
                      value: "1"
                    - name: B
                      valueFrom:
                        secretKeyRef: {name: s, key: k}
                  volumes:
                  - name: data
                    emptyDir: {}
                  - name: conf
                    configMap: {name: c}
        "##},
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - name: a
                    env:
                    - name: B
                      value: plain
                      valueFrom: null
                    - name: C
                      value: "3"
                  volumes:
                  - name: data
                    emptyDir: null
                    persistentVolumeClaim:
                      claimName: pvc
        "##},
        false,
        Ok(indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - env:
                    - name: B
                      value: plain
                    - name: C
                      value: "3"
                    - name: A
                      value: "1"
                    name: a
                  volumes:
                  - name: data
                    persistentVolumeClaim:
                      claimName: pvc
                  - configMap:
                      name: c
                    name: conf
        "##}),
    );
}

#[test]
fn kubernetes_only_directives_are_copied() {
    // `$setElementOrder`, `$retainKeys` and `$deleteFromPrimitiveList` are ordinary fields to kyaml.
    check(
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
              finalizers: [a, b]
            spec:
              template:
                spec:
                  containers:
                  - name: a
                    image: a
                    args: [p, q]
                  - name: b
                    image: b
        "##},
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
              $deleteFromPrimitiveList/finalizers: [a]
            spec:
              template:
                spec:
                  $setElementOrder/containers:
                  - name: b
                  - name: a
                  containers:
                  - name: a
                    image: a2
                    $retainKeys: [name]
        "##},
        false,
        Ok(indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              $deleteFromPrimitiveList/finalizers:
              - a
              finalizers:
              - a
              - b
              name: x
            spec:
              template:
                spec:
                  $setElementOrder/containers:
                  - name: b
                  - name: a
                  containers:
                  - $retainKeys:
                    - name
                    args:
                    - p
                    - q
                    image: a2
                    name: a
                  - image: b
                    name: b
        "##}),
    );
}

#[test]
fn list_delete_directive() {
    // `- $patch: delete` removes the whole list.
    check(
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - name: a
                    image: a
                  volumes:
                  - name: v
                    emptyDir: {}
        "##},
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  volumes:
                  - name: w
                  - $patch: delete
        "##},
        false,
        Ok(indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - image: a
                    name: a
        "##}),
    );
}

#[test]
fn list_merge_directive() {
    // `- $patch: merge` is the default.
    check(
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - name: a
                    image: a
        "##},
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - name: b
                    image: b
                  - $patch: merge
        "##},
        false,
        Ok(indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - image: b
                    name: b
                  - image: a
                    name: a
        "##}),
    );
}

#[test]
fn list_replace_directive() {
    // `- $patch: replace` takes the patch's list; its duplicate names collapse to the last.
    check(
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - name: a
                    image: a
                  - name: b
                    image: b
        "##},
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - $patch: replace
                  - name: c
                    image: c
                  - name: c
                    image: c-dup
                    args: [y]
        "##},
        false,
        Ok(indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - args:
                    - "y"
                    image: c-dup
                    name: c
        "##}),
    );
}

#[test]
fn map_against_list_is_an_error() {
    check(
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - name: a
        "##},
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                    name: a
        "##},
        false,
        Err("wrong node kind: expected SequenceNode but got MappingNode"),
    );
}

#[test]
fn map_against_scalar_is_an_error() {
    check(
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              replicas: 1
        "##},
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              replicas: {a: 1}
        "##},
        false,
        Err("wrong node kind: expected ScalarNode but got MappingNode"),
    );
}

#[test]
fn name_and_namespace_are_restored() {
    // The target keeps its name; a namespace it did not have is removed.
    check(
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              replicas: 1
        "##},
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: renamed
              namespace: added
            spec:
              replicas: 2
        "##},
        true,
        Ok(indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              replicas: 2
        "##}),
    );
}

#[test]
fn new_lists_merge_with_themselves() {
    // A list the target lacks is merged with itself; there its directives are not applied.
    check(
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - name: a
                    image: a
        "##},
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  volumes:
                  - $patch: replace
                  - name: v
                    emptyDir: {}
                    x: null
                  - name: v
                    hostPath: {path: /}
                  initContainers:
                  - name: i
                    $patch: delete
                  - name: j
                    image: j
                    env:
                    - {name: A, value: null}
        "##},
        false,
        Ok(indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - image: a
                    name: a
                  initContainers:
                  - env:
                    - name: A
                    image: j
                    name: j
                  volumes:
                  - $patch: replace
        "##}),
    );
}

#[test]
fn nulls_delete_and_empty_fields_vanish() {
    // `null` deletes; a new map loses its null fields; `key:` in the target vanishes, `~` and `null` stay.
    check(
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              replicas: 1
              empty:
              tilde: ~
              nul: null
        "##},
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              foo: null
              newmap:
                a: null
                b: 1
                c: {d: null, e: 2}
        "##},
        false,
        Ok(indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              newmap:
                b: 1
                c:
                  e: 2
              nul: null
              replicas: 1
              tilde: null
        "##}),
    );
}

#[test]
fn patch_elements_first_and_element_replace_undone() {
    // A merged list starts with the patch's elements; `$patch: replace` on an element is undone by the target's element.
    check(
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - name: a
                    image: a
                  - name: b
                    image: b
                  - name: c
                    image: c
        "##},
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - name: c
                    image: c2
                  - name: d
                    image: d
                  - name: b
                    $patch: replace
                    image: b2
                    args: [x]
        "##},
        false,
        Ok(indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - image: c2
                    name: c
                  - image: d
                    name: d
                  - image: b
                    name: b
                  - image: a
                    name: a
        "##}),
    );
}

#[test]
fn patched_values_take_the_target_quoting() {
    // A value replacing a quoted one is printed as a string.
    check(
        indoc! {r##"
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: x
            data:
              a: "on"
              b: plain
              c: 'x'
              d: |
                block
        "##},
        indoc! {r##"
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: x
            data:
              a: true
              b: "1"
              c: 2
              d: 3
              e: 4
        "##},
        false,
        Ok(indoc! {r##"
            apiVersion: v1
            data:
              a: "true"
              b: "1"
              c: "2"
              d: "3"
              e: 4
            kind: ConfigMap
            metadata:
              name: x
        "##}),
    );
}

#[test]
fn primitive_lists_merge_as_sets() {
    // A list with a merge strategy and no key merges its values, the patch's first.
    check(
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
              finalizers: [a, "b", c, a]
            spec:
              template:
                spec:
                  containers:
                  - name: a
                    args: [p, q]
        "##},
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
              finalizers: [d, c, "1"]
            spec:
              template:
                spec:
                  containers:
                  - name: a
                    args: [r]
        "##},
        false,
        Ok(indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              finalizers:
              - d
              - c
              - "1"
              - a
              - b
              name: x
            spec:
              template:
                spec:
                  containers:
                  - args:
                    - r
                    name: a
        "##}),
    );
}

#[test]
fn service_ports_merge_by_port_and_protocol() {
    // Service ports merge by port and protocol; a port without protocol matches the same port with one, and the target's element then wins.
    check(
        indoc! {r##"
            apiVersion: v1
            kind: Service
            metadata:
              name: x
            spec:
              ports:
              - port: 80
                targetPort: 8080
              - port: 443
                protocol: TCP
                name: https
              - port: 53
                protocol: UDP
                name: dns-udp
              - port: 53
                protocol: TCP
                name: dns-tcp
        "##},
        indoc! {r##"
            apiVersion: v1
            kind: Service
            metadata:
              name: x
            spec:
              ports:
              - port: 80
                protocol: TCP
                targetPort: 9090
              - port: 53
                protocol: UDP
                name: dns
              - port: 8443
                name: new
        "##},
        false,
        Ok(indoc! {r##"
            apiVersion: v1
            kind: Service
            metadata:
              name: x
            spec:
              ports:
              - name: new
                port: 8443
              - port: 80
                targetPort: 8080
              - name: https
                port: 443
                protocol: TCP
              - name: dns
                port: 53
                protocol: UDP
              - name: dns-tcp
                port: 53
                protocol: TCP
        "##}),
    );
}

#[test]
fn targeted_patch_labels_become_strings() {
    // A patch applied through `target` has its labels and annotations turned into strings first.
    check(
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
              namespace: ns
            spec:
              replicas: 1
        "##},
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: other
              labels:
                app:
                tier: ~
              annotations:
                n: null
            spec:
              replicas: 2
        "##},
        true,
        Ok(indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              annotations:
                "n": "null"
              labels:
                app: ""
                tier: "~"
              name: x
              namespace: ns
            spec:
              replicas: 2
        "##}),
    );
}

#[test]
fn unknown_kinds_replace_lists() {
    // Kinds the schema does not know have their lists replaced, even lists of named elements.
    check(
        indoc! {r##"
            apiVersion: example.com/v1
            kind: Foo
            metadata:
              name: x
            spec:
              items:
              - name: a
                v: 1
              - name: b
                v: 2
              template:
                spec:
                  containers:
                  - name: c
                    image: i
        "##},
        indoc! {r##"
            apiVersion: example.com/v1
            kind: Foo
            metadata:
              name: x
            spec:
              items:
              - name: b
                v: 3
              template:
                spec:
                  containers:
                  - name: d
                    image: j
        "##},
        false,
        Ok(indoc! {r##"
            apiVersion: example.com/v1
            kind: Foo
            metadata:
              name: x
            spec:
              items:
              - name: b
                v: 3
              template:
                spec:
                  containers:
                  - image: j
                    name: d
        "##}),
    );
}

#[test]
fn unknown_list_directive_is_an_error() {
    check(
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - name: a
        "##},
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - $patch: foo
        "##},
        false,
        Err("unknown patch strategy 'foo'"),
    );
}

#[test]
fn unknown_map_directive_is_an_error() {
    check(
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                spec:
                  containers:
                  - name: a
        "##},
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                $patch: foo
                spec:
                  containers:
                  - name: a
                    $patch: bar
        "##},
        false,
        Err("unknown patch strategy 'foo'"),
    );
}

#[test]
fn untouched_lists_are_rebuilt() {
    // Lists the patch does not mention are rebuilt: the last of two containers with one name wins.
    check(
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              template:
                metadata:
                  labels:
                    empty:
                    tilde: ~
                spec:
                  containers:
                  - name: a
                    image: a
                    args: [x, null, ~]
                    env:
                    - name: E
                    - name: E
                      value: dup
                    - name: F
                      value:
                  - name: a
                    image: a-dup
        "##},
        indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              replicas: 3
        "##},
        false,
        Ok(indoc! {r##"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              replicas: 3
              template:
                metadata:
                  labels:
                    tilde: null
                spec:
                  containers:
                  - image: a-dup
                    name: a
        "##}),
    );
}

#[test]
fn whole_object_delete() {
    // `$patch: delete` at the top deletes the object.
    check(
        indoc! {r##"
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: x
            data:
              a: b
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: y
        "##},
        indoc! {r##"
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: x
            $patch: delete
        "##},
        false,
        Ok(indoc! {r##"
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: "y"
        "##}),
    );
}
