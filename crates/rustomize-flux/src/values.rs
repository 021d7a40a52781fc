//! Where substitution values come from without a cluster: ConfigMap and
//! Secret manifests (given with `--substitute-from`, or found in the
//! source's tree), the Kustomization's `spec.postBuild.substitute`, and
//! `--var` (entries added to it).
//!
//! A manifest stands for the object the cluster would hold: one without a
//! namespace is taken to be in the Kustomization's namespace, a Secret's
//! `stringData` is merged into `data` (as the API server does), `data` is
//! base64. As in Flux, every newline is removed from every value, later
//! `substituteFrom` entries override earlier ones and the inline
//! `substitute` map overrides them all.

use crate::artifact::ArtifactFs;
use crate::error::Error;
use crate::kustomization::Kustomization;
use base64::Engine as _;
use rustomize_loader::{FileKind, FileSystem};
use rustomize_yaml::{Node, Tag};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A ConfigMap or Secret standing in for the cluster's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueObject {
    /// `ConfigMap` or `Secret`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, if set.
    pub namespace: Option<String>,
    /// The values (Secret data decoded).
    pub data: Vec<(String, Vec<u8>)>,
    /// Whether it is a SOPS-encrypted Secret (its values are ciphertext).
    pub sops: bool,
    /// The file it was read from.
    pub file: PathBuf,
}

/// The objects of one manifest file.
pub fn read_objects(text: &str, file: &Path) -> Result<Vec<ValueObject>, Error> {
    let yaml_err = |message: String| Error::Yaml {
        path: file.to_path_buf(),
        message,
    };
    let docs = rustomize_yaml::parse_documents(text).map_err(|e| yaml_err(e.to_string()))?;
    let mut out = Vec::new();
    for doc in docs {
        if doc.is_null() {
            continue;
        }
        let doc = crate::roundtrip::json_value(&doc).map_err(|e| yaml_err(e.to_string()))?;
        let kind = doc.str_at(&["kind"]).unwrap_or_default();
        if doc.str_at(&["apiVersion"]) != Some("v1") || !matches!(kind, "ConfigMap" | "Secret") {
            continue;
        }
        let name = doc
            .str_at(&["metadata", "name"])
            .unwrap_or_default()
            .to_string();
        let field_err = |field: &str, message: String| Error::Field {
            path: file.to_path_buf(),
            field: format!("{kind}/{name}: {field}"),
            message,
        };
        let mut data: Vec<(String, Vec<u8>)> = Vec::new();
        let mut set = |k: String, v: Vec<u8>| match data.iter_mut().find(|(n, _)| *n == k) {
            Some(slot) => slot.1 = v,
            None => data.push((k, v)),
        };
        for (key, value) in string_map(doc.get("data")).map_err(|m| field_err("data", m))? {
            if kind == "Secret" {
                let cleaned: String = value.chars().filter(|c| *c != '\n' && *c != '\r').collect();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(cleaned.as_bytes())
                    .map_err(|e| field_err(&format!("data.{key}"), format!("not base64: {e}")))?;
                set(key, bytes);
            } else {
                set(key, value.into_bytes());
            }
        }
        if kind == "Secret" {
            for (key, value) in
                string_map(doc.get("stringData")).map_err(|m| field_err("stringData", m))?
            {
                set(key, value.into_bytes());
            }
        }
        out.push(ValueObject {
            kind: kind.to_string(),
            name,
            namespace: doc
                .str_at(&["metadata", "namespace"])
                .filter(|n| !n.is_empty())
                .map(str::to_string),
            data,
            sops: doc.get("sops").is_some_and(|s| !s.is_null()),
            file: file.to_path_buf(),
        });
    }
    Ok(out)
}

