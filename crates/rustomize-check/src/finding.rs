//! What a check reports.

use std::fmt;

/// How serious a finding is. Findings at [`Severity::Error`] fail the check
/// (exit code 1); with `--fail-on warning`, warnings do too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; never fails a check (SARIF `note`).
    Info,
    /// Should be fixed; does not fail a check.
    Warning,
    /// Must be fixed; fails the check.
    Error,
}

impl Severity {
    /// The name used in output and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses `info`, `warning` or `error`.
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The object a finding is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRef {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.namespace` (empty when not set).
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
}

impl fmt::Display for ObjectRef {
    /// `Kind namespace/name`, or `Kind name` without a namespace.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {}", self.kind, self.name)
        } else {
            write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// One problem found in one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule's stable id (`single-writer-volume`, `schema`).
    pub rule: &'static str,
    /// Severity after configuration.
    pub severity: Severity,
    /// The object.
    pub object: ObjectRef,
    /// Field path in the object (`spec.template.spec.containers[0].image`);
    /// empty for the object as a whole.
    pub path: String,
    /// What is wrong, and how to fix it where that is short.
    pub message: String,
    /// The file to edit, as the user would name it (relative to the
    /// working directory when possible; `repo@ref:path` in a remote base):
    /// where the field's value was set (the overlay's `images:` entry, the
    /// patch that removed a probe, the base file), else the object's file.
    pub file: Option<String>,
    /// The line to edit in that file.
    pub line: Option<u32>,
    /// The column, when known.
    pub column: Option<u32>,
    /// What at that place set the value, when it is a kustomization entry
    /// rather than the file's own text (`images[0]`, `replicas[0]`,
    /// `configMapGenerator[0] literals[1]`).
    pub detail: Option<String>,
    /// The file the object itself came from (the heading of its findings).
    pub object_file: Option<String>,
    /// The line the object starts at in that file.
    pub object_line: Option<u32>,
}

/// Findings of one checked target (a directory or a file).
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The directory or file checked, as given.
    pub target: String,
    /// The Kubernetes minor the schemas came from.
    pub kubernetes_version: String,
    /// How many objects were checked.
    pub objects: usize,
    /// The findings, in output order of their objects.
    pub findings: Vec<Finding>,
    /// Environments the check inferred (no `--env`, no configured
    /// environments), each with why: `production, because the path has a
    /// segment "production"`.
    pub assumed_environments: Vec<String>,
}

impl Report {
    /// How many findings have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Whether any finding is at error level.
    pub fn has_errors(&self) -> bool {
        self.fails(Severity::Error)
    }

    /// Whether any finding is at `threshold` or above (`--fail-on`).
    pub fn fails(&self, threshold: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= threshold)
    }
}
