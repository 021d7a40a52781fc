//! A focused scanner for the YAML kustomization files are written in.
//!
//! It reads block mappings and sequences (indentless ones too), one-line
//! plain, single- and double-quoted scalars, literal blocks (`|`, `|-`),
//! one-line flow collections of scalars, comments and a leading `---`,
//! and builds exactly the tree [`super::events`] builds from saphyr's
//! events, spans included. On anything else (anchors, aliases, tags,
//! folded, multi-line or kept-chomping scalars, tabs, CRLF, directives, a
//! second document, complex keys, and every syntax error) it gives up and
//! returns `None`, and the reference parser reads the text. It never
//! accepts what saphyr rejects: the tests run both on every fixture and
//! on mutated copies of them and compare the trees.
//!
//! Internally `None` means "give up" throughout; a nested `Option` inside
//! it is an ordinary optional value (the end of the text, an absent key).

use super::events::block_scalar_end;
use super::{Entry, Kind, Node, Style};

/// The tree of `text`'s first document (`Some(None)` when it has no
/// content), or `None` when the scanner does not read `text`.
pub(super) fn scan(text: &str) -> Option<Option<Node>> {
    if !plain_text(text) {
        return None;
    }
    Scanner {
        t: text,
        b: text.as_bytes(),
    }
    .document()
}

/// Whether `text` avoids what the scanner leaves to saphyr character by
/// character: tabs, carriage returns, control and non-printable characters,
/// a byte order mark and Unicode line separators.
fn plain_text(text: &str) -> bool {
    // One pass over the bytes (this runs on every parse).
    let mut ascii = true;
    for &c in text.as_bytes() {
        if (c < 0x20 && c != b'\n') || c == 0x7f {
            return false;
        }
        ascii &= c < 0x80;
    }
    ascii
        || !text.chars().any(|c| {
            matches!(
                c,
                '\u{80}'
                    ..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
            )
        })
}

/// Where the next content line starts: the first byte of its content and
/// its column; `None` at the end of the text.
type Next = Option<(usize, usize)>;

struct Scanner<'t> {
    t: &'t str,
    b: &'t [u8],
}

/// Implicit keys longer than this are left to saphyr (YAML limits them to
/// 1024 characters).
const MAX_KEY: usize = 1000;