fn string_map(node: Option<&Node>) -> Result<Vec<(String, String)>, String> {
    match node {
        None => Ok(Vec::new()),
        Some(n) if n.is_null() => Ok(Vec::new()),
        Some(Node::Map(m)) => m
            .entries
            .iter()
            .map(|e| match &e.value {
                Node::Scalar(s) if s.tag == Tag::Str => {
                    Ok((e.key.value.to_string(), s.value.to_string()))
                }
                Node::Scalar(s) if s.tag == Tag::Null => {
                    Ok((e.key.value.to_string(), String::new()))
                }
                _ => Err(format!("{}: expected a string", e.key.value)),
            })
            .collect(),
        Some(_) => Err("expected a mapping".to_string()),
    }
}

/// The objects of the `--substitute-from` files.
pub fn read_files(files: &[PathBuf]) -> Result<Vec<ValueObject>, Error> {
    let mut out = Vec::new();
    for f in files {
        let text = rustomize_loader::DiskFs
            .read(f)
            .and_then(|b| {
                String::from_utf8(b)
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
            })
            .map_err(|source| Error::Io {
                path: f.clone(),
                source,
            })?;
        out.extend(read_objects(&text, f)?);
    }
    Ok(out)
}

/// Every ConfigMap and Secret manifest in the artifact's YAML files (files
/// that do not parse are skipped: they are not manifests).
pub fn search_tree(fs: &ArtifactFs) -> Vec<ValueObject> {
    let mut out = Vec::new();
    let mut dirs = vec![fs.root().to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(names) = fs.read_dir(&dir) else {
            continue;
        };
        for name in names {
            let path = dir.join(&name);
            match fs.kind(&path) {
                Ok(FileKind::Dir) => dirs.push(path),
                Ok(FileKind::File) if name.ends_with(".yaml") || name.ends_with(".yml") => {
                    let Ok(bytes) = fs.read(&path) else {
                        continue;
                    };
                    let text = String::from_utf8_lossy(&bytes);
                    if !text.contains("ConfigMap") && !text.contains("Secret") {
                        continue;
                    }
                    if let Ok(objects) = read_objects(&text, &path) {
                        out.extend(objects);
                    }
                }
                _ => {}
            }
        }
    }
    out.sort_by(|a, b| a.file.cmp(&b.file));
    out
}

/// The variables of one build, and notes on where they came from.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    /// Name to value.
    pub values: BTreeMap<String, Vec<u8>>,
    /// One line per `substituteFrom` entry read from the tree or skipped.
    pub notes: Vec<String>,
}

/// Flux's `LoadVariables` plus the inline map, with `files` (then, for
/// what they lack, the tree) standing in for the cluster.
pub fn load(
    k: &Kustomization,
    files: &[ValueObject],
    tree: &mut dyn FnMut() -> Vec<ValueObject>,
) -> Result<Vars, Error> {
    let mut vars = Vars::default();
    let Some(post) = &k.post_build else {
        return Ok(vars);
    };
    let mut tree_objects: Option<Vec<ValueObject>> = None;
    for r in &post.substitute_from {
        if r.kind != "ConfigMap" && r.kind != "Secret" {
            continue;
        }
        let wanted = |o: &&ValueObject| {
            o.kind == r.kind
                && o.name == r.name
                && o.namespace.as_deref().is_none_or(|n| n == k.namespace)
        };
        let found = match files.iter().find(wanted) {
            Some(o) => Some(o.clone()),
            None => {
                let objects = tree_objects.get_or_insert_with(&mut *tree);
                let found = objects.iter().find(wanted).cloned();
                if let Some(o) = &found {
                    vars.notes.push(format!(
                        "substituteFrom {}/{}: values read from {}",
                        r.kind,
                        r.name,
                        o.file.display()
                    ));
                }
                found
            }
        };
        let Some(object) = found else {
            if r.optional {
                vars.notes.push(format!(
                    "substituteFrom {}/{}: not found, skipped (optional)",
                    r.kind, r.name
                ));
                continue;
            }
            return Err(Error::SubstituteFrom {
                kind: r.kind.clone(),
                name: r.name.clone(),
                message: format!(
                    "{}s \"{}\" not found in namespace {:?} (give its manifest with --substitute-from, or the values with --var)",
                    r.kind.to_lowercase(),
                    r.name,
                    k.namespace
                ),
            });
        };
        if object.sops {
            vars.notes.push(format!(
                "substituteFrom {}/{}: {} is SOPS-encrypted; its values are ciphertext (give the decrypted manifest with --substitute-from)",
                r.kind,
                r.name,
                object.file.display()
            ));
        }
        for (key, value) in &object.data {
            vars.values.insert(key.clone(), strip_newlines(value));
        }
    }
    for (key, value) in &post.substitute {
        vars.values
            .insert(key.clone(), strip_newlines(value.as_bytes()));
    }
    Ok(vars)
}

