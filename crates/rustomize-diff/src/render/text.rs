//! The text format: for a terminal (with colours) or a log.
//!
//! ```text
//! Left:  overlays/staging
//! Right: overlays/production
//!
//! overlays/production: 1 added, 0 removed, 4 changed, 0 unchanged
//!   Kind        Added  Removed  Changed
//!   Deployment      0        0        1
//!   ...
//!   ~ Deployment/dojo (app-production)   +3 -2   moved from namespace app-staging
//!
//! ~ Deployment/dojo (app-production): moved from namespace app-staging
//! @@ -10,7 +10,7 @@
//! ...
//! ```

use super::{
    RenderOptions, counts_line, kind_counts, mark, missing_note, object_note, path_lines, totals,
};
use crate::compare::{ObjectDiff, Status};
use crate::unified::{self, LineKind};
use crate::{Report, Target};
use std::fmt::Write as _;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

struct Out<'o> {
    s: String,
    opts: &'o RenderOptions,
}

impl Out<'_> {
    /// Appends `text` in `style` (when colours are on) and a newline.
    fn line(&mut self, style: &str, text: &str) {
        if self.opts.color && !style.is_empty() {
            let _ = writeln!(self.s, "{style}{text}{RESET}");
        } else {
            self.s.push_str(text);
            self.s.push('\n');
        }
    }
}

fn status_style(status: Status) -> &'static str {
    match status {
        Status::Added => GREEN,
        Status::Removed => RED,
        Status::Changed => YELLOW,
    }
}

fn line_style(kind: LineKind) -> &'static str {
    match kind {
        LineKind::Added => GREEN,
        LineKind::Removed => RED,
        LineKind::Context => "",
    }
}

pub(super) fn render(report: &Report, opts: &RenderOptions) -> String {
    let mut out = Out {
        s: String::new(),
        opts,
    };
    out.line(BOLD, &format!("Left:  {}", report.left));
    out.line(BOLD, &format!("Right: {}", report.right));
    for t in &report.targets {
        out.s.push('\n');
        target(&mut out, t);
    }
    if report.targets.len() > 1 {
        let [a, r, c, u] = totals(report);
        let differing = report
            .targets
            .iter()
            .filter(|t| t.comparison.has_differences())
            .count();
        out.s.push('\n');
        out.line(
            BOLD,
            &format!(
                "Total: {} targets, {differing} with differences: {a} added, {r} removed, {c} changed, {u} unchanged",
                report.targets.len()
            ),
        );
    }
    out.s
}

fn target(out: &mut Out<'_>, t: &Target) {
    let c = &t.comparison;
    if !c.has_differences() {
        out.line(
            BOLD,
            &format!("{}: no differences ({} objects)", t.name, c.unchanged),
        );
    } else {
        out.line(BOLD, &format!("{}: {}", t.name, counts_line(c)));
    }
    if let Some(note) = missing_note(t) {
        out.line(YELLOW, &format!("  {note}"));
    }
    if !c.has_differences() {
        return;
    }
    let kinds = kind_counts(c);
    let width = kinds.keys().map(|k| k.len()).max().unwrap_or(4).max(4);
    out.line(
        DIM,
        &format!("  {:<width$}  Added  Removed  Changed", "Kind"),
    );
    for (kind, [a, r, ch]) in &kinds {
        out.line("", &format!("  {kind:<width$}  {a:>5}  {r:>7}  {ch:>7}"));
    }
    out.s.push('\n');
    let id_width = c
        .objects
        .iter()
        .map(|o| o.id.to_string().chars().count())
        .max()
        .unwrap_or(0)
        .min(72);
    for o in &c.objects {
        let id = o.id.to_string();
        let pad = id_width.saturating_sub(id.chars().count());
        let lines = match (o.lines_added, o.lines_removed) {
            (a, 0) => format!("+{a}"),
            (0, r) => format!("-{r}"),
            (a, r) => format!("+{a} -{r}"),
        };
        let note = object_note(o);
        let text = format!("  {} {id}{:pad$}  {lines:<11} {note}", mark(o.status), "");
        out.line(status_style(o.status), text.trim_end());
    }
    if out.opts.summary_only {
        return;
    }
    for o in &c.objects {
        out.s.push('\n');
        object(out, o);
    }
}

fn object(out: &mut Out<'_>, o: &ObjectDiff) {
    let note = object_note(o);
    let title = match (o.status, note.is_empty()) {
        (Status::Changed, true) => format!("~ {}", o.id),
        (Status::Changed, false) => format!("~ {}: {note}", o.id),
        (Status::Added, _) => format!("+ {}: added, {} lines", o.id, o.lines_added),
        (Status::Removed, _) => format!("- {}: removed, {} lines", o.id, o.lines_removed),
    };
    out.line(BOLD, &title);
    if out.opts.paths {
        // Added and removed objects are whole: the header says it all.
        for l in path_lines(o, out.opts.context) {
            let style = match l.mark {
                '+' => GREEN,
                '-' => RED,
                '~' => YELLOW,
                _ => line_style(l.kind),
            };
            out.line(style, &format!("  {} {}", l.mark, l.text));
        }
        return;
    }
    for h in unified::hunks(&o.left_yaml, &o.right_yaml, out.opts.context) {
        out.line(CYAN, &h.header());
        for l in &h.lines {
            out.line(
                line_style(l.kind),
                &format!("{}{}", l.kind.prefix(), l.text),
            );
        }
    }
}
