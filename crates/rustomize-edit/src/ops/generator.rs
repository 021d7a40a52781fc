//! `edit add|set|remove configmap|secret`.

// `edit add configmap|secret` reads the env files and directories it is
// given from the local disk, as kustomize does (clippy.toml's
// disallowed-methods).
#![allow(clippy::disallowed_methods)]

use super::{OpError, Outcome};
use crate::kustomization::{Kustomization, item_get, map_set};
use crate::value::Value;
use std::path::Path;

/// The flags of the configmap and secret commands.
#[derive(Clone, Debug, Default)]
pub struct GeneratorFlags {
    /// The generator's name.
    pub name: String,
    /// `--from-file` (globs already expanded).
    pub files: Vec<String>,
    /// `--from-literal`.
    pub literals: Vec<String>,
    /// `--from-env-file`.
    pub env_file: String,
    /// `--behavior`.
    pub behavior: String,
    /// `--type` (secrets; "Opaque" by default).
    pub secret_type: String,
    /// `--namespace`.
    pub namespace: String,
    /// `--new-namespace` (set only).
    pub new_namespace: String,
    /// `--disableNameSuffixHash`.
    pub disable_name_suffix_hash: bool,
}

/// ConfigMaps or Secrets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeneratorKind {
    /// `configMapGenerator`.
    ConfigMap,
    /// `secretGenerator`.
    Secret,
}

impl GeneratorKind {
    fn field(self) -> &'static str {
        match self {
            GeneratorKind::ConfigMap => "configMapGenerator",
            GeneratorKind::Secret => "secretGenerator",
        }
    }

    /// The Kubernetes kind.
    pub fn kind(self) -> &'static str {
        match self {
            GeneratorKind::ConfigMap => "ConfigMap",
            GeneratorKind::Secret => "Secret",
        }
    }

    /// The lower-case word kustomize uses in messages.
    pub fn word(self) -> &'static str {
        match self {
            GeneratorKind::ConfigMap => "configmap",
            GeneratorKind::Secret => "secret",
        }
    }
}

fn namespace_equal(a: &str, b: &str) -> bool {
    let d = |s: &str| {
        if s.is_empty() {
            "default".to_string()
        } else {
            s.to_string()
        }
    };
    d(a) == d(b)
}

