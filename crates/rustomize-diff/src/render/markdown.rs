//! The markdown format, for a pull request comment: a summary table, then
//! one collapsible section per target with differences (its counts per
//! kind, its objects, each object's diff), cut to fit
//! [`RenderOptions::max_chars`] with a closing note that says what was left
//! out and how to see all of it.

use super::{RenderOptions, kind_counts, mark, missing_note, object_note, path_lines, totals};
use crate::compare::{ObjectDiff, Status};
use crate::{Report, Target, unified};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Room kept for the note saying what was cut.
const NOTE_ROOM: usize = 2_000;

/// An object diff cut short still shows at least this much.
const MIN_PARTIAL: usize = 4_000;

/// What was left out.
#[derive(Default)]
struct Cut {
    target_rows: usize,
    sections: Vec<String>,
    list_lines: usize,
    /// Kind to the number of objects whose diff was left out (or cut short).
    diffs: BTreeMap<String, usize>,
    diff_targets: Vec<String>,
    partial: Option<String>,
}

impl Cut {
    fn is_empty(&self) -> bool {
        self.target_rows == 0
            && self.sections.is_empty()
            && self.list_lines == 0
            && self.diffs.is_empty()
            && self.partial.is_none()
    }
}

struct Budget {
    out: String,
    /// Bytes the document may reach before the closing note.
    limit: usize,
}

impl Budget {
    fn fits(&self, piece: &str) -> bool {
        self.out.len() + piece.len() <= self.limit
    }

    /// Appends `piece` when it fits.
    fn push(&mut self, piece: &str) -> bool {
        let fits = self.fits(piece);
        if fits {
            self.out.push_str(piece);
        }
        fits
    }
}

pub(super) fn render(report: &Report, opts: &RenderOptions) -> String {
    let limit = opts
        .max_chars
        .saturating_sub(NOTE_ROOM)
        .max(opts.max_chars / 2);
    let mut b = Budget {
        out: String::new(),
        limit,
    };
    let mut cut = Cut::default();
    let [a, r, c, u] = totals(report);
    let _ = write!(
        b.out,
        "### rustomize diff\n\n**Left:** {} · **Right:** {}\n\n",
        inline(&report.left),
        inline(&report.right)
    );
    let differing = report
        .targets
        .iter()
        .filter(|t| t.comparison.has_differences())
        .count();
    if differing == 0 {
        b.out.push_str("**No differences.**\n\n");
    } else {
        let _ = write!(
            b.out,
            "**{} added, {} removed, {} changed**, {} unchanged ({} of {} targets differ)\n\n",
            thousands(a),
            thousands(r),
            thousands(c),
            thousands(u),
            thousands(differing),
            thousands(report.targets.len())
        );
    }
    b.out
        .push_str("| Target | Added | Removed | Changed | Unchanged |\n|:--|--:|--:|--:|--:|\n");
    for (i, t) in report.targets.iter().enumerate() {
        let c = &t.comparison;
        let mut name = code(&t.name);
        if t.left_missing || t.right_missing {
            name.push_str(if t.left_missing {
                " (new)"
            } else {
                " (deleted)"
            });
        }
        let row = format!(
            "| {} | {} | {} | {} | {} |\n",
            name.replace('|', "\\|"),
            thousands(c.count(Status::Added)),
            thousands(c.count(Status::Removed)),
            thousands(c.count(Status::Changed)),
            thousands(c.unchanged)
        );
        if !b.push(&row) {
            cut.target_rows = report.targets.len() - i;
            break;
        }
    }
    b.out.push('\n');
    for t in report
        .targets
        .iter()
        .filter(|t| t.comparison.has_differences())
    {
        section(&mut b, &mut cut, t, opts);
    }
    let mut out = b.out;
    if !cut.is_empty() {
        out.push_str(&note(&cut, opts));
    }
    out
}

fn section(b: &mut Budget, cut: &mut Cut, t: &Target, opts: &RenderOptions) {
    let c = &t.comparison;
    let mut summary = Vec::new();
    for (n, word) in [
        (c.count(Status::Added), "added"),
        (c.count(Status::Removed), "removed"),
        (c.count(Status::Changed), "changed"),
    ] {
        if n > 0 {
            summary.push(format!("{} {word}", thousands(n)));
        }
    }
    let open = format!(
        "<details>\n<summary><code>{}</code>: {}</summary>\n\n",
        html(&t.name),
        summary.join(", ")
    );
    let close = "</details>\n\n";
    if !b.fits(&format!("{open}{close}")) {
        cut.sections.push(t.name.clone());
        return;
    }
    b.limit -= close.len();
    b.push(&open);
    if let Some(note) = missing_note(t) {
        b.push(&format!("> {}\n\n", escape(&note)));
    }
    let mut table = String::from("| Kind | Added | Removed | Changed |\n|:--|--:|--:|--:|\n");
    for (kind, [a, r, ch]) in kind_counts(c) {
        let _ = writeln!(
            table,
            "| {} | {} | {} | {} |",
            escape(kind),
            thousands(a),
            thousands(r),
            thousands(ch)
        );
    }
    table.push('\n');
    b.push(&table);
    let mut listed = 0;
    for o in &c.objects {
        let note = object_note(o);
        let lines = match (o.lines_added, o.lines_removed) {
            (a, 0) => format!("+{a}"),
            (0, r) => format!("-{r}"),
            (a, r) => format!("+{a} -{r}"),
        };
        let mut line = format!(
            "- `{}` {} ({lines})",
            mark(o.status),
            code(&o.id.to_string())
        );
        if !note.is_empty() {
            let _ = write!(line, " {}", escape(&note));
        }
        line.push('\n');
        if !b.push(&line) {
            break;
        }
        listed += 1;
    }
    cut.list_lines += c.objects.len() - listed;
    b.push("\n");
    if !opts.summary_only {
        let mut left_out = false;
        for o in &c.objects {
            if left_out {
                *cut.diffs.entry(o.id.kind.clone()).or_default() += 1;
                continue;
            }
            if opts.paths && o.status != Status::Changed {
                // Whole objects: the list says it all.
                continue;
            }
            let block = object_block(o, opts, usize::MAX);
            if b.push(&block) {
                continue;
            }
            left_out = true;
            let room = b.limit.saturating_sub(b.out.len());
            if room >= MIN_PARTIAL {
                let partial = object_block(o, opts, room);
                if b.push(&partial) {
                    cut.partial = Some(format!("{} in {}", o.id, t.name));
                    continue;
                }
            }
            *cut.diffs.entry(o.id.kind.clone()).or_default() += 1;
        }
        if left_out {
            cut.diff_targets.push(t.name.clone());
        }
    }
    b.limit += close.len();
    b.out.push_str(close);
}

