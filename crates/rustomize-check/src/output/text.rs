//! The text format: each object's findings under one heading (where the
//! object comes from), each finding after the file and line to edit, then
//! a summary line per target:
//!
//! ```text
//! base/deployment.yaml:1: Deployment app/web
//!   overlays/production/kustomization.yaml:12: error[single-writer-volume] spec.replicas: replicas is 2, ...
//!   base/deployment.yaml:20: warning[liveness-probe] spec.template.spec.containers[0].livenessProbe: ...
//! overlays/production: 1 error, 1 warning, 0 info in 4 objects (Kubernetes 1.37)
//! ```
//!
//! Text from the objects (names, values in messages, paths) is written with
//! control characters escaped (`\u{1b}`), so a value cannot move the cursor
//! or recolour the terminal, and a newline cannot fake a finding.

use super::Outcome;
use crate::finding::{Finding, Report, Severity};
use std::fmt::Write as _;

/// Every checked target: its findings grouped by object, then its summary.
pub(crate) fn text(outcomes: &[Outcome]) -> String {
    let mut out = String::new();
    for o in outcomes {
        let Outcome::Checked(report) = o else {
            continue;
        };
        let mut last: Option<&Finding> = None;
        for f in &report.findings {
            if !last.is_some_and(|l| same_heading(l, f)) {
                heading(&mut out, f, &report.target);
            }
            out.push_str("  ");
            push_escaped(&mut out, f.file.as_deref().unwrap_or(&report.target));
            if let Some(line) = f.line {
                let _ = write!(out, ":{line}");
            }
            out.push_str(": ");
            let _ = write!(out, "{}[{}] ", f.severity, f.rule);
            if !f.path.is_empty() {
                push_escaped(&mut out, &f.path);
                out.push_str(": ");
            }
            push_escaped(&mut out, &f.message);
            out.push('\n');
            last = Some(f);
        }
        summary(&mut out, report);
    }
    out
}

fn same_heading(a: &Finding, b: &Finding) -> bool {
    a.object == b.object && a.object_file == b.object_file && a.object_line == b.object_line
}

/// `file:line: Kind ns/name`: where the object comes from.
fn heading(out: &mut String, f: &Finding, target: &str) {
    push_escaped(out, f.object_file.as_deref().unwrap_or(target));
    if let Some(line) = f.object_line {
        let _ = write!(out, ":{line}");
    }
    out.push_str(": ");
    push_escaped(out, &f.object.to_string());
    out.push('\n');
}

/// `target: 1 error, 0 warnings, 0 info in 4 objects (Kubernetes 1.37)`,
/// with the environments the check assumed.
pub(crate) fn summary(out: &mut String, report: &Report) {
    push_escaped(out, &report.target);
    out.push_str(": ");
    if report.findings.is_empty() {
        out.push_str("no findings");
    } else {
        let e = report.count(Severity::Error);
        let w = report.count(Severity::Warning);
        let i = report.count(Severity::Info);
        let _ = write!(
            out,
            "{e} error{}, {w} warning{}, {i} info",
            plural(e),
            plural(w)
        );
    }
    let _ = write!(
        out,
        " in {} object{} (Kubernetes {}",
        report.objects,
        plural(report.objects),
        report.kubernetes_version
    );
    for a in &report.assumed_environments {
        out.push_str("; assumed environment ");
        push_escaped(out, a);
    }
    out.push_str(")\n");
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Appends `s` with control characters escaped (`\n`, `\t`, `\r`, else
/// `\u{..}`).
pub(crate) fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
}
