//! `stale-name`: no value still names a Service by the name it had before
//! the build renamed it (`namePrefix`, `nameSuffix`, a `PrefixSuffix`
//! transformer). Kustomize rewrites the references it knows (a Service
//! named in an Ingress backend, a ConfigMap in `envFrom`), never a host
//! name written in an env var, an argument or a ConfigMap value:
//! `DATABASE_HOST: postgres` while the Service is now `hs-postgres`
//! resolves to nothing in the cluster.
//!
//! Which values count, so that the old name used for something else (a
//! database user called `postgres`) is not flagged: a value that is a
//! host (`postgres:5432`, `postgres.shop.svc`, `postgres://u@postgres/db`),
//! or a value equal to the old name under a key that names an address
//! (`*HOST*`, `*ADDR*`, `*URL*`, `*URI*`, `*SERVICE*`, `*SVC*`,
//! `*ENDPOINT*`, `*SERVER*`, `*DSN*`, `*BROKER*`, `*UPSTREAM*`). Values
//! are read from container `env`, `args` and `command` (`--db-host=postgres`)
//! and single-line ConfigMap `data`.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{namespace_of, pod_template, q};
use rustomize_engine::Resource;
use rustomize_yaml::Node;

/// See the module docs.
pub(crate) struct StaleName;

impl Rule for StaleName {
    fn id(&self) -> &'static str {
        "stale-name"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn production_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "No value names a Service by the name it had before namePrefix or nameSuffix renamed it."
    }

    fn check(&self, cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        if cx.index.renamed_services().is_empty() {
            return;
        }
        let ns = namespace_of(r);
        let mut judge = |path: String, key: &str, value: &str| {
            if let Some(hit) = stale(cx, ns, key, value) {
                out.push(Hit::new(path, hit));
            }
        };
        if let Some(pt) = pod_template(r) {
            for c in pt.containers() {
                if let Some(env) = c.map.get("env").and_then(Node::as_seq) {
                    for (i, e) in env.iter().enumerate() {
                        let name = e.get("name").and_then(Node::as_str).unwrap_or("");
                        if let Some(v) = e.get("value").and_then(Node::as_str) {
                            judge(c.at(&format!("env[{i}].value")), name, v);
                        }
                    }
                }
                for field in ["args", "command"] {
                    let Some(seq) = c.map.get(field).and_then(Node::as_seq) else {
                        continue;
                    };
                    for (i, a) in seq.iter().enumerate() {
                        let Some(a) = a.as_str() else { continue };
                        // `--db-host=postgres`: the flag is the key.
                        let (key, value) = match a.split_once('=') {
                            Some((k, v)) if k.starts_with('-') => (k, v),
                            _ => ("", a),
                        };
                        judge(c.at(&format!("{field}[{i}]")), key, value);
                    }
                }
            }
        }
        if r.kind() == "ConfigMap"
            && r.api_version() == "v1"
            && let Some(data) = r.node.get("data").and_then(Node::as_map)
        {
            for e in &data.entries {
                if let Some(v) = e.value.as_str().filter(|v| !v.contains('\n')) {
                    judge(format!("data.{}", e.key.value), &e.key.value, v);
                }
            }
        }
    }
}

/// The message, when `value` (under `key`, in namespace `ns`) names a
/// renamed Service by its old name.
fn stale(cx: &Context<'_>, ns: &str, key: &str, value: &str) -> Option<String> {
    let value = value.trim();
    let (host, is_host) = host_of(value)?;
    let mut labels = host.split('.');
    let name = labels.next()?;
    let in_ns = labels.next().filter(|l| *l != "svc").unwrap_or(ns);
    if !is_host && !names_an_address(key) {
        return None;
    }
    let svc = cx.index.renamed_service(in_ns, name)?;
    // Another Service has that name now: the value may mean it.
    if cx.index.get("Service", in_ns, name).is_some() {
        return None;
    }
    let how = rename_of(svc, name);
    Some(format!(
        "{} names Service {}, which the build renamed to {}{how}: nothing in the cluster answers at {}; use {} \
(or a replacement from the Service's metadata.name)",
        q(value),
        q(name),
        q(svc.name()),
        q(name),
        q(svc.name()),
    ))
}

