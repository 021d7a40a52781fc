//! Which object a document is: group, version, kind, namespace, name.

use rustomize_yaml::Node;
use std::fmt;

/// The identity of a Kubernetes object. Two objects are the same object
/// when group, kind, namespace and name are equal (the version is not part
/// of it: `apps/v1` and `apps/v1beta1` name one Deployment).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    /// The API group (`apps`; empty for the core group).
    pub group: String,
    /// The API version within the group (`v1`).
    pub version: String,
    /// The kind.
    pub kind: String,
    /// The namespace (empty when none is set).
    pub namespace: String,
    /// The name.
    pub name: String,
}

impl ObjectId {
    /// The id of an object, from its `apiVersion`, `kind` and `metadata`.
    pub fn of(node: &Node) -> ObjectId {
        let api_version = node.str_at(&["apiVersion"]).unwrap_or("");
        let (group, version) = match api_version.rsplit_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        ObjectId {
            group: group.to_string(),
            version: version.to_string(),
            kind: node.str_at(&["kind"]).unwrap_or("").to_string(),
            namespace: node
                .str_at(&["metadata", "namespace"])
                .unwrap_or("")
                .to_string(),
            name: node.str_at(&["metadata", "name"]).unwrap_or("").to_string(),
        }
    }

    /// `group/version`, or the version alone for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Whether this is a core `Secret`, whose values are redacted.
    pub fn is_secret(&self) -> bool {
        self.group.is_empty() && self.kind == "Secret"
    }

    /// The name without a kustomize hash suffix (`dojo-config-5h2mb6k7f8`
    /// gives `dojo-config`), for a core ConfigMap or Secret whose name has
    /// one; `None` otherwise.
    pub fn hash_stem(&self) -> Option<&str> {
        if !self.group.is_empty() || !matches!(self.kind.as_str(), "ConfigMap" | "Secret") {
            return None;
        }
        strip_hash_suffix(&self.name)
    }
}

impl fmt::Display for ObjectId {
    /// `Kind/name (namespace)`, or `Kind/name` without a namespace.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kind, self.name)?;
        if !self.namespace.is_empty() {
            write!(f, " ({})", self.namespace)?;
        }
        Ok(())
    }
}

/// The characters of kustomize's name hash: hexadecimal digits with `0`,
/// `1`, `3`, `a` and `e` replaced by `g`, `h`, `k`, `m` and `t` (so no
/// word can be spelt), ten of them after a `-`.
fn strip_hash_suffix(name: &str) -> Option<&str> {
    let (stem, suffix) = name.rsplit_once('-')?;
    let is_hash_char = |c: u8| {
        matches!(
            c,
            b'2' | b'4'..=b'9' | b'b' | b'c' | b'd' | b'f' | b'g' | b'h' | b'k' | b'm' | b't'
        )
    };
    (suffix.len() == 10 && suffix.bytes().all(is_hash_char) && !stem.is_empty()).then_some(stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_stems() {
        let node = rustomize_yaml::parse_one(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dojo-config-5h2mb6k7f8, namespace: prod}\n",
        )
        .unwrap();
        let id = ObjectId::of(&node);
        assert_eq!(id.to_string(), "ConfigMap/dojo-config-5h2mb6k7f8 (prod)");
        assert_eq!(id.api_version(), "v1");
        assert_eq!(id.hash_stem(), Some("dojo-config"));
        let cases = [
            ("web-5h2mb6k7f8", Some("web")),
            ("web-5h2mb6k7f", None),
            ("web-5h2mb6k7fa", None),
            ("web-0h2mb6k7f8", None),
            ("-5h2mb6k7f8", None),
            ("web", None),
        ];
        let mut failed = Vec::new();
        for (name, want) in cases {
            if strip_hash_suffix(name) != want {
                failed.push(name);
            }
        }
        assert!(failed.is_empty(), "wrong stems for {failed:?}");
        let deployment = ObjectId {
            kind: "Deployment".into(),
            group: "apps".into(),
            name: "web-5h2mb6k7f8".into(),
            ..id
        };
        assert_eq!(deployment.hash_stem(), None);
        assert_eq!(deployment.to_string(), "Deployment/web-5h2mb6k7f8 (prod)");
    }
}
