//! Tests of the name reference transformer.
//!
//! Inputs are the state the earlier build steps leave: resources already
//! renamed, with their previous ids, prefixes and suffixes in `BuildMeta`.
//! To keep the tables readable, that bookkeeping is written in the input as
//! `test/...` annotations that the helper moves into `BuildMeta`:
//! `test/previous: "cm, ns1/p-cm"` (previous names, oldest first, with
//! `namespace/` when not `default`), `test/prefixes`, `test/suffixes`,
//! `test/generated: "true"` (needs a hash, behavior unspecified).
//!
//! Expected outputs marked "kubectl" were printed by `kubectl kustomize`
//! (kustomize v5.5.0) for a tree that leads to that state; the comment
//! says which.

use super::*;
use crate::model::fieldspec::TransformerConfig;
use crate::model::resid::ResId;
use indoc::indoc;
use rustomize_yaml::parse_documents;

const TEST_ANNOTATIONS: [&str; 4] = [
    "test/previous",
    "test/prefixes",
    "test/suffixes",
    "test/generated",
];

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// Parses resources, moving `test/...` annotations into `BuildMeta`.
fn load(yaml: &str) -> ResMap {
    let mut rm = ResMap::new();
    for node in parse_documents(yaml).unwrap() {
        let mut res = Resource::new(node);
        let annos = res.annotations();
        let get = |k: &str| {
            annos
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        let kind = res.kind().to_string();
        let cluster = res.gvk().is_cluster_scoped();
        if let Some(prev) = get("test/previous") {
            for p in list(prev) {
                let (ns, name) = match p.split_once('/') {
                    Some((ns, name)) => (ns.to_string(), name.to_string()),
                    None if cluster => ("_non_namespaceable_".to_string(), p),
                    None => ("default".to_string(), p),
                };
                res.meta.previous.push((ns, name, kind.clone()));
            }
        }
        res.meta.prefixes = get("test/prefixes").map(list).unwrap_or_default();
        res.meta.suffixes = get("test/suffixes").map(list).unwrap_or_default();
        if get("test/generated").is_some() {
            res.meta.needs_hash = true;
            res.meta.behavior = Some(crate::model::resource::Behavior::Create);
        }
        let kept: Vec<(String, String)> = annos
            .into_iter()
            .filter(|(k, _)| !TEST_ANNOTATIONS.contains(&k.as_str()))
            .collect();
        if res.node.get_path(&["metadata", "annotations"]).is_some() {
            res.set_string_map("annotations", kept);
        }
        rm.push_unchecked(res);
    }
    rm
}

fn emit(rm: &ResMap) -> String {
    rm.resources()
        .iter()
        .map(|r| rustomize_yaml::emit::to_string(&r.node).unwrap())
        .collect::<Vec<_>>()
        .join("---\n")
}

/// Runs the default transformer, checking that the probe changes nothing:
/// the plain walk of every spec gives the same output, error and `ref_by`.
fn run(yaml: &str) -> Result<String, String> {
    run_with(&NameReferenceTransformer::with_default_config(), load(yaml))
}

fn run_with(t: &NameReferenceTransformer, rm: ResMap) -> Result<String, String> {
    let outcome = |probe: bool| {
        let mut rm = rm.clone();
        let result = t
            .fix_all(&mut rm, probe)
            .map_err(|e| e.report().to_string());
        let refs: Vec<Vec<ResId>> = rm
            .resources()
            .iter()
            .map(|r| r.meta.ref_by.clone())
            .collect();
        (result.map(|()| emit(&rm)), refs)
    };
    let (fast, plain) = (outcome(true), outcome(false));
    assert_eq!(fast, plain, "the probe changed the outcome");
    fast.0
}

#[test]
fn table() {
    struct Case {
        name: &'static str,
        input: &'static str,
        expected: Result<&'static str, &'static str>,
    }
    let cases = [
        Case {
            // kubectl: base with a Deployment, HPA, Ingress, ServiceAccount,
            // PVC, Service, generated ConfigMap and Secret; overlay with
            // namePrefix p-, nameSuffix -s, namespace ns1.
            name: "workload references follow prefix, suffix, hash and namespace",
            input: indoc! {r#"
                apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: p-sa-s
                  namespace: ns1
                  annotations: {test/previous: "sa, p-sa-s", test/prefixes: p-, test/suffixes: -s}
                ---
                apiVersion: v1
                data:
                  a: "1"
                kind: ConfigMap
                metadata:
                  name: p-cfg-s-h29d89cmmt
                  namespace: ns1
                  annotations: {test/previous: "cfg, p-cfg-s, ns1/p-cfg-s", test/prefixes: p-, test/suffixes: -s, test/generated: "true"}
                ---
                apiVersion: v1
                data:
                  p: cQ==
                kind: Secret
                metadata:
                  name: p-sec-s-hb2dth72f6
                  namespace: ns1
                  annotations: {test/previous: "sec, p-sec-s, ns1/p-sec-s", test/prefixes: p-, test/suffixes: -s, test/generated: "true"}
                type: Opaque
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: p-svc-s
                  namespace: ns1
                  annotations: {test/previous: "svc, p-svc-s", test/prefixes: p-, test/suffixes: -s}
                ---
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata:
                  name: p-claim-s
                  namespace: ns1
                  annotations: {test/previous: "claim, p-claim-s", test/prefixes: p-, test/suffixes: -s}
                spec:
                  storageClassName: fast
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: p-web-s
                  namespace: ns1
                  annotations: {test/previous: "web, p-web-s", test/prefixes: p-, test/suffixes: -s}
                spec:
                  template:
                    spec:
                      serviceAccountName: sa
                      imagePullSecrets:
                      - name: sec
                      - name: external
                      containers:
                      - name: c
                        envFrom:
                        - configMapRef:
                            name: cfg
                        - secretRef:
                            name: sec
                        env:
                        - name: X
                          valueFrom:
                            configMapKeyRef:
                              name: cfg
                              key: a
                        - name: "Y"
                          valueFrom:
                            secretKeyRef: {name: sec, key: p}
                      volumes:
                      - name: v1
                        configMap:
                          name: cfg
                      - name: v2
                        secret:
                          secretName: sec
                      - name: v3
                        persistentVolumeClaim:
                          claimName: claim
                      - name: v4
                        projected:
                          sources:
                          - configMap: {name: cfg}
                          - secret: {name: sec}
                ---
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata:
                  name: p-hpa-s
                  namespace: ns1
                  annotations: {test/previous: "hpa, p-hpa-s", test/prefixes: p-, test/suffixes: -s}
                spec:
                  scaleTargetRef:
                    apiVersion: apps/v1
                    kind: Deployment
                    name: web
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: p-ing-s
                  namespace: ns1
                  annotations:
                    nginx.ingress.kubernetes.io/auth-secret: sec
                    test/previous: "ing, p-ing-s"
                    test/prefixes: p-
                    test/suffixes: -s
                spec:
                  defaultBackend:
                    service: {name: svc, port: {number: 80}}
                  tls:
                  - secretName: sec
                  rules:
                  - http:
                      paths:
                      - backend:
                          service: {name: svc}
                      - backend:
                          serviceName: svc
            "#},
            expected: Ok(indoc! {r#"
                apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: p-sa-s
                  namespace: ns1
                ---
                apiVersion: v1
                data:
                  a: "1"
                kind: ConfigMap
                metadata:
                  name: p-cfg-s-h29d89cmmt
                  namespace: ns1
                ---
                apiVersion: v1
                data:
                  p: cQ==
                kind: Secret
                metadata:
                  name: p-sec-s-hb2dth72f6
                  namespace: ns1
                type: Opaque
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: p-svc-s
                  namespace: ns1
                ---
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata:
                  name: p-claim-s
                  namespace: ns1
                spec:
                  storageClassName: fast
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: p-web-s
                  namespace: ns1
                spec:
                  template:
                    spec:
                      containers:
                      - env:
                        - name: X
                          valueFrom:
                            configMapKeyRef:
                              key: a
                              name: p-cfg-s-h29d89cmmt
                        - name: "Y"
                          valueFrom:
                            secretKeyRef:
                              key: p
                              name: p-sec-s-hb2dth72f6
                        envFrom:
                        - configMapRef:
                            name: p-cfg-s-h29d89cmmt
                        - secretRef:
                            name: p-sec-s-hb2dth72f6
                        name: c
                      imagePullSecrets:
                      - name: p-sec-s-hb2dth72f6
                      - name: external
                      serviceAccountName: p-sa-s
                      volumes:
                      - configMap:
                          name: p-cfg-s-h29d89cmmt
                        name: v1
                      - name: v2
                        secret:
                          secretName: p-sec-s-hb2dth72f6
                      - name: v3
                        persistentVolumeClaim:
                          claimName: p-claim-s
                      - name: v4
                        projected:
                          sources:
                          - configMap:
                              name: p-cfg-s-h29d89cmmt
                          - secret:
                              name: p-sec-s-hb2dth72f6
                ---
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata:
                  name: p-hpa-s
                  namespace: ns1
                spec:
                  scaleTargetRef:
                    apiVersion: apps/v1
                    kind: Deployment
                    name: p-web-s
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  annotations:
                    nginx.ingress.kubernetes.io/auth-secret: p-sec-s-hb2dth72f6
                  name: p-ing-s
                  namespace: ns1
                spec:
                  defaultBackend:
                    service:
                      name: p-svc-s
                      port:
                        number: 80
                  rules:
                  - http:
                      paths:
                      - backend:
                          service:
                            name: p-svc-s
                      - backend:
                          serviceName: p-svc-s
                  tls:
                  - secretName: p-sec-s-hb2dth72f6
            "#}),
        },
        Case {
            // kubectl: RBAC base (ServiceAccount sa, Role r, ClusterRole cr,
            // bindings) under an overlay with namePrefix p- and namespace
            // ns1, next to a base with namespace other, namePrefix o- and
            // ServiceAccount osa.
            name: "binding subjects and roleRefs, across namespaces",
            input: indoc! {r#"
                apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: p-sa
                  namespace: ns1
                  annotations: {test/previous: "sa, p-sa", test/prefixes: p-}
                ---
                apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: o-osa
                  namespace: other
                  annotations: {test/previous: "osa, o-osa", test/prefixes: o-}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata:
                  name: p-r
                  namespace: ns1
                  annotations: {test/previous: "r, p-r", test/prefixes: p-}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata:
                  name: p-cr
                  annotations: {test/previous: "cr, p-cr", test/prefixes: p-}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: p-rb
                  namespace: ns1
                  annotations: {test/previous: "rb, p-rb", test/prefixes: p-}
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: Role
                  name: r
                subjects:
                - kind: ServiceAccount
                  name: sa
                - kind: ServiceAccount
                  name: sa
                  namespace: default
                - kind: ServiceAccount
                  name: osa
                  namespace: other
                - kind: User
                  name: sa
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: p-rb2
                  namespace: ns1
                  annotations: {test/previous: "rb2, p-rb2", test/prefixes: p-}
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: ClusterRole
                  name: cr
                subjects:
                - kind: ServiceAccount
                  name: sa
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata:
                  name: p-crb
                  annotations: {test/previous: "crb, p-crb", test/prefixes: p-}
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: ClusterRole
                  name: cr
                subjects:
                - kind: ServiceAccount
                  name: sa
                  namespace: default
            "#},
            expected: Ok(indoc! {r#"
                apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: p-sa
                  namespace: ns1
                ---
                apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: o-osa
                  namespace: other
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata:
                  name: p-r
                  namespace: ns1
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata:
                  name: p-cr
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: p-rb
                  namespace: ns1
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: Role
                  name: p-r
                subjects:
                - kind: ServiceAccount
                  name: p-sa
                  namespace: ns1
                - kind: ServiceAccount
                  name: p-sa
                  namespace: ns1
                - kind: ServiceAccount
                  name: o-osa
                  namespace: other
                - kind: User
                  name: p-sa
                  namespace: ns1
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: p-rb2
                  namespace: ns1
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: ClusterRole
                  name: p-cr
                subjects:
                - kind: ServiceAccount
                  name: p-sa
                  namespace: ns1
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata:
                  name: p-crb
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: ClusterRole
                  name: p-cr
                subjects:
                - kind: ServiceAccount
                  name: p-sa
                  namespace: ns1
            "#}),
        },
        Case {
            // kubectl: base with Service svc, a webhook configuration,
            // Role x and ClusterRole x, four RoleBindings; overlay with
            // namespace ns1 and JSON patches renaming the Role to role-x
            // and the ClusterRole to cr-x.
            name: "roleRef kind picks Role or ClusterRole; webhook service gets the namespace",
            input: indoc! {r#"
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata:
                  name: role-x
                  namespace: ns1
                  annotations: {test/previous: "x, ns1/x"}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata:
                  name: cr-x
                  annotations: {test/previous: "x"}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: rb1
                  namespace: ns1
                  annotations: {test/previous: "rb1"}
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: ClusterRole
                  name: x
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: rb2
                  namespace: ns1
                  annotations: {test/previous: "rb2"}
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: Role
                  name: x
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: rb3
                  namespace: ns1
                  annotations: {test/previous: "rb3"}
                roleRef:
                  apiGroup: ""
                  kind: Role
                  name: x
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: rb4
                  namespace: ns1
                  annotations: {test/previous: "rb4"}
                roleRef:
                  kind: Role
                  name: x
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: svc
                  namespace: ns1
                  annotations: {test/previous: "svc"}
                ---
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata:
                  name: mwc
                webhooks:
                - name: a
                  clientConfig:
                    service:
                      name: svc
                      namespace: default
                - name: b
                  clientConfig:
                    service:
                      name: svc
                - name: c
                  clientConfig:
                    service:
                      name: svc
                      namespace: elsewhere
            "#},
            expected: Ok(indoc! {r#"
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata:
                  name: role-x
                  namespace: ns1
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata:
                  name: cr-x
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: rb1
                  namespace: ns1
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: ClusterRole
                  name: cr-x
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: rb2
                  namespace: ns1
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: Role
                  name: role-x
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: rb3
                  namespace: ns1
                roleRef:
                  apiGroup: ""
                  kind: Role
                  name: role-x
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: rb4
                  namespace: ns1
                roleRef:
                  kind: Role
                  name: role-x
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: svc
                  namespace: ns1
                ---
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata:
                  name: mwc
                webhooks:
                - clientConfig:
                    service:
                      name: svc
                      namespace: ns1
                  name: a
                - clientConfig:
                    service:
                      name: svc
                      namespace: ns1
                  name: b
                - clientConfig:
                    service:
                      name: svc
                      namespace: elsewhere
                  name: c
            "#}),
        },
        Case {
            // kubectl: a ClusterRole naming ConfigMap cm, generated in two
            // bases with namespaces a and b; b also has namePrefix p-.
            name: "prefixes pick among candidates in several namespaces",
            input: indoc! {r#"
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata:
                  name: cr
                rules:
                - resourceNames: [cm, other]
                  resources: [configmaps]
                ---
                apiVersion: v1
                data:
                  x: "1"
                kind: ConfigMap
                metadata:
                  name: cm-hmg6f82fh6
                  namespace: a
                  annotations: {test/previous: "cm, a/cm", test/generated: "true"}
                ---
                apiVersion: v1
                data:
                  x: "2"
                kind: ConfigMap
                metadata:
                  name: p-cm-d5gm26dhhd
                  namespace: b
                  annotations: {test/previous: "cm, p-cm, b/p-cm", test/prefixes: p-, test/generated: "true"}
            "#},
            expected: Ok(indoc! {r#"
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata:
                  name: cr
                rules:
                - resourceNames:
                  - cm-hmg6f82fh6
                  - other
                  resources:
                  - configmaps
                ---
                apiVersion: v1
                data:
                  x: "1"
                kind: ConfigMap
                metadata:
                  name: cm-hmg6f82fh6
                  namespace: a
                ---
                apiVersion: v1
                data:
                  x: "2"
                kind: ConfigMap
                metadata:
                  name: p-cm-d5gm26dhhd
                  namespace: b
            "#}),
        },
        Case {
            // kubectl: one base (ServiceAccount sa, RoleBinding rb) under
            // two overlays, namePrefix a- and namePrefix b- with nameSuffix
            // -x, combined with a ClusterRoleBinding naming sa.
            name: "prefixes and suffixes tie each copy to its own referral; none fit an unprefixed referrer",
            input: indoc! {r#"
                apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: a-sa
                  annotations: {test/previous: sa, test/prefixes: a-}
                ---
                apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: b-sa-x
                  annotations: {test/previous: sa, test/prefixes: b-, test/suffixes: -x}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: a-rb
                  annotations: {test/previous: rb, test/prefixes: a-}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
                subjects:
                - kind: ServiceAccount
                  name: sa
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: b-rb-x
                  annotations: {test/previous: rb, test/prefixes: b-, test/suffixes: -x}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
                subjects:
                - kind: ServiceAccount
                  name: sa
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata:
                  name: crb
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
                subjects:
                - kind: ServiceAccount
                  name: sa
                  namespace: default
            "#},
            expected: Ok(indoc! {r#"
                apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: a-sa
                ---
                apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: b-sa-x
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: a-rb
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: ClusterRole
                  name: view
                subjects:
                - kind: ServiceAccount
                  name: a-sa
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: b-rb-x
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: ClusterRole
                  name: view
                subjects:
                - kind: ServiceAccount
                  name: b-sa-x
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata:
                  name: crb
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: ClusterRole
                  name: view
                subjects:
                - kind: ServiceAccount
                  name: sa
                  namespace: default
            "#}),
        },
        Case {
            // kubectl: as above, without the prefix in b.
            name: "ambiguous reference is an error naming every candidate",
            input: indoc! {r#"
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata:
                  name: cr
                rules:
                - resourceNames: [cm, other]
                  resources: [configmaps]
                ---
                apiVersion: v1
                data:
                  x: "1"
                kind: ConfigMap
                metadata:
                  name: cm-hmg6f82fh6
                  namespace: a
                  annotations: {test/previous: "cm, a/cm", test/generated: "true"}
                ---
                apiVersion: v1
                data:
                  x: "2"
                kind: ConfigMap
                metadata:
                  name: cm-d5gm26dhhd
                  namespace: b
                  annotations: {test/previous: "cm, b/cm", test/generated: "true"}
            "#},
            expected: Err(indoc! {r#"
                updating name reference in 'rules/resourceNames' field of 'ClusterRole.v1.rbac.authorization.k8s.io/cr.[noNs]': considering field 'rules/resourceNames' of object ClusterRole.v1.rbac.authorization.k8s.io/cr.[noNs]: visit traversal on path: [resourceNames]: found multiple possible referrals: ConfigMap.v1.[noGrp]/cm-hmg6f82fh6.a, ConfigMap.v1.[noGrp]/cm-d5gm26dhhd.b

                **** Too many possible referral targets to referrer:
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata:
                  name: cr
                rules:
                - resourceNames:
                  - cm
                  - other
                  resources:
                  - configmaps

                --- possible referral 0:
                apiVersion: v1
                data:
                  x: "1"
                kind: ConfigMap
                metadata:
                  annotations:
                    internal.config.kubernetes.io/generatorBehavior: unspecified
                    internal.config.kubernetes.io/needsHashSuffix: enabled
                    internal.config.kubernetes.io/previousKinds: ConfigMap,ConfigMap
                    internal.config.kubernetes.io/previousNames: cm,cm
                    internal.config.kubernetes.io/previousNamespaces: default,a
                  name: cm-hmg6f82fh6
                  namespace: a

                --- possible referral 1:
                apiVersion: v1
                data:
                  x: "2"
                kind: ConfigMap
                metadata:
                  annotations:
                    internal.config.kubernetes.io/generatorBehavior: unspecified
                    internal.config.kubernetes.io/needsHashSuffix: enabled
                    internal.config.kubernetes.io/previousKinds: ConfigMap,ConfigMap
                    internal.config.kubernetes.io/previousNames: cm,cm
                    internal.config.kubernetes.io/previousNamespaces: default,b
                  name: cm-d5gm26dhhd
                  namespace: b

            "#}),
        },
        Case {
            // kubectl: a Pod whose volumes field is a string.
            name: "a scalar where the path goes on is an error",
            input: indoc! {r#"
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                spec:
                  volumes: oops
            "#},
            expected: Err(
                "updating name reference in 'spec/volumes/configMap/name' field of 'Pod.v1.[noGrp]/p.[noNs]': considering field 'spec/volumes/configMap/name' of object Pod.v1.[noGrp]/p.[noNs]: expected sequence or mapping node",
            ),
        },
        Case {
            // kubectl: a StatefulSet whose volumes and volumeClaimTemplates
            // are strings. kustomize orders back references by kind
            // (StorageClass before ConfigMap), not as its table lists them.
            name: "back references run in kustomize's kind order",
            input: indoc! {r#"
                apiVersion: apps/v1
                kind: StatefulSet
                metadata:
                  name: d
                spec:
                  volumeClaimTemplates: oops
                  template:
                    spec:
                      volumes: oops
            "#},
            expected: Err(
                "updating name reference in 'spec/volumeClaimTemplates/spec/storageClassName' field of 'StatefulSet.v1.apps/d.[noNs]': considering field 'spec/volumeClaimTemplates/spec/storageClassName' of object StatefulSet.v1.apps/d.[noNs]: expected sequence or mapping node",
            ),
        },
        Case {
            // kubectl: a Deployment whose configMapKeyRef is a number.
            name: "errors inside sequences name the rest of the path at each level",
            input: indoc! {r#"
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: p
                spec:
                  template:
                    spec:
                      containers:
                      - name: x
                        env: [{name: a, valueFrom: {configMapKeyRef: 3}}]
            "#},
            expected: Err(
                "updating name reference in 'spec/template/spec/containers/env/valueFrom/configMapKeyRef/name' field of 'Deployment.v1.apps/p.[noNs]': considering field 'spec/template/spec/containers/env/valueFrom/configMapKeyRef/name' of object Deployment.v1.apps/p.[noNs]: visit traversal on path: [env valueFrom configMapKeyRef name]: visit traversal on path: [valueFrom configMapKeyRef name]: expected sequence or mapping node",
            ),
        },
        Case {
            // kubectl: a webhook service with a namespace and no name.
            name: "a reference mapping without a name is an error",
            input: indoc! {r#"
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata:
                  name: mwc
                webhooks:
                - name: a
                  clientConfig:
                    service:
                      namespace: default
            "#},
            expected: Err(
                "updating name reference in 'webhooks/clientConfig/service' field of 'MutatingWebhookConfiguration.v1.admissionregistration.k8s.io/mwc.[noNs]': considering field 'webhooks/clientConfig/service' of object MutatingWebhookConfiguration.v1.admissionregistration.k8s.io/mwc.[noNs]: visit traversal on path: [clientConfig service]: path config error; no 'name' field in node",
            ),
        },
        Case {
            // kubectl: a RoleBinding with a ServiceAccount subject whose
            // namespace is empty.
            name: "a RoleBinding subject namespace must be a string",
            input: indoc! {r#"
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: rb
                subjects:
                - kind: ServiceAccount
                  name: sa
                  namespace:
            "#},
            expected: Err(
                "Invalid Input: namespace is blank for resource \"RoleBinding.v1.rbac.authorization.k8s.io/rb.[noNs]\"\n",
            ),
        },
    ];
    for case in cases {
        let got = run(case.input);
        match (&got, &case.expected) {
            (Ok(g), Ok(e)) => assert_eq!(g, e, "case: {}", case.name),
            (Err(g), Err(e)) => assert_eq!(g, e, "case: {}", case.name),
            _ => panic!("case: {}: got {got:?}", case.name),
        }
    }
}

#[test]
fn referrals_record_their_referrers() {
    let mut rm = load(indoc! {r#"
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: p-cm
          annotations: {test/previous: cm, test/prefixes: p-}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: untouched
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: p-web
          annotations: {test/previous: web, test/prefixes: p-}
        spec:
          template:
            spec:
              containers:
              - envFrom: [{configMapRef: {name: cm}}, {configMapRef: {name: untouched}}]
              volumes: [{configMap: {name: cm}}]
    "#});
    NameReferenceTransformer::with_default_config()
        .transform(&mut rm)
        .unwrap();
    let web = ResId::new(Gvk::from_api_version("apps/v1", "Deployment"), "p-web", "");
    assert_eq!(rm.get(0).meta.ref_by, vec![web.clone(), web]);
    // A resource never renamed is no referral, so it records nothing.
    assert!(rm.get(1).meta.ref_by.is_empty());
}

#[test]
fn referral_must_be_of_the_referenced_kind() {
    // An HPA pointing at a Deployment name does not pick a ConfigMap that
    // once had that name.
    let out = run(indoc! {r#"
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: p-web
          annotations: {test/previous: web, test/prefixes: p-}
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: hpa
        spec:
          scaleTargetRef: {kind: Deployment, name: web}
    "#})
    .unwrap();
    assert!(out.contains("    name: web\n"), "{out}");
}

#[test]
fn namespaces_keep_references_apart() {
    // An Ingress in namespace a does not follow a Service renamed in
    // namespace b; a ClusterRoleBinding (cluster-scoped) sees every
    // namespace.
    let out = run(indoc! {r#"
        apiVersion: v1
        kind: Service
        metadata:
          name: p-svc
          namespace: b
          annotations: {test/previous: "svc, b/svc", test/prefixes: p-}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: ing
          namespace: a
        spec:
          defaultBackend:
            service: {name: svc}
    "#})
    .unwrap();
    assert!(out.contains("      name: svc\n"), "{out}");
}

#[test]
fn unchanged_reference_mapping_without_namespace_is_left_alone() {
    // The referral kept its name and has no namespace: nothing is written
    // (no namespace field appears).
    let out = run(indoc! {r#"
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: sa
          annotations: {test/previous: sa}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: crb
        subjects:
        - kind: ServiceAccount
          name: sa
    "#})
    .unwrap();
    assert!(
        out.ends_with("subjects:\n- kind: ServiceAccount\n  name: sa\n"),
        "{out}"
    );
}

#[test]
fn five_thousand_config_maps_and_deployments() {
    // 5,000 renamed ConfigMaps, each used by its own Deployment, plus
    // 5,000 Services nobody renamed.
    const N: usize = 5000;
    let mut rm = ResMap::new();
    for i in 0..N {
        let mut cm = Resource::new(
            rustomize_yaml::parse_one(&format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p-cm-{i}-hash\n  namespace: ns\n"
            ))
            .unwrap(),
        );
        cm.meta.previous = vec![
            ("default".into(), format!("cm-{i}"), "ConfigMap".into()),
            ("default".into(), format!("p-cm-{i}"), "ConfigMap".into()),
            ("ns".into(), format!("p-cm-{i}"), "ConfigMap".into()),
        ];
        cm.meta.prefixes = vec!["p-".into()];
        rm.push_unchecked(cm);
    }
    for i in 0..N {
        let mut d = Resource::new(
            rustomize_yaml::parse_one(&format!(
                indoc! {"
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata:
                      name: p-web-{i}
                      namespace: ns
                    spec:
                      template:
                        spec:
                          containers:
                          - name: c
                            envFrom:
                            - configMapRef: {{name: cm-{i}}}
                            env:
                            - name: X
                              valueFrom: {{configMapKeyRef: {{name: cm-{j}, key: k}}}}
                          volumes:
                          - name: v
                            configMap: {{name: cm-{i}}}
                "},
                i = i,
                j = (i + 1) % N
            ))
            .unwrap(),
        );
        d.meta.previous = vec![
            ("default".into(), format!("web-{i}"), "Deployment".into()),
            ("default".into(), format!("p-web-{i}"), "Deployment".into()),
        ];
        d.meta.prefixes = vec!["p-".into()];
        rm.push_unchecked(d);
        rm.push_unchecked(Resource::new(
            rustomize_yaml::parse_one(&format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{i}\n  namespace: ns\n"
            ))
            .unwrap(),
        ));
    }
    NameReferenceTransformer::with_default_config()
        .transform(&mut rm)
        .unwrap();
    for i in 0..N {
        let d = &rm.get(N + 2 * i).node;
        let spec = ["spec", "template", "spec"];
        let c = &d
            .get_path(&spec)
            .unwrap()
            .get("containers")
            .unwrap()
            .as_seq()
            .unwrap()[0];
        let want = format!("p-cm-{i}-hash");
        let want_next = format!("p-cm-{}-hash", (i + 1) % N);
        assert_eq!(
            c.get("envFrom").unwrap().as_seq().unwrap()[0].str_at(&["configMapRef", "name"]),
            Some(want.as_str())
        );
        assert_eq!(
            c.get("env").unwrap().as_seq().unwrap()[0].str_at(&[
                "valueFrom",
                "configMapKeyRef",
                "name"
            ]),
            Some(want_next.as_str())
        );
        let v = &d
            .get_path(&spec)
            .unwrap()
            .get("volumes")
            .unwrap()
            .as_seq()
            .unwrap()[0];
        assert_eq!(v.str_at(&["configMap", "name"]), Some(want.as_str()));
        assert_eq!(rm.get(i).meta.ref_by.len(), 3);
    }
}

#[test]
fn same_name_in_many_namespaces() {
    // 200 namespaces, each with a ConfigMap renamed from "cm" and a
    // Deployment using it; a ClusterRole (cluster-scoped) naming "cm"
    // sees all of them, and the ones with the same prefix and suffix as
    // itself are not narrowed to one: it is ambiguous.
    const N: usize = 200;
    let mut yaml = String::new();
    for i in 0..N {
        yaml.push_str(&format!(
            indoc! {"
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: cm-{i}
                  namespace: ns{i}
                  annotations: {{test/previous: \"cm, ns{i}/cm\"}}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                  namespace: ns{i}
                  annotations: {{test/previous: \"web\"}}
                spec:
                  template:
                    spec:
                      volumes: [{{name: v, configMap: {{name: cm}}}}]
                ---
            "},
            i = i
        ));
    }
    let mut rm = load(&yaml);
    NameReferenceTransformer::with_default_config()
        .transform(&mut rm)
        .unwrap();
    for i in 0..N {
        let d = &rm.get(2 * i + 1).node;
        let v = &d
            .get_path(&["spec", "template", "spec", "volumes"])
            .unwrap()
            .as_seq()
            .unwrap()[0];
        assert_eq!(
            v.str_at(&["configMap", "name"]),
            Some(format!("cm-{i}").as_str())
        );
    }
    yaml.push_str(indoc! {"
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: cr
        rules:
        - resourceNames: [cm]
    "});
    let err = run(&yaml).unwrap_err();
    assert!(
        err.contains("found multiple possible referrals: ConfigMap.v1.[noGrp]/cm-0.ns0, ConfigMap.v1.[noGrp]/cm-1.ns1, "),
        "{err}"
    );
}

#[test]
fn custom_back_references_and_references_to_self() {
    // kubectl: a Namespace team-a and a ConfigMap settings in it, with
    // namespace team-b, nameSuffix -v2 and this configuration. Each
    // resource refers to itself and to the other.
    let mut config = TransformerConfig::default_config().clone();
    config
        .merge(
            &TransformerConfig::from_yaml(indoc! {"
                nameReference:
                - kind: Namespace
                  fieldSpecs:
                  - path: data/ns
                    kind: ConfigMap
                  - path: metadata/annotations/ns
                    kind: Namespace
                - kind: ConfigMap
                  fieldSpecs:
                  - path: data/self
                    kind: ConfigMap
                  - path: metadata/annotations/cm
                    kind: Namespace
            "})
            .unwrap(),
        )
        .unwrap();
    let rm = load(indoc! {r#"
        apiVersion: v1
        kind: Namespace
        metadata:
          annotations: {ns: team-a, cm: settings, test/previous: team-a}
          name: team-b
        ---
        apiVersion: v1
        data:
          ns: team-a
          self: settings
        kind: ConfigMap
        metadata:
          name: settings-v2
          namespace: team-b
          annotations: {test/previous: "team-a/settings, team-a/settings-v2", test/suffixes: -v2}
    "#});
    assert_eq!(
        run_with(&NameReferenceTransformer::new(&config.name_reference), rm).unwrap(),
        indoc! {"
            apiVersion: v1
            kind: Namespace
            metadata:
              annotations:
                cm: settings-v2
                ns: team-b
              name: team-b
            ---
            apiVersion: v1
            data:
              ns: team-b
              self: settings-v2
            kind: ConfigMap
            metadata:
              name: settings-v2
              namespace: team-b
        "}
    );
}

#[test]
fn later_specs_see_what_earlier_ones_wrote() {
    // kubectl: these resources with namePrefix p- and this configuration.
    // `spec/svc` fixes the mapping and adds its namespace, which
    // `spec/svc/namespace` then reads as a ConfigMap name; a null field
    // the path calls a list becomes an empty list.
    let mut config = TransformerConfig::default_config().clone();
    config
        .merge(
            &TransformerConfig::from_yaml(indoc! {"
                nameReference:
                - kind: ConfigMap
                  version: v1
                  fieldSpecs:
                  - path: spec/list[]/name
                    kind: Thing
                  - path: spec/svc
                    kind: Thing
                  - path: spec/svc/namespace
                    kind: Thing
            "})
            .unwrap(),
        )
        .unwrap();
    let rm = load(indoc! {r#"
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: p-cm
          namespace: cm
          annotations: {test/previous: cm/cm, test/prefixes: p-}
        ---
        apiVersion: example.com/v1
        kind: Thing
        metadata:
          name: p-t
          namespace: cm
          annotations: {test/previous: cm/t, test/prefixes: p-}
        spec:
          list:
          svc: {name: cm}
    "#});
    assert_eq!(
        run_with(&NameReferenceTransformer::new(&config.name_reference), rm).unwrap(),
        indoc! {"
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: p-cm
              namespace: cm
            ---
            apiVersion: example.com/v1
            kind: Thing
            metadata:
              name: p-t
              namespace: cm
            spec:
              list: []
              svc:
                name: p-cm
                namespace: p-cm
        "}
    );
}

#[test]
fn the_first_failing_spec_in_table_order_is_reported() {
    // kubectl: both paths run into a string; kustomize reports the
    // ConfigMap reference, whose back reference sorts before Secret's.
    let err = run(indoc! {r#"
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: d
        spec:
          template:
            spec:
              imagePullSecrets: oops
              volumes: oops
    "#})
    .unwrap_err();
    assert!(
        err.starts_with(
            "updating name reference in 'spec/template/spec/volumes/configMap/name' field"
        ),
        "{err}"
    );
}

#[test]
fn segments_split_as_field_spec_paths_do() {
    use super::walk::Segment;
    use crate::model::fieldspec::{TransformerConfig, split_path};
    let config = TransformerConfig::default_config();
    let mut paths: Vec<&str> = vec![
        "",
        "/",
        "//",
        "a",
        "/a",
        "a/",
        "a//b",
        "a\\/b/c[]",
        "a\\/b\\/c",
        "/x[]/y",
        "\\",
        "a\\",
    ];
    paths.extend(
        config
            .name_reference
            .iter()
            .flat_map(|n| n.field_specs.iter().map(|f| f.path.as_str())),
    );
    let mut bad = Vec::new();
    for path in paths {
        let segments = Segment::split(path);
        let raw: Vec<&str> = segments.iter().map(|s| s.raw.as_ref()).collect();
        let names_ok = segments.iter().all(|s| {
            let (name, seq) = match s.raw.strip_suffix("[]") {
                Some(n) => (n, true),
                None => (s.raw.as_ref(), false),
            };
            s.name == name && s.seq == seq
        });
        if raw != split_path(path) || !names_ok {
            bad.push(path);
        }
    }
    assert!(bad.is_empty(), "split differently: {bad:?}");
}
