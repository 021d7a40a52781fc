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
//! producers:                       # objects that make Secrets or ConfigMaps
//!   - kind: VaultStaticSecret
//!     group: secrets.hashicorp.com  # optional
//!     creates: Secret
//!     name: spec.destination.name   # field holding the name; default metadata.name
//! ```
//!
//! `check` looks for the file in each checked directory and then in its
//! parents, up to the first one that holds `.git`. Paths in `environments`
//! are relative to the file's directory and match the checked directory or
//! any directory above it; `*` matches within one path segment, `**` across
//! segments.
//!
//! This module reads bytes through a [`FileSystem`] and knows nothing of
//! the rules: the caller passes the rule ids a file may name.

use crate::error::{ConfigError, Error};
use crate::finding::Severity;
use crate::paths::absolute;
use crate::producers::Producer;
use regex::Regex;
use rustomize_loader::{FileKind, FileSystem};
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

/// A glob, matched in time linear in the text (compiled to a regular
/// expression, which never backtracks).
#[derive(Clone, Debug)]
pub struct Glob {
    text: String,
    re: Regex,
}

impl PartialEq for Glob {
    fn eq(&self, other: &Glob) -> bool {
        self.text == other.text
    }
}

impl Eq for Glob {}

impl Glob {
    /// Compiles a glob: `*` any run of characters (not `/` when `paths`),
    /// `**` any run including `/` (`**/` also matches nothing), `?` one
    /// character (not `/` when `paths`).
    pub fn new(pattern: &str, paths: bool) -> Result<Glob, regex::Error> {
        let mut re = String::from("^");
        let (star, one) = if paths {
            ("[^/]*", "[^/]")
        } else {
            ("(?s:.*)", "(?s:.)")
        };
        let mut rest = pattern;
        while let Some(c) = rest.chars().next() {
            if paths && rest.starts_with("**/") {
                re.push_str("(?s:.*/)?");
                rest = &rest[3..];
            } else if rest.starts_with("**") {
                re.push_str("(?s:.*)");
                rest = &rest[2..];
            } else {
                match c {
                    '*' => re.push_str(star),
                    '?' => re.push_str(one),
                    c => re.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
                }
                rest = &rest[c.len_utf8()..];
            }
        }
        re.push('$');
        Ok(Glob {
            text: pattern.to_string(),
            re: Regex::new(&re)?,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `text` matches the whole pattern.
    pub fn matches(&self, text: &str) -> bool {
        self.re.is_match(text)
    }
}

/// One environment: where it applies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    /// Its name (`production`).
    pub name: String,
    /// Directory globs, relative to the configuration file.
    pub paths: Vec<Glob>,
    /// Namespace globs.
    pub namespaces: Vec<Glob>,
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
    /// Producers of Secrets and ConfigMaps beyond the built-in ones.
    pub producers: Vec<Producer>,
}

impl Config {
    /// Finds and reads the configuration for a checked directory: the first
    /// file named in [`FILE_NAMES`] in `dir` or a parent, stopping after a
    /// directory holding `.git`. `Ok(None)` when there is none. `rule_ids`
    /// are the ids the file may name.
    pub fn find(
        fs: &dyn FileSystem,
        dir: &Path,
        rule_ids: &[&str],
    ) -> Result<Option<Config>, Error> {
        let abs = absolute(dir);
        let mut cur: Option<&Path> = Some(&abs);
        while let Some(d) = cur {
            for name in FILE_NAMES {
                let p = d.join(name);
                if matches!(fs.kind(&p), Ok(FileKind::File)) {
                    return Config::load(fs, &p, rule_ids).map(Some);
                }
            }
            if fs.kind(&d.join(".git")).is_ok() {
                break;
            }
            cur = d.parent();
        }
        Ok(None)
    }

    /// Reads one configuration file.
    pub fn load(fs: &dyn FileSystem, path: &Path, rule_ids: &[&str]) -> Result<Config, Error> {
        let bytes = fs.read(path).map_err(|source| Error::ReadConfig {
            path: path.to_path_buf(),
            source,
        })?;
        let text = String::from_utf8_lossy(&bytes);
        let mut c = Config::parse(&text, rule_ids).map_err(|source| Error::Config {
            path: path.to_path_buf(),
            source,
        })?;
        c.file = Some(path.to_path_buf());
        Ok(c)
    }

    /// Parses configuration text; `rule_ids` are the ids `rules` may name.
    pub fn parse(text: &str, rule_ids: &[&str]) -> Result<Config, ConfigError> {
        let doc = rustomize_yaml::parse_one(text).map_err(|e| ConfigError::Yaml {
            line: e.line,
            column: e.column,
            message: e.message.clone(),
        })?;
        let mut c = Config::default();
        if doc.is_null() {
            return Ok(c);
        }
        let top = doc.as_map().ok_or(ConfigError::NotAMapping)?;
        for e in &top.entries {
            let line = e.key.line;
            let expected = |expected| ConfigError::Expected {
                line,
                field: e.key.value.to_string(),
                expected,
            };
            match e.key.value.as_str() {
                "kubernetesVersion" => {
                    c.kubernetes_version =
                        Some(scalar_text(&e.value).ok_or_else(|| expected("expected a version"))?);
                }
                "rules" => {
                    let m = e.value.as_map().ok_or_else(|| {
                        expected("expected a mapping of rule ids to off/info/warning/error")
                    })?;
                    for r in &m.entries {
                        let id = r.key.value.as_str();
                        if !rule_ids.contains(&id) {
                            return Err(ConfigError::UnknownRule {
                                line: r.key.line,
                                id: id.to_string(),
                                known: rule_ids.join(", "),
                            });
                        }
                        let setting = rule_setting(&r.value).ok_or(ConfigError::RuleSetting {
                            line: r.key.line,
                            id: id.to_string(),
                        })?;
                        c.rules.insert(id.to_string(), setting);
                    }
                }
                "environments" => {
                    let m = e
                        .value
                        .as_map()
                        .ok_or_else(|| expected("expected a mapping of environment names"))?;
                    for env in &m.entries {
                        c.environments
                            .push(environment(&env.key.value, &env.value, env.key.line)?);
                    }
                }
                "producers" => {
                    let seq = e
                        .value
                        .as_seq()
                        .ok_or_else(|| expected("expected a list of producers"))?;
                    for (i, p) in seq.iter().enumerate() {
                        c.producers.push(Producer::parse(p, i, line)?);
                    }
                }
                other => {
                    return Err(ConfigError::UnknownField {
                        line,
                        within: None,
                        field: other.to_string(),
                        known: "kubernetesVersion, rules, environments, producers",
                    });
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
        // The checked directory or any directory above it.
        let prefixes: Vec<String> = (0..=segments.len())
            .map(|n| segments[..n].join("/"))
            .collect();
        self.environments
            .iter()
            .find(|env| {
                env.paths
                    .iter()
                    .any(|p| prefixes.iter().any(|dir| p.matches(dir)))
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
            .find(|env| env.namespaces.iter().any(|p| p.matches(namespace)))
            .map(|env| env.name.as_str())
    }
}

pub(crate) fn scalar_text(n: &Node) -> Option<String> {
    match n {
        Node::Scalar(s) if s.tag != Tag::Null => Some(s.value.to_string()),
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

fn environment(name: &str, n: &Node, line: u32) -> Result<Environment, ConfigError> {
    let mut env = Environment {
        name: name.to_string(),
        ..Environment::default()
    };
    if n.is_null() {
        return Ok(env);
    }
    let m = n.as_map().ok_or_else(|| ConfigError::Expected {
        line,
        field: format!("environments.{name}"),
        expected: "expected a mapping",
    })?;
    for e in &m.entries {
        let list: Vec<String> = match e.value.as_seq() {
            Some(seq) => seq.iter().filter_map(scalar_text).collect(),
            None => scalar_text(&e.value).into_iter().collect(),
        };
        let field = e.key.value.as_str();
        let paths = match field {
            "paths" => true,
            "namespaces" => false,
            other => {
                return Err(ConfigError::UnknownField {
                    line: e.key.line,
                    within: Some(format!("environments.{name}")),
                    field: other.to_string(),
                    known: "paths, namespaces",
                });
            }
        };
        let globs = list
            .iter()
            .map(|p| {
                let p = if paths { p.trim_matches('/') } else { p };
                Glob::new(p, paths).map_err(|why| ConfigError::Pattern {
                    line: e.key.line,
                    field: format!("environments.{name}.{field}"),
                    pattern: p.to_string(),
                    why: why.to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if paths {
            env.paths = globs;
        } else {
            env.namespaces = globs;
        }
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::rows;
    use indoc::indoc;

    const IDS: &[&str] = &["resource-limits", "liveness-probe"];

    #[test]
    fn parses_a_full_file() {
        let c = Config::parse(
            indoc! {r#"
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
        "#},
            IDS,
        )
        .unwrap();
        assert_eq!(c.kubernetes_version.as_deref(), Some("1.36"));
        assert_eq!(c.rule("resource-limits"), Some(RuleSetting::Off));
        assert_eq!(
            c.rule("liveness-probe"),
            Some(RuleSetting::Severity(Severity::Error))
        );
        assert_eq!(c.environments.len(), 2);
        assert_eq!(c.environments[1].paths[0].as_str(), "overlays/staging");
        assert_eq!(c.env_for_namespace("app-prod"), Some("production"));
        assert_eq!(c.env_for_namespace("app-staging"), None);
    }

    #[test]
    fn rejects_typos() {
        rows(
            &[
                (
                    "rules:\n  resource-limit: off\n",
                    "line 2: rules: unknown rule \"resource-limit\" (known: resource-limits, liveness-probe)",
                ),
                (
                    "rules:\n  resource-limits: loud\n",
                    "line 2: rules.resource-limits: expected off, info, warning or error",
                ),
                (
                    "rule:\n  x: off\n",
                    "line 1: unknown field \"rule\" (known: kubernetesVersion, rules, environments, producers)",
                ),
                (
                    "environments:\n  prod:\n    path: [x]\n",
                    "line 3: environments.prod: unknown field \"path\" (known: paths, namespaces)",
                ),
                ("- a\n", "expected a mapping"),
                (
                    "producers:\n- {kind: X, creates: Pod}\n",
                    "line 2: producers[0].creates: expected Secret or ConfigMap",
                ),
                (
                    "producers:\n- {kind: X, creates: Secret, names: a}\n",
                    "line 2: producers[0]: unknown field \"names\" (known: group, kind, creates, name)",
                ),
            ],
            |(text, want)| {
                let got = Config::parse(text, IDS)
                    .map(|_| ())
                    .map_err(|e| e.to_string());
                (got == Err(want.to_string()))
                    .then_some(())
                    .ok_or(format!("{got:?}"))
            },
        );
    }

    #[test]
    fn env_by_path() {
        let mut c = Config::parse(
            indoc! {r#"
            environments:
              production:
                paths: [overlays/production, "hosts/*/apps/**/production"]
        "#},
            IDS,
        )
        .unwrap();
        c.file = Some(PathBuf::from("/repo/.rustomize-check.yaml"));
        rows(
            &[
                ("/repo/overlays/production", Some("production")),
                ("/repo/overlays/production/eu", Some("production")),
                ("/repo/overlays/staging", None),
                ("/repo/hosts/a/apps/web/x/production", Some("production")),
                ("/repo/hosts/a/apps/production", Some("production")),
                ("/repo/hosts/a/b/apps/web/production", None),
                ("/elsewhere/overlays/production", None),
            ],
            |&(dir, want)| {
                let got = c.env_for_path(Path::new(dir));
                (got == want).then_some(()).ok_or(format!("got {got:?}"))
            },
        );
    }

    #[test]
    fn globs() {
        rows(
            &[
                ("*-prod", "app-prod", false, true),
                ("*-prod", "a/b-prod", false, true),
                ("a/**", "a/b/c", true, true),
                ("a/**/c", "a/c", true, true),
                ("a/**/c", "a/b/d/c", true, true),
                ("a/*", "a/b/c", true, false),
                ("a/?", "a/b", true, true),
                ("a.b", "axb", true, false),
                ("(x)", "(x)", false, true),
            ],
            |&(pattern, text, paths, want)| {
                let got = Glob::new(pattern, paths).unwrap().matches(text);
                (got == want).then_some(()).ok_or(format!("got {got}"))
            },
        );
    }

    /// The recursive matcher this replaced took exponential time on a
    /// pattern of many stars against a long text that does not match.
    #[test]
    fn glob_with_many_stars_does_not_backtrack() {
        let pattern = "*a".repeat(30) + "b";
        let text = "a".repeat(5_000);
        assert!(!Glob::new(&pattern, false).unwrap().matches(&text));
        assert!(!Glob::new(&pattern, true).unwrap().matches(&text));
    }

    #[test]
    fn files_are_read_through_the_file_system() {
        let fs = rustomize_loader::MemFs::new();
        fs.write("/repo/.git/HEAD", "ref: refs/heads/main\n");
        fs.write(
            "/repo/.rustomize-check.yaml",
            "rules: {liveness-probe: off}\n",
        );
        fs.mkdir("/repo/overlays/prod");
        let c = Config::find(&fs, Path::new("/repo/overlays/prod"), IDS)
            .unwrap()
            .unwrap();
        assert_eq!(c.rule("liveness-probe"), Some(RuleSetting::Off));
        assert_eq!(c.root(), Some(Path::new("/repo")));
        fs.write("/other/.git/HEAD", "x");
        fs.mkdir("/other/app");
        assert!(
            Config::find(&fs, Path::new("/other/app"), IDS)
                .unwrap()
                .is_none()
        );
        let err = Config::load(&fs, Path::new("/missing.yaml"), IDS).unwrap_err();
        assert!(matches!(err, Error::ReadConfig { .. }), "{err:?}");
    }
}
