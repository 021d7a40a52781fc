//! A fast reader for the plain shape of YAML that Kubernetes files have,
//! used before the general parser.
//!
//! Most input is block mappings and sequences of one-line scalars, plain
//! scalars going on over more lines (CRD descriptions, [`plain`]), small
//! one-line flow collections (`{app: web}`, `[a, b]`) and literal blocks.
//! This reader handles exactly that, line by line, several times faster
//! than the event parser. Whenever it meets anything else (anchors, tags,
//! folded or multi-line quoted scalars, multi-line flow collections, tabs,
//! duplicate or merge keys, anything malformed) it gives up, and the caller
//! parses the text again with the general parser. So it never has to be
//! right about hard cases, only about the ones it accepts, where it builds
//! the very tree the general parser builds (values, styles, types and line
//! numbers); the tests compare the two on real files and on mutated ones.

use crate::error::ParseError;
use crate::limits;
use crate::node::{Entry, Map, Node, Scalar, Seq, Style};
use crate::resolve;
use std::cell::{Cell, RefCell};
use std::collections::HashSet;

mod plain;
mod quoted;

/// Past this column a block node is left to the event parser, which keeps
/// its own stack on the heap: the reader's recursion stays shallow.
const MAX_BLOCK_COLUMN: usize = 256;

/// The documents of `src` (BOM already removed), or `None` when the text
/// needs the general parser. The one error it decides itself is a flow
/// collection nested past [`limits::MAX_DEPTH`].
pub(crate) fn parse_documents(src: &str) -> Option<Result<Vec<Node>, ParseError>> {
    // Without a final line break, a block scalar at the end has no final
    // break either; the event parser handles that case.
    if !(src.ends_with('\n') || src.is_empty()) {
        return None;
    }
    let (lines, info) = split_lines(src)?;
    // The split yields a last, empty piece after a final line break.
    let ends_with_break = src.ends_with('\n');
    let count = if ends_with_break {
        lines.len() - 1
    } else {
        lines.len()
    };
    // Spaces after the last line break: the event parser reads a literal
    // block's end there in its own way.
    if !ends_with_break && !lines[count - 1].is_empty() && is_skippable(lines[count - 1]) {
        return None;
    }
    let reader = Reader {
        lines: &lines[..count],
        info: &info[..count],
        entries: RefCell::new(Vec::new()),
        items: RefCell::new(Vec::new()),
        too_deep: Cell::new(None),
    };
    let mut docs = Vec::new();
    let mut start = 0;
    // Whether the current document was opened by `---`.
    let mut explicit = false;
    let mut i = 0;
    loop {
        let at_end = i == count;
        let marker = !at_end && is_document_marker(lines[i])?;
        if at_end || marker {
            let doc = reader.document(start, i);
            if let Some((line, column)) = reader.too_deep.get() {
                return Some(Err(ParseError {
                    line,
                    column,
                    message: limits::DEPTH_MESSAGE.to_string(),
                }));
            }
            match doc? {
                Some(node) => docs.push(node),
                None if explicit => {
                    // An empty document: a null at the next token, the
                    // next `---` or the end of the text.
                    let line = if at_end { count + 1 } else { i + 1 };
                    docs.push(Node::Scalar(null_at(line)));
                }
                None => {}
            }
            if at_end {
                break;
            }
            explicit = true;
            start = i + 1;
        }
        i += 1;
    }
    Some(Ok(docs))
}

/// Where (line, column) a flow collection went past the nesting limit.
type TooDeep = Cell<Option<(u32, u32)>>;

/// The lines of `src`, for each its indentation and whether it is blank
/// or a comment; `None` when some character is not one this reader takes
/// at face value (tabs, carriage returns or other control characters,
/// byte order marks, Unicode line separators).
fn split_lines(src: &str) -> Option<(Vec<&str>, Vec<LineInfo>)> {
    let b = src.as_bytes();
    // Branch-free, so the compiler can check many bytes at a time.
    let (control, non_ascii) = b.iter().fold((false, false), |(bad, high), &c| {
        (
            bad | ((c < 0x20) & (c != b'\n')) | (c == 0x7f),
            high | (c >= 0x80),
        )
    });
    if control || non_ascii && has_special(b) {
        return None;
    }
    let mut lines = Vec::with_capacity(b.len() / 24 + 1);
    let mut info = Vec::with_capacity(b.len() / 24 + 1);
    let mut start = 0;
    loop {
        let end = src[start..].find('\n').map_or(src.len(), |i| start + i);
        let line = &src[start..end];
        let content = line.skip_spaces();
        lines.push(line);
        info.push(LineInfo {
            indent: (line.len() - content.len()) as u32,
            skip: content.is_empty() || content.starts_with('#'),
        });
        if end == src.len() {
            break;
        }
        start = end + 1;
    }
    Some((lines, info))
}

