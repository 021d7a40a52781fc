//! Unified line diffs of two YAML texts.

/// What a diff line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// In both texts.
    Context,
    /// Only in the left text.
    Removed,
    /// Only in the right text.
    Added,
}

impl LineKind {
    /// The unified diff prefix: ` `, `-` or `+`.
    pub fn prefix(self) -> char {
        match self {
            LineKind::Context => ' ',
            LineKind::Removed => '-',
            LineKind::Added => '+',
        }
    }
}

/// One line of a hunk, without its newline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Context, removed or added.
    pub kind: LineKind,
    /// The text.
    pub text: String,
}

/// A run of changed lines with their context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hunk {
    /// First left line (1-based; 0 when the hunk has no left lines).
    pub old_start: usize,
    /// Number of left lines.
    pub old_len: usize,
    /// First right line (1-based; 0 when it has no right lines).
    pub new_start: usize,
    /// Number of right lines.
    pub new_len: usize,
    /// The lines.
    pub lines: Vec<Line>,
}

impl Hunk {
    /// `@@ -1,7 +1,8 @@`.
    pub fn header(&self) -> String {
        format!(
            "@@ -{} +{} @@",
            range(self.old_start, self.old_len),
            range(self.new_start, self.new_len)
        )
    }
}

fn range(start: usize, len: usize) -> String {
    if len == 1 {
        start.to_string()
    } else {
        format!("{start},{len}")
    }
}

/// The hunks turning `old` into `new`, each with up to `context` lines of
/// context on either side (hunks closer than that are joined).
pub fn hunks(old: &str, new: &str, context: usize) -> Vec<Hunk> {
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .diff_lines(old, new);
    let mut out = Vec::new();
    for group in diff.grouped_ops(context) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let (old_range, new_range) = (
            first.old_range().start..last.old_range().end,
            first.new_range().start..last.new_range().end,
        );
        let mut lines = Vec::new();
        for op in &group {
            for change in diff.iter_changes(op) {
                let kind = match change.tag() {
                    similar::ChangeTag::Equal => LineKind::Context,
                    similar::ChangeTag::Delete => LineKind::Removed,
                    similar::ChangeTag::Insert => LineKind::Added,
                };
                let text = change.value();
                lines.push(Line {
                    kind,
                    text: text.strip_suffix('\n').unwrap_or(text).to_string(),
                });
            }
        }
        let start = |r: &std::ops::Range<usize>| if r.is_empty() { r.start } else { r.start + 1 };
        out.push(Hunk {
            old_start: start(&old_range),
            old_len: old_range.len(),
            new_start: start(&new_range),
            new_len: new_range.len(),
            lines,
        });
    }
    out
}

/// Lines added and removed from `old` to `new`.
pub fn line_counts(old: &str, new: &str) -> (usize, usize) {
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .diff_lines(old, new);
    let (mut added, mut removed) = (0, 0);
    for op in diff.ops() {
        match op.tag() {
            similar::DiffTag::Insert => added += op.new_range().len(),
            similar::DiffTag::Delete => removed += op.old_range().len(),
            similar::DiffTag::Replace => {
                added += op.new_range().len();
                removed += op.old_range().len();
            }
            similar::DiffTag::Equal => {}
        }
    }
    (added, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nC\nd\ne\nf\ng\nh\ni\n";
        let h = hunks(old, new, 1);
        let text: Vec<String> = h
            .iter()
            .map(|h| {
                let mut s = h.header();
                for l in &h.lines {
                    s.push_str(&format!("\n{}{}", l.kind.prefix(), l.text));
                }
                s
            })
            .collect();
        assert_eq!(
            text,
            ["@@ -2,3 +2,3 @@\n b\n-c\n+C\n d", "@@ -8 +8,2 @@\n h\n+i"]
        );
        assert_eq!(line_counts(old, new), (2, 1));
        let added = hunks("", "x\ny\n", 3);
        assert_eq!(added[0].header(), "@@ -0,0 +1,2 @@");
    }
}
