//! The configuration file, `.rustomize-check.yaml`, at the root of a tree.
//!
//! ```yaml
//! kubernetesVersion: "1.36"        # schemas to check against
//! rules:
//!   resource-limits: off           # turn a rule off
//!   liveness-probe: error          # or change its severity (info, warning, error)
//! environments:                    # which targets and namespaces are which env
//!   production:
//!     paths: [overlays/production, "clusters/*/production"]
//!     namespaces: ["*-prod"]
//!   staging:
//!     paths: [overlays/staging]
//! ```
//!
//! `check` looks for the file in each checked directory and then in its
//! parents, up to the first one that holds `.git`. Paths in `environments`
//! are relative to the file's directory and match the checked directory or
//! any directory above it; `*` matches within one path segment, `**` across
//! segments.

use crate::Error;
use crate::finding::Severity;
use rustomize_yaml::{Node, Tag};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// File names looked for, in order.
pub const FILE_NAMES: &[&str] = &[".rustomize-check.yaml", ".rustomize-check.yml"];

/// A rule's configured state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleSetting {
    /// Not run.
    Off,
    /// Run, reporting at this severity.
    Severity(Severity),
}

/// One environment: where it applies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    /// Its name (`production`).
    pub name: String,
    /// Directory globs, relative to the configuration file.
    pub paths: Vec<String>,
    /// Namespace globs.
    pub namespaces: Vec<String>,
}

/// A parsed configuration.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file it was read from.
    pub file: Option<PathBuf>,
    /// The Kubernetes version to check against.
    pub kubernetes_version: Option<String>,
    /// Rule settings by id.
    pub rules: BTreeMap<String, RuleSetting>,
    /// Environments, in file order.
    pub environments: Vec<Environment>,
}

impl Config {
    /// Finds and reads the configuration for a checked directory: the first
    /// file named in [`FILE_NAMES`] in `dir` or a parent, stopping after a
    /// directory holding `.git`. `Ok(None)` when there is none.
    // The configuration is looked for and read on the local disk, by
    // path, not through a build's FileSystem.
    #[allow(clippy::disallowed_methods)]
    pub fn find(dir: &Path) -> Result<Option<Config>, Error> {
        let abs = absolute(dir);
        let mut cur: Option<&Path> = Some(&abs);
        while let Some(d) = cur {
            for name in FILE_NAMES {
                let p = d.join(name);
                if p.is_file() {
                    return Config::load(&p).map(Some);
                }
            }
            if d.join(".git").exists() {
                break;
            }
            cur = d.parent();
        }
        Ok(None)
    }

