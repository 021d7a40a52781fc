//! `postBuild` substitution, object by object, as kustomize-controller
//! runs it after the build (fluxcd/pkg `kustomize.SubstituteVariables`).
//!
//! For each object in build order: an object whose label or annotation
//! `kustomize.toolkit.fluxcd.io/substitute` is `disabled` is left alone;
//! otherwise, when there is at least one variable (or `substituteStrategy:
//! Always`), every variable name must be valid, the object's YAML text (as
//! kustomize prints it) is expanded by envsubst and read back through the
//! YAML→JSON trip ([`crate::roundtrip`]). Strict mode (the controller's
//! `StrictPostBuildSubstitutions` feature gate, on by default since
//! kustomize-controller v1.9) makes an unset variable without a default an
//! error; without it such a variable expands to nothing.

use crate::envsubst;
use crate::error::Error;
use crate::values::{Vars, valid_name};
use rustomize_yaml::Node;

/// The label or annotation that turns substitution off for one object.
pub const DISABLE_KEY: &str = "kustomize.toolkit.fluxcd.io/substitute";

/// A built object: its text as kustomize prints it, and its tree.
#[derive(Debug, Clone)]
pub struct Object {
    /// The YAML document.
    pub text: String,
    /// The parsed document.
    pub node: Node,
}

/// How to substitute.
pub struct Options<'a> {
    /// Whether the Kustomization has `spec.postBuild`.
    pub post_build: bool,
    /// `substituteStrategy: Always`.
    pub always: bool,
    /// Strict mode.
    pub strict: bool,
    /// The variables, loaded when the first object needs them (a loading
    /// error only counts if one does, as in Flux).
    pub vars: &'a mut dyn FnMut() -> Result<Vars, Error>,
}

/// Substitutes every object that takes part; returns the objects, and the
/// notes of the variables' loading.
pub fn substitute(objects: &mut [Object], opts: Options<'_>) -> Result<Vec<String>, Error> {
    let mut loaded: Option<Vars> = None;
    for i in 0..objects.len() {
        let node = &objects[i].node;
        let (api, kind, name) = (
            node.str_at(&["apiVersion"]).unwrap_or_default(),
            node.str_at(&["kind"]).unwrap_or_default(),
            node.str_at(&["metadata", "name"]).unwrap_or_default(),
        );
        if api.is_empty() || kind.is_empty() || name.is_empty() {
            return Err(Error::Objects {
                message: format!(
                    "failed to decode Kubernetes apiVersion, kind and name from: {}",
                    objects[i].text.trim_end()
                ),
            });
        }
        if !opts.post_build || disabled(node) {
            continue;
        }
        let id = flux_id(node);
        if loaded.is_none() {
            loaded = Some((opts.vars)()?);
        }
        let Some(vars) = loaded.as_ref() else {
            continue;
        };
        if vars.values.is_empty() && !opts.always {
            continue;
        }
        if let Some(bad) = vars.values.keys().find(|n| !valid_name(n)) {
            return Err(Error::PostBuild {
                id,
                message: format!(
                    "envsubst error: '{bad}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'"
                ),
            });
        }
        let strict = opts.strict;
        let lookup = |name: &str| match vars.values.get(name) {
            Some(v) => (v.clone(), true),
            None => (Vec::new(), !strict),
        };
        let expanded =
            envsubst::eval(objects[i].text.as_bytes(), &lookup).map_err(|e| Error::PostBuild {
                id: id.clone(),
                message: format!("envsubst error: variable substitution failed: {e}"),
            })?;
        let text = String::from_utf8(expanded).map_err(|_| Error::PostBuild {
            id: id.clone(),
            message: "envsubst error: YAMLToJSON: yaml: invalid UTF-8 in the substituted text"
                .to_string(),
        })?;
        let node = crate::roundtrip::reread(&text).map_err(|e| Error::PostBuild {
            id: id.clone(),
            message: format!("envsubst error: {e}"),
        })?;
        objects[i].node = node;
        check_unique(objects, i)?;
    }
    Ok(loaded.map(|v| v.notes).unwrap_or_default())
}