/// Whether the UTF-8 text `b` holds one of the characters the reader
/// leaves to the event parser: C1 controls (U+0080 to U+009F, `C2 80` to
/// `C2 9F`), line and paragraph separators (U+2028, U+2029: `E2 80 A8`,
/// `E2 80 A9`), a byte order mark (U+FEFF: `EF BB BF`) and the
/// non-characters U+FFFE and U+FFFF (`EF BF BE`, `EF BF BF`). Runs of
/// ASCII are skipped a block at a time: no character is decoded.
fn has_special(b: &[u8]) -> bool {
    const BLOCK: usize = 32;
    let mut at = 0;
    while at < b.len() {
        let end = (at + BLOCK).min(b.len());
        if b[at..end].iter().fold(0, |acc, &c| acc | c) < 0x80 {
            at = end;
            continue;
        }
        for i in at..end {
            let next = |k: usize| b.get(i + k).copied().unwrap_or(0);
            let special = match b[i] {
                0xc2 => (0x80..=0x9f).contains(&next(1)),
                0xe2 => next(1) == 0x80 && matches!(next(2), 0xa8 | 0xa9),
                0xef => matches!((next(1), next(2)), (0xbb, 0xbf) | (0xbf, 0xbe | 0xbf)),
                _ => false,
            };
            if special {
                return true;
            }
        }
        at = end;
    }
    false
}

/// What the reader needs to know of a line at a glance.
#[derive(Clone, Copy)]
struct LineInfo {
    /// Leading spaces.
    indent: u32,
    /// Blank, or only a comment.
    skip: bool,
}

/// Whether a line starts a new document (`---` alone, or before a
/// comment); `None` for lines only the general parser reads (`...`,
/// directives, `---` followed by content).
fn is_document_marker(line: &str) -> Option<bool> {
    if line.starts_with("...") || line.starts_with('%') {
        return None;
    }
    let Some(rest) = line.strip_prefix("---") else {
        return Some(false);
    };
    let rest = rest.skip_spaces();
    if rest.is_empty() || (rest.starts_with('#') && rest.len() < line.len() - 3) {
        Some(true)
    } else {
        None
    }
}

fn null_at(line: usize) -> Scalar {
    Scalar {
        line: line as u32,
        ..Scalar::null()
    }
}

/// The 1-based column, in characters, at which `text` (a piece of `line`)
/// starts. Only scalars and flow collections can follow a character past
/// ASCII on their line; block collections start after spaces and `- `
/// (their columns are byte offsets plus one).
fn col_in(line: &str, text: &str) -> u32 {
    let at = (text.as_ptr() as usize).saturating_sub(line.as_ptr() as usize);
    match line.get(..at) {
        Some(before) if !before.is_ascii() => before.chars().count() as u32 + 1,
        _ => at as u32 + 1,
    }
}

/// [`col_in`] for the many scalars of one line, left to right: the line
/// is walked once (an 80,000-key flow mapping on one line was quadratic).
struct Columns<'l> {
    line: &'l str,
    /// The last byte offset asked for and the characters before it.
    last: std::cell::Cell<(usize, usize)>,
}

impl<'l> Columns<'l> {
    fn new(line: &'l str) -> Self {
        Columns {
            line,
            last: std::cell::Cell::new((0, 0)),
        }
    }

    fn of(&self, text: &str) -> u32 {
        let at = (text.as_ptr() as usize).saturating_sub(self.line.as_ptr() as usize);
        let Some(before) = self.line.get(..at) else {
            return at as u32 + 1;
        };
        let (from, chars) = match self.last.get() {
            (from, chars) if from <= at => (from, chars),
            _ => (0, 0),
        };
        let piece = &before[from..];
        let n = chars
            + if piece.is_ascii() {
                piece.len()
            } else {
                piece.chars().count()
            };
        self.last.set((at, n));
        n as u32 + 1
    }
}

/// `trim_start_matches(' ')` by bytes (the `char` pattern decodes every
/// character it looks at; CRDs indent 30 spaces deep).
trait SkipSpaces {
    fn skip_spaces(&self) -> &str;
}

impl SkipSpaces for str {
    #[inline]
    fn skip_spaces(&self) -> &str {
        let n = self.bytes().take_while(|&b| b == b' ').count();
        &self[n..]
    }
}

fn indent_of(line: &str) -> usize {
    line.len() - line.skip_spaces().len()
}

/// A blank line or one holding only a comment.
fn is_skippable(line: &str) -> bool {
    let t = line.skip_spaces();
    t.is_empty() || t.starts_with('#')
}

/// Whether what follows a token is nothing or a comment.
fn is_end(rest: &str) -> bool {
    let t = rest.skip_spaces();
    t.is_empty() || (t.starts_with('#') && t.len() < rest.len())
}

/// A sequence entry indicator at the start of `text`: `-` then a space or
/// the end of the line.
fn is_dash(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

struct Reader<'a> {
    lines: &'a [&'a str],
    info: &'a [LineInfo],
    /// Entries of the block mappings being read, innermost last.
    entries: RefCell<Vec<Entry>>,
    /// Items of the block sequences being read, innermost last.
    items: RefCell<Vec<Node>>,
    /// Where a flow collection passed [`limits::MAX_DEPTH`]: the one case
    /// the reader decides an error itself (the event parser refuses flow
    /// collections nested past 255 levels, yaml.v3 past 10,000).
    too_deep: TooDeep,
}

/// Where a node ends: the next line with content after it (`None` at the
/// end of the document).
type Next = Option<usize>;

impl<'a> Reader<'a> {
    /// The indentation of line `i`.
    fn indent(&self, i: usize) -> usize {
        self.info[i].indent as usize
    }

    /// The next line with content at or after `i`, before `end`.
    fn next_content(&self, mut i: usize, end: usize) -> Next {
        while i < end {
            if !self.info[i].skip {
                return Some(i);
            }
            i += 1;
        }
        None
    }

