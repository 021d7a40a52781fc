//! Printing reports: readable text, JSON, SARIF 2.1.0 for code scanning,
//! and GitHub workflow annotations.

mod github;
mod json;
mod sarif;
pub(crate) mod text;

use crate::finding::Report;
use serde_json::Value;

/// The result of checking one target.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// It was checked.
    Checked(Report),
    /// It could not be built or read.
    Failed {
        /// The directory or file.
        target: String,
        /// Why.
        error: String,
    },
}

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Each object's findings under a heading naming it and its file, then
    /// a summary line per target. Failed targets are left out (the caller
    /// reports them on stderr).
    Text,
    /// One JSON document: `{"targets": [...]}`.
    Json,
    /// A SARIF 2.1.0 log with one run.
    Sarif,
    /// GitHub workflow commands (`::error file=...,line=...::...`), one per
    /// finding, then the text summary lines.
    Github,
}

/// Prints the outcomes of one `check` run in `format`.
pub fn render(outcomes: &[Outcome], format: Format) -> String {
    match format {
        Format::Text => text::text(outcomes),
        Format::Json => json::json(outcomes),
        Format::Sarif => sarif::sarif(outcomes),
        Format::Github => github::github(outcomes),
    }
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests;
