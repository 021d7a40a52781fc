//! `plain-secret`: no Secret value is committed in the tree: not in a
//! Secret object, not in a `secretGenerator`'s `literals`, and not in the
//! `envs` or `files` a generator reads from the tree. SealedSecrets and
//! ExternalSecrets are fine; so are values that are plainly placeholders
//! (`changeme`, `fake-...`, `<token>`, `${TOKEN}`, empty).
//!
//! Runs only on built trees: in rendered YAML read with `-f`, generated
//! Secrets cannot be told from committed ones. What a generator read comes
//! from the build (`BuildMeta::generated_from`).

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use rustomize_engine::{GeneratedFrom, Resource};
use rustomize_yaml::Node;

/// See the module docs.
pub(super) struct PlainSecret;

impl Rule for PlainSecret {
    fn id(&self) -> &'static str {
        "plain-secret"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "No Secret value is committed in the tree: not in a Secret, not in secretGenerator literals or in the env files and files it reads."
    }

    fn check(&self, cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        if !cx.provenance || r.kind() != "Secret" || r.api_version() != "v1" {
            return;
        }
        if let Some(from) = &r.meta.generated_from {
            generated(r, from, out);
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
                    .filter(|e| e.value.as_str().is_some_and(|v| !is_placeholder(v)))
                    .map(|e| e.key.value.as_str())
                    .collect(),
                None => continue,
            };
            if keys.is_empty() {
                continue;
            }
            let mut hit = Hit::new(
                field,
                format!(
                    "Secret values ({}) are committed in the tree: generate the Secret with a secretGenerator from a file kept out of Git, or use SealedSecrets or External Secrets",
                    keys.join(", ")
                ),
            );
            hit.at = value_pos(r, field, keys[0]);
            out.push(hit);
        }
    }
}

/// A generated Secret: its literals are in the kustomization, its env and
/// file sources in the tree.
fn generated(r: &Resource, from: &GeneratedFrom, out: &mut Vec<Hit>) {
    let Some(data) = r.node.get("data").and_then(Node::as_map) else {
        return;
    };
    let real = |key: &str| {
        data.get(key)
            .and_then(Node::as_str)
            .is_some_and(|v| decode_base64(v).is_none_or(|v| !is_placeholder(&v)))
    };
    let literals: Vec<&str> = from
        .literal_keys
        .iter()
        .map(String::as_str)
        .filter(|k| real(k))
        .collect();
    if !literals.is_empty() {
        let mut hit = Hit::new(
            "data",
            format!(
                "Secret values ({}) are secretGenerator literals, committed with the kustomization: read them from a file kept out of Git, or use SealedSecrets or External Secrets",
                literals.join(", ")
            ),
        );
        // The first literal's line.
        hit.at = value_pos(r, "data", literals[0]);
        out.push(hit);
    }
    let from_files: Vec<&str> = data
        .entries
        .iter()
        .map(|e| e.key.value.as_str())
        .filter(|k| !from.literal_keys.iter().any(|l| l == k) && real(k))
        .collect();
    let sources: Vec<&str> = from
        .envs
        .iter()
        .chain(&from.files)
        .map(|f| f.split_once('=').map_or(f.as_str(), |(_, path)| path))
        .collect();
    if !from_files.is_empty() && !sources.is_empty() {
        let mut hit = Hit::new(
            "data",
            format!(
                "Secret values ({}) come from {} in the tree: if the file is committed, so are they; keep it out of Git and create it where you build, or use SealedSecrets or External Secrets",
                from_files.join(", "),
                sources.join(", ")
            ),
        );
        // The first value's line in its file.
        hit.at = value_pos(r, "data", from_files[0]);
        out.push(hit);
    }
}

/// Where the value of `key` under `field` was set, when known.
fn value_pos(r: &Resource, field: &str, key: &str) -> Option<rustomize_yaml::Pos> {
    let pos = r.node.get(field)?.get(key)?.pos();
    (pos.src != 0 || pos.line != 0).then_some(pos)
}

