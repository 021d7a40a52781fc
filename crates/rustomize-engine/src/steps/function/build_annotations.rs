//! kustomize's build bookkeeping as the annotations it keeps it in, for the
//! trip through a KRM function.
//!
//! kustomize keeps previous names, prefixes, hash-suffix requests and the
//! like as `internal.config.kubernetes.io/...` annotations inside each
//! object, so a function sees them and hands them back with the objects it
//! returns; an object the function renames keeps its history, one it makes
//! from scratch has none. rustomize keeps this in [`BuildMeta`]: it is
//! written into the objects a function gets and read back (and removed)
//! from the objects it returns.

use crate::model::resid::{Gvk, ResId};
use crate::model::resource::{Behavior, BuildMeta};
use rustomize_yaml::{Map, Node};

const PREVIOUS_KINDS: &str = "internal.config.kubernetes.io/previousKinds";
const PREVIOUS_NAMES: &str = "internal.config.kubernetes.io/previousNames";
const PREVIOUS_NAMESPACES: &str = "internal.config.kubernetes.io/previousNamespaces";
const PREFIXES: &str = "internal.config.kubernetes.io/prefixes";
const SUFFIXES: &str = "internal.config.kubernetes.io/suffixes";
const REF_BY: &str = "internal.config.kubernetes.io/refBy";
const BEHAVIOR: &str = "internal.config.kubernetes.io/generatorBehavior";
const NEEDS_HASH: &str = "internal.config.kubernetes.io/needsHashSuffix";
const ALLOW_NAME_CHANGE: &str = "internal.config.kubernetes.io/allowNameChange";
const ALLOW_KIND_CHANGE: &str = "internal.config.kubernetes.io/allowKindChange";

/// The annotations kustomize would carry for `meta`, in the order it adds
/// them.
pub(super) fn encode(meta: &BuildMeta) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut csv = |key: &'static str, values: &mut dyn Iterator<Item = &str>| {
        let joined = values
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>()
            .join(",");
        if !joined.is_empty() {
            out.push((key, joined));
        }
    };
    csv(PREFIXES, &mut meta.prefixes.iter().map(String::as_str));
    csv(SUFFIXES, &mut meta.suffixes.iter().map(String::as_str));
    csv(
        PREVIOUS_KINDS,
        &mut meta.previous.iter().map(|p| p.2.as_str()),
    );
    csv(
        PREVIOUS_NAMES,
        &mut meta.previous.iter().map(|p| p.1.as_str()),
    );
    csv(
        PREVIOUS_NAMESPACES,
        &mut meta.previous.iter().map(|p| p.0.as_str()),
    );
    let refs: Vec<String> = meta.ref_by.iter().map(ToString::to_string).collect();
    csv(REF_BY, &mut refs.iter().map(String::as_str));
    if let Some(b) = meta.behavior {
        let name = match b {
            Behavior::Create => "unspecified",
            other => other.as_str(),
        };
        out.push((BEHAVIOR, name.to_string()));
    }
    if meta.needs_hash {
        out.push((NEEDS_HASH, "enabled".to_string()));
    }
    out
}

/// Reads the bookkeeping back from `annotations`, removing the keys.
/// `ref_var_names` and `origin` are not annotations: they stay default.
// Err: kustomize's message; the function step wraps it in Error::Plugin naming the function.
pub(super) fn decode(annotations: &mut Map) -> Result<BuildMeta, String> {
    let mut take = |key: &str| -> Vec<String> {
        match annotations.remove(key) {
            Some(Node::Scalar(s)) if !s.value.is_empty() && !s.is_null() => {
                s.value.split(',').map(str::to_string).collect()
            }
            _ => Vec::new(),
        }
    };
    let prefixes = take(PREFIXES);
    let suffixes = take(SUFFIXES);
    let kinds = take(PREVIOUS_KINDS);
    let names = take(PREVIOUS_NAMES);
    let namespaces = take(PREVIOUS_NAMESPACES);
    let ref_by = take(REF_BY);
    let behavior = take(BEHAVIOR);
    let needs_hash = take(NEEDS_HASH);
    take(ALLOW_NAME_CHANGE);
    take(ALLOW_KIND_CHANGE);
    // No names recorded: kustomize reads no previous ids, whatever the
    // other two hold (renames that found the name empty).
    if names.is_empty() {
        return Ok(BuildMeta {
            prefixes,
            suffixes,
            needs_hash: needs_hash.first().is_some_and(|v| v == "enabled"),
            behavior: decode_behavior(&behavior),
            ref_by: decode_ref_by(&ref_by)?,
            renames_without_name: namespaces.len().try_into().unwrap_or(u32::MAX),
            ..BuildMeta::default()
        });
    }
    if names.len() != namespaces.len() || names.len() != kinds.len() {
        return Err(format!(
            "the annotations {PREVIOUS_NAMES}, {PREVIOUS_NAMESPACES} and {PREVIOUS_KINDS} list different numbers of entries"
        ));
    }
    let previous = namespaces
        .into_iter()
        .zip(names)
        .zip(kinds)
        .map(|((ns, name), kind)| (ns, name, kind))
        .collect();
    Ok(BuildMeta {
        previous,
        prefixes,
        suffixes,
        needs_hash: needs_hash.first().is_some_and(|v| v == "enabled"),
        behavior: decode_behavior(&behavior),
        ref_by: decode_ref_by(&ref_by)?,
        ..BuildMeta::default()
    })
}

