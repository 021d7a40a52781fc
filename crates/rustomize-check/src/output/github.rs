//! GitHub workflow commands: one annotation per finding
//! (`::error file=base/d.yaml,line=1,title=schema::Deployment api: ...`),
//! `::error` for targets that could not be built, then the text summary
//! lines. Values are escaped as the runner reads them: `%`, CR and LF in
//! the message; also `:` and `,` in properties.

use super::Outcome;
use super::text::summary;
use crate::finding::Severity;
use std::fmt::Write as _;

/// The annotations and summaries.
pub(super) fn github(outcomes: &[Outcome]) -> String {
    let mut out = String::new();
    for o in outcomes {
        match o {
            Outcome::Checked(report) => {
                for f in &report.findings {
                    let level = match f.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                        Severity::Info => "notice",
                    };
                    let _ = write!(out, "::{level} ");
                    if let Some(file) = &f.file {
                        let _ = write!(out, "file={},", property(file));
                        if let Some(line) = f.line {
                            let _ = write!(out, "line={line},");
                            if let Some(col) = f.column {
                                let _ = write!(out, "col={col},");
                            }
                        }
                    }
                    let _ = write!(out, "title={}::", property(f.rule));
                    let mut text = format!("{}: ", f.object);
                    if !f.path.is_empty() {
                        let _ = write!(text, "{}: ", f.path);
                    }
                    text.push_str(&f.message);
                    out.push_str(&data(&text));
                    out.push('\n');
                }
                summary(&mut out, report);
            }
            Outcome::Failed { target, error } => {
                let _ = writeln!(
                    out,
                    "::error title={}::{}",
                    property("build failed"),
                    data(&format!("{target}: {error}"))
                );
            }
        }
    }
    out
}

/// A command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::{data, property};

    /// A message or file name with `%`, a newline, `:` or `,` could end the
    /// annotation early or start a forged one.
    #[test]
    fn github_annotations_escape_their_values() {
        assert_eq!(data("50% done\nnext\r"), "50%25 done%0Anext%0D");
        assert_eq!(property("a:b,c%d\n"), "a%3Ab%2Cc%25d%0A");
    }
}