    /// The node of the document in lines `start..end`; `Some(None)` when it
    /// has no content.
    fn document(&self, start: usize, end: usize) -> Option<Option<Node>> {
        let Some(first) = self.next_content(start, end) else {
            return Some(None);
        };
        let line = self.lines[first];
        if indent_of(line) != 0 {
            return None;
        }
        let (node, next) = self.block_node(first, 0, -1, false, end, 0)?;
        if next.is_some() {
            return None;
        }
        Some(Some(node))
    }

    /// A node starting at column `col` of line `li`, inside a block whose
    /// indentation is `parent` (-1 at the root). `inline` is set for a
    /// mapping value on its key's line, where no block collection may
    /// start. Returns the node and the next content line after it.
    fn block_node(
        &self,
        li: usize,
        col: usize,
        parent: isize,
        inline: bool,
        end: usize,
        depth: usize,
    ) -> Option<(Node, Next)> {
        // Each level of block nesting moves at least one column right every
        // two levels, so this bounds the recursion; deeper text is the
        // event parser's (which has no recursion).
        if col > MAX_BLOCK_COLUMN {
            return None;
        }
        let text = &self.lines[li][col..];
        if is_dash(text) {
            if inline {
                return None;
            }
            return self.block_seq(li, col, end, depth);
        }
        let first = text.as_bytes()[0];
        match first {
            b'[' | b'{' => {
                let (node, rest) = flow_node(text, self.lines[li], li, depth, &self.too_deep)?;
                if !is_end(rest) {
                    return None;
                }
                self.after_scalar(li, parent, end).map(|next| (node, next))
            }
            b'|' => {
                if parent < 0 {
                    return None;
                }
                self.literal(li, col, parent as usize, end)
            }
            b'"' | b'\'' => {
                let Some((value, style, rest)) = quoted(text) else {
                    return self.quoted_block(li, col, parent, end);
                };
                if let Some(after) = rest.strip_prefix(':')
                    && (after.is_empty() || after.starts_with(' '))
                {
                    if inline {
                        return None;
                    }
                    return self.block_map(li, col, end, depth);
                }
                if !is_end(rest) {
                    return None;
                }
                let node = Node::Scalar(Scalar {
                    line: li as u32 + 1,
                    col: col_in(self.lines[li], text),
                    ..Scalar::new(value, crate::node::Tag::Str, style)
                });
                self.after_scalar(li, parent, end).map(|next| (node, next))
            }
            _ => {
                if !plain_start(text) {
                    return None;
                }
                let (value, rest) = plain_in_block(text);
                if rest.starts_with(':') {
                    if inline {
                        return None;
                    }
                    return self.block_map(li, col, end, depth);
                }
                if !is_end(rest) {
                    return None;
                }
                self.plain_block(li, value, rest, parent, end)
            }
        }
    }

    /// The next content line after a one-line scalar or flow node on line
    /// `li` in a block of indentation `parent`; `None` (give up) when that
    /// line is more indented, which would continue a multi-line scalar or
    /// be an error.
    fn after_scalar(&self, li: usize, parent: isize, end: usize) -> Option<Next> {
        let next = self.next_content(li + 1, end);
        match next {
            Some(n) if self.indent(n) as isize > parent => None,
            _ => Some(next),
        }
    }

    /// A block mapping whose first key starts at column `col` of line `li`.
    /// `depth` collections enclose it.
    fn block_map(&self, li: usize, col: usize, end: usize, depth: usize) -> Option<(Node, Next)> {
        let line = li as u32 + 1;
        let map_col = col as u32 + 1;
        // This map's entries go on the shared stack (nested maps push and
        // take theirs meanwhile), then into one exact allocation.
        let base = self.entries.borrow().len();
        let done = |next: Next| {
            let entries: Vec<Entry> = self.entries.borrow_mut().drain(base..).collect();
            let map = Map {
                entries,
                line,
                col: map_col,
                src: 0,
            };
            Some((Node::Map(map), next))
        };
        // Keys seen, once the map is big enough for a set to pay.
        let mut seen: Option<HashSet<crate::Text>> = None;
        let mut li = li;
        loop {
            let text = &self.lines[li][col..];
            let (key, rest) = key(text, self.lines[li], li)?;
            let rest = rest.skip_spaces();
            let vcol = self.lines[li].len() - rest.len();
            let (value, next) = if is_end(rest) || rest.is_empty() {
                match self.next_content(li + 1, end) {
                    Some(n) if self.indent(n) > col => {
                        let ind = self.indent(n);
                        self.block_node(n, ind, col as isize, false, end, depth + 1)?
                    }
                    Some(n) if self.indent(n) == col && is_dash(&self.lines[n][col..]) => {
                        self.block_seq(n, col, end, depth + 1)?
                    }
                    next => (Node::Scalar(null_at(li + 1)), next),
                }
            } else {
                self.block_node(li, vcol, col as isize, true, end, depth + 1)?
            };
            if key.style == Style::Plain && key.value == "<<" {
                return None;
            }
            // Duplicate keys are errors the general parser words.
            let mut entries = self.entries.borrow_mut();
            let duplicate = match &mut seen {
                Some(set) => !set.insert(key.value.clone()),
                None => entries[base..].iter().any(|e| e.key.value == key.value),
            };
            if duplicate {
                return None;
            }
            entries.push(Entry { key, value });
            if seen.is_none() && entries.len() - base >= 16 {
                seen = Some(
                    entries[base..]
                        .iter()
                        .map(|e| e.key.value.clone())
                        .collect(),
                );
            }
            drop(entries);
            match next {
                Some(n) if self.indent(n) == col && !is_dash(&self.lines[n][col..]) => {
                    li = n;
                }
                Some(n) if self.indent(n) < col => return done(next),
                None => return done(None),
                Some(_) => return None,
            }
        }
    }