/// Whether a value is plainly not a real secret.
fn is_placeholder(v: &str) -> bool {
    let v = v.trim();
    let lower = v.to_ascii_lowercase();
    v.is_empty()
        || (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with("${") && v.ends_with('}'))
        || [
            "changeme",
            "change-me",
            "change_me",
            "replaceme",
            "replace-me",
            "placeholder",
            "fake",
            "dummy",
            "example",
            "xxxx",
            "todo",
        ]
        .iter()
        .any(|p| lower.contains(p))
}

/// Standard base64 (a Secret's `data`); `None` when it is not.
fn decode_base64(s: &str) -> Option<String> {
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for b in s.bytes().filter(|b| !b.is_ascii_whitespace()) {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use crate::testing::{build_tree, findings, lines_of, report, resources};
    use crate::{Options, Target, check};
    use rustomize_engine::Behavior;

    const RULE: &str = "plain-secret";
    const SECRET: &str =
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData:\n  password: hunter2\n";

    #[test]
    fn empty_and_generated_secrets_pass() {
        let empty = "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ntype: kubernetes.io/service-account-token\n";
        assert_eq!(findings(RULE, empty), "");
        let mut generated = resources(SECRET).resources.into_resources();
        generated[0].meta.behavior = Some(Behavior::Create);
        generated[0].meta.needs_hash = true;
        let target = Target {
            name: "tree".into(),
            dir: None,
            provenance: true,
        };
        let report = check(&generated, &target, &Options::default()).unwrap();
        assert!(report.findings.iter().all(|f| f.rule != RULE));
    }

    #[test]
    fn committed_secret_fails() {
        assert_eq!(
            findings(RULE, SECRET),
            "app.yaml:5: error[plain-secret] Secret db: stringData: Secret values (password) are committed in the \
tree: generate the Secret with a secretGenerator from a file kept out of Git, or use SealedSecrets or External Secrets\n"
        );
    }

    #[test]
    fn rendered_yaml_is_not_judged() {
        let report = check(
            resources(SECRET).resources.resources(),
            &Target::rendered("-"),
            &Options::default(),
        )
        .unwrap();
        assert!(report.findings.iter().all(|f| f.rule != RULE));
    }

    fn generated(kustomization: &str, files: &[(&str, &str)]) -> String {
        let mut all = vec![("kustomization.yaml", kustomization)];
        all.extend_from_slice(files);
        lines_of(RULE, &report(&build_tree(&all), &Options::default()))
    }

    /// secretGenerator literals were taken as safe (generated), though
    /// they sit in the committed kustomization.
    #[test]
    fn secret_generator_literals_fail() {
        assert_eq!(
            generated(
                "secretGenerator:\n- name: db\n  literals: [POSTGRES_PASSWORD=supersecret, POSTGRES_USER=changeme]\n",
                &[]
            ),
            "kustomization.yaml:3: error[plain-secret] Secret db-7d6cd5mbk8: data: Secret values (POSTGRES_PASSWORD) are \
secretGenerator literals, committed with the kustomization: read them from a file kept out of Git, or use SealedSecrets or External Secrets\n"
        );
    }

    /// Env files a secretGenerator read from the tree were taken as safe.
    #[test]
    fn secret_generator_env_files_in_the_tree_fail() {
        assert_eq!(
            generated(
                "secretGenerator:\n- name: keys\n  envs: [api.env]\n  files: [tls.key]\n",
                &[
                    ("api.env", "API_KEY=sk_live_123\nOTHER=<set me>\n"),
                    ("tls.key", "-----BEGIN KEY-----\n")
                ]
            ),
            "api.env:1: error[plain-secret] Secret keys-g7975h9h9g: data: Secret values (API_KEY, tls.key) come \
from api.env, tls.key in the tree: if the file is committed, so are they; keep it out of Git and create it where you build, \
or use SealedSecrets or External Secrets\n"
        );
    }

    #[test]
    fn placeholder_values_pass() {
        assert_eq!(
            generated(
                "secretGenerator:\n- name: keys\n  envs: [api.env]\n",
                &[(
                    "api.env",
                    "OPENAI_API_KEY=fake-openai-key-0000\nTOKEN=${TOKEN}\n"
                )]
            ),
            ""
        );
        let placeholder = SECRET.replace("hunter2", "CHANGEME");
        assert_eq!(findings(RULE, &placeholder), "");
    }
}
