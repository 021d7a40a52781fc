//! Prints nodes exactly as kustomize prints resources.
//!
//! kustomize turns each resource into JSON and hands that to yaml.v2, a port
//! of libyaml's emitter: keys sorted in yaml.v2's "natural" order, block
//! style, sequences not indented under their key, strings that YAML 1.1 would
//! read as another type double-quoted, plain and quoted strings folded at
//! spaces past column 80, multi-line strings as literal blocks. This module
//! reproduces that emitter's decisions (indentation, style selection, line
//! folding) for the node shapes a JSON round trip can produce.
//!
//! Printing is the last step of every build and touches every scalar, so it
//! allocates nothing per scalar or per mapping: scalars are analysed in one
//! pass over their characters, text that cannot fold or need escapes is
//! copied in one piece, and mapping keys are sorted as indices in a scratch
//! buffer the emitter reuses.

use crate::node::{Entry, Map, Node, Scalar, Tag};
use crate::resolve::{self, Number};
use std::borrow::Cow;
use std::cmp::Ordering;

const BEST_INDENT: i32 = 2;
const BEST_WIDTH: usize = 80;

/// Why a node cannot be printed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmitError {
    /// A float that JSON cannot carry (`.inf`, `.nan`).
    #[error("json: unsupported value: {0}")]
    UnsupportedValue(String),
    /// A character the YAML reader kustomize prints through refuses
    /// (DEL, C1 controls, U+FFFE, U+FFFF): kustomize fails on these too.
    #[error("yaml: control characters are not allowed (in {0:?})")]
    ControlCharacter(String),
    /// A mapping key that is not a string (kustomize's JSON step rejects it).
    #[error("json: unsupported type: mapping key {0:?} is not a string{line}", line = at_line(*.1))]
    NonStringKey(String, u32),
}

/// ` (line N)` for a position read from a file; nothing for a node the
/// program made (a generated key).
fn at_line(line: u32) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(" (line {line})")
    }
}

/// Prints one document (no `---`), ending in a newline.
pub fn to_string(node: &Node) -> Result<String, EmitError> {
    let mut out = String::with_capacity(256);
    write_document(&mut out, node)?;
    Ok(out)
}

/// About how many bytes [`write_document`] prints for `node`: its scalars'
/// text, and per line an indentation as deep as the node and a few bytes of
/// punctuation. Meant for reserving the output once (a CRD prints 1 to 3 MB,
/// and a buffer grown by doubling copies it and touches fresh pages twice);
/// it is no bound (quoting and escapes print more). Iterative.
pub fn size_hint(node: &Node) -> usize {
    let mut total = 0usize;
    let mut stack: Vec<(&Node, usize)> = vec![(node, 0)];
    while let Some((n, depth)) = stack.pop() {
        let indent = depth.saturating_sub(1) * BEST_INDENT as usize;
        match n {
            Node::Scalar(s) => total = total.saturating_add(s.value.len() + 1),
            Node::Seq(seq) => {
                total = total.saturating_add(seq.items.len() * (indent + 2));
                stack.extend(seq.items.iter().map(|c| (c, depth + 1)));
            }
            Node::Map(m) => {
                for e in &m.entries {
                    total = total.saturating_add(indent + e.key.value.len() + 2);
                    stack.push((&e.value, depth + 1));
                }
            }
        }
    }
    total
}

/// Appends one document to `out`.
pub fn write_document(out: &mut String, node: &Node) -> Result<(), EmitError> {
    emit_document(out, node, &mut NoVisit)
}

/// Told where each mapping entry and sequence item starts in the output
/// of [`write_document_visiting`] (for `rustomize explain`, which puts
/// each printed line beside the place its value came from).
pub trait Visit {
    /// An entry starts printing at byte `offset` of the output (before the
    /// line break and indentation that precede it, if any).
    fn enter_entry(&mut self, offset: usize, entry: &Entry);
    /// The `index`-th item of a sequence starts printing at `offset`.
    fn enter_item(&mut self, offset: usize, index: usize, item: &Node);
    /// The entry or item entered last is printed.
    fn leave(&mut self);
}

/// [`write_document`], telling `visit` where each entry and item starts.
pub fn write_document_visiting(
    out: &mut String,
    node: &Node,
    visit: &mut impl Visit,
) -> Result<(), EmitError> {
    emit_document(out, node, visit)
}

/// The visitor of plain printing: nothing to tell (compiled away).
struct NoVisit;

impl Visit for NoVisit {
    #[inline(always)]
    fn enter_entry(&mut self, _: usize, _: &Entry) {}
    #[inline(always)]
    fn enter_item(&mut self, _: usize, _: usize, _: &Node) {}
    #[inline(always)]
    fn leave(&mut self) {}
}