fn str_of(e: &[(String, Value)], k: &str) -> String {
    item_get(e, k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn list_of(e: &[(String, Value)], k: &str) -> Vec<String> {
    match item_get(e, k) {
        Some(Value::Seq(items)) => items
            .iter()
            .map(|i| i.as_str().unwrap_or_default().to_string())
            .collect(),
        _ => Vec::new(),
    }
}

fn set_list(e: &mut Vec<(String, Value)>, k: &str, items: Vec<String>) {
    if items.is_empty() {
        e.retain(|(k2, _)| k2 != k);
    } else {
        map_set(
            e,
            k,
            Value::Seq(items.into_iter().map(Value::Str).collect()),
        );
    }
}

fn set_str(e: &mut Vec<(String, Value)>, k: &str, v: &str) {
    if v.is_empty() {
        e.retain(|(k2, _)| k2 != k);
    } else {
        map_set(e, k, Value::str(v));
    }
}

/// kustomize's `MergeGlobalOptionsIntoLocal`, applied to the entry.
fn merge_global_options(entry: &mut Vec<(String, Value)>, global: Option<&Value>) {
    let Some(Value::Map(g)) = global else { return };
    let mut local = match item_get(entry, "options") {
        Some(Value::Map(l)) => l.clone(),
        _ => Vec::new(),
    };
    for key in ["labels", "annotations"] {
        let gm = match item_get(g, key) {
            Some(Value::Map(m)) => Some(m.clone()),
            _ => None,
        };
        match (item_get(&local, key).cloned(), gm) {
            (Some(Value::Map(mut lm)), Some(gm)) => {
                for (k, v) in gm {
                    if !lm.iter().any(|(k2, _)| *k2 == k) {
                        lm.push((k, v));
                    }
                }
                map_set(&mut local, key, Value::Map(lm));
            }
            (None | Some(Value::Null), Some(gm)) => map_set(&mut local, key, Value::Map(gm)),
            _ => {}
        }
    }
    for key in ["disableNameSuffixHash", "immutable"] {
        if matches!(item_get(g, key), Some(Value::Bool(true))) {
            map_set(&mut local, key, Value::Bool(true));
        }
    }
    // Empty maps and false booleans are dropped when written.
    local.retain(|(_, v)| match v {
        Value::Map(m) => !m.is_empty(),
        Value::Bool(b) => *b,
        Value::Null => false,
        _ => true,
    });
    if local.is_empty() {
        entry.retain(|(k, _)| k != "options");
    } else {
        map_set(entry, "options", Value::Map(local));
    }
}

/// Whether `key` is a valid ConfigMap/Secret data key.
fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 253
        && key
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        && key != "."
        && key != ".."
        && !key.starts_with("..")
}

/// Builds the generator's data the way kustomize does to validate it:
/// every literal is `key=value`, every file and env file can be read, keys
/// are valid and unique.
fn validate_sources(
    entry: &[(String, Value)],
    base: &Path,
    kind: GeneratorKind,
) -> Result<(), OpError> {
    let mut keys: Vec<String> = Vec::new();
    let mut add = |k: String| -> Result<(), OpError> {
        if !valid_key(&k) {
            return Err(OpError::new(format!(
                "{k:?} is not a valid key name for a {}: a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
                kind.kind()
            )));
        }
        if keys.contains(&k) {
            return Err(OpError::new(format!(
                "cannot add key {k}, another key by that name already exists in Data for {} \"{}\"",
                kind.kind(),
                str_of(entry, "name")
            )));
        }
        keys.push(k);
        Ok(())
    };
    for env in list_of(entry, "envs") {
        let text = std::fs::read_to_string(base.join(&env))
            .map_err(|e| OpError::new(format!("env source file: {env}: {e}")))?;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.split_once('=') {
                Some((k, _)) => add(k.to_string())?,
                None => {
                    return Err(OpError::new(format!(
                        "line #{}, in file {env}: {line:?} is not a valid key-value pair",
                        n + 1
                    )));
                }
            }
        }
    }
    for lit in list_of(entry, "literals") {
        match lit.split_once('=') {
            Some((k, _)) => add(k.to_string())?,
            None => {
                return Err(OpError::new(format!(
                    "invalid literal source {lit}, expected key=value"
                )));
            }
        }
    }
    for f in list_of(entry, "files") {
        let (key, path) = match f.split_once('=') {
            Some(("", _)) => {
                return Err(OpError::new(format!("key name for file path {f} missing")));
            }
            Some((_, "")) => {
                return Err(OpError::new(format!("file path for key name {f} missing")));
            }
            Some((k, p)) => (Some(k.to_string()), p.to_string()),
            None => (None, f.clone()),
        };
        let full = base.join(&path);
        if full.is_dir() && key.is_none() {
            let mut names: Vec<String> = std::fs::read_dir(&full)
                .map_err(|e| OpError::new(format!("{path}: {e}")))?
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            for n in names {
                add(n)?;
            }
            continue;
        }
        std::fs::metadata(&full).map_err(|e| {
            OpError::new(format!(
                "evalsymlink failure on '{}' : lstat {}: {}",
                path,
                full.display(),
                io_words(&e)
            ))
        })?;
        let key = key.unwrap_or_else(|| {
            Path::new(&path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        add(key)?;
    }
    Ok(())
}

fn io_words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Checks the flags of `edit add configmap|secret` (`ValidateAdd`).
pub fn validate_add(flags: &GeneratorFlags, args: &[String]) -> Result<String, OpError> {
    if args.len() != 1 {
        return Err(OpError::new("name must be specified once"));
    }
    if flags.env_file.is_empty() && flags.files.is_empty() && flags.literals.is_empty() {
        return Err(OpError::new(
            "at least from-env-file, or from-file or from-literal must be set",
        ));
    }
    if !flags.env_file.is_empty() && (!flags.files.is_empty() || !flags.literals.is_empty()) {
        return Err(OpError::new(
            "from-env-file cannot be combined with from-file or from-literal",
        ));
    }
    if !flags.behavior.is_empty()
        && !matches!(flags.behavior.as_str(), "create" | "merge" | "replace")
    {
        return Err(OpError::new(
            r#"invalid behavior: must be one of "create", "merge", or "replace""#,
        ));
    }
    Ok(args[0].clone())
}

/// Checks the flags of `edit set configmap|secret` (`ValidateSet`).
pub fn validate_set(flags: &GeneratorFlags, args: &[String]) -> Result<String, OpError> {
    if args.len() != 1 {
        return Err(OpError::new("name must be specified once"));
    }
    if flags.literals.is_empty() && flags.new_namespace.is_empty() {
        return Err(OpError::new(
            "at least one of [--from-literal, --new-namespace] must be specified",
        ));
    }
    Ok(args[0].clone())
}

/// `edit add configmap|secret NAME`: finds the entry of that name and
/// namespace (or appends one), adds the sources, and validates the result
/// by building its data. `base` is where source paths are read from.
pub fn add_generator(
    k: &mut Kustomization,
    kind: GeneratorKind,
    flags: &GeneratorFlags,
    base: &Path,
) -> Result<Outcome, OpError> {
    let mut items = k.items(kind.field());
    let found = items.iter().position(|v| match v {
        Value::Map(e) => {
            str_of(e, "name") == flags.name
                && namespace_equal(&str_of(e, "namespace"), &flags.namespace)
        }
        _ => false,
    });
    let index = match found {
        Some(i) => i,
        None => {
            let mut e = Vec::new();
            set_str(&mut e, "namespace", &flags.namespace);
            set_str(&mut e, "name", &flags.name);
            if kind == GeneratorKind::Secret {
                set_str(&mut e, "type", &flags.secret_type);
            }
            items.push(Value::Map(e));
            items.len() - 1
        }
    };
    let Value::Map(entry) = &mut items[index] else {
        return Err(OpError::new("invalid generator entry"));
    };
    let mut literals = list_of(entry, "literals");
    literals.extend(flags.literals.iter().cloned());
    set_list(entry, "literals", literals);
    let mut files = list_of(entry, "files");
    files.extend(flags.files.iter().cloned());
    set_list(entry, "files", files);
    if !flags.env_file.is_empty() {
        let mut envs = list_of(entry, "envs");
        envs.push(flags.env_file.clone());
        set_list(entry, "envs", envs);
    }
    if flags.disable_name_suffix_hash {
        map_set(
            entry,
            "options",
            Value::Map(vec![("disableNameSuffixHash".into(), Value::Bool(true))]),
        );
    }
    if !flags.behavior.is_empty() {
        set_str(entry, "behavior", &flags.behavior);
    }
    merge_global_options(entry, k.get("generatorOptions"));
    validate_sources(entry, base, kind)
        .map_err(|e| OpError::new(format!("failed to create {}: {}", kind.word(), e.0)))?;
    k.set_items(kind.field(), items);
    Ok(Outcome {
        log: Vec::new(),
        write: true,
        files: Vec::new(),
    })
}

/// `edit set configmap|secret NAME`: new values for existing literal keys
/// and/or a new namespace, for the entry of that name and namespace.
pub fn set_generator(
    k: &mut Kustomization,
    kind: GeneratorKind,
    flags: &GeneratorFlags,
    base: &Path,
) -> Result<Outcome, OpError> {
    let fail = |m: String| OpError::new(format!("failed to create {}: {m}", kind.word()));
    let mut items = k.items(kind.field());
    let Some(index) = items.iter().position(|v| match v {
        Value::Map(e) => {
            str_of(e, "name") == flags.name
                && namespace_equal(&flags.namespace, &str_of(e, "namespace"))
        }
        _ => false,
    }) else {
        return Err(fail(format!(
            "could not set new {} value: unable to find {} with name {:?}",
            kind.kind(),
            kind.kind(),
            flags.name
        )));
    };
    let Value::Map(entry) = &mut items[index] else {
        return Err(fail("invalid generator entry".into()));
    };
    if !flags.literals.is_empty() {
        let bad = || {
            fail("failed to update literal sources: failed to update resource: invalid format: literal values must be specified in the key=value format".into())
        };
        let mut pairs: Vec<(String, String)> = Vec::new();
        for lit in list_of(entry, "literals") {
            if lit.matches('=').count() != 1 {
                return Err(bad());
            }
            let (key, value) = lit.split_once('=').unwrap_or_default();
            pairs.retain(|(k2, _)| k2 != key);
            pairs.push((key.to_string(), value.to_string()));
        }
        for lit in &flags.literals {
            if lit.matches('=').count() != 1 {
                return Err(bad());
            }
            let (key, value) = lit.split_once('=').unwrap_or_default();
            let Some(slot) = pairs.iter_mut().find(|(k2, _)| k2 == key) else {
                return Err(fail(format!(
                    "failed to update literal sources: key '{key}' not found in resource"
                )));
            };
            slot.1 = value.to_string();
        }
        set_list(
            entry,
            "literals",
            pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect(),
        );
    }
    if !flags.new_namespace.is_empty() {
        set_str(entry, "namespace", &flags.new_namespace);
    }
    merge_global_options(entry, k.get("generatorOptions"));
    validate_sources(entry, base, kind).map_err(|e| {
        fail(format!(
            "failed to validate {} structure: {}",
            kind.kind(),
            e.0
        ))
    })?;
    k.set_items(kind.field(), items);
    Ok(Outcome {
        log: Vec::new(),
        write: true,
        files: Vec::new(),
    })
}

/// `edit remove configmap|secret a,b`: removes the entries of those names
/// in `namespace`; an error when none is found.
pub fn remove_generators(
    k: &mut Kustomization,
    kind: GeneratorKind,
    names: &[String],
    namespace: &str,
    file_name: &str,
) -> Result<Outcome, OpError> {
    let mut found: Vec<String> = Vec::new();
    let kept: Vec<Value> = k
        .items(kind.field())
        .into_iter()
        .filter(|v| {
            let Value::Map(e) = v else { return true };
            let name = str_of(e, "name");
            if names.contains(&name) && namespace_equal(&str_of(e, "namespace"), namespace) {
                found.push(name);
                false
            } else {
                true
            }
        })
        .collect();
    if found.is_empty() {
        return Err(OpError::new(format!(
            "no specified {}(s) were found in the {file_name} file",
            kind.word()
        )));
    }
    let log = names
        .iter()
        .filter(|n| !found.contains(n))
        .map(|n| format!("{} {n} doesn't exist in kustomization file", kind.word()))
        .collect();
    k.set_items(kind.field(), kept);
    Ok(Outcome {
        log,
        write: true,
        files: Vec::new(),
    })
}