fn strip_newlines(v: &[u8]) -> Vec<u8> {
    v.iter().copied().filter(|b| *b != b'\n').collect()
}

/// Whether `name` is a variable name Flux accepts:
/// `^[_[:alpha:]][_[:alpha:][:digit:]]*$`.
pub fn valid_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b == b'_' || b.is_ascii_alphabetic())
        && bytes.all(|b| b == b'_' || b.is_ascii_alphanumeric())
}

/// Parses `NAME=VALUE` (`--var`).
pub fn parse_var(arg: &str) -> Result<(String, String), Error> {
    match arg.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
        _ => Err(Error::Values {
            message: format!("--var {arg:?}: expected NAME=VALUE"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;

    fn ks(post_build: &str) -> Kustomization {
        let text = format!(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {{name: a, namespace: apps}}\nspec:\n  postBuild:\n{}",
            post_build
                .lines()
                .map(|l| format!("    {l}\n"))
                .collect::<String>()
        );
        Kustomization::from_text(&text, Path::new("ks.yaml"), None).expect("kustomization")
    }

    const OBJECTS: &str = indoc! {"
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: vars}
        data: {A: from-cm, B: \"two\\nlines\"}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: creds, namespace: apps}
        data: {A: ZnJvbS1zZWNyZXQ=}
        stringData: {C: plain}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: vars, namespace: other}
        data: {A: wrong-namespace}
    "};

    #[test]
    fn later_sources_override_earlier_and_inline_overrides_all() {
        let objects = read_objects(OBJECTS, Path::new("values.yaml")).expect("reads");
        let k = ks(indoc! {"
            substitute: {C: inline}
            substituteFrom:
              - {kind: ConfigMap, name: vars}
              - {kind: Secret, name: creds}
              - {kind: ConfigMap, name: absent, optional: true}
        "});
        let vars = load(&k, &objects, &mut Vec::new).expect("loads");
        let got: Vec<(String, String)> = vars
            .values
            .iter()
            .map(|(k, v)| (k.clone(), String::from_utf8_lossy(v).into_owned()))
            .collect();
        assert_eq!(
            got,
            [
                ("A".to_string(), "from-secret".to_string()),
                ("B".to_string(), "twolines".to_string()),
                ("C".to_string(), "inline".to_string()),
            ]
        );
    }

    #[test]
    fn a_missing_required_source_is_an_error_and_the_tree_is_searched() {
        let k = ks("substituteFrom: [{kind: ConfigMap, name: vars}]\n");
        assert!(matches!(
            load(&k, &[], &mut Vec::new),
            Err(Error::SubstituteFrom { .. })
        ));
        let objects = read_objects(OBJECTS, Path::new("clusters/vars.yaml")).expect("reads");
        let vars = load(&k, &[], &mut || objects.clone()).expect("found in the tree");
        assert_eq!(
            vars.values.get("A").map(Vec::as_slice),
            Some(&b"from-cm"[..])
        );
        assert!(
            vars.notes[0].contains("clusters/vars.yaml"),
            "{:?}",
            vars.notes
        );
    }

    #[test]
    fn names_are_checked_as_flux_checks_them() {
        for (name, want) in [
            ("A", true),
            ("_a1", true),
            ("1a", false),
            ("a-b", false),
            ("", false),
        ] {
            assert_eq!(valid_name(name), want, "{name}");
        }
        assert_eq!(parse_var("A=b=c").expect("var"), ("A".into(), "b=c".into()));
        assert!(parse_var("novalue").is_err());
    }
}