    /// Reads one configuration file.
    // The configuration is looked for and read on the local disk, by
    // path, not through a build's FileSystem.
    #[allow(clippy::disallowed_methods)]
    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let mut c = Config::parse(&text).map_err(|message| Error::Config {
            path: path.display().to_string(),
            message,
        })?;
        c.file = Some(path.to_path_buf());
        Ok(c)
    }

    /// Parses configuration text; the error says which field is wrong.
    pub fn parse(text: &str) -> Result<Config, String> {
        let doc = rustomize_yaml::parse_one(text)
            .map_err(|e| format!("{}:{}: {}", e.line, e.column, e.message))?;
        let mut c = Config::default();
        if doc.is_null() {
            return Ok(c);
        }
        let top = doc.as_map().ok_or("expected a mapping")?;
        for e in &top.entries {
            let at = |m: &str| format!("line {}: {}: {m}", e.key.line, e.key.value);
            match e.key.value.as_str() {
                "kubernetesVersion" => {
                    c.kubernetes_version =
                        Some(scalar_text(&e.value).ok_or_else(|| at("expected a version"))?);
                }
                "rules" => {
                    let Some(m) = e.value.as_map() else {
                        return Err(at(
                            "expected a mapping of rule ids to off/info/warning/error",
                        ));
                    };
                    for r in &m.entries {
                        let id = r.key.value.as_str();
                        if !crate::rules::is_rule_id(id) {
                            return Err(format!(
                                "line {}: rules: unknown rule \"{id}\" (known: {})",
                                r.key.line,
                                crate::rules::ids().join(", ")
                            ));
                        }
                        let setting = rule_setting(&r.value).ok_or_else(|| {
                            format!(
                                "line {}: rules.{id}: expected off, info, warning or error",
                                r.key.line
                            )
                        })?;
                        c.rules.insert(id.to_string(), setting);
                    }
                }
                "environments" => {
                    let Some(m) = e.value.as_map() else {
                        return Err(at("expected a mapping of environment names"));
                    };
                    for env in &m.entries {
                        c.environments
                            .push(environment(&env.key.value, &env.value, env.key.line)?);
                    }
                }
                other => {
                    return Err(format!(
                        "line {}: unknown field \"{other}\" (known: kubernetesVersion, rules, environments)",
                        e.key.line
                    ));
                }
            }
        }
        Ok(c)
    }

    /// The directory the file is in: where `environments` paths start.
    pub fn root(&self) -> Option<&Path> {
        self.file.as_deref().and_then(Path::parent)
    }

    /// The setting of a rule, if configured.
    pub fn rule(&self, id: &str) -> Option<RuleSetting> {
        self.rules.get(id).copied()
    }

    /// The environment a checked directory belongs to by `paths`.
    pub fn env_for_path(&self, target: &Path) -> Option<&str> {
        let root = absolute(self.root()?);
        let target = absolute(target);
        let rel = target.strip_prefix(&root).ok()?;
        let segments: Vec<String> = rel
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        self.environments
            .iter()
            .find(|env| {
                env.paths.iter().any(|p| {
                    let p = p.trim_matches('/');
                    (0..=segments.len()).any(|n| glob(p, &segments[..n].join("/"), true))
                })
            })
            .map(|env| env.name.as_str())
    }

    /// The environment a namespace belongs to by `namespaces`.
    pub fn env_for_namespace(&self, namespace: &str) -> Option<&str> {
        if namespace.is_empty() {
            return None;
        }
        self.environments
            .iter()
            .find(|env| env.namespaces.iter().any(|p| glob(p, namespace, false)))
            .map(|env| env.name.as_str())
    }
}

fn scalar_text(n: &Node) -> Option<String> {
    match n {
        Node::Scalar(s) if s.tag != Tag::Null => Some(s.value.clone()),
        _ => None,
    }
}

fn rule_setting(n: &Node) -> Option<RuleSetting> {
    let s = n.as_scalar()?;
    // `off` and `false` are booleans to YAML 1.1 readers; accept both.
    match s.value.to_ascii_lowercase().as_str() {
        "off" | "false" | "disabled" => Some(RuleSetting::Off),
        v => Severity::parse(v).map(RuleSetting::Severity),
    }
}

fn environment(name: &str, n: &Node, line: u32) -> Result<Environment, String> {
    let mut env = Environment {
        name: name.to_string(),
        ..Environment::default()
    };
    if n.is_null() {
        return Ok(env);
    }
    let m = n
        .as_map()
        .ok_or_else(|| format!("line {line}: environments.{name}: expected a mapping"))?;
    for e in &m.entries {
        let list = match e.value.as_seq() {
            Some(seq) => seq.iter().filter_map(scalar_text).collect(),
            None => match scalar_text(&e.value) {
                Some(s) => vec![s],
                None => Vec::new(),
            },
        };
        match e.key.value.as_str() {
            "paths" => env.paths = list,
            "namespaces" => env.namespaces = list,
            other => {
                return Err(format!(
                    "line {}: environments.{name}: unknown field \"{other}\" (known: paths, namespaces)",
                    e.key.line
                ));
            }
        }
    }
    Ok(env)
}

/// An absolute, lexically normalized path (`..` folded), without touching
/// the filesystem.
pub fn absolute(p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    normalize(&joined)
}

