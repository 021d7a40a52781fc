//! Naming one object of a build's output: `Kind/name` or
//! `namespace/Kind/name`, with close matches when the name is wrong.

use crate::model::resource::Resource;

/// Why an object could not be picked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// Not `Kind/name` or `namespace/Kind/name`.
    #[error("{0:?} is not Kind/name or namespace/Kind/name")]
    Syntax(String),
    /// No object has this kind and name.
    #[error("no object {spec} in the output{}", list(.close, "; close matches"))]
    NotFound {
        /// What was asked for.
        spec: String,
        /// Objects whose kind and name are close, as `namespace/Kind/name`.
        close: Vec<String>,
    },
    /// Several objects match (in different namespaces, or kinds that
    /// differ only in case).
    #[error("{spec} names {} objects{}", .candidates.len(), list(.candidates, "; say which"))]
    Ambiguous {
        /// What was asked for.
        spec: String,
        /// The matching objects, as `namespace/Kind/name`.
        candidates: Vec<String>,
    },
}

fn list(items: &[String], lead: &str) -> String {
    if items.is_empty() {
        String::new()
    } else {
        format!("{lead}: {}", items.join(", "))
    }
}

/// How an object is named in messages: `namespace/Kind/name`, or
/// `Kind/name` without a namespace.
pub fn object_name(r: &Resource) -> String {
    if r.namespace().is_empty() {
        format!("{}/{}", r.kind(), r.name())
    } else {
        format!("{}/{}/{}", r.namespace(), r.kind(), r.name())
    }
}

/// The object `spec` names among `resources`: `Kind/name` (in any
/// namespace, when only one has it) or `namespace/Kind/name`. The kind
/// matches exactly, else ignoring case; the name is the current one, else
/// one the object had before the build renamed it (`dojo-config` for
/// `dojo-config-c2fk6k2d9f`).
pub fn select<'a>(resources: &'a [Resource], spec: &str) -> Result<&'a Resource, SelectError> {
    let parts: Vec<&str> = spec.split('/').collect();
    let (ns, kind, name) = match parts.as_slice() {
        [kind, name] => (None, *kind, *name),
        [ns, kind, name] => (Some(*ns), *kind, *name),
        _ => return Err(SelectError::Syntax(spec.to_string())),
    };
    if kind.is_empty() || name.is_empty() {
        return Err(SelectError::Syntax(spec.to_string()));
    }
    let in_ns = |r: &Resource| ns.is_none_or(|n| r.namespace() == n);
    let exact: Vec<&Resource> = resources
        .iter()
        .filter(|r| r.kind() == kind && r.name() == name && in_ns(r))
        .collect();
    let mut found = if exact.is_empty() {
        resources
            .iter()
            .filter(|r| r.kind().eq_ignore_ascii_case(kind) && r.name() == name && in_ns(r))
            .collect()
    } else {
        exact
    };
    if found.is_empty() {
        // The name it had before the build renamed it (prefix, suffix,
        // hash): what the user wrote in the tree.
        found = resources
            .iter()
            .filter(|r| {
                r.kind().eq_ignore_ascii_case(kind)
                    && in_ns(r)
                    && r.meta.previous.iter().any(|(_, n, _)| n == name)
            })
            .collect();
    }
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(SelectError::NotFound {
            spec: spec.to_string(),
            close: close_matches(resources, kind, name),
        }),
        many => Err(SelectError::Ambiguous {
            spec: spec.to_string(),
            candidates: many.iter().map(|r| object_name(r)).collect(),
        }),
    }
}

/// Up to five objects whose `Kind/name` is near `kind/name`: the same
/// name, the same kind with a name a few edits away or containing it.
fn close_matches(resources: &[Resource], kind: &str, name: &str) -> Vec<String> {
    let want = format!("{}/{name}", kind.to_ascii_lowercase());
    let mut scored: Vec<(usize, String)> = resources
        .iter()
        .filter_map(|r| {
            let same_kind = r.kind().eq_ignore_ascii_case(kind);
            let have = format!("{}/{}", r.kind().to_ascii_lowercase(), r.name());
            let distance = edit_distance(&want, &have);
            let near = r.name() == name
                || distance <= 3
                || (same_kind && (r.name().contains(name) || name.contains(r.name())));
            near.then(|| (distance, object_name(r)))
        })
        .collect();
    scored.sort();
    scored.dedup();
    scored.into_iter().take(5).map(|(_, n)| n).collect()
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects() -> Vec<Resource> {
        rustomize_yaml::parse_documents(
            "kind: Deployment\nmetadata: {name: web, namespace: a}\n---\nkind: Deployment\nmetadata: {name: web, namespace: b}\n---\nkind: Service\nmetadata: {name: web, namespace: a}\n---\nkind: ConfigMap\nmetadata: {name: web-config-abc123}\n",
        )
        .unwrap()
        .into_iter()
        .map(Resource::new)
        .collect()
    }

    #[test]
    fn picks_and_explains_misses() {
        let rs = objects();
        let name = |spec: &str| {
            select(&rs, spec)
                .map(object_name)
                .map_err(|e| e.to_string())
        };
        assert_eq!(name("Service/web"), Ok("a/Service/web".into()));
        assert_eq!(name("service/web"), Ok("a/Service/web".into()));
        assert_eq!(name("b/Deployment/web"), Ok("b/Deployment/web".into()));
        assert_eq!(
            name("Deployment/web"),
            Err(
                "Deployment/web names 2 objects; say which: a/Deployment/web, b/Deployment/web"
                    .into()
            )
        );
        assert_eq!(
            name("ConfigMap/web-config"),
            Err("no object ConfigMap/web-config in the output; close matches: ConfigMap/web-config-abc123".into())
        );
        assert_eq!(
            name("Deploy/web"),
            Err("no object Deploy/web in the output; close matches: a/Deployment/web, b/Deployment/web, a/Service/web".into())
        );
        assert_eq!(
            name("web"),
            Err("\"web\" is not Kind/name or namespace/Kind/name".into())
        );
    }
}