fn emit_document<V: Visit>(out: &mut String, node: &Node, visit: &mut V) -> Result<(), EmitError> {
    let mut e = Emitter {
        out,
        column: 0,
        indent: -1,
        whitespace: true,
        indention: true,
        order: Vec::new(),
        visit,
    };
    e.node(
        node,
        Ctx {
            mapping: false,
            simple_key: false,
        },
    )?;
    // Document end: yaml_emitter_write_indent with the root indent.
    e.indent = -1;
    e.write_indent();
    Ok(())
}

/// One character of a key, as yaml.v2's key comparison sees it.
trait KeyUnit: Copy + Ord {
    fn is_letter(self) -> bool;
    /// The value of an ASCII digit.
    fn digit(self) -> Option<u8>;
    fn is_zero(self) -> bool {
        self.digit() == Some(0)
    }
}

impl KeyUnit for u8 {
    fn is_letter(self) -> bool {
        self.is_ascii_alphabetic()
    }
    fn digit(self) -> Option<u8> {
        self.is_ascii_digit().then(|| self - b'0')
    }
}

impl KeyUnit for char {
    fn is_letter(self) -> bool {
        self.is_alphabetic()
    }
    fn digit(self) -> Option<u8> {
        // An ASCII digit fits a byte.
        self.is_ascii_digit().then(|| self as u8 - b'0')
    }
}

/// Compares two mapping keys as yaml.v2 sorts them: runs of digits compare
/// by value, letters sort after non-letters, then by code point.
pub fn compare_keys(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        // ASCII letters and digits are what `char` would say; bytes
        // compare as code points.
        compare_units(a.as_bytes(), b.as_bytes())
    } else {
        let ar: Vec<char> = a.chars().collect();
        let br: Vec<char> = b.chars().collect();
        compare_units(&ar, &br)
    }
}

