//! Printing a [`Report`]: text, markdown, JSON.

mod json;
mod markdown;
mod text;

use crate::compare::{Comparison, ObjectDiff, Status};
use crate::fields::Change;
use crate::unified::LineKind;
use crate::{Report, Target, value};
use std::collections::BTreeMap;

/// The output formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// For a terminal or a log: a summary, then each object's diff.
    #[default]
    Text,
    /// For a pull request comment: a summary table and one collapsible
    /// section per target, cut to fit [`RenderOptions::max_chars`].
    Markdown,
    /// For programs.
    Json,
}

/// How to print.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    /// Lines of context around each change in unified diffs.
    pub context: usize,
    /// Show each object's changed field paths instead of a line diff.
    pub paths: bool,
    /// Only the summary: no per-object diffs.
    pub summary_only: bool,
    /// ANSI colours (text only).
    pub color: bool,
    /// The markdown's size limit, in bytes (GitHub's comment limit is
    /// 65,536 characters; bytes are never fewer).
    pub max_chars: usize,
    /// The command that prints the whole report, named when the markdown
    /// is cut.
    pub rerun: Option<String>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            context: 3,
            paths: false,
            summary_only: false,
            color: false,
            max_chars: 65_536,
            rerun: None,
        }
    }
}

/// Prints the report in `format`.
pub fn render(report: &Report, format: Format, opts: &RenderOptions) -> String {
    match format {
        Format::Text => text::render(report, opts),
        Format::Markdown => markdown::render(report, opts),
        Format::Json => json::render(report, opts),
    }
}

/// `+`, `-` or `~`.
fn mark(status: Status) -> char {
    match status {
        Status::Added => '+',
        Status::Removed => '-',
        Status::Changed => '~',
    }
}

/// Added, removed and changed objects per kind.
fn kind_counts(c: &Comparison) -> BTreeMap<&str, [usize; 3]> {
    let mut out: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for o in &c.objects {
        let slot = match o.status {
            Status::Added => 0,
            Status::Removed => 1,
            Status::Changed => 2,
        };
        out.entry(o.id.kind.as_str()).or_default()[slot] += 1;
    }
    out
}

/// `1 added, 0 removed, 4 changed, 3 unchanged`.
fn counts_line(c: &Comparison) -> String {
    format!(
        "{} added, {} removed, {} changed, {} unchanged",
        c.count(Status::Added),
        c.count(Status::Removed),
        c.count(Status::Changed),
        c.unchanged
    )
}

/// What a reader must know about a target's sides.
fn missing_note(t: &Target) -> Option<String> {
    match (t.left_missing, t.right_missing) {
        (true, true) => Some(format!("'{}' is on neither side", t.name)),
        (true, false) => Some(format!(
            "'{}' is not on the left side: every object is added",
            t.name
        )),
        (false, true) => Some(format!(
            "'{}' is not on the right side: every object is removed",
            t.name
        )),
        (false, false) => None,
    }
}

/// `renamed from dojo-config-5h2mb6k7f8, moved from namespace staging`.
fn object_note(o: &ObjectDiff) -> String {
    let mut notes = Vec::new();
    if let Some(l) = &o.left {
        if o.renamed() {
            notes.push(format!("renamed from {}", l.name));
        }
        if o.moved() {
            let from = if l.namespace.is_empty() {
                "no namespace".to_string()
            } else {
                format!("namespace {}", l.namespace)
            };
            notes.push(format!("moved from {from}"));
        }
    }
    notes.join(", ")
}

/// The longest value text a path line shows before cutting it.
const MAX_VALUE: usize = 240;

fn short(text: String) -> String {
    if text.chars().count() <= MAX_VALUE {
        return text;
    }
    let cut: String = text.chars().take(MAX_VALUE).collect();
    format!("{cut}… ({} characters)", text.chars().count())
}

/// One line of a `--paths` listing.
struct PathLine {
    /// `+`, `-`, `~`, or ` ` for the lines of a multi-line value's diff.
    mark: char,
    /// The kind of line, for colours.
    kind: LineKind,
    text: String,
}

/// The changed paths of an object, one line each: `~ path: old -> new`,
/// `+ path: value`, `- path: value`; a multi-line string's change is
/// followed by a line diff of the string, indented.
fn path_lines(o: &ObjectDiff, context: usize) -> Vec<PathLine> {
    let mut out = Vec::new();
    for f in &o.fields {
        match &f.change {
            Change::Added(v) => out.push(PathLine {
                mark: '+',
                kind: LineKind::Added,
                text: format!("{}: {}", f.path, short(value::flow(v))),
            }),
            Change::Removed(v) => out.push(PathLine {
                mark: '-',
                kind: LineKind::Removed,
                text: format!("{}: {}", f.path, short(value::flow(v))),
            }),
            Change::Changed { old, new } => {
                fn multi(n: &rustomize_yaml::Node) -> Option<&str> {
                    n.as_str().filter(|s| s.contains('\n'))
                }
                if let (Some(a), Some(b)) = (multi(old), multi(new)) {
                    out.push(PathLine {
                        mark: '~',
                        kind: LineKind::Context,
                        text: format!("{}: (text, {} -> {} lines)", f.path, lines(a), lines(b)),
                    });
                    for h in crate::unified::hunks(&with_newline(a), &with_newline(b), context) {
                        out.push(PathLine {
                            mark: ' ',
                            kind: LineKind::Context,
                            text: format!("    {}", h.header()),
                        });
                        for l in h.lines {
                            out.push(PathLine {
                                mark: ' ',
                                kind: l.kind,
                                text: format!("    {}{}", l.kind.prefix(), l.text),
                            });
                        }
                    }
                } else {
                    out.push(PathLine {
                        mark: '~',
                        kind: LineKind::Context,
                        text: format!(
                            "{}: {} -> {}",
                            f.path,
                            short(value::flow(old)),
                            short(value::flow(new))
                        ),
                    });
                }
            }
        }
    }
    out
}

fn lines(s: &str) -> usize {
    s.lines().count()
}

fn with_newline(s: &str) -> String {
    if s.ends_with('\n') {
        s.to_string()
    } else {
        format!("{s}\n")
    }
}

/// Totals over every target: added, removed, changed, unchanged.
fn totals(report: &Report) -> [usize; 4] {
    let mut t = [0; 4];
    for target in &report.targets {
        let c = &target.comparison;
        t[0] += c.count(Status::Added);
        t[1] += c.count(Status::Removed);
        t[2] += c.count(Status::Changed);
        t[3] += c.unchanged;
    }
    t
}

#[cfg(test)]
mod tests;
