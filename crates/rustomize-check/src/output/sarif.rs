//! SARIF 2.1.0, for GitHub code scanning and similar tools.

use super::Outcome;
use crate::finding::{Finding, Severity};
use crate::rules;
use serde_json::{Value, json};
use std::fmt::Write as _;

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A file as a SARIF `artifactLocation.uri`: percent-encoded (RFC 3986).
/// A relative path keeps only unreserved characters and `/`, so `:` or `#`
/// in a file name cannot read as a scheme or fragment; a remote file
/// (`https://github.com/org/app//deploy/d.yaml?ref=v1`) keeps the URL's
/// own delimiters. Backslashes become `/`.
pub(crate) fn uri(path: &str) -> String {
    let is_url = path.contains("://");
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        let c = if c == '\\' { '/' } else { c };
        let keep = c.is_ascii_alphanumeric()
            || matches!(c, '-' | '.' | '_' | '~' | '/')
            || (is_url && matches!(c, ':' | '?' | '=' | '&' | '@' | '+' | ',' | ';'));
        if keep {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// A SARIF 2.1.0 log with one run: every rule described in the driver,
/// one result per finding, build failures as tool notifications.
pub(super) fn sarif(outcomes: &[Outcome]) -> String {
    let all = rules::all();
    let repo = env!("CARGO_PKG_REPOSITORY");
    let rule_meta: Vec<Value> = all
        .iter()
        .map(|r| {
            json!({
                "id": r.id(),
                "shortDescription": {"text": r.summary()},
                "helpUri": format!("{repo}/blob/main/docs/rules/{}.md", r.id()),
                "defaultConfiguration": {"level": sarif_level(r.default_severity())},
            })
        })
        .collect();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for o in outcomes {
        match o {
            Outcome::Checked(report) => {
                for f in &report.findings {
                    let index = all.iter().position(|r| r.id() == f.rule);
                    let mut text = format!("{}: ", f.object);
                    if !f.path.is_empty() {
                        let _ = write!(text, "{}: ", f.path);
                    }
                    text.push_str(&f.message);
                    let mut location = json!({
                        "logicalLocations": [{
                            "fullyQualifiedName": format!("{}/{}", f.object.kind, qualified(f)),
                            "kind": "object",
                        }],
                    });
                    if let Some(file) = &f.file {
                        let mut physical = json!({"artifactLocation": {"uri": uri(file)}});
                        if let Some(line) = f.line {
                            physical["region"] = match f.column {
                                Some(col) => json!({"startLine": line, "startColumn": col}),
                                None => json!({"startLine": line}),
                            };
                        }
                        location["physicalLocation"] = physical;
                    }
                    results.push(json!({
                        "ruleId": f.rule,
                        "ruleIndex": index,
                        "level": sarif_level(f.severity),
                        "message": {"text": text},
                        "locations": [location],
                        "properties": {
                            "target": report.target,
                            "kubernetesVersion": report.kubernetes_version,
                            "apiVersion": f.object.api_version,
                            "path": f.path,
                        },
                    }));
                }
            }
            Outcome::Failed { target, error } => notifications.push(json!({
                "level": "error",
                "message": {"text": format!("{target}: {error}")},
            })),
        }
    }
    super::pretty(&json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "rustomize check",
                "informationUri": repo,
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rule_meta,
            }},
            "invocations": [{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    }))
}

fn qualified(f: &Finding) -> String {
    let mut s = if f.object.namespace.is_empty() {
        f.object.name.clone()
    } else {
        format!("{}/{}", f.object.namespace, f.object.name)
    };
    if !f.path.is_empty() {
        s.push('.');
        s.push_str(&f.path);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::uri;
    use crate::testing::rows;

    /// The URI kept `:`, `?`, non-ASCII and control characters as they
    /// were, so a file name could read as a scheme or a query.
    #[test]
    fn sarif_uri_is_percent_encoded() {
        rows(
            &[
                ("base/deployment.yaml", "base/deployment.yaml"),
                ("base/my app.yaml", "base/my%20app.yaml"),
                ("a:b/c#d?e%f.yaml", "a%3Ab/c%23d%3Fe%25f.yaml"),
                ("café/x.yaml", "caf%C3%A9/x.yaml"),
                ("dir\\win.yaml", "dir/win.yaml"),
                ("bad\nline.yaml", "bad%0Aline.yaml"),
                (
                    "https://github.com/org/app//deploy/d.yaml?ref=v1",
                    "https://github.com/org/app//deploy/d.yaml?ref=v1",
                ),
            ],
            |&(path, want)| {
                let got = uri(path);
                (got == want).then_some(()).ok_or(got)
            },
        );
    }
}
