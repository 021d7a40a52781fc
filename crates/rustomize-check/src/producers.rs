//! Producers: objects whose controllers create Secrets or ConfigMaps (a
//! cert-manager `Certificate` makes the Secret named in `spec.secretName`),
//! so a reference to what they create is not dangling.
//!
//! [`BUILTIN`] lists the common ones; the configuration's `producers:`
//! adds more:
//!
//! ```yaml
//! producers:
//!   - kind: VaultStaticSecret
//!     group: secrets.hashicorp.com   # optional: any group when unset
//!     creates: Secret                # or ConfigMap
//!     name: spec.destination.name    # the field with the name; `[]` walks a list
//! ```
//!
//! When the name field is unset, the object's own `metadata.name` is the
//! name (as for SealedSecrets and ExternalSecrets without a target name).

use crate::error::ConfigError;
use crate::workload::text;
use rustomize_yaml::Node;

/// One kind of producer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Producer {
    /// The API group (`cert-manager.io`); `None` matches any.
    pub group: Option<String>,
    /// The kind (`Certificate`).
    pub kind: String,
    /// What it creates: `Secret` or `ConfigMap`.
    pub creates: String,
    /// The dotted field path holding the created object's name
    /// (`spec.secretName`; `spec.secretObjects[].secretName` for every item
    /// of a list); empty for the producer's own name.
    pub name: String,
}

/// The producers `check` knows without configuration:
/// (group, kind, creates, name field).
pub(crate) const BUILTIN: &[(&str, &str, &str, &str)] = &[
    (
        "cert-manager.io",
        "Certificate",
        "Secret",
        "spec.secretName",
    ),
    (
        "bitnami.com",
        "SealedSecret",
        "Secret",
        "spec.template.metadata.name",
    ),
    (
        "external-secrets.io",
        "ExternalSecret",
        "Secret",
        "spec.target.name",
    ),
    (
        "secrets-store.csi.x-k8s.io",
        "SecretProviderClass",
        "Secret",
        "spec.secretObjects[].secretName",
    ),
    (
        "secrets.hashicorp.com",
        "VaultStaticSecret",
        "Secret",
        "spec.destination.name",
    ),
    (
        "secrets.hashicorp.com",
        "VaultDynamicSecret",
        "Secret",
        "spec.destination.name",
    ),
    (
        "secrets.hashicorp.com",
        "VaultPKISecret",
        "Secret",
        "spec.destination.name",
    ),
    ("onepassword.com", "OnePasswordItem", "Secret", ""),
    (
        "isindir.github.com",
        "SopsSecret",
        "Secret",
        "spec.secretTemplates[].name",
    ),
    ("trust.cert-manager.io", "Bundle", "ConfigMap", ""),
];

impl Producer {
    /// The built-in producers.
    pub fn builtin() -> Vec<Producer> {
        BUILTIN
            .iter()
            .map(|&(group, kind, creates, name)| Producer {
                group: Some(group.to_string()),
                kind: kind.to_string(),
                creates: creates.to_string(),
                name: name.to_string(),
            })
            .collect()
    }

    /// Reads one `producers:` entry (`index` in the list at `line`).
    pub fn parse(n: &Node, index: usize, line: u32) -> Result<Producer, ConfigError> {
        let field = format!("producers[{index}]");
        let m = n.as_map().ok_or_else(|| ConfigError::Expected {
            line,
            field: field.clone(),
            expected: "expected a mapping with kind, creates and name",
        })?;
        let mut p = Producer {
            group: None,
            kind: String::new(),
            creates: String::new(),
            name: String::new(),
        };
        for e in &m.entries {
            let value =
                text(Some(&e.value))
                    .map(str::to_string)
                    .ok_or_else(|| ConfigError::Expected {
                        line: e.key.line,
                        field: format!("{field}.{}", e.key.value),
                        expected: "expected a string",
                    })?;
            match e.key.value.as_str() {
                "group" => p.group = Some(value),
                "kind" => p.kind = value,
                "creates" => p.creates = value,
                "name" => p.name = value,
                other => {
                    return Err(ConfigError::UnknownField {
                        line: e.key.line,
                        within: Some(field),
                        field: other.to_string(),
                        known: "group, kind, creates, name",
                    });
                }
            }
        }
        if p.kind.is_empty() {
            return Err(ConfigError::Expected {
                line: m.line,
                field: format!("{field}.kind"),
                expected: "a producer needs a kind",
            });
        }
        if !matches!(p.creates.as_str(), "Secret" | "ConfigMap") {
            return Err(ConfigError::Expected {
                line: m.line,
                field: format!("{field}.creates"),
                expected: "expected Secret or ConfigMap",
            });
        }
        Ok(p)
    }

    /// Whether an object of this group and kind is this producer.
    pub fn is(&self, group: &str, kind: &str) -> bool {
        self.kind == kind && self.group.as_deref().is_none_or(|g| g == group)
    }

    /// The names of what `object` creates; its own name when the field is
    /// unset.
    pub fn names<'a>(&self, object: &'a Node, own_name: &'a str) -> Vec<&'a str> {
        if self.name.is_empty() {
            return vec![own_name];
        }
        let mut out = Vec::new();
        let segments: Vec<&str> = self.name.split('.').collect();
        walk(object, &segments, &mut out);
        if out.is_empty() && !self.name.contains("[]") {
            out.push(own_name);
        }
        out
    }
}

fn walk<'a>(n: &'a Node, segments: &[&str], out: &mut Vec<&'a str>) {
    let Some((first, rest)) = segments.split_first() else {
        if let Some(s) = n.as_str().filter(|s| !s.is_empty()) {
            out.push(s);
        }
        return;
    };
    match first.strip_suffix("[]") {
        Some(key) => {
            if let Some(seq) = n.get(key).and_then(Node::as_seq) {
                for item in seq {
                    walk(item, rest, out);
                }
            }
        }
        None => {
            if let Some(next) = n.get(first) {
                walk(next, rest, out);
            }
        }
    }
}