    /// A block sequence whose first `-` is at column `col` of line `li`.
    /// `depth` collections enclose it.
    fn block_seq(&self, li: usize, col: usize, end: usize, depth: usize) -> Option<(Node, Next)> {
        let line = li as u32 + 1;
        let seq_col = col as u32 + 1;
        // Items go on the shared stack, then into one exact allocation.
        let base = self.items.borrow().len();
        let done = |next: Next| {
            let items: Vec<Node> = self.items.borrow_mut().drain(base..).collect();
            let seq = Seq {
                items,
                line,
                col: seq_col,
                src: 0,
            };
            Some((Node::Seq(seq), next))
        };
        let mut li = li;
        loop {
            let after = &self.lines[li][col + 1..];
            let (item, next) = if is_end(after) || after.is_empty() {
                match self.next_content(li + 1, end) {
                    Some(n) if self.indent(n) > col => {
                        let ind = self.indent(n);
                        self.block_node(n, ind, col as isize, false, end, depth + 1)?
                    }
                    next => (Node::Scalar(null_at(li + 1)), next),
                }
            } else {
                let content = after.skip_spaces();
                let ccol = self.lines[li].len() - content.len();
                self.block_node(li, ccol, col as isize, false, end, depth + 1)?
            };
            self.items.borrow_mut().push(item);
            match next {
                Some(n) if self.indent(n) == col && is_dash(&self.lines[n][col..]) => {
                    li = n;
                }
                Some(n) if self.indent(n) <= col => return done(next),
                None => return done(None),
                Some(_) => return None,
            }
        }
    }

    /// A literal block scalar whose `|` is at column `col` of line `li`, in
    /// a block of indentation `parent`.
    fn literal(&self, li: usize, col: usize, parent: usize, end: usize) -> Option<(Node, Next)> {
        let header = &self.lines[li][col + 1..];
        let (chomp, rest) = match header.as_bytes().first() {
            Some(b'-') => (Chomp::Strip, &header[1..]),
            Some(b'+') => (Chomp::Keep, &header[1..]),
            _ => (Chomp::Clip, header),
        };
        if !(rest.is_empty() || is_end(rest)) {
            return None;
        }
        let mut value = String::new();
        let mut pending_breaks = 0usize;
        let mut indent = 0;
        let mut first_line = 0;
        let mut i = li + 1;
        while i < end {
            let line = self.lines[i];
            let ind = indent_of(line);
            if ind == line.len() {
                // An empty line (spaces only): more spaces than the block's
                // indentation would be content.
                if indent == 0 && ind > 0 || indent > 0 && ind > indent {
                    return None;
                }
                pending_breaks += 1;
                i += 1;
                continue;
            }
            if indent == 0 {
                if ind <= parent {
                    // No content: an empty literal, left to the general
                    // parser.
                    return None;
                }
                indent = ind;
                first_line = i;
            } else if ind < indent {
                break;
            }
            if first_line != i {
                value.push('\n');
            }
            for _ in 0..pending_breaks {
                value.push('\n');
            }
            pending_breaks = 0;
            value.push_str(&line[indent..]);
            i += 1;
        }
        if indent == 0 {
            return None;
        }
        match chomp {
            Chomp::Strip => {}
            // The end of the text counts as a line break (as the event
            // parser reads it).
            Chomp::Clip => value.push('\n'),
            Chomp::Keep => {
                value.push('\n');
                for _ in 0..pending_breaks {
                    value.push('\n');
                }
            }
        }
        let node = Node::Scalar(Scalar {
            line: first_line as u32 + 1,
            col: indent as u32 + 1,
            ..Scalar::new(value, crate::node::Tag::Str, Style::Literal)
        });
        let next = self.next_content(i, end);
        Some((node, next))
    }
}

#[derive(Clone, Copy)]
enum Chomp {
    Strip,
    Clip,
    Keep,
}

/// Whether `text` may start a plain scalar here (the characters that
/// start something else, or that only the general parser reads, may not).
fn plain_start(text: &str) -> bool {
    match text.as_bytes()[0] {
        b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
        | b'"' | b'%' | b'@' | b'`' | b'?' | b':' => false,
        b'-' => !is_dash(text),
        _ => true,
    }
}

/// A plain scalar in block context: up to a `: ` (or `:` at the end), a
/// ` #` comment or the end of the line, without trailing spaces. Returns
/// the text and the rest (starting at the `:` or the spaces).
fn plain_in_block(text: &str) -> (&str, &str) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b':' if i + 1 == b.len() || b[i + 1] == b' ' => break,
            b'#' if i > 0 && b[i - 1] == b' ' => break,
            _ => i += 1,
        }
    }
    let value = text[..i].trim_end_matches(' ');
    (value, &text[value.len()..])
}

/// A plain scalar `value` (a piece of `line`, which is line `li`).
fn plain_scalar(value: &str, line: &str, li: usize) -> Scalar {
    Scalar {
        line: li as u32 + 1,
        col: col_in(line, value),
        ..Scalar::new(value, resolve::resolve_plain(value), Style::Plain)
    }
}