fn decode_behavior(values: &[String]) -> Option<Behavior> {
    values.first().map(|b| match b.as_str() {
        "replace" => Behavior::Replace,
        "merge" => Behavior::Merge,
        _ => Behavior::Create,
    })
}

fn decode_ref_by(values: &[String]) -> Result<Vec<ResId>, String> {
    values.iter().map(|s| parse_res_id(s)).collect()
}

/// Parses a resource id as kustomize prints it (`Kind.version.group/name.namespace`,
/// with `[noGrp]`-style placeholders), as kustomize's `resid.FromString`.
// Err: kustomize's message; `decode` passes it on.
pub(super) fn parse_res_id(s: &str) -> Result<ResId, String> {
    let Some((gvk, rest)) = s.split_once('/') else {
        return Err(format!("'{s}' is not a resource id"));
    };
    let gvk = {
        let parts: Vec<&str> = gvk.split('.').collect();
        if parts.len() < 3 {
            Gvk::new("[noGrp]", "[noVer]", "[noKind]")
        } else {
            let unset = |v: &str, none: &str| {
                if v == none {
                    String::new()
                } else {
                    v.to_string()
                }
            };
            Gvk::new(
                unset(&parts[2..].join("."), "[noGrp]"),
                unset(parts[1], "[noVer]"),
                unset(parts[0], "[noKind]"),
            )
        }
    };
    let rest = rest.split('/').next().unwrap_or("");
    let (name, ns) = rest.rsplit_once('.').unwrap_or((rest, ""));
    let name = if name == "[noName]" { "" } else { name };
    let ns = if ns == "[noNs]" { "" } else { ns };
    Ok(ResId::new(gvk, name, ns))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bookkeeping_survives_the_round_trip() {
        let meta = BuildMeta {
            previous: vec![
                ("default".into(), "a".into(), "ConfigMap".into()),
                ("prod".into(), "p-a".into(), "ConfigMap".into()),
            ],
            prefixes: vec!["p-".into()],
            suffixes: vec!["-s".into()],
            needs_hash: true,
            behavior: Some(Behavior::Merge),
            ref_by: vec![ResId::new(
                Gvk::new("apps", "v1", "Deployment"),
                "web",
                "prod",
            )],
            ..BuildMeta::default()
        };
        let mut annotations = Map::new();
        for (k, v) in encode(&meta) {
            annotations.insert(k, Node::string(v));
        }
        annotations.insert("keep", Node::string("me"));
        assert_eq!(
            annotations.get(REF_BY).and_then(Node::as_str),
            Some("Deployment.v1.apps/web.prod")
        );
        let back = decode(&mut annotations).unwrap();
        assert_eq!(back.previous, meta.previous);
        assert_eq!(back.prefixes, meta.prefixes);
        assert_eq!(back.suffixes, meta.suffixes);
        assert_eq!(back.ref_by, meta.ref_by);
        assert_eq!(back.behavior, Some(Behavior::Merge));
        assert!(back.needs_hash);
        assert_eq!(annotations.keys().collect::<Vec<_>>(), ["keep"]);
    }

    #[test]
    fn resource_ids_parse_as_kustomize_prints_them() {
        for (text, want) in [
            (
                "ConfigMap.v1.[noGrp]/a.[noNs]",
                ResId::new(Gvk::new("", "v1", "ConfigMap"), "a", ""),
            ),
            (
                "Ingress.v1.networking.k8s.io/web.v1.prod",
                ResId::new(
                    Gvk::new("networking.k8s.io", "v1", "Ingress"),
                    "web.v1",
                    "prod",
                ),
            ),
        ] {
            let id = parse_res_id(text).unwrap();
            assert_eq!(id, want);
            assert_eq!(id.to_string(), text);
        }
        assert!(parse_res_id("nonsense").is_err());
    }

    #[test]
    fn mismatched_previous_ids_are_an_error() {
        let mut a = Map::new();
        a.insert(PREVIOUS_NAMES, Node::string("a,b"));
        a.insert(PREVIOUS_NAMESPACES, Node::string("default"));
        a.insert(PREVIOUS_KINDS, Node::string("ConfigMap"));
        assert!(decode(&mut a).is_err());
    }

    #[test]
    fn namespaces_without_names_are_no_previous_ids() {
        // What two renames of a nameless object leave in kustomize.
        let mut a = Map::new();
        a.insert(PREVIOUS_NAMESPACES, Node::string("default,default"));
        a.insert(
            PREVIOUS_KINDS,
            Node::string("ServiceAccount,ServiceAccount"),
        );
        let back = decode(&mut a).unwrap();
        assert!(back.previous.is_empty());
        assert_eq!(back.renames_without_name, 2);
        assert!(a.is_empty());
    }
}