/// One object's heading and diff; at most `room` bytes, cutting lines off
/// the end of the diff (and saying so) when it is longer.
fn object_block(o: &ObjectDiff, opts: &RenderOptions, room: usize) -> String {
    let note = object_note(o);
    let mut heading = format!("#### {} {}", mark(o.status), code(&o.id.to_string()));
    match o.status {
        Status::Added => heading.push_str(" added"),
        Status::Removed => heading.push_str(" removed"),
        Status::Changed if !note.is_empty() => {
            let _ = write!(heading, ": {}", escape(&note));
        }
        Status::Changed => {}
    }
    heading.push_str("\n\n");
    let mut lines: Vec<String> = Vec::new();
    if opts.paths {
        for l in path_lines(o, opts.context) {
            lines.push(format!("{} {}", l.mark, l.text));
        }
    } else {
        for h in unified::hunks(&o.left_yaml, &o.right_yaml, opts.context) {
            lines.push(h.header());
            for l in h.lines {
                lines.push(format!("{}{}", l.kind.prefix(), l.text));
            }
        }
    }
    let fence = fence_for(&lines);
    let open = format!("{fence}diff\n");
    let close = format!("{fence}\n\n");
    let mut body = String::new();
    let fixed = heading.len() + open.len() + close.len();
    for (i, line) in lines.iter().enumerate() {
        // Keep room for the line that says how much is missing.
        let marker = format!("… {} more lines cut\n", lines.len() - i);
        if room != usize::MAX && fixed + body.len() + line.len() + 1 + marker.len() + 64 > room {
            body.push_str(&marker);
            break;
        }
        body.push_str(line);
        body.push('\n');
    }
    format!("{heading}{open}{body}{close}")
}

/// A code fence longer than any run of backticks in the lines.
fn fence_for(lines: &[String]) -> String {
    let mut longest = 0;
    for l in lines {
        let mut run = 0;
        for c in l.chars() {
            if c == '`' {
                run += 1;
                longest = longest.max(run);
            } else {
                run = 0;
            }
        }
    }
    "`".repeat((longest + 1).max(3))
}

fn note(cut: &Cut, opts: &RenderOptions) -> String {
    let mut parts = Vec::new();
    let diffs: usize = cut.diffs.values().sum();
    if diffs > 0 {
        let kinds: Vec<String> = cut
            .diffs
            .iter()
            .map(|(k, n)| format!("{} {}", thousands(*n), escape(k)))
            .collect();
        let mut targets: Vec<String> = cut.diff_targets.iter().take(5).map(|t| code(t)).collect();
        if cut.diff_targets.len() > 5 {
            targets.push(format!("{} more", cut.diff_targets.len() - 5));
        }
        parts.push(format!(
            "the diffs of {} objects ({}) in {}",
            thousands(diffs),
            kinds.join(", "),
            targets.join(", ")
        ));
    }
    if let Some(p) = &cut.partial {
        parts.push(format!("the end of the diff of {}", escape(p)));
    }
    if cut.list_lines > 0 {
        parts.push(format!(
            "{} lines of the object lists",
            thousands(cut.list_lines)
        ));
    }
    if !cut.sections.is_empty() {
        parts.push(format!(
            "the sections of {} targets",
            thousands(cut.sections.len())
        ));
    }
    if cut.target_rows > 0 {
        parts.push(format!(
            "{} rows of the targets table",
            thousands(cut.target_rows)
        ));
    }
    let mut text = format!(
        "> [!WARNING]\n> **Cut to fit {} characters.** Left out: {}.",
        thousands(opts.max_chars),
        parts.join("; ")
    );
    match &opts.rerun {
        Some(cmd) => {
            let _ = write!(text, " The whole report: {}", code(cmd));
        }
        None => text.push_str(" The text format (`--format text`) prints the whole report."),
    }
    text.push('\n');
    // The note has room kept for it; only a very long command line could
    // exceed it, and then it is cut rather than the limit broken.
    if text.len() > NOTE_ROOM {
        let mut end = NOTE_ROOM - 5;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str("…\n");
    }
    text
}

/// `1,234,567`.
pub(super) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Inline code, or plain text when the text holds a backtick.
fn code(s: &str) -> String {
    if s.contains('`') {
        escape(s)
    } else {
        format!("`{s}`")
    }
}

/// A side's label: code for the revision or path part.
fn inline(s: &str) -> String {
    escape(s)
}

/// Text with markdown's and HTML's special characters escaped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text for inside HTML tags.
fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