/// A mapping key at the start of `text` and what follows its `:`.
fn key<'t>(text: &'t str, line: &str, li: usize) -> Option<(Scalar, &'t str)> {
    let (scalar, rest) = match text.as_bytes().first()? {
        b'"' | b'\'' => {
            let (value, style, rest) = quoted(text)?;
            (
                Scalar {
                    line: li as u32 + 1,
                    col: col_in(line, text),
                    ..Scalar::new(value, crate::node::Tag::Str, style)
                },
                rest,
            )
        }
        _ => {
            if !plain_start(text) {
                return None;
            }
            let (value, rest) = plain_in_block(text);
            (plain_scalar(value, line, li), rest)
        }
    };
    let after = rest.strip_prefix(':')?;
    if !(after.is_empty() || after.starts_with(' ')) || scalar.value.len() > 1000 {
        return None;
    }
    Some((scalar, after))
}

/// A quoted scalar at the start of `text` that closes on the same line:
/// its value, style and the text after the closing quote.
fn quoted(text: &str) -> Option<(String, Style, &str)> {
    let b = text.as_bytes();
    if b[0] == b'\'' {
        let mut value = String::new();
        let mut i = 1;
        loop {
            let close = text[i..].find('\'')? + i;
            value.push_str(&text[i..close]);
            if b.get(close + 1) == Some(&b'\'') {
                value.push('\'');
                i = close + 2;
            } else {
                return Some((value, Style::SingleQuoted, &text[close + 1..]));
            }
        }
    }
    let mut value = String::new();
    let mut i = 1;
    loop {
        let stop = text[i..].find(['"', '\\'])? + i;
        value.push_str(&text[i..stop]);
        if b[stop] == b'"' {
            return Some((value, Style::DoubleQuoted, &text[stop + 1..]));
        }
        i = escape(text, stop + 1, &mut value)?;
    }
}

/// Decodes the escape whose letter is at `i` of `text` (just after a
/// `\` in a double-quoted scalar) onto `value`; the index after it, or
/// `None` for an escape this reader leaves to the event parser.
fn escape(text: &str, i: usize, value: &mut String) -> Option<usize> {
    let esc = *text.as_bytes().get(i)?;
    let i = i + 1;
    match esc {
        b'\\' => value.push('\\'),
        b'"' => value.push('"'),
        b'/' => value.push('/'),
        b'n' => value.push('\n'),
        b't' => value.push('\t'),
        b'r' => value.push('\r'),
        b'0' => value.push('\0'),
        b' ' => value.push(' '),
        b'x' | b'u' | b'U' => {
            let n = match esc {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let hex = text.get(i..i + n)?;
            if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
            value.push(c);
            return Some(i + n);
        }
        _ => return None,
    }
    Some(i)
}

/// A one-line flow collection at the start of `text` (a piece of `whole`,
/// line `li`, inside `depth` collections), and the text after it.
///
/// Iterative, with the open collections on a heap stack: a line may nest
/// thousands of them (yaml.v3 takes up to 10,000; the event parser only
/// 255). Past [`limits::MAX_DEPTH`] it records where in `too_deep` and
/// gives up.
fn flow_node<'t>(
    text: &'t str,
    whole: &str,
    li: usize,
    depth: usize,
    too_deep: &TooDeep,
) -> Option<(Node, &'t str)> {
    let line = li as u32 + 1;
    let cols = Columns::new(whole);
    let mut stack: Vec<Open> = Vec::new();
    let mut rest = text;
    loop {
        // `rest` starts a node: open a collection, or read a scalar and
        // complete it into the collection on top.
        let mut node = match rest.as_bytes().first()? {
            b'[' | b'{' => {
                if depth + stack.len() + 1 > limits::MAX_DEPTH {
                    too_deep.set(Some((line, cols.of(rest))));
                    return None;
                }
                let is_seq = rest.as_bytes()[0] == b'[';
                let col = cols.of(rest);
                let close = if is_seq { ']' } else { '}' };
                let after = rest[1..].skip_spaces();
                if let Some(after) = after.strip_prefix(close) {
                    rest = after;
                    if is_seq {
                        Node::Seq(Seq {
                            items: Vec::new(),
                            line,
                            col,
                            src: 0,
                        })
                    } else {
                        Node::Map(Map {
                            entries: Vec::new(),
                            line,
                            col,
                            src: 0,
                        })
                    }
                } else {
                    stack.push(if is_seq {
                        Open::Seq(Seq {
                            items: Vec::new(),
                            line,
                            col,
                            src: 0,
                        })
                    } else {
                        Open::Map {
                            map: Map {
                                entries: Vec::new(),
                                line,
                                col,
                                src: 0,
                            },
                            key: None,
                            seen: None,
                        }
                    });
                    rest = after;
                    continue;
                }
            }
            _ => {
                let (scalar, after) = flow_scalar(rest, &cols, li)?;
                rest = after;
                Node::Scalar(scalar)
            }
        };
        // Complete `node` into the collections on the stack, closing each
        // that ends here.
        loop {
            let Some(top) = stack.last_mut() else {
                return Some((node, rest));
            };
            match top {
                Open::Seq(seq) => {
                    if rest.starts_with(':') {
                        // A single-pair mapping in a sequence.
                        return None;
                    }
                    seq.items.push(node);
                }
                Open::Map { map, key, seen } => match key.take() {
                    None => {
                        let Node::Scalar(k) = node else {
                            return None;
                        };
                        rest = rest.skip_spaces().strip_prefix(": ")?;
                        rest = rest.skip_spaces();
                        *key = Some(k);
                        break;
                    }
                    Some(k) => {
                        if k.style == Style::Plain && k.value == "<<" {
                            return None;
                        }
                        // Keys seen, once the map is big enough for a set
                        // to pay (a scan per key is quadratic on a long
                        // one-line mapping).
                        let duplicate = match seen {
                            Some(set) => !set.insert(k.value.clone()),
                            None => map.entries.iter().any(|e| e.key.value == k.value),
                        };
                        if duplicate {
                            return None;
                        }
                        map.entries.push(Entry {
                            key: k,
                            value: node,
                        });
                        if seen.is_none() && map.entries.len() >= 16 {
                            *seen = Some(map.entries.iter().map(|e| e.key.value.clone()).collect());
                        }
                    }
                },
            }
            let close = match top {
                Open::Seq(_) => ']',
                Open::Map { .. } => '}',
            };
            let after = rest.skip_spaces();
            if let Some(after) = after.strip_prefix(close) {
                rest = after;
                node = match stack.pop()? {
                    Open::Seq(seq) => Node::Seq(seq),
                    Open::Map { map, .. } => Node::Map(map),
                };
                continue;
            }
            rest = after.strip_prefix(',')?.skip_spaces();
            if rest.starts_with([']', '}', ',']) {
                return None;
            }
            break;
        }
    }
}

