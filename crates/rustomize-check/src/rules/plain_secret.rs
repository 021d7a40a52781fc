//! `plain-secret`: no Secret with literal values is committed in the tree.
//! Secrets made by a `secretGenerator` (from files or env files kept out of
//! Git), SealedSecrets and ExternalSecrets are fine.
//!
//! Runs only on built trees: in rendered YAML read with `-f`, generated
//! Secrets cannot be told from committed ones.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use rustomize_engine::Resource;
use rustomize_yaml::Node;

/// See the module docs.
pub struct PlainSecret;

impl Rule for PlainSecret {
    fn id(&self) -> &'static str {
        "plain-secret"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "No Secret with literal values is committed in the tree; generate it or encrypt it."
    }

    fn check(&self, cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        if !cx.provenance || r.kind() != "Secret" || r.api_version() != "v1" {
            return;
        }
        let generated = r.meta.behavior.is_some()
            || r.meta.needs_hash
            || r.meta
                .origin
                .as_ref()
                .is_some_and(|o| o.configured_by.is_some());
        if generated {
            return;
        }
        for field in ["data", "stringData"] {
            let keys: Vec<&str> = match r.node.get(field).and_then(Node::as_map) {
                Some(m) => m
                    .entries
                    .iter()
                    .filter(|e| e.value.as_str().is_some_and(|v| !v.is_empty()))
                    .map(|e| e.key.value.as_str())
                    .collect(),
                None => continue,
            };
            if keys.is_empty() {
                continue;
            }
            out.push(Hit::new(
                field,
                format!(
                    "Secret values ({}) are committed in the tree: generate the Secret with a secretGenerator from a file kept out of Git, or use SealedSecrets or External Secrets",
                    keys.join(", ")
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{findings, report, resources};
    use crate::{Options, Target, check};
    use rustomize_engine::Behavior;

    const RULE: &str = "plain-secret";
    const SECRET: &str =
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData:\n  password: hunter2\n";

    #[test]
    fn empty_and_generated_secrets_pass() {
        let empty = "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ntype: kubernetes.io/service-account-token\n";
        assert_eq!(findings(RULE, empty), "");
        let mut generated = resources(SECRET);
        generated[0].meta.behavior = Some(Behavior::Create);
        generated[0].meta.needs_hash = true;
        let report = report(&generated, &Options::default());
        assert!(report.findings.iter().all(|f| f.rule != RULE));
    }

    #[test]
    fn committed_secret_fails() {
        assert_eq!(
            findings(RULE, SECRET),
            "app.yaml:1: error[plain-secret] Secret db: stringData: Secret values (password) are committed in the \
tree: generate the Secret with a secretGenerator from a file kept out of Git, or use SealedSecrets or External Secrets\n"
        );
    }

    #[test]
    fn rendered_yaml_is_not_judged() {
        let report = check(
            &resources(SECRET),
            &Target::rendered("-"),
            &Options::default(),
        )
        .unwrap();
        assert!(report.findings.iter().all(|f| f.rule != RULE));
    }
}
