//! `schema`: every object matches the Kubernetes schema of its kind (or the
//! CRD in the output that defines it).

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use rustomize_engine::Resource;
use rustomize_engine::split_api_version;

/// See the module docs.
pub(super) struct Schema;

impl Rule for Schema {
    fn id(&self) -> &'static str {
        "schema"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "Objects match the Kubernetes schema of their kind: no unknown fields, no wrong types, no missing required fields."
    }

    fn check(&self, cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        let (group, version) = split_api_version(r.api_version());
        let kind = r.kind();
        let id = if let Some(id) = cx.builtin.kind(group, version, kind) {
            id
        } else if let Some(crd) = cx.crds.get(group, kind) {
            match crd.versions.iter().find(|(v, _)| v == version) {
                Some((_, Some(id))) => *id,
                Some((_, None)) => return,
                None => {
                    let served: Vec<&str> = crd.versions.iter().map(|(v, _)| v.as_str()).collect();
                    out.push(Hit::new(
                        "apiVersion",
                        format!(
                            "CustomResourceDefinition \"{}\" does not serve version \"{version}\" (it serves {})",
                            crd.crd_name,
                            served.join(", ")
                        ),
                    ));
                    return;
                }
            }
        } else if cx.builtin.is_builtin_group(group) {
            let mut msg = format!(
                "Kubernetes {} has no kind {kind} in {}",
                cx.builtin.minor,
                r.api_version()
            );
            let served = cx.builtin.api_versions_of(kind);
            if !served.is_empty() {
                msg.push_str(&format!(" (it serves {kind} as {})", served.join(", ")));
            }
            out.push(Hit::new("apiVersion", msg));
            return;
        } else {
            return;
        };
        let mut problems = Vec::new();
        cx.store.validate(&r.node, id, &mut problems);
        out.extend(
            problems
                .into_iter()
                .filter(|p| !p.not_checked)
                .map(|p| Hit::new(p.path, p.message)),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::Options;
    use crate::testing::{GOOD_APP, findings, findings_of};

    const RULE: &str = "schema";

    #[test]
    fn valid_objects_pass() {
        assert_eq!(findings(RULE, GOOD_APP), "");
        let misc = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  labels: {app.kubernetes.io/name: web}
  annotations: {note: "1"}
  creationTimestamp: null
data: {PORT: "8080"}
binaryData: {blob: aGVsbG8=}
---
apiVersion: v1
kind: Service
metadata: {name: s}
spec:
  ports:
  - {port: 80, targetPort: http}
  - {port: 443, targetPort: 8443}
"#;
        assert_eq!(findings(RULE, misc), "");
    }

    #[test]
    fn wrong_types() {
        let yaml = GOOD_APP
            .replace("replicas: 1", "replicas: \"1\"")
            .replace("containerPort: 8000", "containerPort: 8000.5")
            .replace(
                "readOnlyRootFilesystem: true",
                "readOnlyRootFilesystem: \"yes\"",
            )
            .replace(
                "labels: {app: api}\nspec:\n  replicas",
                "labels: {app: 1}\nspec:\n  replicas",
            )
            .replace("      - name: api\n", "      - name: [api]\n")
            .replace("port: 80\n", "port: {number: 80}\n");
        assert_eq!(
            findings(RULE, &yaml),
            "\
app.yaml:5: error[schema] Deployment api: metadata.labels.app: expected a string, got integer 1
app.yaml:7: error[schema] Deployment api: spec.replicas: expected an integer, got string \"1\"
app.yaml:17: error[schema] Deployment api: spec.template.spec.containers[0].name: expected a string, got an array
app.yaml:20: error[schema] Deployment api: spec.template.spec.containers[0].ports[0].containerPort: expected an integer, got number 8000.5
app.yaml:29: error[schema] Deployment api: spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem: expected a boolean, got string \"yes\"
app.yaml:53: error[schema] Service api: spec.ports[0].port: expected an integer, got an object
"
        );
    }

    #[test]
    fn unknown_fields() {
        let yaml = GOOD_APP
            .replace("  replicas: 1", "  replica: 1")
            .replace("containerPort: 8000", "containerport: 8000")
            .replace(
                "metadata:\n  name: api-data",
                "metadata:\n  name: api-data\n  label: {a: b}",
            );
        assert_eq!(
            findings(RULE, &yaml),
            "\
app.yaml:7: error[schema] Deployment api: spec.replica: unknown field \"replica\"
app.yaml:20: error[schema] Deployment api: spec.template.spec.containers[0].ports[0].containerport: unknown field \"containerport\"
app.yaml:20: error[schema] Deployment api: spec.template.spec.containers[0].ports[0].containerPort: missing required field \"containerPort\"
app.yaml:41: error[schema] PersistentVolumeClaim api-data: metadata.label: unknown field \"label\"
"
        );
    }

    #[test]
    fn missing_required_fields() {
        let yaml = r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers:
      - image: app:v1
        env:
        - value: x
        - name: Y
          valueFrom: {secretKeyRef: {name: s}}
"#;
        assert_eq!(
            findings(RULE, yaml),
            "\
app.yaml:10: error[schema] Deployment d: spec.template.spec.containers[0].env[0].name: missing required field \"name\"
app.yaml:12: error[schema] Deployment d: spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef.key: missing required field \"key\"
app.yaml:8: error[schema] Deployment d: spec.template.spec.containers[0].name: missing required field \"name\"
app.yaml:4: error[schema] Deployment d: spec.selector: missing required field \"selector\"
"
        );
    }

    #[test]
    fn malformed_values() {
        let yaml = r#"apiVersion: v1
kind: Secret
metadata: {name: s}
data: {password: hunter2}
---
apiVersion: v1
kind: LimitRange
metadata: {name: l}
spec:
  limits:
  - type: Container
    default: {memory: 512mb, cpu: 1}
---
apiVersion: v1
kind: Service
metadata: {name: s}
spec:
  ports: [{port: 4294967296}]
"#;
        assert_eq!(
            findings(RULE, yaml),
            "\
app.yaml:4: error[schema] Secret s: data.password: invalid base64 data
app.yaml:12: error[schema] LimitRange l: spec.limits[0].default.memory: invalid quantity \"512mb\"
app.yaml:18: error[schema] Service s: spec.ports[0].port: 4294967296 does not fit a 32-bit integer
"
        );
    }

    #[test]
    fn kinds_a_version_does_not_serve() {
        let yaml = r#"apiVersion: extensions/v1beta1
kind: Deployment
metadata: {name: old}
---
apiVersion: resource.k8s.io/v1
kind: ResourceClaim
metadata: {name: gpu}
spec: {}
"#;
        assert_eq!(
            findings(RULE, yaml),
            "app.yaml:1: error[schema] Deployment old: apiVersion: Kubernetes 1.37 has no kind Deployment in extensions/v1beta1 (it serves Deployment as apps/v1)\n"
        );
        let old = Options {
            kubernetes_version: Some("1.33".into()),
            ..Options::default()
        };
        assert_eq!(
            findings_of(RULE, yaml, &old),
            "\
app.yaml:1: error[schema] Deployment old: apiVersion: Kubernetes 1.33 has no kind Deployment in extensions/v1beta1 (it serves Deployment as apps/v1)
app.yaml:5: error[schema] ResourceClaim gpu: apiVersion: Kubernetes 1.33 has no kind ResourceClaim in resource.k8s.io/v1 (it serves ResourceClaim as resource.k8s.io/v1alpha3, resource.k8s.io/v1beta1, resource.k8s.io/v1beta2)
"
        );
    }

    const CRD: &str = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: backups.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Backup, plural: backups}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [schedule]
            properties:
              schedule: {type: string, pattern: '^\S+ \S+ \S+ \S+ \S+$'}
              keep: {type: integer, minimum: 1}
              mode: {type: string, enum: [full, incremental]}
              port: {x-kubernetes-int-or-string: true}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
---
"#;

    #[test]
    fn custom_resources_follow_their_crd() {
        let good = format!(
            "{CRD}apiVersion: example.com/v1\nkind: Backup\nmetadata: {{name: nightly}}\nspec:\n  \
schedule: '0 3 * * *'\n  keep: 7\n  mode: full\n  port: http\n  extra: {{anything: [1, 2]}}\n"
        );
        assert_eq!(findings(RULE, &good), "");
        let bad = format!(
            "{CRD}apiVersion: example.com/v1\nkind: Backup\nmetadata: {{name: nightly}}\nspec:\n  \
keep: 0\n  mode: partial\n  port: true\n  retain: 3\n---\napiVersion: example.com/v2\nkind: Backup\n\
metadata: {{name: later}}\n"
        );
        assert_eq!(
            findings(RULE, &bad),
            "\
app.yaml:30: error[schema] Backup nightly: spec.keep: 0 is out of bounds
app.yaml:31: error[schema] Backup nightly: spec.mode: \"partial\" is not one of \"full\", \"incremental\"
app.yaml:32: error[schema] Backup nightly: spec.port: expected an integer or a string, got boolean true
app.yaml:33: error[schema] Backup nightly: spec.retain: unknown field \"retain\"
app.yaml:29: error[schema] Backup nightly: spec.schedule: missing required field \"schedule\"
app.yaml:35: error[schema] Backup later: apiVersion: CustomResourceDefinition \"backups.example.com\" does not serve version \"v2\" (it serves v1)
"
        );
    }

    #[test]
    fn custom_resources_without_crd_are_not_checked() {
        let yaml = "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: web}\nspec: {bogus: 1}\n";
        assert_eq!(findings(RULE, yaml), "");
        assert_eq!(
            findings("schema-not-checked", yaml),
            "app.yaml:1: info[schema-not-checked] Certificate web: not checked: no CustomResourceDefinition for \
Certificate in cert-manager.io/v1 is in the output\n"
        );
        assert_eq!(
            findings(
                "schema-not-checked",
                &format!(
                    "{CRD}apiVersion: example.com/v1\nkind: Backup\nmetadata: {{name: b}}\nspec: {{schedule: x}}\n"
                )
            ),
            ""
        );
    }

    /// A CRD `pattern` the regex engine cannot compile (a lookahead) was
    /// dropped, so the field passed as if checked; `$ref` likewise.
    #[test]
    fn unusable_crd_schema_parts_are_reported_as_not_checked() {
        let crd = CRD
            .replace(
                "schedule: {type: string, pattern: '^\\S+ \\S+ \\S+ \\S+ \\S+$'}",
                "schedule: {type: string, pattern: '^(?=\\d)\\S+$'}",
            )
            .replace(
                "keep: {type: integer, minimum: 1}",
                "keep: {$ref: '#/definitions/Keep'}",
            );
        assert_ne!(crd, CRD);
        let yaml = format!(
            "{crd}apiVersion: example.com/v1\nkind: Backup\nmetadata: {{name: b}}\nspec: {{schedule: 'x y', keep: 3}}\n"
        );
        assert_eq!(findings(RULE, &yaml), "");
        assert_eq!(
            findings("schema-not-checked", &yaml),
            "\
app.yaml:29: info[schema-not-checked] Backup b: spec.schedule: not checked: the CRD's pattern \"^(?=\\d)\\S+$\" is not a regular expression the validator can use (error: look-around, including look-ahead and look-behind, is not supported)
app.yaml:29: info[schema-not-checked] Backup b: spec.keep: not checked: the CRD's schema refers to \"#/definitions/Keep\" ($ref), which the validator does not follow
"
        );
    }
}
