//! `dangling-reference`: references to ConfigMaps, Secrets,
//! PersistentVolumeClaims, ServiceAccounts, Services and PersistentVolumes
//! name objects that are in the output. References marked
//! `optional: true` are exempt, as is the `default` ServiceAccount.
//!
//! A Secret or ConfigMap counts as present when a producer in the output
//! creates it (a cert-manager Certificate, a SealedSecret, an ExternalSecret;
//! see `producers`).

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{is_true, namespace_of, pod_template, q, text};
use rustomize_engine::Resource;
use rustomize_yaml::{Map, Node};

/// See the module docs.
pub(super) struct DanglingReference;

impl Rule for DanglingReference {
    fn id(&self) -> &'static str {
        "dangling-reference"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "References to ConfigMaps, Secrets, claims, service accounts, Services and volumes name objects in the output."
    }

    fn check(&self, cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        let ns = namespace_of(r);
        let mut refs = Refs { cx, ns, out };
        if let Some(pt) = pod_template(r) {
            pod_refs(&mut refs, pt.spec, pt.path);
        }
        let spec = r.node.get("spec");
        match r.kind() {
            "StatefulSet" => {
                if let Some(name) = text(spec.and_then(|s| s.get("serviceName"))) {
                    refs.check("Service", name, "spec.serviceName".into());
                }
            }
            "Ingress" => {
                let backend = |refs: &mut Refs<'_, '_>, b: &Node, path: String| {
                    if let Some(name) = text(b.get_path(&["service", "name"])) {
                        refs.check("Service", name, format!("{path}.service.name"));
                    } else if let Some(name) = text(b.get("serviceName")) {
                        refs.check("Service", name, format!("{path}.serviceName"));
                    }
                };
                if let Some(spec) = spec {
                    for key in ["defaultBackend", "backend"] {
                        if let Some(b) = spec.get(key) {
                            backend(&mut refs, b, format!("spec.{key}"));
                        }
                    }
                    for (i, rule) in seq(spec.get("rules")).iter().enumerate() {
                        let paths = rule.get_path(&["http", "paths"]);
                        for (j, p) in seq(paths).iter().enumerate() {
                            if let Some(b) = p.get("backend") {
                                backend(
                                    &mut refs,
                                    b,
                                    format!("spec.rules[{i}].http.paths[{j}].backend"),
                                );
                            }
                        }
                    }
                }
            }
            "PersistentVolumeClaim" => {
                let volume = text(spec.and_then(|s| s.get("volumeName")));
                if let Some(name) = volume.filter(|n| !n.is_empty())
                    && !cx.index.has("PersistentVolume", "", name)
                {
                    refs.out.push(Hit::new(
                        "spec.volumeName",
                        format!(
                            "no PersistentVolume {} in the output: the claim stays Pending",
                            q(name)
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
}

struct Refs<'c, 'o> {
    cx: &'c Context<'c>,
    ns: &'c str,
    out: &'o mut Vec<Hit>,
}

impl Refs<'_, '_> {
    fn check(&mut self, kind: &str, name: &str, path: String) {
        if !name.is_empty() && !self.cx.index.has(kind, self.ns, name) {
            self.out.push(Hit::new(
                path,
                format!("no {kind} {} in the output", q(name)),
            ));
        }
    }

    /// A reference with an `optional` flag beside its name.
    fn check_optional(&mut self, kind: &str, holder: &Node, name_key: &str, path: String) {
        if is_true(holder.get("optional")) {
            return;
        }
        if let Some(name) = text(holder.get(name_key)) {
            self.check(kind, name, format!("{path}.{name_key}"));
        }
    }
}

fn seq(n: Option<&Node>) -> &[Node] {
    n.and_then(Node::as_seq).map(Vec::as_slice).unwrap_or(&[])
}

fn pod_refs(refs: &mut Refs<'_, '_>, spec: &Map, base: &str) {
    for field in ["initContainers", "containers"] {
        for (i, c) in seq(spec.get(field)).iter().enumerate() {
            let cpath = format!("{base}.{field}[{i}]");
            for (j, from) in seq(c.get("envFrom")).iter().enumerate() {
                for (key, kind) in [("configMapRef", "ConfigMap"), ("secretRef", "Secret")] {
                    if let Some(r) = from.get(key) {
                        refs.check_optional(kind, r, "name", format!("{cpath}.envFrom[{j}].{key}"));
                    }
                }
            }
            for (j, env) in seq(c.get("env")).iter().enumerate() {
                for (key, kind) in [("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")] {
                    if let Some(r) = env.get_path(&["valueFrom", key]) {
                        refs.check_optional(
                            kind,
                            r,
                            "name",
                            format!("{cpath}.env[{j}].valueFrom.{key}"),
                        );
                    }
                }
            }
        }
    }
    for (i, v) in seq(spec.get("volumes")).iter().enumerate() {
        let vpath = format!("{base}.volumes[{i}]");
        if let Some(cm) = v.get("configMap") {
            refs.check_optional("ConfigMap", cm, "name", format!("{vpath}.configMap"));
        }
        if let Some(s) = v.get("secret") {
            refs.check_optional("Secret", s, "secretName", format!("{vpath}.secret"));
        }
        if let Some(claim) = text(v.get_path(&["persistentVolumeClaim", "claimName"])) {
            refs.check(
                "PersistentVolumeClaim",
                claim,
                format!("{vpath}.persistentVolumeClaim.claimName"),
            );
        }
        let sources = v.get_path(&["projected", "sources"]);
        for (k, src) in seq(sources).iter().enumerate() {
            for (key, kind) in [("configMap", "ConfigMap"), ("secret", "Secret")] {
                if let Some(r) = src.get(key) {
                    refs.check_optional(
                        kind,
                        r,
                        "name",
                        format!("{vpath}.projected.sources[{k}].{key}"),
                    );
                }
            }
        }
    }
    for key in ["serviceAccountName", "serviceAccount"] {
        if let Some(name) = text(spec.get(key)).filter(|n| *n != "default") {
            refs.check("ServiceAccount", name, format!("{base}.{key}"));
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{GOOD_APP, findings};

    const RULE: &str = "dangling-reference";

    const REFS: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers:
      - name: web
        image: web:v1
        envFrom:
        - configMapRef: {name: web-config}
        - secretRef: {name: web-extra, optional: true}
        env:
        - name: TOKEN
          valueFrom:
            secretKeyRef: {name: web-secret, key: token}
      volumes:
      - name: certs
        secret: {secretName: web-tls}
      - name: data
        persistentVolumeClaim: {claimName: web-data}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
  - host: web.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: web, port: {number: 80}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: web-data, namespace: shop}
spec:
  accessModes: [ReadWriteMany]
  volumeName: web-pv
  resources: {requests: {storage: 1Gi}}
"#;

    const TARGETS: &str = r#"---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: shop}
---
apiVersion: v1
kind: Secret
metadata: {name: web-secret, namespace: shop}
---
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {name: web-tls, namespace: shop}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: web-pv}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteMany]
  hostPath: {path: /srv/web}
"#;

    #[test]
    fn everything_present_passes() {
        assert_eq!(findings(RULE, GOOD_APP), "");
        assert_eq!(findings(RULE, &format!("{REFS}{TARGETS}")), "");
    }

    #[test]
    fn missing_targets_fail() {
        assert_eq!(
            findings(RULE, REFS),
            "\
app.yaml:14: error[dangling-reference] Deployment shop/web: spec.template.spec.containers[0].envFrom[0].configMapRef.name: no ConfigMap \"web-config\" in the output
app.yaml:19: error[dangling-reference] Deployment shop/web: spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name: no Secret \"web-secret\" in the output
app.yaml:22: error[dangling-reference] Deployment shop/web: spec.template.spec.volumes[0].secret.secretName: no Secret \"web-tls\" in the output
app.yaml:9: error[dangling-reference] Deployment shop/web: spec.template.spec.serviceAccountName: no ServiceAccount \"web\" in the output
app.yaml:37: error[dangling-reference] Ingress shop/web: spec.rules[0].http.paths[0].backend.service.name: no Service \"web\" in the output
app.yaml:44: error[dangling-reference] PersistentVolumeClaim shop/web-data: spec.volumeName: no PersistentVolume \"web-pv\" in the output: the claim stays Pending
"
        );
    }

    #[test]
    fn other_namespace_does_not_count() {
        let yaml = format!("{REFS}{TARGETS}").replace(
            "kind: ConfigMap\nmetadata: {name: web-config, namespace: shop}",
            "kind: ConfigMap\nmetadata: {name: web-config, namespace: other}",
        );
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:14: error[dangling-reference] Deployment shop/web: spec.template.spec.containers[0].envFrom[0].configMapRef.name: no ConfigMap \"web-config\" in the output\n"
        );
    }

    /// A Certificate's Secret was a dangling reference; producers the
    /// configuration adds resolve too.
    #[test]
    fn secrets_producers_create_are_present() {
        let mount = |secret: &str| {
            GOOD_APP.replace(
                "      volumes:\n",
                &format!(
                    "      volumes:\n      - name: s\n        secret: {{secretName: {secret}}}\n"
                ),
            )
        };
        let certificate = "---\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: api}\nspec: {secretName: api-tls}\n";
        assert_eq!(findings(RULE, &(mount("api-tls") + certificate)), "");
        let claim = "---\napiVersion: db.example.com/v1\nkind: DatabaseClaim\nmetadata: {name: api}\nspec: {secretName: api-db}\n";
        let yaml = mount("api-db") + claim;
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:35: error[dangling-reference] Deployment api: spec.template.spec.volumes[0].secret.secretName: no Secret \"api-db\" in the output\n"
        );
        let config = crate::parse_config(
            "producers:\n- {kind: DatabaseClaim, group: db.example.com, creates: Secret, name: spec.secretName}\n",
        )
        .unwrap();
        let opts = crate::Options {
            config,
            ..crate::Options::default()
        };
        assert_eq!(crate::testing::findings_of(RULE, &yaml, &opts), "");
    }
}
