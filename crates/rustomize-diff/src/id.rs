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
        IdRef::of(node).owned()
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
        hash_stem(&self.group, &self.kind, &self.name)
    }
}

/// An [`ObjectId`] borrowed from its object, for matching many objects
/// without copying their names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct IdRef<'a> {
    pub(crate) group: &'a str,
    pub(crate) version: &'a str,
    pub(crate) kind: &'a str,
    pub(crate) namespace: &'a str,
    pub(crate) name: &'a str,
}

impl<'a> IdRef<'a> {
    pub(crate) fn of(node: &'a Node) -> IdRef<'a> {
        let top = node.as_map();
        let text = |m: Option<&'a rustomize_yaml::Map>, key: &str| {
            m.and_then(|m| m.get(key))
                .and_then(Node::as_str)
                .unwrap_or("")
        };
        let api_version = text(top, "apiVersion");
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let meta = top.and_then(|m| m.get("metadata")).and_then(Node::as_map);
        IdRef {
            group,
            version,
            kind: text(top, "kind"),
            namespace: text(meta, "namespace"),
            name: text(meta, "name"),
        }
    }

    pub(crate) fn owned(self) -> ObjectId {
        ObjectId {
            group: self.group.to_string(),
            version: self.version.to_string(),
            kind: self.kind.to_string(),
            namespace: self.namespace.to_string(),
            name: self.name.to_string(),
        }
    }

    pub(crate) fn hash_stem(&self) -> Option<&'a str> {
        hash_stem(self.group, self.kind, self.name)
    }

    pub(crate) fn is_secret(&self) -> bool {
        self.group.is_empty() && self.kind == "Secret"
    }
}

fn hash_stem<'n>(group: &str, kind: &str, name: &'n str) -> Option<&'n str> {
    if !group.is_empty() || !matches!(kind, "ConfigMap" | "Secret") {
        return None;
    }
    strip_hash_suffix(name)
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