/// The host a value names: the whole value when it is a bare name
/// (`postgres`, false), or the host of `host:port`, `scheme://user@host:port/path`
/// or a dotted DNS name (true). `None` when the value is not one.
fn host_of(value: &str) -> Option<(&str, bool)> {
    let is_name = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            && s.as_bytes()[0].is_ascii_alphanumeric()
    };
    if is_name(value) && !value.contains('.') {
        return Some((value, false));
    }
    let rest = value.split_once("://").map_or(value, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    let end = rest.find([':', '/', '?']).unwrap_or(rest.len());
    let host = &rest[..end];
    let structured = end < rest.len() || value.contains("://") || host.contains(".svc");
    if !is_name(host) || !(structured || host.ends_with(".svc.cluster.local")) {
        return None;
    }
    // `host:port` needs a port that is a number.
    if !value.contains("://") && rest[end..].starts_with(':') {
        let port = rest[end + 1..].split(['/', '?']).next().unwrap_or("");
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    Some((host, true))
}

/// Whether a key names an address (a host, a URL, a service...).
fn names_an_address(key: &str) -> bool {
    const WORDS: [&str; 11] = [
        "HOST", "ADDR", "URL", "URI", "SERVICE", "SVC", "ENDPOINT", "SERVER", "DSN", "BROKER",
        "UPSTREAM",
    ];
    let key = key.to_ascii_uppercase();
    WORDS.iter().any(|w| key.contains(w))
}

/// ` (namePrefix "hs-")`, or what else renamed it.
fn rename_of(svc: &Resource, old: &str) -> String {
    let now = svc.name();
    match now.find(old) {
        Some(at) => {
            let (prefix, suffix) = (&now[..at], &now[at + old.len()..]);
            match (prefix.is_empty(), suffix.is_empty()) {
                (false, true) => format!(" (namePrefix {})", q(prefix)),
                (true, false) => format!(" (nameSuffix {})", q(suffix)),
                (false, false) => format!(" (namePrefix {}, nameSuffix {})", q(prefix), q(suffix)),
                (true, true) => String::new(),
            }
        }
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::host_of;
    use crate::Options;
    use crate::testing::{build_tree, lines_of, report};

    const RULE: &str = "stale-name";

    const BASE: &str = "apiVersion: v1\nkind: Service\nmetadata: {name: postgres}\nspec:\n  selector: {app: db}\n  \
ports: [{port: 5432}]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  selector:\n    \
matchLabels: {app: api}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers:\n      \
- name: api\n        image: api:v1\n        env:\n        - {name: POSTGRES_USER, value: postgres}\n        \
- {name: DATABASE_HOST, value: '%H'}\n        args: [--db=postgres://app@%H:5432/app]\n";

    fn findings(host: &str, kustomization: &str) -> String {
        let built = build_tree(&[
            ("app.yaml", &BASE.replace("%H", host)),
            ("kustomization.yaml", kustomization),
        ]);
        lines_of(RULE, &report(&built, &Options::default()))
    }

    #[test]
    fn current_names_pass() {
        let k = "resources: [app.yaml]\nnamePrefix: hs-\n";
        assert_eq!(findings("hs-postgres", k), "");
        // Not renamed: the name is the Service's.
        assert_eq!(findings("postgres", "resources: [app.yaml]\n"), "");
    }

    #[test]
    fn old_names_fail() {
        assert_eq!(
            findings("postgres", "resources: [app.yaml]\nnamePrefix: hs-\n"),
            "\
app.yaml:22: warning[stale-name] Deployment hs-api: spec.template.spec.containers[0].env[1].value: \"postgres\" names \
Service \"postgres\", which the build renamed to \"hs-postgres\" (namePrefix \"hs-\"): nothing in the cluster answers at \
\"postgres\"; use \"hs-postgres\" (or a replacement from the Service's metadata.name)
app.yaml:23: warning[stale-name] Deployment hs-api: spec.template.spec.containers[0].args[0]: \
\"postgres://app@postgres:5432/app\" names Service \"postgres\", which the build renamed to \"hs-postgres\" (namePrefix \
\"hs-\"): nothing in the cluster answers at \"postgres\"; use \"hs-postgres\" (or a replacement from the Service's metadata.name)
"
        );
    }

    #[test]
    fn hosts() {
        let rows = [
            ("postgres", Some(("postgres", false))),
            ("postgres:5432", Some(("postgres", true))),
            ("postgres.shop.svc", Some(("postgres.shop.svc", true))),
            (
                "postgres.shop.svc.cluster.local",
                Some(("postgres.shop.svc.cluster.local", true)),
            ),
            ("redis://:pw@cache:6379/0", Some(("cache", true))),
            ("api.example.com", None),
            ("Postgres", None),
            ("a:b", None),
            ("10", Some(("10", false))),
        ];
        crate::testing::rows(&rows, |(v, want)| {
            let got = host_of(v);
            (got == *want).then_some(()).ok_or(format!("got {got:?}"))
        });
    }
}
