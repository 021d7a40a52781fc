//! Quoted scalars that go on over more lines, as CRD generators write
//! long descriptions:
//!
//! ```yaml
//! description: 'SecurityToken is the user''s temporary
//!   security token.'
//! ```
//!
//! Folded as the scanner folds them: spaces before and after a line break
//! are dropped, one break between two pieces of text is a space, `n` in a
//! row are `n - 1` line breaks; in double quotes a `\` at the end of a
//! line joins it to the next with nothing between. The reader gives up
//! where the event parser might read otherwise: a line not indented past
//! the enclosing block, an escape it does not decode, text after the
//! closing quote, or a quote that does not close in the document.

use super::{Next, Reader, col_in, escape, is_end};
use crate::node::{Node, Scalar, Style, Tag};

impl Reader<'_> {
    /// The quoted scalar whose opening quote is at column `col` of line
    /// `li` and closes on a later line, in a block of indentation
    /// `parent`; and the next content line after it.
    pub(super) fn quoted_block(
        &self,
        li: usize,
        col: usize,
        parent: isize,
        end: usize,
    ) -> Option<(Node, Next)> {
        if parent < 0 {
            return None;
        }
        let first = self.lines[li];
        let single = first.as_bytes()[col] == b'\'';
        let mut value = String::new();
        let (mut i, mut pos) = (li, col + 1);
        let is_stop = |c: char| {
            c == ' '
                || if single {
                    c == '\''
                } else {
                    c == '"' || c == '\\'
                }
        };
        loop {
            // Text up to a space, the end of the line or the closing quote.
            let line = self.lines[i];
            let b = line.as_bytes();
            // Whether a line break has been read since the last text.
            let mut leading_blanks = false;
            while pos < b.len() && b[pos] != b' ' {
                match b[pos] {
                    b'\'' if single => {
                        if b.get(pos + 1) != Some(&b'\'') {
                            break;
                        }
                        value.push('\'');
                        pos += 2;
                    }
                    b'"' if !single => break,
                    b'\\' if !single => {
                        if pos + 1 == b.len() {
                            // An escaped line break: nothing in its place.
                            if i + 1 >= end {
                                return None;
                            }
                            i += 1;
                            pos = 0;
                            leading_blanks = true;
                            break;
                        }
                        pos = escape(line, pos + 1, &mut value)?;
                    }
                    _ => {
                        let stop = line[pos..].find(is_stop).map_or(b.len(), |n| pos + n);
                        value.push_str(&line[pos..stop]);
                        pos = stop;
                    }
                }
            }
            if !leading_blanks && pos < b.len() && b[pos] != b' ' {
                // The closing quote.
                let rest = &line[pos + 1..];
                if !(rest.is_empty() || is_end(rest)) {
                    return None;
                }
                let style = if single {
                    Style::SingleQuoted
                } else {
                    Style::DoubleQuoted
                };
                let node = Node::Scalar(Scalar {
                    line: li as u32 + 1,
                    col: col_in(first, &first[col..]),
                    ..Scalar::new(value, Tag::Str, style)
                });
                let next = self.next_content(i + 1, end);
                if let Some(n) = next
                    && self.indent(n) as isize > parent
                {
                    return None;
                }
                return Some((node, next));
            }
            // Spaces and line breaks up to the next text.
            let spaces = pos;
            let mut leading_break = false;
            let mut trailing_breaks = 0usize;
            loop {
                let b = self.lines[i].as_bytes();
                while pos < b.len() && b[pos] == b' ' {
                    pos += 1;
                }
                if pos < b.len() {
                    break;
                }
                if i + 1 >= end {
                    return None;
                }
                if leading_blanks {
                    trailing_breaks += 1;
                } else {
                    leading_break = true;
                    leading_blanks = true;
                }
                i += 1;
                pos = 0;
            }
            // Text on a later line goes on past the enclosing block.
            if leading_blanks && pos as isize <= parent {
                return None;
            }
            if !leading_blanks {
                // Spaces inside a line stay.
                value.push_str(&self.lines[i][spaces..pos]);
            } else if leading_break && trailing_breaks == 0 {
                value.push(' ');
            } else {
                for _ in 0..trailing_breaks {
                    value.push('\n');
                }
            }
        }
    }
}
