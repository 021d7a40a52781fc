//! Plain scalars that go on over more lines, the shape of most
//! descriptions in CustomResourceDefinitions:
//!
//! ```yaml
//! description: Human readable message indicating details about why the
//!   workflow is in this condition.
//! ```
//!
//! Folded as the scanner folds them: each line break between two pieces of
//! text is one space, `n` breaks in a row (empty lines between) are `n - 1`
//! line breaks; spaces around a break are dropped. Anything else the
//! scanner reads in its own way (a comment inside the scalar or after it
//! with more lines following, `: ` or a final `:` on a later line, a
//! scalar at the root of a document) is left to the event parser.

use super::{Next, Reader, SkipSpaces, col_in, plain_scalar};
use crate::node::{Node, Scalar, Style};
use crate::resolve;

impl Reader<'_> {
    /// The plain scalar `value` that starts on line `li` (`rest` is what
    /// follows it there), in a block of indentation `parent`, with the
    /// lines that go on with it; and the next content line after it.
    pub(super) fn plain_block(
        &self,
        li: usize,
        value: &str,
        rest: &str,
        parent: isize,
        end: usize,
    ) -> Option<(Node, Next)> {
        let next = self.next_content(li + 1, end);
        let Some(n) = next else {
            return Some((Node::Scalar(plain_scalar(value, self.lines[li], li)), None));
        };
        if self.indent(n) as isize <= parent {
            return Some((Node::Scalar(plain_scalar(value, self.lines[li], li)), next));
        }
        // More lines: not at a document's root, not after a comment.
        if parent < 0 || !rest.skip_spaces().is_empty() {
            return None;
        }
        let mut text = String::with_capacity(value.len() * 2);
        text.push_str(value);
        // Empty lines since the last piece of text.
        let mut breaks = 0usize;
        let mut i = li + 1;
        while i < end {
            let line = self.lines[i];
            let indent = self.indent(i);
            if indent == line.len() {
                // Spaces only: an empty line, at any indentation.
                breaks += 1;
                i += 1;
                continue;
            }
            let content = &line[indent..];
            if indent as isize <= parent || content.starts_with('#') {
                break;
            }
            let content = content.trim_end_matches(' ');
            if content.ends_with(':') || content.contains(": ") || content.contains(" #") {
                return None;
            }
            // `breaks` empty lines: one line break more than that.
            if breaks == 0 {
                text.push(' ');
            }
            for _ in 0..breaks {
                text.push('\n');
            }
            breaks = 0;
            text.push_str(content);
            i += 1;
        }
        // After a comment that ended the scalar, no more-indented line.
        let next = self.next_content(i, end);
        if let Some(n) = next
            && self.indent(n) as isize > parent
        {
            return None;
        }
        let tag = resolve::resolve_plain(&text);
        let node = Node::Scalar(Scalar {
            line: li as u32 + 1,
            col: col_in(self.lines[li], value),
            ..Scalar::new(text, tag, Style::Plain)
        });
        Some((node, next))
    }
}