/// A flow collection being read.
enum Open {
    Seq(Seq),
    Map {
        map: Map,
        /// The key read, waiting for its value.
        key: Option<Scalar>,
        seen: Option<HashSet<crate::Text>>,
    },
}

/// A scalar inside a flow collection.
fn flow_scalar<'t>(text: &'t str, cols: &Columns<'_>, li: usize) -> Option<(Scalar, &'t str)> {
    match *text.as_bytes().first()? {
        b'"' | b'\'' => {
            let (value, style, rest) = quoted(text)?;
            Some((
                Scalar {
                    line: li as u32 + 1,
                    col: cols.of(text),
                    ..Scalar::new(value, crate::node::Tag::Str, style)
                },
                rest,
            ))
        }
        _ => {
            let b = text.as_bytes();
            // `-` before a flow indicator does not start a plain scalar.
            if !plain_start(text)
                || b[0] == b'-' && matches!(b.get(1), Some(b',' | b'[' | b']' | b'{' | b'}'))
            {
                return None;
            }
            let mut i = 0;
            while i < b.len() {
                match b[i] {
                    b',' | b'[' | b']' | b'{' | b'}' => break,
                    b':' if i + 1 == b.len() || matches!(b[i + 1], b' ' | b',' | b']' | b'}') => {
                        break;
                    }
                    b'#' if b[i - 1] == b' ' => return None,
                    // libyaml ends a plain scalar at a `?` in a flow
                    // collection (and refuses what follows): the event
                    // parser's reading says so.
                    b'?' => return None,
                    _ => i += 1,
                }
            }
            let value = text[..i].trim_end_matches(' ');
            if value.is_empty() {
                return None;
            }
            let scalar = Scalar {
                line: li as u32 + 1,
                col: cols.of(value),
                ..Scalar::new(value, resolve::resolve_plain(value), Style::Plain)
            };
            Some((scalar, &text[value.len()..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_with_events;

    /// Same tree, down to styles, types and line numbers.
    fn same(a: &Node, b: &Node) -> bool {
        match (a, b) {
            (Node::Scalar(x), Node::Scalar(y)) => {
                x.value == y.value
                    && x.tag == y.tag
                    && x.style == y.style
                    && x.line == y.line
                    // The readers place an empty value differently.
                    && (x.col == y.col || x.is_null())
            }
            (Node::Seq(x), Node::Seq(y)) => {
                // A sequence's column is approximate (the event parser
                // gives where it met the first item).
                x.line == y.line
                    && x.items.len() == y.items.len()
                    && x.items.iter().zip(&y.items).all(|(a, b)| same(a, b))
            }
            (Node::Map(x), Node::Map(y)) => {
                x.line == y.line
                    && x.col == y.col
                    && x.entries.len() == y.entries.len()
                    && x.entries.iter().zip(&y.entries).all(|(a, b)| {
                        same(&Node::Scalar(a.key.clone()), &Node::Scalar(b.key.clone()))
                            && same(&a.value, &b.value)
                    })
            }
            _ => false,
        }
    }

    fn compact(docs: &[Node]) -> String {
        fn one(n: &Node, out: &mut String) {
            match n {
                Node::Scalar(s) => out.push_str(&format!(
                    "{:?}/{:?}/{:?}@{}:{}",
                    s.value, s.tag, s.style, s.line, s.col
                )),
                Node::Seq(q) => {
                    out.push_str(&format!("[@{}:{} ", q.line, q.col));
                    for i in &q.items {
                        one(i, out);
                        out.push_str(", ");
                    }
                    out.push(']');
                }
                Node::Map(m) => {
                    out.push_str(&format!("{{@{}:{} ", m.line, m.col));
                    for e in &m.entries {
                        one(&Node::Scalar(e.key.clone()), out);
                        out.push_str(": ");
                        one(&e.value, out);
                        out.push_str(", ");
                    }
                    out.push('}');
                }
            }
        }
        let mut out = String::new();
        for d in docs {
            one(d, &mut out);
            out.push('\n');
        }
        out
    }

    /// When the fast reader accepts `src`, the event parser reads the same.
    /// Returns whether the fast reader accepted it.
    fn check(src: &str) -> bool {
        let Some(fast) = parse_documents(src) else {
            return false;
        };
        let fast = match fast {
            Ok(d) => d,
            Err(e) => {
                // Only nesting past the limit: the event parser refuses
                // it too (with its own words past 255 flow levels).
                assert_eq!(e.message, crate::limits::DEPTH_MESSAGE);
                assert!(parse_with_events(src, false).is_err());
                return true;
            }
        };
        let slow = match parse_with_events(src, false) {
            Ok(d) => d,
            Err(e) => panic!("fast reader accepted what the parser refuses ({e}):\n{src}"),
        };
        assert!(
            fast.len() == slow.len() && fast.iter().zip(&slow).all(|(a, b)| same(a, b)),
            "trees differ for:\n{src:?}\nfast: {}\nslow: {}",
            compact(&fast),
            compact(&slow)
        );
        true
    }

    /// Found by the fuzz target `yaml_fast_vs_events`: the event parser
    /// refuses a `-` after spaces inside a flow plain scalar ("plain
    /// scalar cannot start with '-' followed by ,[]{}"), which yaml.v3
    /// reads as part of the scalar (kubectl-verified: `[a=b  -]` is one
    /// item, `a=b  -`). The fast reader reads it as yaml.v3 does.
    #[test]
    fn a_dash_after_spaces_in_a_flow_scalar_is_part_of_it() {
        let docs = parse_documents("x: [a=b  -]\ny: [a  -, b]\n").and_then(Result::ok);
        let docs = docs.expect("the fast reader takes it");
        let items = |k: &str| {
            docs[0]
                .get(k)
                .and_then(Node::as_seq)
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(items("x"), vec![Node::plain("a=b  -")]);
        assert_eq!(items("y"), vec![Node::plain("a  -"), Node::plain("b")]);
    }

    const SAMPLES: &[&str] = &[
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web # the name\n  labels: {app: web, tier: \"front\"}\n  annotations:\n    note: 'it''s'\n    empty:\n    text: |\n      line one\n\n        indented\n      last\n\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: a\n        image: nginx:1.25\n        args: [\"--x\", y, 0777, on]\n        env:\n        - name: A\n          value: \"\\u00e9\\n\\t\\\\x\"\n        -\n          name: B\n      -   name: c\n          ports: []\n---\n# comment\n---\napiVersion: v1\nkind: List\nitems:\n- - nested\n  - seq\n- key: v\n  other:\n  - x\n  - y\n  last: 1\n",
        "resources:\n- a.yaml\n- ../base\npatches:\n- path: p.yaml\n  target:\n    kind: Deployment\n- patch: |-\n    - op: add\n      path: /x\n      value: 1\nconfigMapGenerator:\n- name: c\n  literals: [A=1, \"B=on\"]\n",
        "a: 1\nb:\n- x\n- y\nc: {}\nd: []\ne: ~\nf: null\ng: 1.5e3\nh: 2001-12-14\ni: true\nk: '-'\nl: \"é 😀\"\n",
        "key: |+\n  keep\n\n\nnext: |-\n  strip\n\nlast: |\n  clip\n",
        "- a\n- b: c\n  d: e\n-\n- - f\n",
        // Quoted scalars over several lines.
        "a: 'it''s\n  long  \n\n\n   # not a comment'\nb: \"x\\ty \n  \\ z\\\n   w\\\n\n   v\n\n  \\u00e9 end\"\nc:\n- 'q\n  ' # c\n- \"\n  \"\nd: \"a\\\n  \\ b\"\n",
        // Plain scalars over several lines, as CRD descriptions are written.
        "spec:\n  description: Human readable message\n    indicating details  \n\n    about  why.\n  items:\n  - first item\n    goes on\n  -   second\n\n\n      third\n  - x\n     - not an item\n  key:\n    value on\n    two lines\n\n  n: 1\n   2\n  after: x # c\nlist:\n- a: b\n   c\n  d: e\n",
        // Columns count characters, not bytes.
        "é: {ü: 'ö', x: [ä, y]}\nnote: \"😀\" # ok\nlist:\n- ñ: 1\n  z: 2\n",
    ];

    #[test]
    fn samples_read_as_the_event_parser_reads_them() {
        for s in SAMPLES {
            assert!(check(s), "the fast reader gave up on:\n{s}");
        }
        for s in [
            "",
            "# c\n",
            "---\n",
            "---\n---\n",
            "a: 1\n---\n",
            "a: 1\n---",
            "\n\n---\n\n",
            "x\n",
            "\"x\"\n",
            "a: 1\n--- # c\nb: 2",
            "a: |\n  x",
            "a: |+\n  x\n\n",
        ] {
            check(s);
        }
    }

    #[test]
    fn special_characters_are_found_as_chars_would_find_them() {
        let special = |c: char| {
            matches!(
                c,
                '\u{80}'
                    ..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
            )
        };
        let mut failures = Vec::new();
        for c in ('\u{0}'..='\u{3000}').chain('\u{f000}'..='\u{10fff}') {
            for pad in [0, 1, 31, 32, 33, 40] {
                let text = format!("{}{c}é", "x".repeat(pad));
                if has_special(text.as_bytes()) != text.chars().any(special) {
                    failures.push((c, pad));
                }
            }
        }
        assert!(failures.is_empty(), "{failures:?}");
    }

    #[test]
    fn hard_cases_go_to_the_event_parser() {
        for s in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: >\n  folded\n",
            "a: [1,\n  2]\n",
            "a: 1\na: 2\n",
            "a: multi # c\n  line\n",
            "a: multi\n  line # c\n",
            "a: multi\n  line: x\n",
            "a: multi\n  # c\n  line\n",
            "multi\n line\n",
            "a: 'open\n",
            "a: 'open\nb: 1\n",
            "a: 'x\n y' z\n",
            "- 'x\n' \n",
            "a: \"x\\q\n  y\"\n",
            "<<: {a: 1}\n",
            "a:\tb\n",
            "a: 'open\n",
            "a: b: c\n",
            "? a\n: b\n",
            "%YAML 1.2\n---\na: 1\n",
            "a: |2\n   x\n",
        ] {
            assert!(parse_documents(s).is_none(), "should give up on:\n{s}");
        }
    }

    /// Random edits of the samples: whatever the fast reader accepts, the
    /// event parser reads alike.
    #[test]
    fn mutated_samples_agree() {
        let mut next = crate::test_rng::xorshift(0x2545_f491_4f6c_dd1d);
        const PIECES: &[&str] = &[
            " ", "  ", "\n", ":", ": ", "- ", "-", "#", " #", "'", "\"", "[", "]", "{", "}", ",",
            "|", "|-", "x", "1", "\\", "\\n", "---\n", "é",
        ];
        let mut accepted = 0;
        for round in 0..20_000 {
            let base = SAMPLES[round % SAMPLES.len()];
            let mut s = base.to_string();
            for _ in 0..1 + next() % 3 {
                let mut at = (next() as usize) % (s.len() + 1);
                while !s.is_char_boundary(at) {
                    at -= 1;
                }
                match next() % 3 {
                    0 => s.insert_str(at, PIECES[(next() as usize) % PIECES.len()]),
                    1 => {
                        let mut to = (at + 1 + (next() as usize) % 3).min(s.len());
                        while !s.is_char_boundary(to) {
                            to += 1;
                        }
                        s.replace_range(at..to, "");
                    }
                    _ => {
                        let line_start = s[..at].rfind('\n').map_or(0, |i| i + 1);
                        s.insert_str(line_start, "  ");
                    }
                }
            }
            if check(&s) {
                accepted += 1;
            }
        }
        assert!(accepted > 2_000, "only {accepted} mutations were read fast");
    }

    /// Every file under the directories in `RUSTOMIZE_YAML_CORPUS`
    /// (separated by `:`), as is and with random edits. Run with
    /// `cargo test -p rustomize-yaml -- --ignored corpus`.
    #[test]
    #[ignore = "needs RUSTOMIZE_YAML_CORPUS"]
    fn corpus_agrees() {
        let Ok(dirs) = std::env::var("RUSTOMIZE_YAML_CORPUS") else {
            return;
        };
        let mut files = Vec::new();
        let mut stack: Vec<std::path::PathBuf> = dirs.split(':').map(Into::into).collect();
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                for e in std::fs::read_dir(&p).unwrap().flatten() {
                    stack.push(e.path());
                }
            } else if let Ok(text) = std::fs::read_to_string(&p) {
                if std::env::var_os("RUSTOMIZE_YAML_SHOW_SLOW").is_some()
                    && parse_documents(text.strip_prefix('\u{feff}').unwrap_or(&text)).is_none()
                {
                    eprintln!("slow: {}", p.display());
                }
                files.push(text);
            }
        }
        let (mut fast, mut total) = (0, 0);
        for f in &files {
            total += 1;
            if check(f.strip_prefix('\u{feff}').unwrap_or(f)) {
                fast += 1;
            }
        }
        eprintln!("corpus: {fast} of {total} files read fast");
        let rounds: usize = std::env::var("RUSTOMIZE_YAML_ROUNDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100_000);
        let mut next = crate::test_rng::xorshift(
            std::env::var("RUSTOMIZE_YAML_SEED")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0x9e37_79b9_7f4a_7c15),
        );
        const PIECES: &[&str] = &[
            " ", "  ", "\n", ":", ": ", "- ", "-", "#", " #", "'", "\"", "[", "]", "{", "}", ",",
            "|", "|-", "|+", "x", "1", "\\", "\\n", "---\n", "é", "\n\n", "  - ", "\n  ",
        ];
        let mut accepted = 0;
        for _ in 0..rounds {
            let base = &files[(next() as usize) % files.len()];
            if base.len() > 20_000 || base.is_empty() {
                continue;
            }
            let mut s = base.clone();
            for _ in 0..1 + next() % 4 {
                let mut at = (next() as usize) % (s.len() + 1);
                while !s.is_char_boundary(at) {
                    at -= 1;
                }
                match next() % 4 {
                    0 | 1 => s.insert_str(at, PIECES[(next() as usize) % PIECES.len()]),
                    2 => {
                        let mut to = (at + 1 + (next() as usize) % 3).min(s.len());
                        while !s.is_char_boundary(to) {
                            to += 1;
                        }
                        s.replace_range(at..to, "");
                    }
                    _ => {
                        let line_start = s[..at].rfind('\n').map_or(0, |i| i + 1);
                        if next().is_multiple_of(2) {
                            s.insert_str(line_start, "  ");
                        } else if s[line_start..].starts_with(' ') {
                            s.remove(line_start);
                        }
                    }
                }
            }
            if check(&s) {
                accepted += 1;
            }
        }
        eprintln!("corpus: {accepted} of {rounds} mutations read fast");
    }
}
