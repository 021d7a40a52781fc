//! Errors of `check` itself (not findings).

use std::path::PathBuf;

/// What can stop a check before it reports findings.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration file that cannot be read.
    #[error("{}: {source}", path.display())]
    ReadConfig {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A configuration file that is malformed.
    #[error("{}: {source}", path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong, and on which line.
        #[source]
        source: ConfigError,
    },
    /// A Kubernetes version with no bundled schemas.
    #[error("no schemas for Kubernetes version \"{given}\"; bundled: {bundled}")]
    KubernetesVersion {
        /// The version asked for, without a leading `v`.
        given: String,
        /// The bundled minors, comma-separated.
        bundled: String,
    },
    /// The bundled schema data is damaged: a bug in the build of rustomize,
    /// never the user's input, so the detail is only text.
    #[error("bundled Kubernetes schemas: {detail}")]
    BundledSchemas {
        /// What was wrong with the data.
        detail: String,
    },
}

/// What is wrong in a configuration file; every variant but the YAML
/// syntax error names the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Not YAML.
    #[error("{line}:{column}: {message}")]
    Yaml {
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// The parser's message.
        message: String,
    },
    /// The document is not a mapping.
    #[error("expected a mapping")]
    NotAMapping,
    /// A field of the wrong shape.
    #[error("line {line}: {field}: {expected}")]
    Expected {
        /// The line.
        line: u32,
        /// The field's path (`rules`, `environments.production`).
        field: String,
        /// What was expected (`expected a mapping`).
        expected: &'static str,
    },
    /// A field the configuration does not have.
    #[error("line {line}: {}unknown field \"{field}\" (known: {known})", within.as_deref().map(|w| format!("{w}: ")).unwrap_or_default())]
    UnknownField {
        /// The line.
        line: u32,
        /// The enclosing field, if not at the top.
        within: Option<String>,
        /// The unknown field.
        field: String,
        /// The fields allowed there.
        known: &'static str,
    },
    /// A rule id that no rule has.
    #[error("line {line}: rules: unknown rule \"{id}\" (known: {known})")]
    UnknownRule {
        /// The line.
        line: u32,
        /// The id given.
        id: String,
        /// Every rule id, comma-separated.
        known: String,
    },
    /// A rule setting that is not a severity or `off`.
    #[error("line {line}: rules.{id}: expected off, info, warning or error")]
    RuleSetting {
        /// The line.
        line: u32,
        /// The rule.
        id: String,
    },
    /// A glob that cannot be used (every character but `*` and `?` is
    /// literal, so only a pattern too large to compile).
    #[error("line {line}: {field}: the pattern \"{pattern}\" is not valid: {why}")]
    Pattern {
        /// The line.
        line: u32,
        /// The field (`environments.production.paths`).
        field: String,
        /// The pattern.
        pattern: String,
        /// Why.
        why: String,
    },
}