impl Scanner<'_> {
    fn len(&self) -> usize {
        self.b.len()
    }

    fn at(&self, pos: usize) -> u8 {
        self.b.get(pos).copied().unwrap_or(b'\n')
    }

    /// Whether `pos` is a space, a line break or the end of the text.
    fn blank_at(&self, pos: usize) -> bool {
        matches!(self.at(pos), b' ' | b'\n')
    }

    /// The start of the line after the one holding `pos`.
    fn next_line(&self, pos: usize) -> usize {
        self.b[pos..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(self.len(), |i| pos + i + 1)
    }

    fn skip_spaces(&self, mut pos: usize) -> usize {
        while pos < self.len() && self.b[pos] == b' ' {
            pos += 1;
        }
        pos
    }

    /// The first content line from the line starting at `ls` on (blank and
    /// comment-only lines skipped), document markers included.
    fn next_content_raw(&self, mut ls: usize) -> Next {
        while ls < self.len() {
            let p = self.skip_spaces(ls);
            match self.b.get(p) {
                None => return None,
                Some(b'\n') => ls = p + 1,
                Some(b'#') => ls = self.next_line(p),
                Some(_) => return Some((p, p - ls)),
            }
        }
        None
    }

    /// The next content line; gives up on a document marker (`---` or
    /// `...` at column 0).
    fn next_content(&self, ls: usize) -> Option<Next> {
        let next = self.next_content_raw(ls);
        if let Some((p, 0)) = next
            && self.is_marker(p)
        {
            return None;
        }
        Some(next)
    }

    fn is_marker(&self, p: usize) -> bool {
        (self.t[p..].starts_with("---") || self.t[p..].starts_with("...")) && self.blank_at(p + 3)
    }

    /// After a node ending at `end`: only spaces and maybe a comment may
    /// follow on its line. The start of the next line.
    fn rest_of_line(&self, end: usize) -> Option<usize> {
        let p = self.skip_spaces(end);
        match self.b.get(p) {
            None => Some(self.len()),
            Some(b'\n') => Some(p + 1),
            Some(b'#') if p > end => Some(self.next_line(p)),
            _ => None,
        }
    }

    /// Whether a block sequence entry (`-` and a space or line break)
    /// starts at `p`.
    fn is_dash(&self, p: usize) -> bool {
        self.at(p) == b'-' && self.blank_at(p + 1)
    }

    /// Whether a plain scalar may start at `p` (in flow context when
    /// `flow`). `?` and `:` starts are left to saphyr.
    fn plain_start(&self, p: usize, flow: bool) -> bool {
        match self.at(p) {
            b'-' => {
                let n = self.at(p + 1);
                let flow_indicator = matches!(n, b',' | b'[' | b']' | b'{' | b'}');
                !(matches!(n, b' ' | b'\n') || flow && flow_indicator)
            }
            b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|'
            | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' | b' ' | b'\n' => false,
            _ => true,
        }
    }

    fn document(&self) -> Option<Option<Node>> {
        let Some((mut p, mut col)) = self.next_content_raw(0) else {
            return Some(None);
        };
        if col == 0 && self.t[p..].starts_with("...") && self.blank_at(p + 3) {
            return None;
        }
        if col == 0 && self.t[p..].starts_with("---") && self.blank_at(p + 3) {
            let ls = self.rest_of_line(p + 3)?;
            // An explicit document with no content is left to saphyr.
            (p, col) = self.next_content(ls)??;
        }
        let (root, next) = self.block(p, col)?;
        // Anything after the root (a second document, less indented text)
        // is left to saphyr.
        next.is_none().then_some(Some(root))
    }

    /// A block collection whose first line's content starts at `p`, column
    /// `col`.
    fn block(&self, p: usize, col: usize) -> Option<(Node, Next)> {
        if self.is_dash(p) {
            return self.seq(p, col, false);
        }
        let key = self.key(p)??;
        self.map(col, key)
    }

    /// A key at `p`: its node and one past its `:`. `Some(None)` when `p`
    /// does not start a key.
    fn key(&self, p: usize) -> Option<Option<(Node, usize)>> {
        let (node, after) = match self.at(p) {
            b'"' | b'\'' => {
                let node = self.quoted(p)?;
                let end = node.end;
                (node, end)
            }
            _ if self.plain_start(p, false) => {
                let b = self.b;
                let mut i = p;
                let colon = loop {
                    match b.get(i) {
                        None | Some(b'\n') => return Some(None),
                        Some(b'#') if b[i - 1] == b' ' => return Some(None),
                        Some(b':') if self.blank_at(i + 1) => break i,
                        Some(_) => i += 1,
                    }
                };
                let text = self.t[p..colon].trim_end_matches(' ');
                if text.len() > MAX_KEY {
                    return None;
                }
                (plain(p, text), p + text.len())
            }
            _ => return Some(None),
        };
        let colon = self.skip_spaces(after);
        if self.at(colon) == b':' && colon < self.len() && self.blank_at(colon + 1) {
            Some(Some((node, colon + 1)))
        } else {
            Some(None)
        }
    }

    /// A block mapping at column `col` whose first key is `first`.
    fn map(&self, col: usize, first: (Node, usize)) -> Option<(Node, Next)> {
        let start = first.0.start;
        let mut entries = Vec::new();
        let mut key = first;
        loop {
            let (key_node, after) = key;
            let p = self.skip_spaces(after);
            let (value, next) = match self.b.get(p) {
                None | Some(b'\n') | Some(b'#') => {
                    if self.at(p) == b'#' && p == after {
                        return None;
                    }
                    let ls = if p < self.len() { self.next_line(p) } else { p };
                    match self.next_content(ls)? {
                        Some((q, qcol)) if qcol > col => self.block(q, qcol)?,
                        Some((q, qcol)) if qcol == col && self.is_dash(q) => {
                            self.seq(q, col, true)?
                        }
                        next => (empty(after), next),
                    }
                }
                Some(_) => {
                    let (value, ls) = self.inline_value(p, col)?;
                    (value, self.next_content(ls)?)
                }
            };
            entries.push(Entry {
                key: key_node,
                value,
            });
            match next {
                Some((q, qcol)) if qcol == col => key = self.key(q)??,
                Some((_, qcol)) if qcol > col => return None,
                next => {
                    let end = entries.last().map_or(start, |e| e.value.end);
                    let node = Node {
                        start,
                        body: start,
                        end,
                        anchor: None,
                        kind: Kind::Map {
                            flow: false,
                            entries,
                        },
                    };
                    return Some((node, next));
                }
            }
        }
    }

    /// A block sequence whose first `-` is at `p`, column `col`;
    /// `indentless` when it is a mapping value at the mapping's column.
    fn seq(&self, mut p: usize, col: usize, indentless: bool) -> Option<(Node, Next)> {
        let mut items: Vec<Node> = Vec::new();
        let mut dashes = Vec::new();
        loop {
            let dash = p;
            let q = self.skip_spaces(dash + 1);
            let (item, next) = match self.b.get(q) {
                None | Some(b'\n') | Some(b'#') => {
                    if indentless && items.is_empty() {
                        // saphyr's span of such a sequence is not the
                        // builder's to correct.
                        return None;
                    }
                    let ls = if q < self.len() { self.next_line(q) } else { q };
                    match self.next_content(ls)? {
                        Some((r, rcol)) if rcol > col => self.block(r, rcol)?,
                        _ => return None,
                    }
                }
                Some(_) if self.is_dash(q) => return None,
                Some(_) => match self.key(q)? {
                    Some(key) => self.map(q - self.line_start(q), key)?,
                    None => {
                        let (item, ls) = self.inline_value(q, col)?;
                        (item, self.next_content(ls)?)
                    }
                },
            };
            items.push(item);
            dashes.push(dash);
            match next {
                Some((r, rcol)) if rcol == col && self.is_dash(r) => p = r,
                Some((_, rcol)) if rcol > col => return None,
                next => {
                    let start = if indentless {
                        items[0].start
                    } else {
                        dashes[0]
                    };
                    let end = items.last().map_or(start, |n| n.end);
                    let node = Node {
                        start,
                        body: dashes[0],
                        end,
                        anchor: None,
                        kind: Kind::Seq {
                            flow: false,
                            items,
                            dashes,
                        },
                    };
                    return Some((node, next));
                }
            }
        }
    }

    fn line_start(&self, pos: usize) -> usize {
        self.t[..pos].rfind('\n').map_or(0, |i| i + 1)
    }

    /// A value written on the line of its key or `-` at `p` (a scalar, a
    /// one-line flow collection or a literal block), inside a collection
    /// at column `parent`; the node and the start of the line after it.
    fn inline_value(&self, p: usize, parent: usize) -> Option<(Node, usize)> {
        let node = match self.at(p) {
            b'|' => return self.literal(p, parent),
            b'[' | b'{' => self.flow(p)?,
            b'"' | b'\'' => self.quoted(p)?,
            _ if self.plain_start(p, false) => {
                let b = self.b;
                let mut i = p;
                let end = loop {
                    match b.get(i) {
                        None | Some(b'\n') => break i,
                        Some(b'#') if b[i - 1] == b' ' => break i,
                        // A mapping inside a value: an error, or a shape
                        // left to saphyr.
                        Some(b':') if self.blank_at(i + 1) => return None,
                        Some(_) => i += 1,
                    }
                };
                plain(p, self.t[p..end].trim_end_matches(' '))
            }
            _ => return None,
        };
        let ls = self.rest_of_line(node.end)?;
        Some((node, ls))
    }

    /// A one-line quoted scalar opening at `p`.
    fn quoted(&self, p: usize) -> Option<Node> {
        let double = self.at(p) == b'"';
        let mut value = String::new();
        let mut i = p + 1;
        let mut run = i;
        loop {
            match self.b.get(i)? {
                b'\n' => return None,
                b'"' if double => break,
                b'\'' if !double => {
                    if self.at(i + 1) == b'\'' && i + 1 < self.len() {
                        value.push_str(&self.t[run..=i]);
                        i += 2;
                        run = i;
                        continue;
                    }
                    break;
                }
                b'\\' if double => {
                    value.push_str(&self.t[run..i]);
                    let (c, n) = self.escape(i + 1)?;
                    value.push(c);
                    i += 1 + n;
                    run = i;
                }
                _ => i += 1,
            }
        }
        value.push_str(&self.t[run..i]);
        Some(Node {
            start: p,
            body: p,
            end: i + 1,
            anchor: None,
            kind: Kind::Scalar {
                value,
                style: if double { Style::Double } else { Style::Single },
                tag: None,
            },
        })
    }

    /// The escape after a `\` at `p`: its character and how many bytes it
    /// takes. Line continuations and the rare escapes are left to saphyr.
    fn escape(&self, p: usize) -> Option<(char, usize)> {
        let c = match self.at(p) {
            b'0' => '\0',
            b'a' => '\u{7}',
            b'b' => '\u{8}',
            b't' => '\t',
            b'n' => '\n',
            b'v' => '\u{b}',
            b'f' => '\u{c}',
            b'r' => '\r',
            b'e' => '\u{1b}',
            b' ' => ' ',
            b'"' => '"',
            b'/' => '/',
            b'\\' => '\\',
            b'x' | b'u' | b'U' => {
                let n = match self.at(p) {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let hex = self.t.get(p + 1..p + 1 + n)?;
                if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                    return None;
                }
                let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                return Some((c, 1 + n));
            }
            _ => return None,
        };
        Some((c, 1))
    }

    /// A one-line flow sequence or mapping of scalars opening at `p`.
    fn flow(&self, p: usize) -> Option<Node> {
        let is_seq = self.at(p) == b'[';
        let close = if is_seq { b']' } else { b'}' };
        let mut items = Vec::new();
        let mut entries = Vec::new();
        let mut i = self.skip_spaces(p + 1);
        if self.at(i) != close {
            loop {
                if is_seq {
                    let item = self.flow_scalar(i, false)?;
                    i = self.skip_spaces(item.end);
                    items.push(item);
                } else {
                    let key = self.flow_scalar(i, true)?;
                    let colon = self.skip_spaces(key.end);
                    if self.at(colon) != b':' || self.at(colon + 1) != b' ' {
                        return None;
                    }
                    let value = self.flow_scalar(self.skip_spaces(colon + 1), false)?;
                    i = self.skip_spaces(value.end);
                    entries.push(Entry { key, value });
                }
                match self.at(i) {
                    b',' => {
                        i = self.skip_spaces(i + 1);
                        if self.at(i) == close {
                            return None;
                        }
                    }
                    c if c == close => break,
                    _ => return None,
                }
            }
        }
        let kind = if is_seq {
            Kind::Seq {
                flow: true,
                items,
                dashes: Vec::new(),
            }
        } else {
            Kind::Map {
                flow: true,
                entries,
            }
        };
        Some(Node {
            start: p,
            body: p,
            end: i + 1,
            anchor: None,
            kind,
        })
    }

    /// A scalar inside a one-line flow collection (a key when `key`: it
    /// must be followed by `: `).
    fn flow_scalar(&self, p: usize, key: bool) -> Option<Node> {
        match self.at(p) {
            b'"' | b'\'' => return self.quoted(p),
            _ if self.plain_start(p, true) => {}
            _ => return None,
        }
        let mut i = p;
        loop {
            match self.at(i) {
                b'\n' | b'[' | b']' | b'{' | b'}' => break,
                b',' => break,
                b'#' if self.b[i - 1] == b' ' => return None,
                b':' if matches!(
                    self.at(i + 1),
                    b' ' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'
                ) =>
                {
                    if !key {
                        return None;
                    }
                    break;
                }
                _ => i += 1,
            }
        }
        if i >= self.len() || self.b[i] == b'\n' {
            return None;
        }
        let text = self.t[p..i].trim_end_matches(' ');
        // Words with spaces between them in a flow collection are left to
        // saphyr, which reads ` -`, ` ?` and ` :` inside them its own way.
        if text.is_empty() || text.contains(' ') || (key && self.at(i) != b':') {
            return None;
        }
        Some(plain(p, text))
    }

    /// A literal block scalar whose `|` is at `h`, inside a collection at
    /// column `parent`; the node and the start of the line after it.
    fn literal(&self, h: usize, parent: usize) -> Option<(Node, usize)> {
        let mut i = h + 1;
        let mut strip = false;
        if self.at(i) == b'-' {
            strip = true;
            i += 1;
        }
        if !self.blank_at(i) {
            // Keep chomping, indentation indicators, `|-2`...
            return None;
        }
        let first = self.rest_of_line(i)?;
        // Leading blank lines, then the first content line sets the
        // indentation.
        let mut ls = first;
        let mut leading_max = 0;
        let indent = loop {
            if ls >= self.len() {
                return None;
            }
            let p = self.skip_spaces(ls);
            if self.at(p) == b'\n' && p < self.len() {
                leading_max = leading_max.max(p - ls);
                ls = p + 1;
                continue;
            }
            if p >= self.len() {
                return None;
            }
            break p - ls;
        };
        if indent <= parent || leading_max > indent {
            return None;
        }
        let mut value = String::new();
        let mut pending_blank = 0;
        let mut ls = first;
        let after = loop {
            if ls >= self.len() {
                break self.len();
            }
            let p = self.skip_spaces(ls);
            if p >= self.len() || self.b[p] == b'\n' {
                if p - ls > indent {
                    return None;
                }
                if p >= self.len() {
                    // Spaces without a line break to end the text: saphyr
                    // counts them as one more line.
                    if p > ls {
                        return None;
                    }
                    break self.len();
                }
                pending_blank += 1;
                ls = p + 1;
                continue;
            }
            if p - ls < indent {
                if p - ls > parent {
                    return None;
                }
                break ls;
            }
            let Some(nl) = self.t[p..].find('\n') else {
                // The last line has no line break.
                return None;
            };
            for _ in 0..pending_blank {
                value.push('\n');
            }
            pending_blank = 0;
            value.push_str(&self.t[ls + indent..p + nl]);
            value.push('\n');
            ls = p + nl + 1;
        };
        if strip {
            value.pop();
        }
        let node = Node {
            start: h,
            body: h,
            end: block_scalar_end(self.t, h),
            anchor: None,
            kind: Kind::Scalar {
                value,
                style: Style::Literal,
                tag: None,
            },
        };
        Some((node, after))
    }
}

fn plain(p: usize, text: &str) -> Node {
    Node {
        start: p,
        body: p,
        end: p + text.len(),
        anchor: None,
        kind: Kind::Scalar {
            value: text.to_string(),
            style: Style::Plain,
            tag: None,
        },
    }
}

/// The value of a key with nothing after its `:` (ending at `after`).
fn empty(after: usize) -> Node {
    Node {
        start: after,
        body: after,
        end: after,
        anchor: None,
        kind: Kind::Scalar {
            value: String::new(),
            style: Style::Plain,
            tag: None,
        },
    }
}