/// Folds `.` and `..` segments lexically.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Glob match: `*` any run of characters (not `/` when `paths`), `**` any
/// run including `/`, `?` one character.
pub fn glob(pattern: &str, text: &str, paths: bool) -> bool {
    fn go(p: &[u8], t: &[u8], paths: bool) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some(b'*') => {
                let double = p.get(1) == Some(&b'*');
                let rest = if double {
                    let r = &p[2..];
                    r.strip_prefix(b"/").filter(|_| paths).unwrap_or(r)
                } else {
                    &p[1..]
                };
                let cross = double || !paths;
                let mut i = 0;
                loop {
                    if go(rest, &t[i..], paths) {
                        return true;
                    }
                    if i == t.len() || (!cross && t[i] == b'/') {
                        return false;
                    }
                    i += 1;
                }
            }
            Some(b'?') => !t.is_empty() && go(&p[1..], &t[1..], paths),
            Some(&c) => t.first() == Some(&c) && go(&p[1..], &t[1..], paths),
        }
    }
    go(pattern.as_bytes(), text.as_bytes(), paths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;

    #[test]
    fn parses_a_full_file() {
        let c = Config::parse(indoc! {r#"
            kubernetesVersion: "1.36"
            rules:
              resource-limits: off
              liveness-probe: error
            environments:
              production:
                paths: [overlays/production, "clusters/*/prod"]
                namespaces: ["*-prod"]
              staging:
                paths: overlays/staging
        "#})
        .unwrap();
        assert_eq!(c.kubernetes_version.as_deref(), Some("1.36"));
        assert_eq!(c.rule("resource-limits"), Some(RuleSetting::Off));
        assert_eq!(
            c.rule("liveness-probe"),
            Some(RuleSetting::Severity(Severity::Error))
        );
        assert_eq!(c.environments.len(), 2);
        assert_eq!(c.environments[1].paths, vec!["overlays/staging"]);
        assert_eq!(c.env_for_namespace("app-prod"), Some("production"));
        assert_eq!(c.env_for_namespace("app-staging"), None);
    }

    #[test]
    fn rejects_typos() {
        let cases = [
            (
                "rules:\n  resource-limit: off\n",
                "unknown rule \"resource-limit\"",
            ),
            (
                "rules:\n  resource-limits: loud\n",
                "expected off, info, warning or error",
            ),
            ("rule:\n  x: off\n", "unknown field \"rule\""),
            (
                "environments:\n  prod:\n    path: [x]\n",
                "unknown field \"path\"",
            ),
        ];
        for (text, want) in cases {
            let err = Config::parse(text).unwrap_err();
            assert!(err.contains(want), "{text:?}: {err}");
        }
    }

    #[test]
    fn env_by_path() {
        let mut c = Config::parse(indoc! {r#"
            environments:
              production:
                paths: [overlays/production, "hosts/*/apps/**/production"]
        "#})
        .unwrap();
        c.file = Some(PathBuf::from("/repo/.rustomize-check.yaml"));
        for (dir, want) in [
            ("/repo/overlays/production", Some("production")),
            ("/repo/overlays/production/eu", Some("production")),
            ("/repo/overlays/staging", None),
            ("/repo/hosts/a/apps/web/x/production", Some("production")),
            ("/repo/hosts/a/b/apps/web/production", None),
            ("/elsewhere/overlays/production", None),
        ] {
            assert_eq!(c.env_for_path(Path::new(dir)), want, "{dir}");
        }
    }

    #[test]
    fn normalizes() {
        for (p, want) in [
            ("overlays/prod/../../base/d.yaml", "base/d.yaml"),
            ("./../../x", "../../x"),
            ("a/../../x", "../x"),
            ("/a/../../x", "/x"),
        ] {
            assert_eq!(normalize(Path::new(p)), PathBuf::from(want), "{p}");
        }
    }

    #[test]
    fn globs() {
        assert!(glob("*-prod", "app-prod", false));
        assert!(glob("a/**", "a/b/c", true));
        assert!(glob("a/**/c", "a/c", true));
        assert!(!glob("a/*", "a/b/c", true));
        assert!(glob("a/?", "a/b", true));
    }
}
