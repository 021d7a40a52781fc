//! `secret-key-ref`: a key taken from a Secret or ConfigMap exists in it.
//! Checks `env[].valueFrom.secretKeyRef` and `.configMapKeyRef`, and the
//! `items[].key` of `secret`, `configMap` and projected volumes, against
//! the Secrets and ConfigMaps in the output (`data`, `stringData`,
//! `binaryData`). References marked `optional: true`, and objects the
//! output does not have or that a producer creates (a cert-manager
//! Certificate's Secret), are not checked here.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{is_true, namespace_of, pod_template, q, text};
use rustomize_engine::Resource;
use rustomize_yaml::Node;

/// See the module docs.
pub(crate) struct SecretKeyRef;

impl Rule for SecretKeyRef {
    fn id(&self) -> &'static str {
        "secret-key-ref"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "Keys taken from Secrets and ConfigMaps in the output exist in them."
    }

    fn check(&self, cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        let Some(pt) = pod_template(r) else {
            return;
        };
        let ns = namespace_of(r);
        let mut want = |kind: &str, holder: &Node, name_key: &str, key: &str, path: String| {
            if is_true(holder.get("optional")) {
                return;
            }
            let Some(name) = text(holder.get(name_key)) else {
                return;
            };
            if cx.index.is_produced(kind, ns, name) {
                return;
            }
            let Some(object) = cx.index.get(kind, ns, name) else {
                return; // dangling-reference reports it
            };
            let keys = keys_of(object);
            if !keys.contains(&key) {
                let effect = if path.contains(".env[") {
                    "the container does not start (CreateContainerConfigError)"
                } else {
                    "the volume does not mount and the pod does not start"
                };
                out.push(Hit::new(
                    path,
                    format!(
                        "{kind} {} has no key {} ({}): {effect}",
                        q(name),
                        q(key),
                        if keys.is_empty() {
                            "it has none".to_string()
                        } else {
                            format!("it has {}", keys.join(", "))
                        }
                    ),
                ));
            }
        };
        for c in pt.containers() {
            let env = c.map.get("env").and_then(Node::as_seq);
            for (j, e) in env.into_iter().flatten().enumerate() {
                for (field, kind) in [("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")]
                {
                    if let Some(r) = e.get_path(&["valueFrom", field])
                        && let Some(key) = text(r.get("key"))
                    {
                        want(
                            kind,
                            r,
                            "name",
                            key,
                            c.at(&format!("env[{j}].valueFrom.{field}.key")),
                        );
                    }
                }
            }
        }
        let volumes = pt.spec.get("volumes").and_then(Node::as_seq);
        for (i, v) in volumes.into_iter().flatten().enumerate() {
            let mut sources: Vec<(&str, &Node, &str, String)> = Vec::new();
            if let Some(s) = v.get("secret") {
                sources.push((
                    "Secret",
                    s,
                    "secretName",
                    pt.at(&format!("volumes[{i}].secret")),
                ));
            }
            if let Some(s) = v.get("configMap") {
                sources.push((
                    "ConfigMap",
                    s,
                    "name",
                    pt.at(&format!("volumes[{i}].configMap")),
                ));
            }
            let projected = v.get_path(&["projected", "sources"]).and_then(Node::as_seq);
            for (k, src) in projected.into_iter().flatten().enumerate() {
                for (field, kind) in [("secret", "Secret"), ("configMap", "ConfigMap")] {
                    if let Some(s) = src.get(field) {
                        sources.push((
                            kind,
                            s,
                            "name",
                            pt.at(&format!("volumes[{i}].projected.sources[{k}].{field}")),
                        ));
                    }
                }
            }
            for (kind, holder, name_key, path) in sources {
                let items = holder.get("items").and_then(Node::as_seq);
                for (n, item) in items.into_iter().flatten().enumerate() {
                    if let Some(key) = text(item.get("key")) {
                        want(
                            kind,
                            holder,
                            name_key,
                            key,
                            format!("{path}.items[{n}].key"),
                        );
                    }
                }
            }
        }
    }
}

/// The keys of a Secret or ConfigMap, in file order.
fn keys_of(r: &Resource) -> Vec<&str> {
    ["data", "stringData", "binaryData"]
        .iter()
        .filter_map(|f| r.node.get(f).and_then(Node::as_map))
        .flat_map(|m| m.entries.iter().map(|e| e.key.value.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::testing::{GOOD_APP, findings};

    const RULE: &str = "secret-key-ref";

    fn app(key: &str, cm_key: &str) -> String {
        GOOD_APP.replace(
            "        volumeMounts:\n",
            &format!(
                "        env:\n        - name: DB_PASSWORD\n          valueFrom:\n            secretKeyRef: {{name: db, key: {key}}}\n        \
volumeMounts:\n        - {{name: conf, mountPath: /etc/app}}\n"
            ),
        )
        .replace(
            "      volumes:\n",
            &format!("      volumes:\n      - name: conf\n        configMap:\n          name: conf\n          items: [{{key: {cm_key}, path: app.ini}}]\n"),
        ) + "---\napiVersion: v1\nkind: Secret\nmetadata: {name: db}\ntype: Opaque\nstringData: {username: app, password: x}\n\
---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: conf}\ndata: {app.ini: \"[x]\"}\n"
    }

    #[test]
    fn existing_keys_pass() {
        assert_eq!(findings(RULE, &app("password", "app.ini")), "");
    }

    #[test]
    fn missing_keys_fail() {
        assert_eq!(
            findings(RULE, &app("pasword", "app.conf")),
            "\
app.yaml:34: error[secret-key-ref] Deployment api: spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key: Secret \"db\" has no key \"pasword\" (it has username, password): the container does not start (CreateContainerConfigError)
app.yaml:42: error[secret-key-ref] Deployment api: spec.template.spec.volumes[0].configMap.items[0].key: ConfigMap \"conf\" has no key \"app.conf\" (it has app.ini): the volume does not mount and the pod does not start
"
        );
    }

    #[test]
    fn optional_and_produced_references_are_not_checked() {
        let optional =
            app("pasword", "app.ini").replace("key: pasword}", "key: pasword, optional: true}");
        assert_eq!(findings(RULE, &optional), "");
        let produced = app("tls.crt", "app.ini").replace("{name: db, key", "{name: web-tls, key")
            + "---\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: web}\nspec: {secretName: web-tls}\n";
        assert_eq!(findings(RULE, &produced), "");
    }
}