fn compare_units<U: KeyUnit>(ar: &[U], br: &[U]) -> Ordering {
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_letter();
        let bl = br[i].is_letter();
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let mut an: i64 = 0;
        let mut bn: i64 = 0;
        if ar[i].is_zero() || br[i].is_zero() {
            let mut j = i;
            while j > 0 && ar[j - 1].digit().is_some() {
                j -= 1;
                if !ar[j].is_zero() {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while let Some(d) = ar.get(ai).and_then(|u| u.digit()) {
            an = an.wrapping_mul(10).wrapping_add(i64::from(d));
            ai += 1;
        }
        let mut bi = i;
        while let Some(d) = br.get(bi).and_then(|u| u.digit()) {
            bn = bn.wrapping_mul(10).wrapping_add(i64::from(d));
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

/// The entries of `map` in the order kustomize prints them.
pub fn sorted_entries(map: &Map) -> Vec<&Entry> {
    let mut entries: Vec<_> = map.entries.iter().collect();
    entries.sort_by(|a, b| compare_keys(&a.key.value, &b.key.value));
    entries
}

#[derive(Clone, Copy)]
struct Ctx {
    mapping: bool,
    simple_key: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

struct Emitter<'a, V> {
    out: &'a mut String,
    column: usize,
    indent: i32,
    whitespace: bool,
    indention: bool,
    /// Scratch stack of entry indices: each mapping being printed sorts
    /// its entries' positions in its own slice on top, and truncates it
    /// when done.
    order: Vec<usize>,
    /// Told where entries and items start (see [`Visit`]).
    visit: &'a mut V,
}

impl<V: Visit> Emitter<'_, V> {
    fn node(&mut self, node: &Node, ctx: Ctx) -> Result<(), EmitError> {
        match node {
            Node::Scalar(s) => {
                if is_plain_word(s) {
                    // Most values: nothing to decide (see `is_plain_word`).
                    if !self.whitespace {
                        self.put(' ');
                    }
                    self.put_word(&s.value);
                } else {
                    let (text, style) = scalar_text(s)?;
                    self.scalar(&text, style, ctx);
                }
            }
            Node::Seq(seq) if seq.items.is_empty() => self.empty_flow("[]"),
            Node::Map(map) if map.entries.is_empty() => self.empty_flow("{}"),
            Node::Seq(seq) => {
                let saved = self.indent;
                self.increase_indent(false, ctx.mapping && !self.indention);
                for (i, item) in seq.items.iter().enumerate() {
                    self.visit.enter_item(self.out.len(), i, item);
                    self.write_indent();
                    self.write_indicator("-", true, false, true);
                    self.node(
                        item,
                        Ctx {
                            mapping: false,
                            simple_key: false,
                        },
                    )?;
                    self.visit.leave();
                }
                self.indent = saved;
            }
            Node::Map(map) => {
                let saved = self.indent;
                self.increase_indent(false, false);
                let base = self.order.len();
                self.push_order(map);
                let mut k = base;
                while k < self.order.len() {
                    let entry = &map.entries[self.order[k]];
                    k += 1;
                    self.visit.enter_entry(self.out.len(), entry);
                    if let Err(e) = self.entry(entry, saved < 0) {
                        self.order.truncate(base);
                        return Err(e);
                    }
                    self.visit.leave();
                }
                self.order.truncate(base);
                self.indent = saved;
            }
        }
        Ok(())
    }

    /// Pushes the positions of `map`'s entries, in print order, on the
    /// scratch stack.
    fn push_order(&mut self, map: &Map) {
        let base = self.order.len();
        let keys = &map.entries;
        self.order.extend(0..keys.len());
        let in_order = keys
            .windows(2)
            .all(|w| compare_keys(&w[0].key.value, &w[1].key.value) != Ordering::Greater);
        if !in_order {
            self.order[base..]
                .sort_by(|&a, &b| compare_keys(&keys[a].key.value, &keys[b].key.value));
        }
    }

    /// Prints one mapping entry; `top`: of the document's root mapping.
    fn entry(&mut self, entry: &Entry, top: bool) -> Result<(), EmitError> {
        // kustomize's JSON step decodes an object into a
        // map[string]interface{}, so the root mapping's keys become text
        // whatever their type (`1:` prints `"1":`, `!foo a:` `a:`); a
        // nested mapping is decoded into interface{}, where a key that is
        // not a string fails the step. A null key fails either way.
        let as_text;
        let key_scalar = match entry.key.tag {
            Tag::Str => &entry.key,
            Tag::Null => return Err(non_string_key(entry)),
            _ if !top => return Err(non_string_key(entry)),
            _ => {
                as_text = Scalar {
                    tag: Tag::Str,
                    style: crate::node::Style::Plain,
                    ..entry.key.clone()
                };
                &as_text
            }
        };
        self.write_indent();
        let key = &key_scalar.value;
        if is_plain_word(key_scalar) && key.len() <= 128 {
            // Most keys print as they are (see `is_plain_word`); right
            // after an indent there is no space to add.
            self.put_word(key);
            self.write_indicator(":", false, false, false);
            return self.node(
                &entry.value,
                Ctx {
                    mapping: true,
                    simple_key: false,
                },
            );
        }
        check_readable(key)?;
        let key_style = string_style(key);
        let simple = !has_line_break(key) && key.len() <= 128;
        if simple {
            self.scalar(
                key,
                key_style,
                Ctx {
                    mapping: true,
                    simple_key: true,
                },
            );
            self.write_indicator(":", false, false, false);
        } else {
            self.write_indicator("?", true, false, true);
            self.scalar(
                key,
                key_style,
                Ctx {
                    mapping: true,
                    simple_key: false,
                },
            );
            self.write_indent();
            self.write_indicator(":", true, false, true);
        }
        self.node(
            &entry.value,
            Ctx {
                mapping: true,
                simple_key: false,
            },
        )
    }

    fn empty_flow(&mut self, text: &str) {
        self.write_indicator(&text[..1], true, true, false);
        self.write_indicator(&text[1..], false, false, false);
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    /// Appends text that holds no line break, counting its characters.
    fn put_str(&mut self, s: &str) {
        self.out.push_str(s);
        self.column += char_count(s);
    }

    /// Writes a plain scalar that needs no decision (an
    /// [`is_plain_word`]): its text as it is.
    fn put_word(&mut self, text: &str) {
        self.out.push_str(text);
        self.column += text.len();
        self.whitespace = false;
        self.indention = false;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        if self.column < indent {
            const SPACES: &str = "                                                                ";
            let mut missing = indent - self.column;
            while missing > 0 {
                let n = missing.min(SPACES.len());
                self.out.push_str(&SPACES[..n]);
                missing -= n;
            }
            self.column = indent;
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        self.put_str(indicator);
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn scalar(&mut self, text: &str, requested: Style, ctx: Ctx) {
        let a = analyze(text);
        let mut style = requested;
        if ctx.simple_key && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain && (!a.block_plain_allowed || (text.is_empty() && ctx.simple_key))
        {
            style = Style::Single;
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_allowed || ctx.simple_key) {
            style = Style::Double;
        }
        let saved = self.indent;
        self.increase_indent(true, false);
        let allow_breaks = !ctx.simple_key;
        match style {
            Style::Plain => self.write_plain(text, allow_breaks, &a),
            Style::Single => self.write_single(text, allow_breaks, &a),
            Style::Double => self.write_double(text, allow_breaks, &a),
            Style::Literal => self.write_literal(text),
        }
        self.indent = saved;
    }

    /// Whether a scalar of `a`'s shape, started at the current column,
    /// can be copied as it is: no line breaks, and no space at which the
    /// writer would fold (a space past column 80).
    fn fits_unfolded(&self, a: &Analysis, allow_breaks: bool) -> bool {
        !a.multiline && (!allow_breaks || self.column + a.chars <= BEST_WIDTH + 1)
    }

    fn write_plain(&mut self, text: &str, allow_breaks: bool, a: &Analysis) {
        if !self.whitespace {
            self.put(' ');
        }
        if self.fits_unfolded(a, allow_breaks) {
            self.out.push_str(text);
            self.column += a.chars;
        } else if !a.multiline && text.is_ascii() {
            self.fold_ascii_line(text, allow_breaks);
        } else {
            self.fold_chars(text, allow_breaks);
        }
        self.whitespace = false;
        self.indention = false;
    }

    /// [`fold_chars`](Self::fold_chars) for one line of ASCII (most long
    /// descriptions), copying the runs between spaces whole.
    fn fold_ascii_line(&mut self, text: &str, allow_breaks: bool) {
        let b = text.as_bytes();
        let mut spaces = false;
        let mut i = 0;
        while i < b.len() {
            if b[i] == b' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && b.get(i + 1) != Some(&b' ')
                {
                    self.write_indent();
                } else {
                    self.out.push(' ');
                    self.column += 1;
                }
                spaces = true;
                i += 1;
            } else {
                let end = b[i..]
                    .iter()
                    .position(|&c| c == b' ')
                    .map_or(b.len(), |n| i + n);
                self.out.push_str(&text[i..end]);
                self.column += end - i;
                self.indention = false;
                spaces = false;
                i = end;
            }
        }
    }

    /// A plain scalar's text, folded at a space past column 80.
    fn fold_chars(&mut self, text: &str, allow_breaks: bool) {
        let mut spaces = false;
        let mut breaks = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && chars.peek() != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
    }

    fn write_single(&mut self, text: &str, allow_breaks: bool, a: &Analysis) {
        self.write_indicator("'", true, false, false);
        if self.fits_unfolded(a, allow_breaks) && !text.contains('\'') {
            self.out.push_str(text);
            self.column += a.chars;
        } else {
            let mut spaces = false;
            let mut breaks = false;
            let mut first = true;
            let mut chars = text.chars().peekable();
            while let Some(c) = chars.next() {
                if c == ' ' {
                    if allow_breaks
                        && !spaces
                        && self.column > BEST_WIDTH
                        && !first
                        && chars.peek().is_some_and(|&n| n != ' ')
                    {
                        self.write_indent();
                    } else {
                        self.put(c);
                    }
                    spaces = true;
                } else if is_break(c) {
                    if !breaks && c == '\n' {
                        self.put_break();
                    }
                    self.write_break(c);
                    self.indention = true;
                    breaks = true;
                } else {
                    if breaks {
                        self.write_indent();
                    }
                    if c == '\'' {
                        self.put('\'');
                    }
                    self.put(c);
                    self.indention = false;
                    spaces = false;
                    breaks = false;
                }
                first = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double(&mut self, text: &str, allow_breaks: bool, a: &Analysis) {
        self.write_indicator("\"", true, false, false);
        let plain_ascii = text
            .bytes()
            .all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\');
        if plain_ascii && self.fits_unfolded(a, allow_breaks) {
            self.out.push_str(text);
            self.column += a.chars;
        } else {
            let mut spaces = false;
            let mut first = true;
            let mut chars = text.chars().peekable();
            while let Some(c) = chars.next() {
                if !is_printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                    self.write_escape(c);
                    spaces = false;
                } else if c == ' ' {
                    match chars.peek() {
                        Some(&next)
                            if allow_breaks && !spaces && self.column > BEST_WIDTH && !first =>
                        {
                            self.write_indent();
                            if next == ' ' {
                                self.put('\\');
                            }
                        }
                        _ => self.put(c),
                    }
                    spaces = true;
                } else {
                    self.put(c);
                    spaces = false;
                }
                first = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    /// A backslash escape in a double-quoted scalar.
    fn write_escape(&mut self, c: char) {
        self.put('\\');
        let short = match c {
            '\0' => '0',
            '\u{7}' => 'a',
            '\u{8}' => 'b',
            '\t' => 't',
            '\n' => 'n',
            '\u{b}' => 'v',
            '\u{c}' => 'f',
            '\r' => 'r',
            '\u{1b}' => 'e',
            '"' => '"',
            '\\' => '\\',
            '\u{85}' => 'N',
            '\u{a0}' => '_',
            '\u{2028}' => 'L',
            '\u{2029}' => 'P',
            _ => {
                let v = c as u32;
                let (marker, width) = if v <= 0xff {
                    ('x', 2)
                } else if v <= 0xffff {
                    ('u', 4)
                } else {
                    ('U', 8)
                };
                self.put(marker);
                let hex = format!("{v:0width$X}");
                self.put_str(&hex);
                return;
            }
        };
        self.put(short);
    }

    fn write_literal(&mut self, text: &str) {
        self.write_indicator("|", true, false, false);
        if text.starts_with(|c: char| c == ' ' || is_break(c)) {
            let hint = char::from(b'0' + BEST_INDENT as u8).to_string();
            self.write_indicator(&hint, false, false, false);
        }
        let mut tail = text.chars().rev();
        let chomp = match (tail.next(), tail.next()) {
            (None, _) => Some("-"),
            (Some(last), _) if !is_break(last) => Some("-"),
            (Some(_), None) => Some("+"),
            (Some(_), Some(before)) if is_break(before) => Some("+"),
            _ => None,
        };
        if let Some(chomp) = chomp {
            self.write_indicator(chomp, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        // Whole runs between line breaks are copied at once.
        let mut rest = text;
        let ascii = text.is_ascii();
        while !rest.is_empty() {
            let found = if ascii {
                // Only `\n` and `\r` are breaks in ASCII.
                rest.bytes()
                    .position(|b| b == b'\n' || b == b'\r')
                    .map(|i| (i, char::from(rest.as_bytes()[i])))
            } else {
                rest.char_indices().find(|&(_, c)| is_break(c))
            };
            let (run, brk) = match found {
                Some((i, c)) => (&rest[..i], Some((i, c))),
                None => (rest, None),
            };
            if !run.is_empty() {
                if breaks {
                    self.write_indent();
                }
                self.put_str(run);
                self.indention = false;
                breaks = false;
            }
            match brk {
                Some((i, c)) => {
                    self.write_break(c);
                    self.indention = true;
                    breaks = true;
                    rest = &rest[i + c.len_utf8()..];
                }
                None => rest = "",
            }
        }
    }

    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }
}

/// Whether a scalar prints plain and unchanged whatever its context: a
/// string of ASCII letters, digits and `-_./` starting with a letter that
/// YAML 1.1 does not read as a boolean or null (no quoting, no indicator,
/// no space to fold at), or an integer already in Go's form. The full
/// analysis would decide the same, at several times the cost.
fn non_string_key(entry: &Entry) -> EmitError {
    EmitError::NonStringKey(entry.key.value.to_string(), entry.key.line)
}

fn is_plain_word(s: &Scalar) -> bool {
    let v = s.value.as_bytes();
    match s.tag {
        Tag::Str => {
            !v.is_empty()
                && v[0].is_ascii_alphabetic()
                && v[1..]
                    .iter()
                    .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'/'))
                && resolve::v2_plain_is_string(&s.value)
        }
        Tag::Int => is_canonical_int(&s.value),
        _ => false,
    }
}

/// Number of characters (what the emitter's column counts).
fn char_count(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn has_line_break(s: &str) -> bool {
    s.bytes().any(|b| b == b'\r' || b == b'\n' || b >= 0x80) && s.chars().any(is_break)
}

/// libyaml's `is_printable`, which (as ported to Go) leaves out every
/// character outside the Basic Multilingual Plane.
fn is_printable(c: char) -> bool {
    let v = c as u32;
    v == 0x0a
        || (0x20..=0x7e).contains(&v)
        || (0xa0..=0xd7ff).contains(&v)
        || ((0xe000..=0xfffd).contains(&v) && v != 0xfeff)
}

/// What libyaml's `yaml_emitter_analyze_scalar` finds out about a text,
/// plus its length in characters.
struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
    chars: usize,
}

fn analyze(text: &str) -> Analysis {
    if text.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
            chars: 0,
        };
    }
    let block_indicators = text.starts_with("---") || text.starts_with("...");
    let bytes = text.as_bytes();
    // Branch-free, so the compiler can look at many bytes at a time.
    let (breaks, other) = bytes.iter().fold((false, false), |(breaks, other), &c| {
        let line_break = c == b'\n';
        (
            breaks | line_break,
            other | !((0x20..=0x7e).contains(&c) | line_break),
        )
    });
    if !other && !breaks {
        analyze_printable_ascii(bytes, block_indicators)
    } else if !other {
        analyze_ascii_lines(bytes)
    } else if text.is_ascii() {
        // Bytes are characters here: no UTF-8 decoding.
        analyze_chars(text.bytes().map(char::from), block_indicators)
    } else {
        analyze_chars(text.chars(), block_indicators)
    }
}

/// [`analyze_chars`] for the commonest texts: printable ASCII (spaces
/// included) without line breaks or tabs, so nothing is special, and the
/// only questions are indicators and leading or trailing spaces.
fn analyze_printable_ascii(b: &[u8], mut block_indicators: bool) -> Analysis {
    let n = b.len();
    // Whitespace after a character: a space, or the end of the text.
    let spaced_after = |i: usize| i + 1 == n || b[i + 1] == b' ';
    match b[0] {
        b'#' | b',' | b'[' | b']' | b'{' | b'}' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
        | b'"' | b'%' | b'@' | b'`' => block_indicators = true,
        b'?' | b':' | b'-' if spaced_after(0) => block_indicators = true,
        _ => {}
    }
    if !block_indicators && b[1..].iter().any(|&c| c == b':' || c == b'#') {
        block_indicators = (1..n).any(|i| match b[i] {
            b':' => spaced_after(i),
            b'#' => b[i - 1] == b' ',
            _ => false,
        });
    }
    let leading_space = b[0] == b' ';
    let trailing_space = b[n - 1] == b' ';
    Analysis {
        multiline: false,
        block_plain_allowed: !(leading_space || trailing_space || block_indicators),
        single_quoted_allowed: true,
        block_allowed: !trailing_space,
        chars: n,
    }
}

/// [`analyze_chars`] for lines of printable ASCII (a literal block's
/// usual text): a line break rules out plain style whatever the
/// indicators, so only the spaces beside the breaks and at the ends
/// matter.
fn analyze_ascii_lines(b: &[u8]) -> Analysis {
    let n = b.len();
    let (mut break_space, mut space_break) = (false, false);
    for (i, _) in b.iter().enumerate().filter(|&(_, &c)| c == b'\n') {
        break_space |= b.get(i + 1) == Some(&b' ');
        space_break |= i > 0 && b[i - 1] == b' ';
    }
    let trailing_space = b[n - 1] == b' ';
    Analysis {
        multiline: true,
        block_plain_allowed: false,
        single_quoted_allowed: !(break_space || space_break),
        block_allowed: !(trailing_space || space_break),
        chars: n,
    }
}

/// The analysis proper, over the characters of a non-empty text.
fn analyze_chars(chars: impl Iterator<Item = char>, mut block_indicators: bool) -> Analysis {
    let mut line_breaks = false;
    let mut special = false;
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_whitespace = true;
    let mut count = 0;
    let mut chars = chars.peekable();
    while let Some(c) = chars.next() {
        let first = count == 0;
        count += 1;
        let next = chars.peek().copied();
        let last = next.is_none();
        let followed_by_whitespace = match next {
            None => true,
            Some(n) => matches!(n, ' ' | '\t') || is_break(n),
        };
        if first {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => {
                    block_indicators = true;
                }
                '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_whitespace => block_indicators = true,
                '#' if preceded_by_whitespace => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            if first {
                leading_space = true;
            }
            if last {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if first {
                leading_break = true;
            }
            if last {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = matches!(c, ' ' | '\t') || is_break(c);
    }
    let mut a = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
        chars: count,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks || block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// The style yaml.v2's encoder asks for when it marshals a Go string.
fn string_style(s: &str) -> Style {
    if s.contains('\n') {
        Style::Literal
    } else if resolve::v2_plain_is_string(s) {
        Style::Plain
    } else {
        Style::Double
    }
}

/// Whether `s` is the text Go prints for an int64: an optional `-`, then
/// decimal digits without a leading zero (or `0` alone), short enough that
/// it cannot overflow.
fn is_canonical_int(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty()
        && digits.len() <= 18
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && s != "-0"
}

/// The text and requested style of a scalar after kustomize's JSON round trip.
/// What a string read from a folded (`>`) block reads as after kustomize
/// writes it back as a folded block with yaml.v3 and reads it again (its
/// last step before printing). yaml.v3's folded writer decides whether a
/// line break needs an extra empty line by looking at the first line of the
/// value instead of the next one, so a more-indented line gains an empty
/// line before it, and a value starting with a blank loses its breaks.
/// `None` when yaml.v3 would not write the value as a folded block.
pub fn reread_folded(value: &str) -> Option<String> {
    if !analyze(value).block_allowed {
        return None;
    }
    let chars: Vec<char> = value.chars().collect();
    let blank = |c: char| c == ' ' || c == '\t';
    let mut text = String::from("k: >");
    if chars.first().is_some_and(|&c| c == ' ' || is_break(c)) {
        text.push('2');
    }
    // Chomping, as the block hints are written.
    let n = chars.len();
    if n == 0 || !is_break(chars[n - 1]) {
        text.push('-');
    } else if n == 1 || is_break(chars[n - 2]) {
        text.push('+');
    }
    text.push('\n');
    let first_non_break = chars.iter().position(|&c| !is_break(c));
    let first_is_blankz = first_non_break.is_none_or(|k| blank(chars[k]));
    let mut breaks = true;
    let mut leading_spaces = true;
    for &c in &chars {
        if is_break(c) {
            if !breaks && !leading_spaces && c == '\n' && !first_is_blankz {
                text.push('\n');
            }
            text.push('\n');
            breaks = true;
        } else {
            if breaks {
                text.push_str("  ");
                leading_spaces = blank(c);
            }
            text.push(c);
            breaks = false;
        }
    }
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let node = crate::parse::parse_one(&text).ok()?;
    node.get("k")
        .and_then(|n| n.as_scalar())
        .map(|s| s.value.to_string())
}

fn scalar_text(s: &Scalar) -> Result<(Cow<'_, str>, Style), EmitError> {
    check_readable(&s.value)?;
    Ok(match s.tag {
        Tag::Str if s.style == crate::node::Style::Folded => match reread_folded(&s.value) {
            Some(v) => {
                let style = string_style(&v);
                (Cow::Owned(v), style)
            }
            None => (Cow::Borrowed(s.value.as_str()), string_style(&s.value)),
        },
        Tag::Str | Tag::Other => (Cow::Borrowed(s.value.as_str()), string_style(&s.value)),
        Tag::Null => (Cow::Borrowed("null"), Style::Plain),
        Tag::Bool => {
            let v = if s.value.eq_ignore_ascii_case("true") {
                "true"
            } else {
                "false"
            };
            (Cow::Borrowed(v), Style::Plain)
        }
        // Most numbers are already in the form they print in.
        Tag::Int if is_canonical_int(&s.value) => (Cow::Borrowed(s.value.as_str()), Style::Plain),
        Tag::Int | Tag::Float => match resolve::parse_number(&s.value) {
            Some(n) => (
                Cow::Owned(
                    resolve::format_number_for_output(n)
                        .map_err(|_| EmitError::UnsupportedValue(s.value.to_string()))?,
                ),
                Style::Plain,
            ),
            // A number tag on text that is not a number: print it as a string.
            None => (Cow::Borrowed(s.value.as_str()), string_style(&s.value)),
        },
        Tag::Timestamp => match resolve::format_timestamp(&s.value) {
            Some(t) => {
                let style = string_style(&t);
                (Cow::Owned(t), style)
            }
            None => (Cow::Borrowed(s.value.as_str()), string_style(&s.value)),
        },
    })
}

/// kustomize's JSON text goes back through a YAML reader that refuses
/// characters JSON does not escape and YAML does not allow.
fn check_readable(s: &str) -> Result<(), EmitError> {
    // DEL is 0x7f; U+0080..U+009F start with 0xC2, U+FFFE/U+FFFF with
    // 0xEF: text without those bytes needs no closer look.
    // Branch-free, so the compiler can look at many bytes at a time.
    let suspect = s.bytes().fold(false, |acc, b| {
        acc | (b == 0x7f) | (b == 0xc2) | (b == 0xef)
    });
    if !suspect {
        return Ok(());
    }
    let bad = |c: char| matches!(c, '\u{7f}' | '\u{80}'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}');
    if s.chars().any(bad) {
        Err(EmitError::ControlCharacter(s.to_string()))
    } else {
        Ok(())
    }
}

/// Number text as it would be printed, for callers that format values.
pub fn number_text(n: Number) -> Option<String> {
    resolve::format_number_for_output(n).ok()
}

/// Nodes print as kustomize would print them (here, beside the emitter,
/// so the tree does not depend on its printer).
impl std::fmt::Display for Node {
    /// Prints the node as kustomize would print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match crate::emit::to_string(self) {
            Ok(s) => f.write_str(&s),
            Err(e) => write!(f, "<{e}>"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// kubectl-verified: the root mapping's keys print as text whatever
    /// their type; a nested mapping's must be strings; a null key never.
    #[test]
    fn root_keys_of_any_type_print_as_text() {
        let doc = crate::parse_one("1: a\ntrue: b\n!foo c: d\n2001-12-14: e\n").unwrap();
        assert_eq!(
            to_string(&doc).unwrap(),
            "\"1\": a\n\"2001-12-14\": e\nc: d\n\"true\": b\n"
        );
        for text in ["a:\n  1: b\n", "a:\n  !foo c: d\n", "~: a\n"] {
            let doc = crate::parse_one(text).unwrap();
            assert!(
                matches!(to_string(&doc), Err(EmitError::NonStringKey(..))),
                "{text:?}"
            );
        }
    }
    use crate::parse::parse_one;
    use indoc::indoc;

    fn emit(src: &str) -> String {
        to_string(&parse_one(src).expect("parse")).expect("emit")
    }

    /// The estimate is within a small factor of what prints, on the
    /// shapes builds print (it sizes the output buffer, nothing more).
    #[test]
    fn size_hint_is_close_to_the_printed_size() {
        for src in [
            "a: b\n",
            "metadata:\n  name: web\n  labels: {app: web, tier: front}\nspec:\n  replicas: 3\n",
            "spec:\n  containers:\n  - name: a\n    args: [x, y, z]\n  - name: b\n    env:\n    - {name: K, value: v}\n",
            "description: a long text that goes on past the width the printer folds at, eighty columns or so\n",
        ] {
            let doc = parse_one(src).unwrap();
            let (hint, printed) = (size_hint(&doc), to_string(&doc).unwrap().len());
            assert!(
                hint * 2 >= printed && hint <= printed * 2,
                "{src:?}: hint {hint}, printed {printed}"
            );
        }
    }

    #[test]
    fn keys_sort_naturally() {
        // The order kubectl kustomize prints these ConfigMap keys in.
        let mut keys = vec![
            "b", "a10", "a2", "A", "_x", "a", "1", "10", "9", "a.b", "a-b", "a_b", "aB", "é",
            "a01", "a1", "a001",
        ];
        keys.sort_by(|a, b| compare_keys(a, b));
        assert_eq!(
            keys,
            [
                "_x", "1", "9", "10", "A", "a", "a-b", "a.b", "a_b", "a1", "a01", "a001", "a2",
                "a10", "aB", "b", "é"
            ]
        );
    }

    #[test]
    fn sequences_are_not_indented_under_their_key() {
        let out = emit(indoc! {"
            spec:
              containers:
                - name: a
                  args: [x, y]
                - name: b
              list: [[a, b], {}, []]
        "});
        assert_eq!(
            out,
            indoc! {"
                spec:
                  containers:
                  - args:
                    - x
                    - \"y\"
                    name: a
                  - name: b
                  list:
                  - - a
                    - b
                  - {}
                  - []
            "}
        );
    }

    #[test]
    fn strings_quote_and_fold_like_kustomize() {
        let out = emit(indoc! {r#"
            a: "yes"
            b: ""
            c: "a: b"
            d: "tab	here"
            e: "line1\nline2\n"
            f: "\nlead"
            g: this is a very long string that goes on and on and on and on and past the eighty column limit for sure yes
            h: "emoji 😀"
            n: x
            i: "line\n\n"
            j: "trailing  \nx"
        "#});
        assert_eq!(
            out,
            indoc! {r#"
                a: "yes"
                b: ""
                c: 'a: b'
                d: "tab\there"
                e: |
                  line1
                  line2
                f: |2-

                  lead
                g: this is a very long string that goes on and on and on and on and past the eighty
                  column limit for sure yes
                h: "emoji \U0001F600"
                i: |+
                  line

                j: "trailing  \nx"
                "n": x
            "#}
        );
    }

    /// The shortcuts of [`analyze`] decide what the character loop
    /// decides.
    #[test]
    fn analysis_shortcuts_match_the_character_loop() {
        let mut next = crate::test_rng::xorshift(0x2545_f491_4f6c_dd1d);
        const PIECES: &[&str] = &[
            " ", "\n", "a", "b", ":", "#", "-", "?", "'", "\"", "é", "\t", "---",
        ];
        let fields = |a: Analysis| {
            (
                a.multiline,
                a.block_plain_allowed,
                a.single_quoted_allowed,
                a.block_allowed,
                a.chars,
            )
        };
        let mut failures = Vec::new();
        for _ in 0..50_000 {
            let len = 1 + (next() % 12) as usize;
            let text: String = (0..len)
                .map(|_| PIECES[(next() as usize) % PIECES.len()])
                .collect();
            let indicators = text.starts_with("---") || text.starts_with("...");
            if fields(analyze(&text)) != fields(analyze_chars(text.chars(), indicators)) {
                failures.push(text);
            }
        }
        assert!(
            failures.is_empty(),
            "{} differ, first: {:?}",
            failures.len(),
            failures[0]
        );
    }

    /// The copy-at-once folding of one line of ASCII writes what the
    /// character loop writes, from any column and indentation.
    #[test]
    fn ascii_folding_matches_the_character_loop() {
        let mut next = crate::test_rng::xorshift(0x9e37_79b9_7f4a_7c15);
        let run = |text: &str, column: usize, indent: i32, breaks: bool, ascii: bool| {
            let mut out = String::new();
            let mut e = Emitter {
                out: &mut out,
                column,
                indent,
                whitespace: false,
                indention: false,
                order: Vec::new(),
                visit: &mut NoVisit,
            };
            if ascii {
                e.fold_ascii_line(text, breaks);
            } else {
                e.fold_chars(text, breaks);
            }
            let state = (e.column, e.whitespace, e.indention);
            (out, state)
        };
        let mut failures = Vec::new();
        for _ in 0..20_000 {
            let len = (next() % 200) as usize;
            let text: String = (0..len)
                .map(|_| match next() % 4 {
                    0 => ' ',
                    _ => char::from(b'a' + (next() % 26) as u8),
                })
                .collect();
            let column = (next() % 120) as usize;
            let indent = (next() % 12) as i32 - 1;
            let breaks = !next().is_multiple_of(4);
            if run(&text, column, indent, breaks, true) != run(&text, column, indent, breaks, false)
            {
                failures.push((text, column, indent, breaks));
            }
        }
        assert!(
            failures.is_empty(),
            "{} differ, first: {:?}",
            failures.len(),
            failures[0]
        );
    }

    #[test]
    fn folding_starts_past_column_eighty() {
        // kubectl-verified: a space folds only when the column before it is
        // past 80 (the copy-at-once path must agree at the boundary).
        let xs = |n: usize| "x".repeat(n);
        let src = format!(
            "data:\n  p72: \"{} y\"\n  p73: \"{} y\"\n  p74: \"{} y\"\n  s71: \"{} y:\"\n  s72: \"{} y:\"\n  s73: \"{} y:\"\n",
            xs(72),
            xs(73),
            xs(74),
            xs(71),
            xs(72),
            xs(73)
        );
        let want = format!(
            "data:\n  p72: {} y\n  p73: {} y\n  p74: {}\n    y\n  s71: '{} y:'\n  s72: '{} y:'\n  s73: '{}\n    y:'\n",
            xs(72),
            xs(73),
            xs(74),
            xs(71),
            xs(72),
            xs(73)
        );
        assert_eq!(emit(&src), want);
    }
}