fn disabled(node: &Node) -> bool {
    ["labels", "annotations"]
        .iter()
        .any(|f| node.str_at(&["metadata", f, DISABLE_KEY]) == Some("disabled"))
}

/// `group_version_kind/name`, as Flux names an object in errors.
fn flux_id(node: &Node) -> String {
    let api = node.str_at(&["apiVersion"]).unwrap_or_default();
    let (group, version) = api.rsplit_once('/').unwrap_or(("", api));
    let or = |s: &str, d: &str| {
        if s.is_empty() {
            d.to_string()
        } else {
            s.to_string()
        }
    };
    format!(
        "{}_{}_{}/{}",
        or(group, "~G"),
        or(version, "~V"),
        or(node.str_at(&["kind"]).unwrap_or_default(), "~K"),
        node.str_at(&["metadata", "name"]).unwrap_or_default()
    )
}

/// The resource id kustomize's `Replace` looks the object up by: group,
/// version, kind, name and namespace (empty meaning `default`).
fn res_id(node: &Node) -> (String, String, String, String) {
    let ns = node.str_at(&["metadata", "namespace"]).unwrap_or_default();
    (
        node.str_at(&["apiVersion"]).unwrap_or_default().to_string(),
        node.str_at(&["kind"]).unwrap_or_default().to_string(),
        node.str_at(&["metadata", "name"])
            .unwrap_or_default()
            .to_string(),
        if ns.is_empty() { "default" } else { ns }.to_string(),
    )
}

/// kustomize's `Replace` fails when the substituted object's id now
/// matches another object's.
fn check_unique(objects: &[Object], i: usize) -> Result<(), Error> {
    let id = res_id(&objects[i].node);
    let count = objects.iter().filter(|o| res_id(&o.node) == id).count();
    if count > 1 {
        return Err(Error::PostBuild {
            id: flux_id(&objects[i].node),
            message: format!("in Replace: id matched {count} resources"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn object(text: &str) -> Object {
        Object {
            text: text.to_string(),
            node: rustomize_yaml::parse_one(text).expect("yaml"),
        }
    }

    fn run(texts: &[&str], vars: &[(&str, &str)], strict: bool) -> Result<Vec<String>, Error> {
        let mut objects: Vec<Object> = texts.iter().map(|t| object(t)).collect();
        let values: BTreeMap<String, Vec<u8>> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect();
        let mut load = || {
            Ok(Vars {
                values: values.clone(),
                notes: Vec::new(),
            })
        };
        substitute(
            &mut objects,
            Options {
                post_build: true,
                always: false,
                strict,
                vars: &mut load,
            },
        )?;
        Ok(objects
            .iter()
            .map(|o| rustomize_yaml::emit::to_string(&o.node).expect("emit"))
            .collect())
    }

    const CM: &str =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: ${A}\n  b: $${A}\n";

    #[test]
    fn substitutes_and_reads_back_as_flux_does() {
        let out = run(&[CM], &[("A", "yes")], true).expect("substitutes");
        assert_eq!(
            out[0],
            "apiVersion: v1\ndata:\n  a: true\n  b: ${A}\nkind: ConfigMap\nmetadata:\n  name: c\n"
        );
    }

    #[test]
    fn strict_mode_and_disabled_objects() {
        assert!(run(&[CM], &[("B", "x")], true).is_err());
        let out = run(&[CM], &[("B", "x")], false).expect("non-strict");
        assert!(out[0].contains("a: null"), "{}", out[0]);
        let off = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\ndata:\n  a: ${A}\n";
        let out = run(&[off], &[("B", "x")], true).expect("disabled");
        assert!(out[0].contains("a: ${A}"), "{}", out[0]);
    }

    #[test]
    fn no_variables_means_no_substitution() {
        let out = run(&[CM], &[], true).expect("untouched");
        assert!(out[0].contains("a: ${A}"), "{}", out[0]);
    }

    #[test]
    fn invalid_names_and_colliding_ids_are_errors() {
        assert!(run(&[CM], &[("a-b", "x")], false).is_err());
        let a = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${N}\n";
        let b = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";
        assert!(run(&[a, b], &[("N", "x")], true).is_err());
    }
}
